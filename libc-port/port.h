/*
 * port.h: what libc-port's files share, private to libc-port. The
 * descriptor table (files.c) names open file descriptions of every kind;
 * sockets.c makes the sockets among them. Both talk to a server through a
 * session with a transfer buffer, made by the helpers of service.c.
 */
#ifndef LIBC_PORT_PORT_H
#define LIBC_PORT_PORT_H

#include <actor/sys.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FD_MAX 256 /* descriptors */

enum ofile_kind { OF_CONSOLE_IN, OF_CONSOLE_OUT, OF_FILE, OF_SOCKET };

/* An open file description, which dup and dup2 share. A socket's is the
 * first member of sockets.c's struct sock. */
struct ofile {
    enum ofile_kind kind;
    unsigned refs;   /* descriptors naming it */
    uint32_t flags;  /* O_* as opened; O_APPEND (files), O_NONBLOCK (sockets) may change */
    uint32_t handle; /* files: in the session of EPOCH */
    uint64_t epoch;
    uint64_t offset;
    uint64_t ino;
    char *path; /* absolute */
    bool dirty; /* written since the last fsync */
    bool lost;  /* ...and the VFS restarted since: the next fsync says EIO */
};

/* ---- files.c ---- */

/* The description FD names, or NULL. */
struct ofile *__clk_ofile(int fd);

/* Give OF (one reference) the lowest free descriptor: it, or -1 with
 * errno EMFILE. Takes the table's lock. */
int __clk_fd_install(struct ofile *of, bool cloexec);

/* ---- sockets.c ---- */

/* The last descriptor of socket OF went: close it and free it. 0 or an
 * errno value. Called with no lock held but the descriptor table's. */
int __clk_sock_close(struct ofile *of);

/* read() and write() on socket OF: recv and send without flags. */
ssize_t __clk_sock_io(struct ofile *of, bool write, void *buf, size_t len);

/* poll() of the sockets among FDS (the others are left alone), waiting up
 * to TIMEOUT ns (NET_FOREVER: no limit): how many are ready, or -1 with
 * errno. */
int __clk_sock_poll(struct pollfd *fds, nfds_t n, uint64_t timeout);

/* NAME's IPv4 address (network byte order) from the net server's
 * resolver: 0, or an errno value (ENOENT: no such host). */
int __clk_net_resolve(const char *name, uint32_t *ip);

/* ---- service.c ---- */

/* A send capability to the server registered as NAME, from a registration
 * newer than *SERIAL, waiting up to WAIT_NS for one: 0 (*SERVER replaced,
 * *SERIAL updated), or ENOSYS when there is none. */
int __clk_find_server(const char *name, uint64_t wait_ns, long *server, uint64_t *serial);

/* A transfer buffer: a memory object of SIZE bytes, mapped at VA. 0 (its
 * capability in *MEM) or ENOMEM. */
int __clk_map_buffer(size_t size, uintptr_t va, long *mem);

/* A lock for one actor's threads (they yield while it is taken). */
static inline void __clk_lock(volatile int *l)
{
    while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
        clk_yield();
}

static inline void __clk_unlock(volatile int *l)
{
    __atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

#endif
