/*
 * isr.S: entry stubs for all 256 interrupt vectors, generated here by the
 * assembler from one rule: vectors 8, 10-14, 17, 21, 29 and 30 get an error
 * code from the CPU, every other vector pushes a zero in its place. Each
 * stub is ISR_STUB_SIZE bytes, so idt.c finds stub N at isr_stubs + N * size.
 */
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
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, %rdi
    /* Give backtraces a frame that links to the interrupted code. */
    pushq 17 * 8(%rsp)              /* interrupted rip */
    pushq 8 * 8(%rdi)               /* interrupted rbp */
    movq %rsp, %rbp
    call trap_dispatch
    addq $16, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp                  /* vector and error code */
    iretq
