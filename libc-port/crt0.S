/*
 * crt0.S: where an actor built against the sysroot starts. The kernel
 * enters with the stack 16-byte aligned, rdi = the number of capabilities
 * the spawner gave (slots 1..n), rsi = the argument block and rdx = its
 * length (clk/abi.h); start.c turns them into argc, argv and environ.
 */
    .text
    .globl _start
_start:
    xorl %ebp, %ebp
    call __clk_libc_start
    ud2
