/*
 * poll.h for CLKernel (libc-port/sockets.c): waits on any mix of sockets,
 * the console's input and files (always ready). Linux's values, which
 * actor/net.h's NET_POLL* share.
 */
#ifndef _POLL_H
#define _POLL_H

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned long nfds_t;

struct pollfd {
    int fd;        /* negative: ignored */
    short events;  /* what to wait for */
    short revents; /* what happened */
};

#define POLLIN     0x001 /* data to read, or a connection to accept */
#define POLLPRI    0x002 /* urgent data (never, on CLKernel) */
#define POLLOUT    0x004 /* room to write */
#define POLLERR    0x008 /* an error (always reported) */
#define POLLHUP    0x010 /* the peer hung up (always reported) */
#define POLLNVAL   0x020 /* the descriptor is not open (always reported) */
#define POLLRDNORM 0x040 /* as POLLIN */
#define POLLRDBAND 0x080
#define POLLWRNORM 0x100 /* as POLLOUT */
#define POLLWRBAND 0x200

/* Wait up to TIMEOUT ms (negative: no limit; 0: only look) until one of
 * the N descriptors of FDS is ready: how many are (0: the time ran out),
 * or -1 with errno. */
int poll(struct pollfd *fds, nfds_t n, int timeout);

#ifdef __cplusplus
}
#endif

#endif
