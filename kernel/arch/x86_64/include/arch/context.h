/*
 * arch/context.h: a thread's user-mode state on x86_64 and the entry and
 * exit paths between user and kernel mode.
 *
 * CLKernel has one kernel stack per CPU (the kernel is event-driven, as
 * seL4's is). A thread's user registers live in its struct trap_frame: while
 * the thread runs, TSS.rsp0 points just past that frame, so an interrupt or
 * exception from user mode pushes its registers straight into the thread,
 * and SYSCALL (syscall.S) builds the same frame there. The C handler then
 * runs on the kernel stack from its top, and every exit to user mode
 * restores the current thread's frame: nothing of a thread's kernel
 * execution survives it, so a thread costs no kernel stack. A frame that
 * SYSCALL built (vector VEC_SYSCALL) leaves by SYSRET, any other by IRETQ.
 */
#ifndef CLK_ARCH_CONTEXT_H
#define CLK_ARCH_CONTEXT_H

#include <arch/trap.h>

/* Per-thread architecture state beside the registers: the FPU/SSE state
 * (FXSAVE format), saved and restored eagerly on thread switches. */
struct arch_thread {
    uint8_t fxsave[512] __attribute__((aligned(16)));
};

/* The syscall number and arguments (rdi, rsi, rdx, r10, r8, r9). */
static inline uint64_t ctx_syscall_nr(const struct trap_frame *c)
{
    return c->rax;
}

static inline uint64_t ctx_arg(const struct trap_frame *c, int i)
{
    switch (i) {
    case 0: return c->rdi;
    case 1: return c->rsi;
    case 2: return c->rdx;
    case 3: return c->r10;
    case 4: return c->r8;
    default: return c->r9;
    }
}

/* SEND's timeout, which travels in rbx (the IPC registers are taken). */
static inline uint64_t ctx_send_timeout(const struct trap_frame *c)
{
    return c->rbx;
}

/* Set argument I (0, 1, 2: rdi, rsi, rdx) of a thread about to start. */
static inline void ctx_set_arg(struct trap_frame *c, int i, uint64_t v)
{
    *(i == 0 ? &c->rdi : i == 1 ? &c->rsi : &c->rdx) = v;
}

static inline void ctx_set_sp(struct trap_frame *c, uint64_t sp)
{
    c->rsp = sp;
}

static inline void ctx_set_ret(struct trap_frame *c, int64_t v)
{
    c->rax = (uint64_t)v;
}

/* IPC registers (clk/abi.h): tag in rsi, badge out in rdi, m0..m7 in rdx,
 * r10, r8, r9, r12, r13, r14, r15. */
static inline uint64_t ctx_tag(const struct trap_frame *c)
{
    return c->rsi;
}

static inline void ctx_set_tag(struct trap_frame *c, uint64_t tag)
{
    c->rsi = tag;
}

/* Give DST the message in SRC's registers (tag and words), and BADGE. */
static inline void ctx_copy_msg(struct trap_frame *dst, const struct trap_frame *src,
                                uint64_t badge)
{
    dst->rsi = src->rsi;
    dst->rdi = badge;
    dst->rdx = src->rdx;
    dst->r10 = src->r10;
    dst->r8 = src->r8;
    dst->r9 = src->r9;
    dst->r12 = src->r12;
    dst->r13 = src->r13;
    dst->r14 = src->r14;
    dst->r15 = src->r15;
}

/* The message words m0..m7 of C, out of and into W. */
static inline void ctx_get_words(const struct trap_frame *c, uint64_t w[8])
{
    w[0] = c->rdx, w[1] = c->r10, w[2] = c->r8, w[3] = c->r9;
    w[4] = c->r12, w[5] = c->r13, w[6] = c->r14, w[7] = c->r15;
}

static inline void ctx_set_words(struct trap_frame *c, const uint64_t w[8])
{
    c->rdx = w[0], c->r10 = w[1], c->r8 = w[2], c->r9 = w[3];
    c->r12 = w[4], c->r13 = w[5], c->r14 = w[6], c->r15 = w[7];
}

static inline uint64_t ctx_pc(const struct trap_frame *c)
{
    return c->rip;
}

/* Set up a fresh user context: start at ENTRY with stack STACK, ARG in rdi. */
void arch_context_init(struct trap_frame *c, struct arch_thread *a, uint64_t entry, uint64_t stack,
                       uint64_t arg);

/* Enable SYSCALL/SYSRET and the FPU/SSE for user code. */
void arch_user_init(uint64_t kernel_stack_top);

/* Make the thread with frame C and state A the one that runs next in the
 * address space ROOT: entry stack, page tables, FPU state. */
void arch_switch_to(struct trap_frame *c, struct arch_thread *a, uint64_t root);

/* Forget that A owns the FPU registers (its thread is being destroyed). */
void arch_thread_gone(struct arch_thread *a);

/* Leave for user mode with the registers in C. Never returns. */
__noreturn void arch_return_to_user(struct trap_frame *c);

#endif
