/*
 * poll.c: poll, select and pselect over any mix of descriptors. Files and
 * the console's output are always ready; the console's input when a line
 * has been typed (tty.c); sockets are asked of the net server, all in one
 * NET_POLL (sockets.c). While the console is watched too, the wait goes in
 * slices: NET_POLL for at most SLICE_NS, then a look at the console.
 */
#include "port.h"
#include "tty.h"
#include <actor/net.h>
#include <errno.h>
#include <poll.h>
#include <sys/select.h>
#include <sys/time.h>

#define SLICE_NS 15000000ULL /* 15 ms */

static int fail(int e)
{
    errno = e;
    return -1;
}

/* Fill in P's revents for what is ready without asking the net server:
 * whether it is. *CONSOLE and *SOCKETS say whether P watches the console's
 * input or a socket. */
static bool ready_here(struct pollfd *p, bool *console, bool *sockets)
{
    struct ofile *of = p->fd >= 0 ? __clk_ofile(p->fd) : NULL;
    short ev = p->events, in = ev & (POLLIN | POLLRDNORM), out = ev & (POLLOUT | POLLWRNORM);
    p->revents = 0;
    if (p->fd < 0)
        return false;
    if (!of)
        p->revents = POLLNVAL;
    else if (of->kind == OF_SOCKET)
        *sockets = true;
    else if (of->kind == OF_CONSOLE_OUT)
        p->revents = out;
    else if (of->kind == OF_FILE)
        p->revents = in | out;
    else if (in && (*console = true) && __clk_tty_ready(0))
        p->revents = in;
    return p->revents != 0;
}

int poll(struct pollfd *fds, nfds_t n, int timeout)
{
    if (n > NET_POLL_MAX)
        return fail(EINVAL);
    if (n && !fds)
        return fail(EFAULT);
    uint64_t start = clk_clock_ns();
    uint64_t limit = timeout < 0 ? NET_FOREVER : (uint64_t)timeout * 1000000;
    for (;;) {
        bool console = false, sockets = false;
        int ready = 0;
        for (nfds_t i = 0; i < n; i++)
            ready += ready_here(&fds[i], &console, &sockets);
        uint64_t spent = clk_clock_ns() - start;
        uint64_t left = limit == NET_FOREVER ? NET_FOREVER : spent < limit ? limit - spent : 0;
        uint64_t wait = ready ? 0 : left;
        if (sockets) {
            int r = __clk_sock_poll(fds, n, console && wait > SLICE_NS ? SLICE_NS : wait);
            if (r < 0)
                return -1;
            ready += r;
        } else if (console && wait) {
            __clk_tty_ready(wait);
            continue; /* look again: a line came, or the time ran out */
        } else if (wait) {
            clk_sleep_ns(wait); /* nothing to wait for but the time */
            if (wait == NET_FOREVER)
                continue;
        }
        if (ready || !left || (!sockets && !console))
            return ready;
    }
}

/* ---- select, on poll ---- */

static bool bit(const fd_set *set, int fd)
{
    const unsigned long *w = (const unsigned long *)set;
    return set && (w[fd / 64] >> (fd % 64) & 1);
}

static void set_bit(fd_set *set, int fd)
{
    ((unsigned long *)set)[fd / 64] |= 1UL << (fd % 64);
}

/* Clear the words of SET that hold descriptors below N (a caller's
 * FD_SETSIZE may differ from ours). */
static void clear(fd_set *set, int n)
{
    for (int w = 0; set && w < (n + 63) / 64; w++)
        ((unsigned long *)set)[w] = 0;
}

/* select's sets of N descriptors, waited for up to TIMEOUT ms. */
static int select_ms(int n, fd_set *rd, fd_set *wr, fd_set *ex, int timeout)
{
    if (n < 0 || n > FD_MAX)
        return fail(EINVAL);
    struct pollfd p[n > 0 ? n : 1];
    nfds_t count = 0;
    for (int fd = 0; fd < n; fd++) {
        short ev = (short)((bit(rd, fd) ? POLLIN : 0) | (bit(wr, fd) ? POLLOUT : 0) |
                           (bit(ex, fd) ? POLLPRI : 0));
        if (ev)
            p[count++] = (struct pollfd){ .fd = fd, .events = ev };
    }
    int r = poll(p, count, timeout);
    if (r < 0)
        return -1;
    for (nfds_t i = 0; i < count; i++)
        if (p[i].revents & POLLNVAL)
            return fail(EBADF);
    clear(rd, n);
    clear(wr, n);
    clear(ex, n);
    int total = 0;
    for (nfds_t i = 0; i < count; i++) {
        short ev = p[i].events, rev = p[i].revents;
        if ((ev & POLLIN) && (rev & (POLLIN | POLLHUP | POLLERR)))
            set_bit(rd, p[i].fd), total++;
        if ((ev & POLLOUT) && (rev & (POLLOUT | POLLHUP | POLLERR)))
            set_bit(wr, p[i].fd), total++;
        if ((ev & POLLPRI) && (rev & POLLPRI))
            set_bit(ex, p[i].fd), total++;
    }
    return total;
}

/* SEC and NSEC as poll's milliseconds (rounded up), or -2 if malformed. */
static int to_ms(long long sec, long nsec)
{
    if (sec < 0 || nsec < 0 || nsec >= 1000000000)
        return -2;
    long long ms = sec * 1000 + (nsec + 999999) / 1000000;
    return ms > 0x7FFFFFFF ? 0x7FFFFFFF : (int)ms;
}

int select(int n, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *tv)
{
    int ms = tv ? to_ms(tv->tv_sec, tv->tv_usec * 1000L) : -1;
    if (ms == -2 || (tv && tv->tv_usec >= 1000000))
        return fail(EINVAL);
    return select_ms(n, rd, wr, ex, ms);
}

int pselect(int n, fd_set *rd, fd_set *wr, fd_set *ex, const struct timespec *ts,
            const sigset_t *mask)
{
    (void)mask; /* no signals */
    int ms = ts ? to_ms(ts->tv_sec, ts->tv_nsec) : -1;
    if (ms == -2)
        return fail(EINVAL);
    return select_ms(n, rd, wr, ex, ms);
}
