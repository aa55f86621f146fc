/*
 * fiber.S: switching between the loop and fibers (libactor/actor.c).
 *
 * actor_fiber_switch(void **save, void *to) pushes the callee-saved
 * registers, the x87 control word and MXCSR (the System V ABI says they
 * are preserved across calls), stores the stack pointer in *save and
 * pops the same from stack TO. A stack saved this way, from the top:
 *   return address, rbp, rbx, r12, r13, r14, r15, MXCSR (at +8), FCW (at +0)
 * A new fiber's stack is made to look like one whose return address is
 * actor_fiber_start, with the fiber in r12 and the function in r13.
 */
    .text
    .globl actor_fiber_switch
actor_fiber_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $16, %rsp
    stmxcsr 8(%rsp)
    fnstcw (%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    fldcw (%rsp)
    ldmxcsr 8(%rsp)
    addq $16, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret

    .globl actor_fiber_start
actor_fiber_start:
    xorl %ebp, %ebp
    movq %r12, %rdi
    call *%r13
    ud2

    .section .note.GNU-stack,"",@progbits
