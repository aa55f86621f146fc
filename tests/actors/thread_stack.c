/*
 * thread_stack.c: threads on stacks the kernel makes (clk_thread_start
 * with no stack). The first uses 32 KiB of its stack and reports where it
 * lies; the second recurses until it hits the guard page below its stack,
 * which kills the actor.
 */
#include <actor/sys.h>

static volatile long finished;

static long deep(long n)
{
    volatile char pad[512];
    pad[0] = (char)n;
    return n ? deep(n - 1) + pad[0] : 0;
}

static void modest(void *arg, void *ipcbuf)
{
    (void)arg;
    volatile char buf[32768];
    buf[0] = 1, buf[sizeof(buf) - 1] = 2;
    clk_printf("thread_stack: a thread at %#lx with its IPC buffer at %#lx\n",
               (unsigned long)(uintptr_t)buf, (unsigned long)(uintptr_t)ipcbuf);
    finished = 1;
}

static void endless(void *arg, void *ipcbuf)
{
    (void)arg, (void)ipcbuf;
    clk_printf("thread_stack: recursing\n");
    deep(1L << 40);
}

int main(void)
{
    long a = clk_thread_start(modest, NULL, NULL, 0);
    while (!finished)
        clk_yield();
    clk_printf("thread_stack: thread %ld ended\n", a);
    clk_thread_start(endless, NULL, NULL, 0);
    for (;;)
        clk_yield();
}
