/*
 * thread.S: __clk_thread_entry, where clk_thread_start's threads begin, with the
 * function in rdi, the thread's IPC buffer in rsi and the function's
 * argument in rdx; it calls fn(arg, ipcbuf). When the function returns,
 * the thread ends (THREAD_EXIT is 30; start.c checks that against clk/abi.h).
 */
    .text
    .globl __clk_thread_entry
__clk_thread_entry:
    xorl %ebp, %ebp
    movq %rdi, %rax
    movq %rdx, %rdi
    call *%rax
    movl $30, %eax
    syscall
    ud2
