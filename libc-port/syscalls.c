/*
 * syscalls.c: newlib's system-call layer on CLKernel. newlib is built
 * without its own stubs (--disable-newlib-supplied-syscalls) and calls
 * these. The console is file descriptors 0-2: output goes to the kernel
 * console, and input comes from it through the line discipline in tty.c.
 * Files belong to the VFS server, which a later issue brings: until then
 * every file call fails with ENOSYS. The heap grows by mapping memory
 * objects above HEAP_BASE.
 */
#include "tty.h"
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

static int is_console(int fd)
{
    return fd >= 0 && fd <= 2;
}

/* ---- the console ---- */

int write(int fd, const void *buf, size_t len)
{
    if (!is_console(fd))
        return fail(EBADF);
    if (fd == 0)
        return fail(EBADF); /* standard input is not for writing */
    long n = clk_debug_write(buf, len);
    return n < 0 ? fail(EFAULT) : (int)n;
}

int read(int fd, void *buf, size_t len)
{
    if (fd != 0)
        return fail(EBADF); /* standard output and error are not for reading */
    long n = __clk_tty_read(buf, len);
    return n < 0 ? fail(EIO) : (int)n;
}

int isatty(int fd)
{
    if (is_console(fd))
        return 1;
    errno = EBADF;
    return 0;
}

int fstat(int fd, struct stat *st)
{
    if (!is_console(fd))
        return fail(EBADF);
    *st = (struct stat){ .st_mode = S_IFCHR | 0620, .st_blksize = 1024 };
    return 0;
}

off_t lseek(int fd, off_t off, int whence)
{
    (void)off, (void)whence;
    return is_console(fd) ? fail(ESPIPE) : fail(EBADF);
}

int close(int fd)
{
    return is_console(fd) ? 0 : fail(EBADF);
}

/* ---- files: the VFS's, once it exists ---- */

int open(const char *path, int flags, ...)
{
    (void)path, (void)flags;
    return fail(ENOSYS);
}

int stat(const char *path, struct stat *st)
{
    (void)path, (void)st;
    return fail(ENOSYS);
}

int unlink(const char *path)
{
    (void)path;
    return fail(ENOSYS);
}

int link(const char *old, const char *new)
{
    (void)old, (void)new;
    return fail(ENOSYS);
}

int rename(const char *old, const char *new)
{
    (void)old, (void)new;
    return fail(ENOSYS);
}

int mkdir(const char *path, mode_t mode)
{
    (void)path, (void)mode;
    return fail(ENOSYS);
}

int rmdir(const char *path)
{
    (void)path;
    return fail(ENOSYS);
}

int fsync(int fd)
{
    return is_console(fd) ? 0 : fail(EBADF);
}

int ftruncate(int fd, off_t len)
{
    (void)len;
    return is_console(fd) ? fail(EINVAL) : fail(EBADF);
}

int fcntl(int fd, int cmd, ...)
{
    (void)cmd;
    return is_console(fd) ? fail(ENOSYS) : fail(EBADF);
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

/* ---- time: CLOCK_REALTIME counts from boot until a time server exists ---- */

int clock_gettime(clockid_t id, struct timespec *ts)
{
    if (id != CLOCK_REALTIME && id != CLOCK_MONOTONIC)
        return fail(EINVAL);
    uint64_t ns = clk_clock_ns();
    ts->tv_sec = (time_t)(ns / 1000000000);
    ts->tv_nsec = (long)(ns % 1000000000);
    return 0;
}

int gettimeofday(struct timeval *tv, void *tz)
{
    (void)tz;
    uint64_t ns = clk_clock_ns();
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
