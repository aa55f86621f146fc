/*
 * syscalls.c: newlib's system-call layer on CLKernel. newlib is built
 * without its own stubs (--disable-newlib-supplied-syscalls) and calls
 * these. Descriptors, files and directories are in files.c; here are
 * memory, processes and time. The heap grows by mapping memory objects
 * above HEAP_BASE.
 */
#include <actor/sys.h>
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#define HEAP_BASE 0x0000100000000000UL /* 16 TiB: far from the image and the stacks */
#define HEAP_MAX  0x0000010000000000UL /* at most 1 TiB of heap */

static int fail(int e)
{
    errno = e;
    return -1;
}

/* ---- memory ---- */

/* The heap is [HEAP_BASE, brk); pages are mapped up to MAPPED. */
static uintptr_t brk = HEAP_BASE, mapped = HEAP_BASE;

void *sbrk(ptrdiff_t incr)
{
    uintptr_t old = brk, want = brk + incr;
    if (incr < 0 ? want < HEAP_BASE : want - HEAP_BASE > HEAP_MAX) {
        errno = ENOMEM;
        return (void *)-1;
    }
    if (want > mapped) {
        /* Map what is missing, rounded up to 64 KiB so that malloc's small
         * steps do not each cost a memory object. */
        unsigned long pages = ((want - mapped + 0xFFFF) & ~0xFFFFUL) / 4096;
        long mo = clk_memory_create(pages);
        long err = mo < 0 ? mo : clk_map(mo, mapped, CLK_MAP_WRITE);
        if (mo > 0)
            clk_cap_delete(mo); /* the mapping keeps it */
        if (err < 0) {
            errno = ENOMEM;
            return (void *)-1;
        }
        mapped += pages * 4096;
    }
    brk = want;
    return (void *)old;
}

/* ---- processes ---- */

void _exit(int status)
{
    clk_exit(status);
}

int getpid(void)
{
    return (int)clk_self();
}

int kill(int pid, int sig)
{
    if (pid == getpid())
        _exit(128 + sig); /* no signal handlers: a signal to oneself ends the actor */
    return fail(EPERM);   /* other actors are reached through actor capabilities */
}

int fork(void)
{
    return fail(ENOSYS); /* actors are spawned, not forked */
}

int execve(const char *path, char *const argv[], char *const envp[])
{
    (void)path, (void)argv, (void)envp;
    return fail(ENOSYS);
}

int wait(int *status)
{
    (void)status;
    return fail(ECHILD);
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    (void)how, (void)set, (void)old;
    return 0; /* no signals */
}

int getentropy(void *buf, size_t len)
{
    (void)buf, (void)len;
    return fail(ENOSYS);
}

/* ---- time: CLOCK_REALTIME is the kernel's boot time (from the real-time
 * clock) plus the time since boot; CLOCK_MONOTONIC the time since boot ---- */

/* Nanoseconds since 1970 (or since boot, when the kernel knows no date). */
static uint64_t realtime_ns(void)
{
    static long boot = -1;
    if (boot < 0) {
        long b = clk_stats(CLK_STAT_BOOT_TIME);
        boot = b > 0 ? b : 0;
    }
    return (uint64_t)boot * 1000000000 + clk_clock_ns();
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
    if (id != CLOCK_REALTIME && id != CLOCK_MONOTONIC)
        return fail(EINVAL);
    uint64_t ns = id == CLOCK_REALTIME ? realtime_ns() : clk_clock_ns();
    ts->tv_sec = (time_t)(ns / 1000000000);
    ts->tv_nsec = (long)(ns % 1000000000);
    return 0;
}

int gettimeofday(struct timeval *tv, void *tz)
{
    (void)tz;
    uint64_t ns = realtime_ns();
    tv->tv_sec = (time_t)(ns / 1000000000);
    tv->tv_usec = (suseconds_t)(ns % 1000000000 / 1000);
    return 0;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
    if (req->tv_sec < 0 || req->tv_nsec < 0 || req->tv_nsec >= 1000000000)
        return fail(EINVAL);
    clk_sleep_ns((uint64_t)req->tv_sec * 1000000000 + (uint64_t)req->tv_nsec);
    if (rem)
        *rem = (struct timespec){ 0, 0 };
    return 0;
}

unsigned sleep(unsigned seconds)
{
    clk_sleep_ns((uint64_t)seconds * 1000000000);
    return 0;
}

int usleep(useconds_t us)
{
    clk_sleep_ns((uint64_t)us * 1000);
    return 0;
}

/* The kernel does not report an actor's CPU time yet, so the user time is
 * the time since boot: an upper bound. */
clock_t times(struct tms *t)
{
    clock_t now = (clock_t)(clk_clock_ns() / (1000000000 / CLOCKS_PER_SEC));
    if (t)
        *t = (struct tms){ now, 0, 0, 0 };
    return now;
}

/* newlib has memalign but not this POSIX spelling of it. */
void *memalign(size_t align, size_t size);

int posix_memalign(void **out, size_t align, size_t size)
{
    if (align < sizeof(void *) || (align & (align - 1)))
        return EINVAL;
    void *p = memalign(align, size);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}
