/*
 * threads.c: three more threads in one actor (its quota is 4) each make
 * 300 calls to the echo server in its first slot, short ones and long ones
 * through the thread's own IPC buffer, while the main thread waits for
 * them. Then it checks the thread quota and bad arguments.
 *
 * Without a capability it starts two threads that print and yield forever
 * and then dereferences NULL on the main thread: the fault takes the whole
 * actor, every thread of it.
 */
#include <actor/sys.h>

#define WORKERS 3
#define CALLS   300

static uint8_t stacks[WORKERS][16384] __attribute__((aligned(16)));
static volatile long done, good;

static void worker(void *arg, void *ipcbuf)
{
    long ok = 0, id = (long)(uintptr_t)arg;
    uint8_t *b = ipcbuf;
    for (int i = 0; i < CALLS; i++) {
        struct clk_msg m = { CLK_TAG(0, 16), { (uint64_t)i, (uint64_t)id } };
        unsigned len = i % 3 ? 16 : 200; /* every third call is long */
        for (unsigned k = 0; len > 64 && k < len; k++)
            b[k] = (uint8_t)(k + id);
        m.tag = CLK_TAG(0, len);
        if (clk_call(1, &m) != 0)
            continue;
        if (len <= 64)
            ok += m.w[0] == (uint64_t)i + 1 && m.w[1] == (uint64_t)id + 1;
        else
            ok += b[0] == (uint8_t)(len - 1 + id) && b[len - 1] == (uint8_t)id; /* reversed */
    }
    __atomic_add_fetch(&good, ok, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&done, 1, __ATOMIC_SEQ_CST);
}

static void chatter(void *arg, void *ipcbuf)
{
    (void)ipcbuf;
    for (unsigned long n = 0;; n++) {
        if (n % 50 == 0)
            clk_printf("threads: worker %lu alive\n", (unsigned long)(uintptr_t)arg);
        clk_yield();
    }
}

static volatile long slot, result = 1;

/* Wait on SLOT: RECV on an endpoint, or (ARG set) bind it and WAIT. */
static void receiver(void *arg, void *ipcbuf)
{
    (void)ipcbuf;
    struct clk_msg m = { 0 };
    uint64_t badge;
    if (arg)
        result = clk_bind(slot) ? -99 : clk_wait(CLK_FOREVER, &m, &badge);
    else
        result = clk_recv(slot, &m, &badge);
}

/* Another thread takes a blocked thread's object away: it must wake. */
static int under_the_feet(void)
{
    for (int wait = 0; wait < 2; wait++) {
        slot = wait ? clk_mailbox_create(4) : clk_endpoint_create();
        result = 1;
        clk_thread_start(receiver, (void *)(uintptr_t)wait, NULL, 0);
        for (int i = 0; i < 20; i++)
            clk_yield(); /* it is blocked by now */
        clk_cap_delete(slot);
        for (int i = 0; i < 1000 && result == 1; i++)
            clk_yield();
        clk_printf("threads: %s whose capability another thread deleted -> %ld\n",
                   wait ? "WAIT on a mailbox" : "RECV on an endpoint", result);
    }
    return 0;
}

int main(long ncaps)
{
    long idx[WORKERS];
    if (ncaps != 1) {
        clk_thread_start(chatter, (void *)1, stacks[0], sizeof(stacks[0]));
        clk_thread_start(chatter, (void *)2, stacks[1], sizeof(stacks[1]));
        for (int i = 0; i < 200; i++)
            clk_yield();
        clk_printf("threads: main faults now\n");
        *(volatile int *)0 = 1;
        return 1;
    }
    for (long i = 0; i < WORKERS; i++)
        idx[i] = clk_thread_start(worker, (void *)(uintptr_t)(i + 1), stacks[i], sizeof(stacks[i]));
    clk_printf("threads: started %ld %ld %ld\n", idx[0], idx[1], idx[2]);
    static uint8_t extra[4096] __attribute__((aligned(16)));
    clk_printf("threads: a fifth thread -> %ld\n",
               clk_thread_start(worker, NULL, extra, sizeof(extra)));
    while (done < WORKERS)
        clk_yield();
    clk_printf("threads: %ld of %d calls answered right\n", good, WORKERS * CALLS);
    clk_printf(
        "threads: misaligned stack -> %ld, kernel entry -> %ld\n",
        clk_syscall(CLK_SYS_THREAD_CREATE, 0x401000, (long)(extra + 8), 0, 0, 0, 0),
        clk_syscall(CLK_SYS_THREAD_CREATE, (long)0xFFFFFFFF80100000UL, (long)extra, 0, 0, 0, 0));
    /* The workers are gone: their slots can be used again. */
    long again = clk_thread_start(worker, (void *)4, stacks[0], sizeof(stacks[0]));
    while (done < WORKERS + 1)
        clk_yield();
    clk_printf("threads: a new thread after they ended -> %ld\n", again);
    return under_the_feet();
}
