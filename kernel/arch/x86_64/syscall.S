/*
 * syscall.S: the SYSCALL entry and the common exit to user mode (see
 * arch/context.h). Interrupts are off from SYSCALL (FMASK clears IF) until
 * IRETQ restores the user's flags; the kernel is uniprocessor, so the
 * cpu_* globals need no per-CPU addressing yet.
 */
#include <arch/frame_asm.h>
#include <arch/gdt.h>

#define VEC_SYSCALL 0x100

    .text
    .globl syscall_entry
syscall_entry:
    /* rcx = user rip, r11 = user rflags, rsp = user stack */
    movq %rsp, cpu_user_rsp(%rip)
    movq cpu_ctx_top(%rip), %rsp    /* the end of the current thread's frame */
    pushq $SEL_UDATA                /* ss */
    pushq cpu_user_rsp(%rip)        /* rsp */
    pushq %r11                      /* rflags */
    pushq $SEL_UCODE                /* cs */
    pushq %rcx                      /* rip */
    pushq $0                        /* error code */
    pushq $VEC_SYSCALL              /* vector */
    PUSH_GPRS
    movq %rsp, %rdi
    movq cpu_kstack_top(%rip), %rsp
    xorl %ebp, %ebp
    call syscall_from_user          /* ends in arch_return_to_user */
    ud2

/* arch_return_to_user(frame): load the frame and return to ring 3. */
    .globl arch_return_to_user
arch_return_to_user:
    movq %rdi, %rsp
    POP_GPRS
    addq $16, %rsp                  /* vector and error code */
    iretq

    .bss
    .balign 8
    .globl cpu_user_rsp, cpu_ctx_top, cpu_kstack_top
cpu_user_rsp:   .quad 0
cpu_ctx_top:    .quad 0             /* = TSS.rsp0: just past the current frame */
cpu_kstack_top: .quad 0             /* the kernel stack, used from its top */
