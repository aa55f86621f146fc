/*
 * syscall.S: the SYSCALL entry and the common exit to user mode (see
 * arch/context.h). Interrupts are off from SYSCALL (FMASK clears IF) until
 * SYSRET or IRETQ restores the user's flags; the kernel is uniprocessor, so
 * the cpu_* globals need no per-CPU addressing yet, and it never uses GS,
 * so there is no SWAPGS on either side.
 */
#include <arch/frame_asm.h>
#include <arch/gdt.h>

/* SYSRET only to a rip below the top user page. SYSRET to a non-canonical
 * rip raises #GP in ring 0 on the user's stack on Intel CPUs; the top page
 * is never mapped (memlayout.h), but the check does not rely on that. */
#define SYSRET_RIP_END 0x00007FFFFFFFF000

    .text
    .globl syscall_entry
syscall_entry:
    /*
     * rcx = user rip, r11 = user rflags, rsp = user stack. Save the
     * registers into the current thread's frame, pushing rsp and rflags
     * from its ss slot down and moving the rest. Left out: cs and ss (the
     * frame always holds the user selectors: see arch_switch_to), the
     * error code (unused for VEC_SYSCALL) and the rcx and r11 slots
     * (SYSCALL has destroyed both; the exit puts rip and rflags there, as
     * SYSRET does).
     */
    movq %rsp, cpu_user_rsp(%rip)
    movq cpu_ctx_ss(%rip), %rsp     /* the ss slot of the current thread's frame */
    pushq cpu_user_rsp(%rip)
    pushq %r11
#define F(slot) (TF_##slot - TF_RFLAGS)(%rsp) /* rsp is at the rflags slot */
    movq %rcx, F(RIP)
    movq $VEC_SYSCALL, F(VECTOR)
    movq %rax, F(RAX)
    movq %rbx, F(RBX)
    movq %rdx, F(RDX)
    movq %rsi, F(RSI)
    movq %rdi, F(RDI)
    movq %rbp, F(RBP)
    movq %r8, F(R8)
    movq %r9, F(R9)
    movq %r10, F(R10)
    movq %r12, F(R12)
    movq %r13, F(R13)
    movq %r14, F(R14)
    movq %r15, F(R15)
#undef F
    leaq -TF_RFLAGS(%rsp), %rdi     /* the frame */
    movq cpu_kstack_top(%rip), %rsp
    xorl %ebp, %ebp
    call syscall_from_user          /* ends in arch_return_to_user */
    ud2

/*
 * arch_return_to_user(frame): load the frame and return to ring 3. A frame
 * that SYSCALL built, whose rip is safe for SYSRET, leaves by SYSRET: it
 * restores no segment and needs no frame on the stack. Every other frame
 * (an interrupt or exception, which must keep rcx and r11, or a new thread)
 * leaves by IRETQ.
 */
    .globl arch_return_to_user
arch_return_to_user:
    cmpq $VEC_SYSCALL, TF_VECTOR(%rdi)
    jne 2f
    movq TF_RIP(%rdi), %rcx
    cmpq sysret_rip_end(%rip), %rcx
    jae 1f
    movq TF_RFLAGS(%rdi), %r11
    movq TF_RAX(%rdi), %rax
    movq TF_RBX(%rdi), %rbx
    movq TF_RDX(%rdi), %rdx
    movq TF_RSI(%rdi), %rsi
    movq TF_RBP(%rdi), %rbp
    movq TF_R8(%rdi), %r8
    movq TF_R9(%rdi), %r9
    movq TF_R10(%rdi), %r10
    movq TF_R12(%rdi), %r12
    movq TF_R13(%rdi), %r13
    movq TF_R14(%rdi), %r14
    movq TF_R15(%rdi), %r15
    /* The user stack from here on, still in ring 0: only NMI and #MC can
     * arrive (IF is off), and they run on IST stacks. */
    movq TF_RSP(%rdi), %rsp
    movq TF_RDI(%rdi), %rdi
    sysretq

    /* A SYSCALL frame that must leave by IRETQ: rcx and r11 as SYSRET
     * would leave them. */
1:  movq %rcx, TF_RCX(%rdi)
    movq TF_RFLAGS(%rdi), %r11
    movq %r11, TF_R11(%rdi)
2:  movq %rdi, %rsp
    POP_GPRS
    addq $16, %rsp                  /* vector and error code */
    iretq

    .section .rodata
    .balign 8
sysret_rip_end: .quad SYSRET_RIP_END

    .bss
    .balign 8
    .globl cpu_user_rsp, cpu_ctx_ss, cpu_kstack_top
cpu_user_rsp:   .quad 0
cpu_ctx_ss:     .quad 0             /* &frame->ss of the current thread (TSS.rsp0 = its end) */
cpu_kstack_top: .quad 0             /* the kernel stack, used from its top */
