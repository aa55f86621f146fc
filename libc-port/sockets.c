/*
 * sockets.c: BSD sockets on the net server (actor/net.h). A socket is a
 * descriptor of files.c's table (struct sock begins with its struct
 * ofile), so read, write, close, dup, fcntl and fstat work on it too.
 *
 * The session: at the first socket call, a mailbox of one slot goes to
 * "net" with NET_CONNECT, which answers with the session's capability;
 * then NET_BUFFER hands over the transfer buffer (a memory object of
 * NBUF_SIZE bytes mapped at NBUF_VA). Calls block the calling thread, as
 * system calls do, and take turns through a lock: a session has one
 * request in flight at a time.
 *
 * Restarts (docs/net.md, "Sockets in libc"): when a call finds the session
 * gone (CLK_EDEAD, NET_ESESSION), this looks "net" up again, connects, and
 * makes every socket that was not a TCP connection again, with its
 * options, address, backlog and UDP peer; then the call is sent again. A
 * TCP connection (connecting, connected or accepted) did not survive: it
 * says ECONNRESET from then on (EPIPE to send).
 *
 * net_ifinfo and net_ping (CLKernel's own, actor/net.h) go on the same
 * session, and so reconnect the same way.
 */
#include "port.h"
#include <actor/net.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#define NBUF_SIZE   (128 * 1024)
#define NBUF_VA     0x0000120000000000UL /* docs/kernel-abi.md: an actor's address space */
#define ATTEMPTS    4
#define NEW_WAIT_NS 5000000000ULL /* for a new net instance after a restart */

_Static_assert(NBUF_SIZE >= NET_BUFFER_MIN && NBUF_SIZE <= NET_BUFFER_MAX, "transfer buffer");
_Static_assert(POLLIN == NET_POLLIN && POLLOUT == NET_POLLOUT && POLLERR == NET_POLLERR &&
                   POLLHUP == NET_POLLHUP && POLLNVAL == NET_POLLNVAL,
               "poll.h and actor/net.h agree");
_Static_assert(AF_INET == 2 && SHUT_RD == 0 && SHUT_WR == 1 && SHUT_RDWR == 2,
               "the values actor/net.h names");

/* Options the server keeps, which a socket made again gets again. */
enum { OPT_REMADE = NET_OPT_KEEPALIVE + 1 };

struct sock {
    struct ofile of;   /* first: files.c's descriptors name it; OF.EPOCH: of ID */
    struct sock *next; /* every socket, to make them again after a restart */
    uint32_t id;       /* the server's number for it */
    int type, protocol;
    int lost;               /* 0, or an errno value: not made again after a restart */
    bool bound;             /* LOCAL is its address (the port the server chose, too) */
    bool listening;         /* with BACKLOG */
    bool connected;         /* TCP: connecting, connected or accepted; UDP: to PEER */
    int8_t opt[OPT_REMADE]; /* NET_OPT_*: -1 never set, else 0 or 1 */
    int backlog;
    struct net_addr local, peer;
    uint64_t rcvtimeo, sndtimeo; /* SO_RCVTIMEO, SO_SNDTIMEO in ns; 0: none */
};

static struct {
    long server;     /* the registered endpoint ("net"), or 0 */
    uint64_t serial; /* its registration */
    long session;    /* the session's capability, or 0 */
    long mailbox;    /* ours, given at NET_CONNECT */
    long mem;        /* the transfer buffer's memory object */
    uint8_t *buf;    /* ...mapped here */
    uint64_t epoch;  /* sessions so far: sockets of an older one are made again */
    struct sock *all;
    volatile int lock;
} nc;

static int fail(int e)
{
    errno = e;
    return -1;
}

static void lock(void)
{
    __clk_lock(&nc.lock);
}

/* Unlock; R for the public functions' exits: -1 with errno ERR, or R. */
static ssize_t done(int err, ssize_t r)
{
    __clk_unlock(&nc.lock);
    return err ? fail(err) : r;
}

/* ---- talking to the net server ---- */

/* The session went: the next call connects again. */
static void lost(void)
{
    if (nc.session)
        clk_cap_delete(nc.session);
    nc.session = 0;
}

/* A reply's status: 0 or an errno value; -1 when the session is gone. */
static int status(long st)
{
    if (st == CLK_EDEAD || st == CLK_EBADF || st == NET_ESESSION) {
        lost();
        return -1;
    }
    if (st >= 0)
        return (int)st;
    switch (st) {
    case CLK_ENOSYS: return ENOSYS;
    case CLK_EINVAL: return EINVAL;
    case CLK_ENOMEM: return ENOMEM;
    case CLK_ETIMEDOUT: return ETIMEDOUT;
    default: return EIO;
    }
}

/* One request on the session as it is, passing capability PASS (or 0):
 * 0, an errno value, or -1 when the session is gone. */
static int call(unsigned type, const void *req, size_t len, void *resp, size_t resp_len, long pass)
{
    long st =
        actor_call_blocking(nc.session, type, req, len, pass, resp, resp ? &resp_len : NULL, NULL);
    return status(st);
}

/* A request naming socket S (its number goes in the payload's first
 * field, which every such payload of actor/net.h has). */
static int sock_call(struct sock *s, unsigned type, void *req, size_t len, void *resp,
                     size_t resp_len)
{
    memcpy(req, &s->id, sizeof(s->id));
    return call(type, req, len, resp, resp_len, 0);
}

/* A new socket of the server's: 0 (*ID), an errno value, or -1. */
static int make_socket(int type, int protocol, uint32_t *id)
{
    struct net_socket_req k = { AF_INET, (uint32_t)type, (uint32_t)protocol, 0 };
    struct net_sock_resp r = { 0 };
    int err = call(NET_SOCKET, &k, sizeof(k), &r, sizeof(r), 0);
    if (!err)
        *id = r.sock;
    return err;
}

/* What the server knew of S, told to the new instance's socket S->ID:
 * options, address, backlog, UDP peer. 0, an errno value, or -1. */
static int restore(struct sock *s)
{
    int err = 0;
    for (int o = 1; o < OPT_REMADE && !err; o++)
        if (s->opt[o] >= 0) {
            struct net_opt_req q = { .opt = (uint32_t)o, .value = (uint64_t)s->opt[o] };
            err = sock_call(s, NET_SETOPT, &q, sizeof(q), NULL, 0);
        }
    if (!err && s->bound) {
        struct net_addr_req a = { .addr = s->local };
        err = sock_call(s, NET_BIND, &a, sizeof(a), NULL, 0);
    }
    if (!err && s->listening) {
        struct net_sock_req q = { .arg = (uint32_t)s->backlog };
        err = sock_call(s, NET_LISTEN, &q, sizeof(q), NULL, 0);
    }
    if (!err && s->connected) { /* UDP only: TCP connections are not made again */
        struct net_addr_req a = { .addr = s->peer };
        err = sock_call(s, NET_CONNECT_TO, &a, sizeof(a), NULL, 0);
    }
    return err;
}

/* Make S again in this session. 0, an errno value (S is lost), or -1. */
static int remake(struct sock *s)
{
    if (s->type == SOCK_STREAM && s->connected)
        return ECONNRESET;
    int err = make_socket(s->type, s->protocol, &s->id);
    if (err)
        return err;
    s->of.epoch = nc.epoch;
    if ((err = restore(s)) > 0) {
        struct net_sock_req q = { 0 };
        sock_call(s, NET_CLOSE, &q, sizeof(q), NULL, 0);
    }
    return err;
}

/* After connecting: every socket made again, or lost. 0 or -1. */
static int remake_all(void)
{
    for (struct sock *s = nc.all; s; s = s->next) {
        if (s->lost || s->of.epoch == nc.epoch)
            continue;
        int err = remake(s);
        if (err < 0)
            return -1;
        s->lost = err;
    }
    return 0;
}

/* The transfer buffer and the mailbox, made once: 0 or ENOMEM. */
static int make_buffers(void)
{
    if (!nc.buf) {
        if (__clk_map_buffer(NBUF_SIZE, NBUF_VA, &nc.mem))
            return ENOMEM;
        nc.buf = (uint8_t *)NBUF_VA;
    }
    if (!nc.mailbox) {
        long mb = clk_mailbox_create(1);
        if (mb < 0)
            return ENOMEM;
        nc.mailbox = mb;
    }
    return 0;
}

/* A session, connecting (again) when there is none: 0, an errno value
 * (ENETDOWN: no net server), or -1 (gone again meanwhile: call again). */
static int connected(void)
{
    if (nc.session)
        return 0;
    int err = make_buffers();
    if (err)
        return err;
    if (!nc.server && __clk_find_server(NET_NAME, 0, &nc.server, &nc.serial))
        return ENETDOWN;
    long session = 0, st = CLK_EDEAD;
    for (int attempt = 0; attempt < ATTEMPTS && st == CLK_EDEAD; attempt++) {
        if (attempt && __clk_find_server(NET_NAME, NEW_WAIT_NS, &nc.server, &nc.serial))
            break; /* it failed for good: a new one? */
        st = actor_call_blocking(nc.server, NET_CONNECT, NULL, 0, nc.mailbox, NULL, NULL, &session);
    }
    if (st || !session) {
        if (session)
            clk_cap_delete(session);
        return st > 0 && st < NET_ESESSION ? (int)st : ENETDOWN;
    }
    nc.session = session;
    struct net_buffer b = { NBUF_SIZE };
    if ((err = call(NET_BUFFER, &b, sizeof(b), NULL, 0, nc.mem)) != 0) {
        if (err > 0)
            lost(); /* a session without a buffer is no use */
        return err;
    }
    nc.epoch++;
    return remake_all();
}

/* A request: its type and payload (S's number goes in its first field);
 * DATA_LEN bytes of DATA go at the start of the buffer first. */
struct nreq {
    unsigned type;
    union {
        struct net_sock_req s;
        struct net_addr_req a;
        struct net_io_req io;
        struct net_opt_req o;
        struct net_poll_req p;
        struct net_ping_req ping;
    } req;
    size_t len;
    struct sock *s;
    const void *data;
    size_t data_len;
    void (*stage)(struct nreq *r, void *ctx); /* or NULL: fills the buffer its own way */
    void *ctx;
};

/* Why S cannot serve a request of TYPE any more (0: it can). */
static int gone(const struct sock *s, unsigned type)
{
    return s->lost == ECONNRESET && type == NET_SEND ? EPIPE : s->lost;
}

/* Send R (the lock held), connecting, making the sockets again and
 * sending it again as long as the session goes away: 0 or an errno value;
 * the reply's payload in RESP. */
static int run(struct nreq *r, void *resp, size_t resp_len)
{
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        int err = connected();
        if (err < 0)
            continue;
        if (err || (r->s && (err = gone(r->s, r->type))))
            return err;
        if (r->s)
            memcpy(&r->req, &r->s->id, sizeof(r->s->id));
        if (r->data_len)
            memcpy(nc.buf, r->data, r->data_len);
        if (r->stage)
            r->stage(r, r->ctx);
        if ((err = call(r->type, &r->req, r->len, resp, resp_len, 0)) >= 0)
            return err;
    }
    return EIO;
}

/* ---- sockets and descriptors ---- */

static struct sock *sock_of(struct ofile *of)
{
    return (struct sock *)of;
}

/* The socket FD names: 0 (*S), or EBADF, ENOTSOCK. */
static int lookup(int fd, struct sock **s)
{
    struct ofile *of = __clk_ofile(fd);
    if (!of)
        return EBADF;
    if (of->kind != OF_SOCKET)
        return ENOTSOCK;
    *s = sock_of(of);
    return 0;
}

/* A struct sock for the server's socket ID (the lock held), on the list
 * of all: it, or NULL (the server's socket closed again). */
static struct sock *new_sock(uint32_t id, int type, int protocol, int flags)
{
    struct sock *s = calloc(1, sizeof(*s));
    if (!s) {
        struct net_sock_req q = { .sock = id };
        call(NET_CLOSE, &q, sizeof(q), NULL, 0, 0);
        return NULL;
    }
    s->of = (struct ofile){ .kind = OF_SOCKET,
                            .refs = 1,
                            .flags = O_RDWR | (flags & SOCK_NONBLOCK ? O_NONBLOCK : 0),
                            .epoch = nc.epoch };
    s->id = id;
    s->type = type;
    s->protocol = protocol;
    memset(s->opt, -1, sizeof(s->opt));
    s->next = nc.all;
    nc.all = s;
    return s;
}

int __clk_sock_close(struct ofile *of)
{
    struct sock *s = sock_of(of);
    lock();
    if (!s->lost && s->of.epoch == nc.epoch && nc.session) {
        struct net_sock_req q = { 0 };
        sock_call(s, NET_CLOSE, &q, sizeof(q), NULL, 0); /* a dead session closed it already */
    }
    for (struct sock **p = &nc.all; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            break;
        }
    free(s);
    return (int)done(0, 0);
}

/* A descriptor for S, made with FLAGS (SOCK_CLOEXEC): it, or -1. */
static int install(struct sock *s, int flags)
{
    int fd = __clk_fd_install(&s->of, (flags & SOCK_CLOEXEC) != 0);
    if (fd < 0)
        __clk_sock_close(&s->of);
    return fd;
}

int socket(int domain, int type, int protocol)
{
    int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
    type &= ~flags;
    if (domain != AF_INET)
        return fail(EAFNOSUPPORT);
    if (type != SOCK_STREAM && type != SOCK_DGRAM)
        return fail(type == SOCK_RAW ? EPROTONOSUPPORT : EINVAL);
    if (protocol && protocol != (type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP))
        return fail(EPROTONOSUPPORT);
    lock();
    uint32_t id = 0;
    int err = -1;
    for (int attempt = 0; err < 0 && attempt < ATTEMPTS; attempt++)
        if ((err = connected()) == 0)
            err = make_socket(type, protocol, &id);
    if (err)
        return (int)done(err < 0 ? EIO : err, -1);
    struct sock *s = new_sock(id, type, protocol, flags);
    done(s ? 0 : ENOMEM, 0);
    return s ? install(s, flags) : -1;
}

/* ---- addresses ---- */

/* ADDR of LEN bytes as the server's: 0 or an errno value. */
static int from_sockaddr(const struct sockaddr *addr, socklen_t len, struct net_addr *out)
{
    if (!addr)
        return EFAULT;
    if (len < sizeof(struct sockaddr_in))
        return EINVAL;
    const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
    if (in->sin_family != AF_INET)
        return EAFNOSUPPORT;
    *out = (struct net_addr){ .ip = in->sin_addr.s_addr, .port = in->sin_port };
    return 0;
}

/* A as a struct sockaddr_in in ADDR (*LEN bytes of it at most; *LEN
 * becomes its full length). Nothing when ADDR or LEN is NULL. */
static void to_sockaddr(const struct net_addr *a, struct sockaddr *addr, socklen_t *len)
{
    if (!addr || !len)
        return;
    struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = a->port, .sin_addr = { a->ip } };
    memcpy(addr, &in, *len < sizeof(in) ? *len : sizeof(in));
    *len = sizeof(in);
}

/* NET_SOCKNAME of S (WHICH: 0 local, 1 peer) into *A (the lock held). */
static int sockname(struct sock *s, unsigned which, struct net_addr *a)
{
    struct nreq r = { .type = NET_SOCKNAME, .len = sizeof(struct net_sock_req), .s = s };
    r.req.s.arg = which;
    struct net_sock_resp resp = { 0 };
    int err = run(&r, &resp, sizeof(resp));
    if (!err)
        *a = resp.addr;
    return err;
}

static int name_call(int fd, unsigned which, struct sockaddr *addr, socklen_t *len)
{
    struct sock *s;
    int err = lookup(fd, &s);
    if (err)
        return fail(err);
    if (!addr || !len)
        return fail(EFAULT);
    lock();
    struct net_addr a;
    if (!(err = sockname(s, which, &a)))
        to_sockaddr(&a, addr, len);
    return (int)done(err, 0);
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
    return name_call(fd, 0, addr, len);
}

int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
    return name_call(fd, 1, addr, len);
}

/* ---- binding, listening, accepting, connecting ---- */

/* How long a call on S may wait: NET_FOREVER, TIMEOUT (SO_RCVTIMEO or
 * SO_SNDTIMEO; 0 is none), or 0 when S or FLAGS say not to wait. */
static uint64_t wait_ns(const struct sock *s, uint64_t timeout, int flags)
{
    if ((s->of.flags & O_NONBLOCK) || (flags & MSG_DONTWAIT))
        return 0;
    return timeout ? timeout : NET_FOREVER;
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    struct sock *s;
    struct nreq r = { .type = NET_BIND, .len = sizeof(struct net_addr_req) };
    int err = lookup(fd, &s);
    if (err || (err = from_sockaddr(addr, len, &r.req.a.addr)))
        return fail(err);
    lock();
    r.s = s;
    struct net_addr a;
    if (!(err = run(&r, NULL, 0)) && !sockname(s, 0, &a)) {
        s->local = a; /* with the port the server chose for port 0 */
        s->bound = true;
    }
    return done(err, 0);
}

int listen(int fd, int backlog)
{
    struct sock *s;
    int err = lookup(fd, &s);
    if (err)
        return fail(err);
    backlog = backlog < 0 ? 0 : backlog > SOMAXCONN ? SOMAXCONN : backlog;
    lock();
    struct nreq r = { .type = NET_LISTEN, .len = sizeof(struct net_sock_req), .s = s };
    r.req.s.arg = (uint32_t)backlog;
    struct net_addr a;
    if (!(err = run(&r, NULL, 0))) {
        s->listening = true;
        s->backlog = backlog;
        if (!s->bound && !sockname(s, 0, &a)) { /* to listen on the same port again */
            s->local = a;
            s->bound = true;
        }
    }
    return done(err, 0);
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
    struct sock *s;
    int err = lookup(fd, &s);
    if (err)
        return fail(err);
    if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
        return fail(EINVAL);
    lock();
    struct nreq r = { .type = NET_ACCEPT, .len = sizeof(struct net_sock_req), .s = s };
    r.req.s.timeout_ns = wait_ns(s, s->rcvtimeo, 0);
    struct net_sock_resp resp = { 0 };
    if ((err = run(&r, &resp, sizeof(resp))))
        return done(err, -1);
    struct sock *c = new_sock(resp.sock, SOCK_STREAM, s->protocol, flags);
    if (c)
        c->connected = true;
    done(c ? 0 : ENOMEM, 0);
    if (!c)
        return -1;
    to_sockaddr(&resp.addr, addr, len);
    return install(c, flags);
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    return accept4(fd, addr, len, 0);
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    struct sock *s;
    struct nreq r = { .type = NET_CONNECT_TO, .len = sizeof(struct net_addr_req) };
    int err = lookup(fd, &s);
    if (err || (err = from_sockaddr(addr, len, &r.req.a.addr)))
        return fail(err);
    lock();
    r.s = s;
    r.req.a.timeout_ns = wait_ns(s, s->sndtimeo, 0);
    err = run(&r, NULL, 0);
    if (s->type == SOCK_DGRAM && !err) {
        s->connected = true;
        s->peer = r.req.a.addr;
    } else if (s->type == SOCK_STREAM && (!err || err == EINPROGRESS || err == EALREADY)) {
        s->connected = true; /* a connection now, which a restart would end */
    }
    return done(err, 0);
}

int shutdown(int fd, int how)
{
    struct sock *s;
    int err = lookup(fd, &s);
    if (err)
        return fail(err);
    if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
        return fail(EINVAL);
    lock();
    struct nreq r = { .type = NET_SHUTDOWN, .len = sizeof(struct net_sock_req), .s = s };
    r.req.s.arg = (uint32_t)how;
    return done(run(&r, NULL, 0), 0);
}

/* ---- data ---- */

/* One NET_SEND of up to a buffer's worth of DATA (the lock held): the
 * count taken, or -errno. */
static ssize_t send_piece(struct sock *s, const void *data, size_t len, const struct net_addr *to,
                          uint64_t timeout)
{
    struct nreq r = { .type = NET_SEND, .len = sizeof(struct net_io_req), .s = s };
    r.req.io.len = (uint32_t)len;
    r.req.io.timeout_ns = timeout;
    if (to)
        r.req.io.addr = *to;
    r.data = data;
    r.data_len = len;
    struct net_io_resp resp = { 0 };
    int err = run(&r, &resp, sizeof(resp));
    if (err)
        return -err;
    return (ssize_t)(resp.count < len ? resp.count : len);
}

/* Send LEN bytes of DATA on S (to TO, for UDP), the lock held: the count
 * sent, or -errno. TCP goes a buffer's worth at a time until all is
 * taken, the time runs out or an error comes; a datagram goes whole. */
static ssize_t send_locked(struct sock *s, const uint8_t *data, size_t len, int flags,
                           const struct net_addr *to)
{
    uint64_t timeout = wait_ns(s, s->sndtimeo, flags);
    if (s->type == SOCK_DGRAM)
        return len > NBUF_SIZE ? -EMSGSIZE : send_piece(s, data, len, to, timeout);
    size_t total = 0;
    while (total < len) {
        size_t n = len - total < NBUF_SIZE ? len - total : NBUF_SIZE;
        ssize_t got = send_piece(s, data + total, n, NULL, timeout);
        if (got <= 0)
            return total ? (ssize_t)total : got ? got : -EIO;
        total += (size_t)got;
    }
    return (ssize_t)total;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
               socklen_t to_len)
{
    struct sock *s;
    struct net_addr a = { 0 };
    int err = lookup(fd, &s);
    if (!err && (flags & MSG_OOB))
        err = EOPNOTSUPP;
    if (!err && to && s->type == SOCK_DGRAM)
        err = from_sockaddr(to, to_len, &a);
    if (err)
        return fail(err);
    lock();
    ssize_t n = send_locked(s, buf, len, flags, &a);
    return done(n < 0 ? (int)-n : 0, n);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
    return sendto(fd, buf, len, flags, NULL, 0);
}

/* Receive up to LEN bytes into BUF from S (the lock held): the count (with
 * MSG_TRUNC, a datagram's whole length), or -errno; where they came from
 * in *FROM. */
static ssize_t recv_locked(struct sock *s, uint8_t *buf, size_t len, int flags,
                           struct net_addr *from)
{
    if (s->type == SOCK_STREAM && !s->connected && !s->lost)
        return -ENOTCONN;
    size_t total = 0;
    do {
        size_t n = len - total < NBUF_SIZE ? len - total : NBUF_SIZE;
        struct nreq r = { .type = NET_RECV, .len = sizeof(struct net_io_req), .s = s };
        r.req.io.len = (uint32_t)n;
        r.req.io.flags = flags & MSG_PEEK ? NET_PEEK : 0;
        r.req.io.timeout_ns = wait_ns(s, s->rcvtimeo, flags);
        struct net_io_resp resp = { 0 };
        int err = run(&r, &resp, sizeof(resp));
        if (err)
            return total ? (ssize_t)total : -err;
        size_t got = resp.count < n ? resp.count : n;
        memcpy(buf + total, nc.buf, got);
        *from = resp.addr;
        if (s->type == SOCK_DGRAM)
            return (ssize_t)(flags & MSG_TRUNC ? resp.full_len : got);
        total += got;
        if (!got || !(flags & MSG_WAITALL) || (flags & MSG_PEEK))
            break;
    } while (total < len);
    return (ssize_t)total;
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
                 socklen_t *from_len)
{
    struct sock *s;
    int err = lookup(fd, &s);
    if (!err && (flags & MSG_OOB))
        err = EOPNOTSUPP;
    if (err)
        return fail(err);
    if (len == 0 && s->type == SOCK_STREAM)
        return 0;
    lock();
    struct net_addr a = { 0 };
    ssize_t n = recv_locked(s, buf, len, flags, &a);
    if (n >= 0)
        to_sockaddr(&a, from, from_len);
    return done(n < 0 ? (int)-n : 0, n);
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
    return recvfrom(fd, buf, len, flags, NULL, NULL);
}

ssize_t __clk_sock_io(struct ofile *of, bool write, void *buf, size_t len)
{
    struct sock *s = sock_of(of);
    struct net_addr a = { 0 };
    if (len == 0 && s->type == SOCK_STREAM)
        return 0;
    lock();
    ssize_t n = write ? send_locked(s, buf, len, 0, &a) : recv_locked(s, buf, len, 0, &a);
    return done(n < 0 ? (int)-n : 0, n);
}

/* ---- options ---- */

/* An option of level LEVEL and name NAME as the server's NET_OPT_*, or 0
 * for one it does not know. */
static unsigned net_opt(int level, int name)
{
    static const struct {
        int level, name;
        unsigned opt;
    } opts[] = {
        { SOL_SOCKET, SO_REUSEADDR, NET_OPT_REUSEADDR },
        { SOL_SOCKET, SO_KEEPALIVE, NET_OPT_KEEPALIVE },
        { SOL_SOCKET, SO_ERROR, NET_OPT_ERROR },
        { SOL_SOCKET, SO_RCVBUF, NET_OPT_RCVBUF },
        { SOL_SOCKET, SO_SNDBUF, NET_OPT_SNDBUF },
        { SOL_SOCKET, SO_TYPE, NET_OPT_TYPE },
        { SOL_SOCKET, SO_ACCEPTCONN, NET_OPT_ACCEPTCONN },
        { IPPROTO_TCP, TCP_NODELAY, NET_OPT_NODELAY },
    };
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
        if (opts[i].level == level && opts[i].name == name)
            return opts[i].opt;
    return 0;
}

/* SO_RCVTIMEO or SO_SNDTIMEO of S, kept here. */
static uint64_t *timeout_of(struct sock *s, int level, int name)
{
    if (level != SOL_SOCKET || (name != SO_RCVTIMEO && name != SO_SNDTIMEO))
        return NULL;
    return name == SO_RCVTIMEO ? &s->rcvtimeo : &s->sndtimeo;
}

int setsockopt(int fd, int level, int name, const void *value, socklen_t len)
{
    struct sock *s;
    int err = lookup(fd, &s);
    if (err)
        return fail(err);
    if (!value)
        return fail(EFAULT);
    uint64_t *timeout = timeout_of(s, level, name);
    if (timeout) {
        const struct timeval *tv = value;
        if (len < sizeof(*tv))
            return fail(EINVAL);
        if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
            return fail(EDOM);
        *timeout = (uint64_t)tv->tv_sec * 1000000000 + (uint64_t)tv->tv_usec * 1000;
        return 0;
    }
    if (len < sizeof(int))
        return fail(EINVAL);
    if (level == SOL_SOCKET && (name == SO_RCVBUF || name == SO_SNDBUF))
        return 0; /* accepted, not applied: the server sizes its buffers */
    unsigned opt = net_opt(level, name);
    if (opt == 0 || opt >= OPT_REMADE)
        return fail(ENOPROTOOPT);
    int v = *(const int *)value != 0;
    lock();
    struct nreq r = { .type = NET_SETOPT, .len = sizeof(struct net_opt_req), .s = s };
    r.req.o.opt = opt;
    r.req.o.value = (uint64_t)v;
    if (!(err = run(&r, NULL, 0)))
        s->opt[opt] = (int8_t)v;
    return done(err, 0);
}

int getsockopt(int fd, int level, int name, void *value, socklen_t *len)
{
    struct sock *s;
    int err = lookup(fd, &s);
    if (err)
        return fail(err);
    if (!value || !len)
        return fail(EFAULT);
    uint64_t *timeout = timeout_of(s, level, name);
    if (timeout) {
        struct timeval tv = { .tv_sec = (time_t)(*timeout / 1000000000),
                              .tv_usec = (suseconds_t)(*timeout % 1000000000 / 1000) };
        if (*len < sizeof(tv))
            return fail(EINVAL);
        memcpy(value, &tv, sizeof(tv));
        *len = sizeof(tv);
        return 0;
    }
    unsigned opt = net_opt(level, name);
    if (!opt)
        return fail(ENOPROTOOPT);
    if (*len < sizeof(int))
        return fail(EINVAL);
    int v = 0;
    if (opt == NET_OPT_TYPE) {
        v = s->type;
    } else if (opt == NET_OPT_ERROR && s->lost) {
        v = s->lost; /* what a restart did to it */
    } else {
        lock();
        struct nreq r = { .type = NET_GETOPT, .len = sizeof(struct net_opt_req), .s = s };
        r.req.o.opt = opt;
        struct net_opt_req resp = { 0 };
        if ((err = run(&r, &resp, sizeof(resp))))
            return done(err, -1);
        done(0, 0);
        v = (int)resp.value;
    }
    memcpy(value, &v, sizeof(v));
    *len = sizeof(v);
    return 0;
}

/* ---- poll (poll.c) and names (netdb.c) ---- */

/* Which entries of FDS NET_POLL is asked about: open sockets not lost. */
static struct sock *polled(const struct pollfd *p)
{
    struct ofile *of = p->fd >= 0 ? __clk_ofile(p->fd) : NULL;
    struct sock *s = of && of->kind == OF_SOCKET ? sock_of(of) : NULL;
    return s && !s->lost ? s : NULL;
}

struct poll_set {
    struct pollfd *fds;
    nfds_t n;
};

/* Stage NET_POLL's entries in the buffer, with the sockets' numbers now. */
static void stage_poll(struct nreq *r, void *ctx)
{
    const struct poll_set *set = ctx;
    struct net_pollfd *e = (struct net_pollfd *)nc.buf;
    uint32_t count = 0;
    for (nfds_t i = 0; i < set->n; i++) {
        struct sock *s = polled(&set->fds[i]);
        if (!s)
            continue;
        short ev = set->fds[i].events;
        e[count++] = (struct net_pollfd){
            .sock = s->id,
            .events = (uint16_t)((ev & (POLLIN | POLLRDNORM) ? NET_POLLIN : 0) |
                                 (ev & (POLLOUT | POLLWRNORM) ? NET_POLLOUT : 0)),
        };
    }
    r->req.p.count = count;
}

/* EVENTS asked for, of what NET_POLL said (REV): the revents to give. */
static short revents(short events, unsigned rev)
{
    short r = (short)(rev & (NET_POLLERR | NET_POLLHUP | NET_POLLNVAL));
    if (rev & NET_POLLIN)
        r |= (short)(events & (POLLIN | POLLRDNORM));
    if (rev & NET_POLLOUT)
        r |= (short)(events & (POLLOUT | POLLWRNORM));
    return r;
}

int __clk_sock_poll(struct pollfd *fds, nfds_t n, uint64_t timeout)
{
    struct poll_set set = { fds, n };
    struct nreq r = { .type = NET_POLL, .len = sizeof(struct net_poll_req), .stage = stage_poll };
    r.ctx = &set;
    lock();
    for (nfds_t i = 0; i < n && timeout; i++) {
        struct ofile *of = fds[i].fd >= 0 ? __clk_ofile(fds[i].fd) : NULL;
        if (of && of->kind == OF_SOCKET && sock_of(of)->lost)
            timeout = 0; /* ready already */
    }
    r.req.p.timeout_ns = timeout;
    struct net_io_resp resp = { 0 };
    int err = run(&r, &resp, sizeof(resp));
    if (err)
        return (int)done(err, -1);
    const struct net_pollfd *e = (const struct net_pollfd *)nc.buf;
    int ready = 0;
    for (nfds_t i = 0, k = 0; i < n; i++) {
        struct ofile *of = fds[i].fd >= 0 ? __clk_ofile(fds[i].fd) : NULL;
        struct sock *s = of && of->kind == OF_SOCKET ? sock_of(of) : NULL;
        if (!s)
            continue;
        if (s->lost) /* a restart ended it: reading or writing says why */
            fds[i].revents = (short)(POLLERR | POLLHUP | (fds[i].events & (POLLIN | POLLOUT)));
        else
            fds[i].revents = revents(fds[i].events, e[k++].revents);
        ready += fds[i].revents != 0;
    }
    return (int)done(0, ready);
}

int __clk_net_resolve(const char *name, uint32_t *ip)
{
    size_t len = strlen(name);
    if (len == 0 || len > 255)
        return ENOENT;
    lock();
    struct nreq r = { .type = NET_RESOLVE, .len = sizeof(struct net_io_req) };
    r.req.io.len = (uint32_t)len;
    r.data = name;
    r.data_len = len;
    struct net_io_resp resp = { 0 };
    int err = run(&r, &resp, sizeof(resp));
    if (!err)
        *ip = resp.addr.ip;
    return (int)done(0, err);
}

/* ---- the interface and ping (actor/net.h): 0 or an errno value ---- */

int net_ifinfo(struct net_ifinfo *out)
{
    lock();
    struct nreq r = { .type = NET_IFINFO };
    int err = run(&r, NULL, 0);
    if (!err)
        memcpy(out, nc.buf, sizeof(*out)); /* the server wrote it at the buffer's start */
    return (int)done(0, err);
}

int net_ping(const struct net_ping_req *req, struct net_ping_resp *out)
{
    lock();
    struct nreq r = { .type = NET_PING, .len = sizeof(*req) };
    r.req.ping = *req;
    struct net_ping_resp resp = { 0 };
    int err = run(&r, &resp, sizeof(resp));
    if (!err)
        *out = resp;
    return (int)done(0, err);
}
