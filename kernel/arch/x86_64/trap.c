/*
 * trap.c: interrupt dispatch, and the panic report for exceptions taken in
 * the kernel: vector, error code, RIP with its function name, CR2, all
 * registers and a symbolic backtrace.
 */
#include <actor.h>
#include <arch/cpu.h>
#include <arch/platform.h>
#include <arch/trap.h>
#include <fmt.h>
#include <kstack.h>
#include <ksyms.h>
#include <log.h>
#include <memlayout.h>
#include <sched.h>
#include <vm.h>

static irq_handler_t *handlers[256];
static volatile uint64_t nmi_count;

uint64_t arch_nmi_count(void)
{
    return nmi_count;
}

static const char *const exception_names[VEC_EXCEPTIONS] = {
    "divide error",
    "debug",
    "NMI",
    "breakpoint",
    "overflow",
    "bound range exceeded",
    "invalid opcode",
    "device not available",
    "double fault",
    "coprocessor segment overrun",
    "invalid TSS",
    "segment not present",
    "stack-segment fault",
    "general protection fault",
    "page fault",
    "reserved 15",
    "x87 floating-point error",
    "alignment check",
    "machine check",
    "SIMD floating-point error",
    "virtualization exception",
    "control protection",
    "reserved 22",
    "reserved 23",
    "reserved 24",
    "reserved 25",
    "reserved 26",
    "reserved 27",
    "hypervisor injection",
    "VMM communication",
    "security exception",
    "reserved 31",
};

void irq_set_handler(unsigned vector, irq_handler_t *handler)
{
    handlers[vector & 0xFF] = handler;
}

bool panic_enter(void)
{
    static bool panicking;
    bool first = !panicking;
    panicking = true;
    return first;
}

__noreturn void arch_halt_forever(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}

void arch_qemu_exit(unsigned status)
{
    outl(0xF4, status); /* isa-debug-exit: QEMU exits with (status << 1) | 1 */
}

/* Print ADDR with its function. A return address is looked up one byte
 * back: a call to a function that never returns may end its caller, so the
 * return address itself can lie past the caller's last byte. */
static void print_addr(const char *prefix, uint64_t addr, bool is_return)
{
    uint64_t off;
    const char *name = ksym_lookup(addr - is_return, &off);
    if (name)
        kprintf("%s0x%016lx <%s+%#lx>\n", prefix, (unsigned long)addr, name,
                (unsigned long)(off + is_return));
    else
        kprintf("%s0x%016lx <?>\n", prefix, (unsigned long)addr);
}

/* A frame at RBP may be read when it is aligned and mapped in the kernel. */
static bool frame_readable(uint64_t rbp)
{
    return rbp >= DIRECT_MAP && IS_ALIGNED(rbp, 8) && rbp + 16 > rbp &&
           arch_lookup(read_cr3() & ~0xFFFUL, rbp, NULL, NULL) &&
           arch_lookup(read_cr3() & ~0xFFFUL, rbp + 8, NULL, NULL);
}

/* Walk the frame-pointer chain from RBP. Runs of the same return address
 * (deep recursion) print once with a count, so the outer frames still show. */
void arch_backtrace(uint64_t rbp, uint64_t rip)
{
    kprintf("Backtrace:\n");
    int n = 0;
    uint64_t last = 0, repeats = 0;
    if (rip)
        print_addr("  #0  ", rip, false), n++;
    for (uint64_t walked = 0; n < BACKTRACE_MAX && walked < (1UL << 20); walked++) {
        if (!rbp || !frame_readable(rbp))
            break;
        uint64_t *frame = (uint64_t *)rbp;
        if (!frame[1])
            break;
        if (frame[1] == last) {
            repeats++;
        } else {
            if (repeats)
                kprintf("      ... the frame above repeats %lu more times\n",
                        (unsigned long)repeats);
            repeats = 0;
            char prefix[16];
            ksnprintf(prefix, sizeof(prefix), "  #%-2d ", n++);
            print_addr(prefix, frame[1], true);
            last = frame[1];
        }
        if (frame[0] <= rbp)
            break; /* frames must move up the stack */
        rbp = frame[0];
    }
    if (repeats)
        kprintf("      ... the frame above repeats %lu more times\n", (unsigned long)repeats);
}

/* A one-line explanation of a page fault (error code bits: 0 present,
 * 1 write, 2 user, 3 reserved bit, 4 instruction fetch). */
static const char *pf_reason(uint64_t err, uint64_t cr2)
{
    if (kstack_is_guard(cr2))
        return "kernel stack overflow (hit the guard page)";
    if (err & 0x8)
        return "reserved bit set in a page-table entry";
    if (cr2 < PAGE_SIZE)
        return "null pointer dereference";
    if (err & 0x10)
        return (err & 1) ? "instruction fetch from a non-executable page (NX)"
                         : "instruction fetch from an unmapped address";
    if ((err & 0x3) == 0x3)
        return "write to a read-only page";
    if (!(err & 1))
        return (err & 2) ? "write to an unmapped address" : "read of an unmapped address";
    return "protection violation";
}

static __noreturn void exception_panic(struct trap_frame *tf)
{
    uint64_t cr2 = read_cr2();
    irq_disable();
    if (!panic_enter())
        arch_halt_forever();

    kprintf("\n*** PANIC: %s in kernel mode (vector %lu, error code %#lx)\n",
            exception_names[tf->vector], (unsigned long)tf->vector, (unsigned long)tf->error);
    if (tf->vector == VEC_PAGE_FAULT)
        kprintf("    cause: %s\n", pf_reason(tf->error, cr2));
    if (tf->vector == VEC_DOUBLE_FAULT && (kstack_is_guard(cr2) || kstack_is_guard(tf->rsp - 8)))
        kprintf("    cause: kernel stack overflow (hit the guard page)\n");
    print_addr("    RIP ", tf->rip, false);
    kprintf("    CR2 0x%016lx  CR3 0x%016lx\n", (unsigned long)cr2, (unsigned long)read_cr3());
    kprintf("    RAX 0x%016lx  RBX 0x%016lx  RCX 0x%016lx\n", tf->rax, tf->rbx, tf->rcx);
    kprintf("    RDX 0x%016lx  RSI 0x%016lx  RDI 0x%016lx\n", tf->rdx, tf->rsi, tf->rdi);
    kprintf("    RBP 0x%016lx  RSP 0x%016lx  R8  0x%016lx\n", tf->rbp, tf->rsp, tf->r8);
    kprintf("    R9  0x%016lx  R10 0x%016lx  R11 0x%016lx\n", tf->r9, tf->r10, tf->r11);
    kprintf("    R12 0x%016lx  R13 0x%016lx  R14 0x%016lx\n", tf->r12, tf->r13, tf->r14);
    kprintf("    R15 0x%016lx  RFLAGS %#lx  CS %#lx  SS %#lx\n", tf->r15, tf->rflags, tf->cs,
            tf->ss);
    kprintf("    CR0 %#lx  CR4 %#lx\n", (unsigned long)read_cr0(), (unsigned long)read_cr4());
    arch_backtrace(tf->rbp, tf->rip);
    kprintf("*** System halted.\n");
    arch_halt_forever();
}

void trap_dispatch(struct trap_frame *tf)
{
    unsigned vec = tf->vector;
    if (vec == VEC_NMI) {
        nmi_count++; /* no logging here: an NMI may interrupt the logger */
        return;
    }
    if (vec < VEC_EXCEPTIONS)
        exception_panic(tf); /* user-mode faults go to fault handlers (kernel core) */
    if (vec == VEC_SPURIOUS || (vec >= VEC_PIC_BASE && vec < VEC_PIC_BASE + 16))
        return; /* spurious: no EOI */
    if (handlers[vec])
        handlers[vec](tf);
    else
        log_warn("irq: unexpected interrupt on vector %u", vec);
    lapic_eoi();
}

/* An exception in user mode kills the actor (later: a message to its fault
 * handler); an interrupt is handled as in the kernel. Either way the kernel
 * then returns to whichever thread should run. */
__noreturn void trap_from_user(struct trap_frame *tf)
{
    struct thread *t = sched_current();
    unsigned vec = tf->vector;
    if (tf != &t->ctx)
        t->ctx = *tf; /* an IST vector: the frame is on the IST stack */
    if (vec == VEC_NMI) {
        nmi_count++;
    } else if (vec < VEC_EXCEPTIONS) {
        actor_fault(t, vec, exception_names[vec], vec == VEC_PAGE_FAULT ? read_cr2() : 0, tf->rip,
                    tf->error, tf->rsp);
    } else {
        trap_dispatch(tf);
    }
    sched_resume();
}
