/*
 * actor/sys.h: CLKernel system calls for actors, one inline function each.
 * Numbers and the register convention come from <clk/abi.h>; see
 * docs/kernel-abi.md for what each call does and its errors.
 *
 * This is the first piece of libactor; the full runtime (message loop,
 * name registry, newlib) arrives with the SDK.
 */
#ifndef ACTOR_SYS_H
#define ACTOR_SYS_H

#include <clk/abi.h>
#include <stddef.h>
#include <stdint.h>

static inline long clk_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
    register long r10 __asm__("r10") = a3;
    register long r8 __asm__("r8") = a4;
    register long r9 __asm__("r9") = a5;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

/* Write LEN bytes to the kernel console; returns LEN or a CLK_E* code. */
static inline long clk_debug_write(const void *buf, size_t len)
{
    return clk_syscall(CLK_SYS_DEBUG_WRITE, (long)buf, (long)len, 0, 0, 0, 0);
}

/* End the calling actor with STATUS. */
static inline __attribute__((noreturn)) void clk_exit(int status)
{
    clk_syscall(CLK_SYS_EXIT, status, 0, 0, 0, 0, 0);
    __builtin_unreachable();
}

static inline void clk_yield(void)
{
    clk_syscall(CLK_SYS_YIELD, 0, 0, 0, 0, 0, 0);
}

static inline void clk_sleep_ns(uint64_t ns)
{
    clk_syscall(CLK_SYS_SLEEP, (long)ns, 0, 0, 0, 0, 0);
}

/* Nanoseconds since boot. */
static inline uint64_t clk_clock_ns(void)
{
    return (uint64_t)clk_syscall(CLK_SYS_CLOCK, 0, 0, 0, 0, 0, 0);
}

/* Start a new actor from the ELF image at ELF (LEN bytes) of this actor's
 * memory; returns its id or a CLK_E* code. */
static inline long clk_spawn(const void *elf, size_t len, const char *name, int prio)
{
    return clk_syscall(CLK_SYS_SPAWN, (long)elf, (long)len, (long)name, prio, 0, 0);
}

/* The calling actor's id. */
static inline long clk_self(void)
{
    return clk_syscall(CLK_SYS_SELF, 0, 0, 0, 0, 0, 0);
}

/* printf to the kernel console (the formatting of the kernel's fmt.h). */
int clk_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
