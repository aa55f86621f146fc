/*
 * ktest/faults.c: fatal tests. Each breaks the kernel on purpose in a
 * function whose name the panic report must show; tests/test_panic.py
 * checks the reports.
 */
#include <frame.h>
#include <kmalloc.h>
#include <kstack.h>
#include <ktest.h>
#include <panic.h>

/* Hide a value from the optimiser, so a deliberate fault stays a fault. */
static uint64_t launder(uint64_t v)
{
    __asm__ volatile("" : "+r"(v));
    return v;
}

__attribute__((noinline)) void panic_test_null_deref(void)
{
    *(volatile int *)launder(0) = 1;
}

KTEST_FATAL(panic)
{
    panic_test_null_deref();
}

__attribute__((noinline)) void panic_test_divide(void)
{
    uint64_t lo = 1, hi = 0;
    __asm__ volatile("divq %2" : "+a"(lo), "+d"(hi) : "r"(launder(0)));
}

KTEST_FATAL(divide)
{
    panic_test_divide();
}

__attribute__((noinline)) void panic_test_invalid_opcode(void)
{
    __asm__ volatile("ud2");
}

KTEST_FATAL(invalid_opcode)
{
    panic_test_invalid_opcode();
}

__attribute__((noinline)) void panic_test_write_text(void)
{
    *(volatile uint8_t *)launder((uint64_t)&panic_test_null_deref) = 0xC3;
}

KTEST_FATAL(write_text)
{
    panic_test_write_text();
}

__attribute__((noinline)) void panic_test_exec_data(void)
{
    uint8_t *code = kmalloc(16);
    code[0] = 0xC3; /* ret */
    ((void (*)(void))launder((uint64_t)code))();
}

KTEST_FATAL(exec_data)
{
    panic_test_exec_data();
}

/* Recursion far deeper than the boot stack (the limit only hides the
 * intent from the compiler): it must hit the guard page. */
__attribute__((noinline)) uint64_t panic_test_recurse(uint64_t n)
{
    volatile uint8_t pad[256];
    pad[0] = (uint8_t)n;
    if (launder(n) > (1UL << 40))
        return n;
    return panic_test_recurse(n + 1) + pad[0];
}

KTEST_FATAL(stack_overflow)
{
    panic_test_recurse(0);
}

__attribute__((noinline)) void panic_test_kstack_guard(void)
{
    uint64_t top;
    if (kstack_alloc(&top) == 0)
        *(volatile uint64_t *)launder(top - KSTACK_SIZE - 8) = 1;
}

KTEST_FATAL(kstack_guard)
{
    panic_test_kstack_guard();
}

KTEST_FATAL(double_free)
{
    uint64_t pa;
    KTEST_CHECK(frame_alloc(0, &pa) == 0);
    frame_free(pa);
    frame_free(pa);
}

KTEST_FATAL(foreign_free)
{
    frame_free(kimage_to_phys((void *)&panic_test_null_deref) & ~0xFFFUL);
}

KTEST_FATAL(kfree_double)
{
    void *p = kmalloc(100);
    kfree(p);
    kfree(p);
}

KTEST_FATAL(assert)
{
    KASSERT(launder(1) == 2);
}
