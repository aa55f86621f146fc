/*
 * hostile.c: a million system calls with random arguments: random numbers,
 * kernel addresses, unmapped, misaligned and half-mapped pointers, and
 * wrong or invalid capability slots. The kernel must answer each with a
 * result, never a fault or a hang. Only calls that would end or block this
 * actor for good are left out: EXIT, THREAD_EXIT, SLEEP, RECV and
 * REPLY_RECV, THREAD_CREATE with an entry point in user space, CALL on
 * slots it may have filled with its own endpoints (the test gives it a
 * quota of 32 slots, and of 64 pages, so that MEMORY_CREATE cannot take
 * all memory), and deleting slot 1, the echo server's, which one of
 * those could then take. The timeouts of
 * WAIT, REPLY_WAIT, CONSOLE_READ and SEND (in rbx) are 0 but for one call
 * in 1024, when they are under a millisecond: a wait lasts up to a timer
 * tick.
 */
#include <actor/sys.h>
#include <stdbool.h>

#define CALLS 1000000

static uint64_t state = 0x2545F4914F6CDD1DULL;

static uint64_t rnd(void)
{
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1DULL;
}

static uint8_t buf[8192];

/* A syscall after which every register the ABI lets the kernel write (the
 * IPC calls return messages in rdi, rsi, rdx, r8-r10 and r12-r15) is
 * treated as changed. */
static long sys_any(long nr, const long a[6], long rbx)
{
    register long r10 __asm__("r10") = a[3];
    register long r8 __asm__("r8") = a[4];
    register long r9 __asm__("r9") = a[5];
    long rdi = a[0], rsi = a[1], rdx = a[2], ret;
    __asm__ volatile("syscall"
                     : "=a"(ret), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
                     : "a"(nr), "b"(rbx)
                     : "rcx", "r11", "r12", "r13", "r14", "r15", "memory");
    return ret;
}

/* An argument from a mix of the nastiest kinds. */
static long arg(void)
{
    switch (rnd() % 10) {
    case 0: return (long)rnd();
    case 1: return (long)(0xFFFF800000000000ULL + rnd() % (1ULL << 40)); /* direct map */
    case 2: return (long)(0xFFFFFFFF80000000ULL + rnd() % (1ULL << 24)); /* kernel image */
    case 3: return (long)(rnd() % 0x400000);                             /* below the image */
    case 4: return (long)(buf + rnd() % sizeof(buf));                    /* valid, any alignment */
    case 5: return (long)(0x7FFFFFFFF000ULL - rnd() % 64); /* runs off the stack top */
    case 6: return (long)(rnd() % 40);                     /* small: slots, counts */
    case 7: return -(long)(rnd() % 20);
    case 8: return (long)(0x0000800000000000ULL + rnd() % 4096); /* non-canonical */
    default: return (long)(rnd() % 100000);
    }
}

static bool harmless(long nr, long a0)
{
    switch (nr) {
    case CLK_SYS_EXIT:
    case CLK_SYS_SLEEP:
    case CLK_SYS_RECV:
    case CLK_SYS_REPLY_RECV:
    case CLK_SYS_THREAD_EXIT: return false;
    case CLK_SYS_THREAD_CREATE: /* only entry points the kernel refuses: a thread would run garbage
                                 */
        return (unsigned long)a0 >= 0x800000000000ULL;
    case CLK_SYS_CALL: /* slot 1 is the echo server; 2..31 may be its own endpoints */
        return a0 == 1 || a0 <= 0 || a0 >= 32;
    case CLK_SYS_CAP_DELETE: /* keep slot 1, so that no endpoint of its own lands there */
        return a0 != 1;
    case CLK_SYS_DEBUG_WRITE: /* keep the console clean: only unreadable buffers */
        return (unsigned long)a0 >= 0x800000000000ULL || (unsigned long)a0 < 0x400000;
    default: return true;
    }
}

int main(long cap)
{
    long counts[4] = { 0 }; /* results: >= 0, EFAULT, EINVAL/EBADF/EPERM, other errors */
    clk_printf("hostile: actor %ld, capability %ld, starting\n", clk_self(), cap);
    for (long done = 0; done < CALLS;) {
        long nr = rnd() % 4 ? (long)(rnd() % (CLK_SYS_COUNT + 3)) : arg();
        long a[6] = { arg(), arg(), arg(), arg(), arg(), arg() };
        if (!harmless(nr, a[0]))
            continue;
        if (nr == CLK_SYS_CALL && a[0] == 1) /* only the echo and null operations: the */
            a[1] = (a[1] & ~0xFFFFFFFFL) | (rnd() % 2 ? 0 : 4); /* server must live on */
        long timeout = rnd() % 1024 ? 0 : (long)(rnd() % 1000000);
        if (nr == CLK_SYS_WAIT || nr == CLK_SYS_REPLY_WAIT)
            a[0] = timeout;
        if (nr == CLK_SYS_CONSOLE_READ) /* no input comes: never wait long */
            a[2] = timeout;
        long r = sys_any(nr, a, timeout);
        counts[r >= 0                                                  ? 0
               : r == CLK_EFAULT                                       ? 1
               : (r == CLK_EINVAL || r == CLK_EBADF || r == CLK_EPERM) ? 2
                                                                       : 3]++;
        if (++done % 250000 == 0)
            clk_printf("hostile: %ld calls\n", done);
    }
    clk_printf(
        "hostile: %d random syscalls survived: %ld succeeded, %ld EFAULT, %ld EINVAL/EBADF/EPERM, "
        "%ld other errors\n",
        CALLS, counts[0], counts[1], counts[2], counts[3]);
    return 0;
}
