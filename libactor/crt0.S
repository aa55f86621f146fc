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

/*
 * __clk_thread_entry: where clk_thread_start's threads begin. The stack
 * holds the function and its argument; rsi is the thread's IPC buffer,
 * which becomes the function's second argument. When the function returns,
 * the thread ends (THREAD_EXIT is 30; start.c checks that against clk/abi.h).
 */
    .globl __clk_thread_entry
__clk_thread_entry:
    xorl %ebp, %ebp
    movq (%rsp), %rax
    movq 8(%rsp), %rdi
    call *%rax
    movl $30, %eax
    syscall
    ud2
