/*
 * crt0.S: actor entry. The kernel starts an actor at _start with the stack
 * pointer 16-byte aligned and its argument in rdi (the root actor's is its
 * struct clk_bootinfo); start.c takes it from there.
 */
    .text
    .globl _start
_start:
    xorl %ebp, %ebp
    call __clk_start
    ud2
