/*
 * isr.S: entry stubs for all 256 interrupt vectors, generated here by the
 * assembler from one rule: vectors 8, 10-14, 17, 21, 29 and 30 get an error
 * code from the CPU, every other vector pushes a zero in its place. Each
 * stub is ISR_STUB_SIZE bytes, so idt.c finds stub N at isr_stubs + N * size.
 */
#include <arch/frame_asm.h>

#define ISR_STUB_SIZE 16

    .text
    .balign ISR_STUB_SIZE
    .globl isr_stubs
isr_stubs:
    vec = 0
    .rept 256
    .balign ISR_STUB_SIZE
    .if !(vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30)
    pushq $0
    .endif
    pushq $vec
    jmp isr_common
    vec = vec + 1
    .endr

/* Save the registers as struct trap_frame, call trap_dispatch, restore. */
isr_common:
    cld
    PUSH_GPRS
    movq %rsp, %rdi
    testb $3, TF_CS(%rsp)           /* the interrupted CS: user mode? */
    jnz from_user
    /* Give backtraces a frame that links to the interrupted code. */
    pushq TF_RIP(%rsp)              /* interrupted rip */
    pushq TF_RBP(%rdi)              /* interrupted rbp */
    movq %rsp, %rbp
    call trap_dispatch
    addq $16, %rsp
    POP_GPRS
    addq $16, %rsp                  /* vector and error code */
    iretq

/* From user mode the frame is the current thread's saved registers (or, for
 * an IST vector, a copy on the IST stack). Handle it on the kernel stack;
 * trap_from_user() leaves through arch_return_to_user(). */
from_user:
    movq cpu_kstack_top(%rip), %rsp
    xorl %ebp, %ebp
    call trap_from_user
    ud2
