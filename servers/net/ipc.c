/*
 * ipc.c: the socket protocol (actor/net.h): sessions, small
 * decode-and-reply handlers around sock.c, and the requests that wait.
 *
 * A session is a slot of the table, named by the badge of the capability
 * its client got: the slot's index + 1 in the low byte, a generation
 * (from 1) above it, so a dropped session's badge never names the slot's
 * next one, and no session's badge is ACTOR_BADGE_CLIENT (the registered
 * endpoint's, which only NET_CONNECT may use). Its transfer buffer is
 * mapped at a window of its own, followed by a fence page
 * (actor/windows.h), as the VFS's are.
 *
 * Waiting (MINIX's SUSPEND): a request that cannot be done yet is tried
 * once; if it may wait, it is deferred and kept as the session's pending
 * request (one per session: the protocol allows one in flight). Whenever
 * lwIP changes one of the session's sockets, or a query finishes, the
 * session is marked, and net_ipc_run tries its pending request again, or
 * ends it when its deadline has passed.
 */
#include "net.h"
#include <actor/windows.h>
#include <errno.h>
#include <lwip/def.h>
#include <stdio.h>
#include <string.h>

#define WINDOWS_VA 0x0000600000000000UL
#define NET_PROBE  0x7E7 /* the liveness probe sent to a client's mailbox */

struct pending {
    long token; /* the deferred reply; 0: nothing pending */
    unsigned type;
    union {
        struct net_sock_req s;
        struct net_addr_req a;
        struct net_io_req io;
        struct net_poll_req poll;
        struct net_ping_req ping;
    } req;
    uint64_t deadline; /* UINT64_MAX: none */
    uint64_t ctx;      /* a query's: the session's badge and this request's serial */
    bool query_done;
    int query_err;
    struct net_ping_resp ping;
    uint32_t ip;
};

struct session {
    uint64_t badge; /* 0: a free slot */
    long mailbox;   /* the client's: a message to it fails once the client is gone */
    uint8_t *buf;   /* the transfer buffer, mapped, or NULL before NET_BUFFER */
    uint64_t buf_size;
    struct sock *socks[NET_SOCKETS_MAX]; /* socket id - 1 */
    struct pending pend;
    bool dirty; /* something happened: try the pending request again */
    uint32_t serial;
};

/* What a request comes to: its status and the reply's payload. */
struct answer {
    long status;
    union {
        struct net_sock_resp sock;
        struct net_io_resp io;
        struct net_opt_req opt;
        struct net_ping_resp ping;
    } u;
    size_t len;
};

static struct session sessions[NET_SESSIONS_MAX];
static long session_ep;
static struct actor_windows windows; /* the sessions' buffers */
static uint64_t generation;

long net_ipc_init(void)
{
    session_ep = actor_endpoint();
    if (session_ep < 0)
        return session_ep;
    return actor_windows_init(&windows, WINDOWS_VA, NET_BUFFER_MAX, NET_SESSIONS_MAX);
}

/* ---- sessions ---- */

static struct session *session_of(struct actor_req *req)
{
    unsigned i = (unsigned)(req->badge & 0xFF) - 1;
    if (req->badge > 0xFF && i < NET_SESSIONS_MAX && sessions[i].badge == req->badge)
        return &sessions[i];
    actor_reply(req, NET_ESESSION, NULL, 0);
    return NULL;
}

static struct sock *sock_of(struct session *s, uint32_t id)
{
    return id >= 1 && id <= NET_SOCKETS_MAX ? s->socks[id - 1] : NULL;
}

static void end_pending(struct session *s, long status)
{
    if (!s->pend.token)
        return;
    actor_reply_later(s->pend.token, status, NULL, 0);
    if (s->pend.type == NET_PING)
        ping_cancel(s->pend.ctx);
    s->pend.token = 0;
}

static void drop(struct session *s)
{
    end_pending(s, NET_ESESSION);
    for (unsigned i = 0; i < NET_SOCKETS_MAX; i++)
        if (s->socks[i]) {
            sock_destroy(s->socks[i]);
            s->socks[i] = NULL;
        }
    if (s->buf)
        clk_unmap((unsigned long)s->buf);
    if (s->mailbox)
        clk_cap_delete(s->mailbox);
    memset(s, 0, sizeof(*s));
}

static bool alive(struct session *s)
{
    return actor_send(s->mailbox, NET_PROBE, NULL, 0) != CLK_EDEAD;
}

unsigned net_ipc_reap(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < NET_SESSIONS_MAX; i++)
        if (sessions[i].badge && !alive(&sessions[i])) {
            drop(&sessions[i]);
            n++;
        }
    return n;
}

void sock_event(struct sock *s)
{
    if (s->owner)
        s->owner->dirty = true;
}

static void connect_(struct actor_req *req)
{
    if (req->badge != ACTOR_BADGE_CLIENT || !req->cap) {
        actor_reply(req, req->cap ? NET_ESESSION : EINVAL, NULL, 0);
        return;
    }
    long probe = actor_send(req->cap, NET_PROBE, NULL, 0);
    if (probe != 0 && probe != CLK_EFULL) { /* not a mailbox, or its owner is gone */
        actor_reply(req, EINVAL, NULL, 0);
        return;
    }
    unsigned i = 0;
    while (i < NET_SESSIONS_MAX && sessions[i].badge)
        i++;
    if (i == NET_SESSIONS_MAX && net_ipc_reap())
        for (i = 0; i < NET_SESSIONS_MAX && sessions[i].badge;)
            i++;
    if (i == NET_SESSIONS_MAX) {
        actor_reply(req, EMFILE, NULL, 0);
        return;
    }
    struct session *s = &sessions[i];
    uint64_t badge = (++generation << 8) | (i + 1);
    long cap = clk_cap_mint(session_ep, CLK_RIGHT_SEND | CLK_RIGHT_GRANT,
                            badge); /* NET_BUFFER passes one */
    long token = cap < 0 ? cap : actor_defer(req);
    if (token < 0) {
        if (cap > 0)
            clk_cap_delete(cap);
        actor_reply(req, ENOMEM, NULL, 0);
        return;
    }
    *s = (struct session){ .badge = badge, .mailbox = req->cap };
    req->cap = 0; /* ours now */
    actor_reply_later_cap(token, 0, NULL, 0, cap);
    clk_cap_delete(cap); /* the client has its copy */
}

static void buffer_(struct actor_req *req)
{
    struct net_buffer b;
    memcpy(&b, req->data, sizeof(b));
    struct session *s = session_of(req);
    if (!s)
        return;
    if (s->buf || !req->cap) {
        actor_reply(req, EINVAL, NULL, 0);
        return;
    }
    unsigned i = (unsigned)(s - sessions);
    if (actor_window_map(&windows, i, req->cap, b.size, NET_BUFFER_MIN) < 0) {
        actor_reply(req, EINVAL, NULL, 0);
        return;
    }
    s->buf = (uint8_t *)actor_window(&windows, i);
    s->buf_size = b.size;
    actor_reply(req, 0, NULL, 0);
}

/* ---- requests: each tries once; those that may wait say so ---- */

enum outcome { DONE, WAIT };

static enum outcome fail(struct answer *a, int err)
{
    a->status = err;
    a->len = 0;
    return DONE;
}

static enum outcome ok(struct answer *a, size_t len)
{
    a->status = 0;
    a->len = len;
    return DONE;
}

/* A socket id: a free one, or 0. */
static uint32_t free_id(struct session *s)
{
    for (uint32_t i = 0; i < NET_SOCKETS_MAX; i++)
        if (!s->socks[i])
            return i + 1;
    return 0;
}

static enum outcome do_accept(struct session *s, const struct net_sock_req *r, struct answer *a)
{
    struct sock *l = sock_of(s, r->sock), *c;
    if (!l)
        return fail(a, EBADF);
    uint32_t id = free_id(s);
    int err = id ? sock_accept(l, &c) : EMFILE;
    if (err == EAGAIN)
        return WAIT;
    if (err)
        return fail(a, err);
    c->owner = s;
    c->id = id;
    s->socks[id - 1] = c;
    a->u.sock.sock = id;
    sock_name(c, true, &a->u.sock.addr);
    return ok(a, sizeof(a->u.sock));
}

static enum outcome do_connect(struct session *s, const struct net_addr_req *r, struct answer *a,
                               bool again)
{
    struct sock *k = sock_of(s, r->sock);
    if (!k)
        return fail(a, EBADF);
    int err = again ? sock_connect_result(k) : sock_connect(k, &r->addr);
    if (err == EINPROGRESS)
        return r->timeout_ns ? WAIT : fail(a, EINPROGRESS);
    return fail(a, err);
}

static enum outcome do_send(struct session *s, const struct net_io_req *r, struct answer *a)
{
    struct sock *k = sock_of(s, r->sock);
    if (!k)
        return fail(a, EBADF);
    if (r->len > s->buf_size)
        return fail(a, EINVAL);
    long n = sock_send(k, s->buf, r->len, r->addr.port || r->addr.ip ? &r->addr : NULL);
    if (n == -EAGAIN)
        return WAIT;
    if (n < 0)
        return fail(a, (int)-n);
    a->u.io = (struct net_io_resp){ .count = (uint64_t)n };
    return ok(a, sizeof(a->u.io));
}

static enum outcome do_recv(struct session *s, const struct net_io_req *r, struct answer *a)
{
    struct sock *k = sock_of(s, r->sock);
    if (!k)
        return fail(a, EBADF);
    uint32_t len = r->len < s->buf_size ? r->len : (uint32_t)s->buf_size;
    struct net_io_resp *o = &a->u.io;
    memset(o, 0, sizeof(*o));
    long n = sock_recv(k, s->buf, len, r->flags & NET_PEEK, &o->addr, &o->full_len);
    if (n == -EAGAIN)
        return WAIT;
    if (n < 0)
        return fail(a, (int)-n);
    o->count = (uint64_t)n;
    return ok(a, sizeof(*o));
}

static enum outcome do_poll(struct session *s, const struct net_poll_req *r, struct answer *a)
{
    if (r->count > NET_POLL_MAX || r->count * sizeof(struct net_pollfd) > s->buf_size)
        return fail(a, EINVAL);
    struct net_pollfd *fds = (struct net_pollfd *)s->buf;
    uint64_t ready = 0;
    for (uint32_t i = 0; i < r->count; i++) {
        struct sock *k = sock_of(s, fds[i].sock);
        fds[i].revents = k ? (uint16_t)sock_poll(k, fds[i].events) : NET_POLLNVAL;
        ready += fds[i].revents != 0;
    }
    if (!ready)
        return WAIT;
    a->u.io = (struct net_io_resp){ .count = ready };
    return ok(a, sizeof(a->u.io));
}

/* A query (ping, name) of the pending request finished. */
static void query_done(uint64_t ctx, int err, const struct net_ping_resp *ping, uint32_t ip)
{
    unsigned i = (unsigned)((ctx >> 32) & 0xFF) - 1;
    if (i >= NET_SESSIONS_MAX)
        return;
    struct session *s = &sessions[i];
    if (!s->pend.token || s->pend.ctx != ctx)
        return; /* it ended meanwhile (timed out, or the client left) */
    s->pend.query_done = true;
    s->pend.query_err = err;
    if (ping)
        s->pend.ping = *ping;
    s->pend.ip = ip;
    s->dirty = true;
}

static enum outcome query_result(struct session *s, struct answer *a)
{
    if (!s->pend.query_done)
        return WAIT;
    if (s->pend.query_err)
        return fail(a, s->pend.query_err);
    if (s->pend.type == NET_PING) {
        a->u.ping = s->pend.ping;
        return ok(a, sizeof(a->u.ping));
    }
    a->u.io = (struct net_io_resp){ .addr = { .ip = s->pend.ip } };
    return ok(a, sizeof(a->u.io));
}

/* Start a query for session S's next pending request (its context). */
static uint64_t next_ctx(struct session *s)
{
    return ((s->badge & 0xFF) << 32) | ++s->serial;
}

static enum outcome do_ping(const struct net_ping_req *r, struct answer *a, uint64_t ctx)
{
    bool loopback = (lwip_ntohl(r->ip) >> 24) == 127; /* answered without eth0 */
    int err = link_up() || loopback ? ping_start(r, ctx, query_done) : ENETDOWN;
    return err ? fail(a, err) : WAIT;
}

static enum outcome do_resolve(struct session *s, const struct net_io_req *r, struct answer *a,
                               uint64_t ctx)
{
    char name[256];
    if (r->len == 0 || r->len >= sizeof(name) || r->len > s->buf_size)
        return fail(a, EINVAL);
    memcpy(name, s->buf, r->len);
    name[r->len] = 0;
    if (strlen(name) != r->len)
        return fail(a, EINVAL);
    uint32_t ip = 0;
    int err = resolve_start(name, ctx, query_done, &ip);
    if (err == EINPROGRESS)
        return WAIT;
    if (err)
        return fail(a, err);
    a->u.io = (struct net_io_resp){ .addr = { .ip = ip } };
    return ok(a, sizeof(a->u.io));
}

/* Try S's pending request (or a new one, P) once more. */
static enum outcome attempt(struct session *s, struct pending *p, struct answer *a, bool again)
{
    if (again && (p->type == NET_PING || p->type == NET_RESOLVE))
        return query_result(s, a);
    switch (p->type) {
    case NET_ACCEPT: return do_accept(s, &p->req.s, a);
    case NET_CONNECT_TO: return do_connect(s, &p->req.a, a, again);
    case NET_SEND: return do_send(s, &p->req.io, a);
    case NET_RECV: return do_recv(s, &p->req.io, a);
    case NET_POLL: return do_poll(s, &p->req.poll, a);
    case NET_PING: return do_ping(&p->req.ping, a, p->ctx);
    case NET_RESOLVE: return do_resolve(s, &p->req.io, a, p->ctx);
    }
    return fail(a, EINVAL);
}

/* What a request that ran out of time answers. */
static long timed_out(const struct pending *p, struct answer *a)
{
    switch (p->type) {
    case NET_CONNECT_TO:
    case NET_PING:
    case NET_RESOLVE: return ETIMEDOUT;
    case NET_POLL: /* nothing ready: a count of 0, every REVENTS clear */
        a->u.io = (struct net_io_resp){ 0 };
        a->len = sizeof(a->u.io);
        return 0;
    default: return EAGAIN;
    }
}

static uint64_t timeout_of(const struct pending *p)
{
    switch (p->type) {
    case NET_ACCEPT: return p->req.s.timeout_ns;
    case NET_CONNECT_TO: return p->req.a.timeout_ns;
    case NET_SEND:
    case NET_RECV: return p->req.io.timeout_ns;
    case NET_POLL: return p->req.poll.timeout_ns;
    case NET_PING: return p->req.ping.timeout_ns;
    default: return NET_FOREVER; /* RESOLVE: lwIP's DNS gives up by itself */
    }
}

/* A request that may wait: try it; answer, or keep it pending. */
static void waitable(struct actor_req *req)
{
    struct session *s = session_of(req);
    if (!s)
        return;
    if (!s->buf && req->type != NET_PING && req->type != NET_ACCEPT &&
        req->type != NET_CONNECT_TO) {
        actor_reply(req, EINVAL, NULL, 0); /* NET_BUFFER first */
        return;
    }
    if (s->pend.token) {
        actor_reply(req, EBUSY, NULL, 0); /* one request in flight per session */
        return;
    }
    struct pending p = { .type = req->type };
    memcpy(&p.req, req->data, req->len);
    p.ctx = next_ctx(s);
    s->pend.ctx = p.ctx; /* a query may finish at once */
    struct answer a = { 0 };
    enum outcome o = attempt(s, &p, &a, false);
    uint64_t t = timeout_of(&p);
    if (o == WAIT && t == 0 && p.type != NET_PING && p.type != NET_RESOLVE) {
        o = DONE;
        a.status = timed_out(&p, &a);
    }
    if (o == DONE) {
        actor_reply(req, a.status, &a.u, a.status ? 0 : a.len);
        net_run();
        return;
    }
    long token = actor_defer(req);
    if (token < 0) {
        if (p.type == NET_PING)
            ping_cancel(p.ctx);
        actor_reply(req, ENOMEM, NULL, 0);
        return;
    }
    uint64_t now = net_now_ns();
    p.token = token;
    p.deadline = t == NET_FOREVER || t > UINT64_MAX - now ? UINT64_MAX : now + t;
    s->pend = p;
    s->dirty = false;
    net_run();
}

uint64_t net_ipc_run(void)
{
    uint64_t next = UINT64_MAX, now = net_now_ns();
    for (unsigned i = 0; i < NET_SESSIONS_MAX; i++) {
        struct session *s = &sessions[i];
        struct pending *p = &s->pend;
        if (!s->badge || !p->token)
            continue;
        struct answer a = { 0 };
        enum outcome o = WAIT;
        if (s->dirty) {
            s->dirty = false;
            o = attempt(s, p, &a, true);
        }
        if (o == WAIT && p->deadline <= now) {
            o = DONE;
            a.status = timed_out(p, &a);
        }
        if (o == WAIT) {
            next = p->deadline < next ? p->deadline : next;
            continue;
        }
        actor_reply_later(p->token, a.status, &a.u, a.status ? 0 : a.len);
        if (p->type == NET_PING)
            ping_cancel(p->ctx);
        p->token = 0;
    }
    return next;
}

/* ---- requests answered at once ---- */

static void socket_(struct actor_req *req)
{
    struct net_socket_req r;
    memcpy(&r, req->data, sizeof(r));
    struct session *s = session_of(req);
    if (!s)
        return;
    int type = (int)(r.type & 0xF); /* SOCK_NONBLOCK and SOCK_CLOEXEC are libc's */
    int err = r.domain != NET_AF_INET                                            ? EAFNOSUPPORT
              : type != NET_SOCK_STREAM && type != NET_SOCK_DGRAM                ? EPROTONOSUPPORT
              : r.protocol && r.protocol != (type == NET_SOCK_STREAM ? 6u : 17u) ? EPROTONOSUPPORT
                                                                                 : 0;
    uint32_t id = err ? 0 : free_id(s);
    struct sock *k = NULL;
    if (!err && !id)
        err = EMFILE;
    if (!err)
        err = sock_create(type, &k);
    if (err) {
        actor_reply(req, err, NULL, 0);
        return;
    }
    k->owner = s;
    k->id = id;
    s->socks[id - 1] = k;
    struct net_sock_resp resp = { .sock = id };
    actor_reply(req, 0, &resp, sizeof(resp));
}

static void bind_(struct actor_req *req)
{
    struct net_addr_req r;
    memcpy(&r, req->data, sizeof(r));
    struct session *s = session_of(req);
    if (!s)
        return;
    struct sock *k = sock_of(s, r.sock);
    int err = k ? sock_bind(k, &r.addr) : EBADF;
    if (err == EADDRINUSE && net_ipc_reap()) /* perhaps a client that died held it */
        err = sock_bind(k, &r.addr);
    actor_reply(req, err, NULL, 0);
}

static void sock_op(struct actor_req *req)
{
    struct net_sock_req r;
    memcpy(&r, req->data, sizeof(r));
    struct session *s = session_of(req);
    if (!s)
        return;
    struct sock *k = sock_of(s, r.sock);
    struct net_sock_resp resp = { .sock = r.sock };
    int err = EBADF;
    if (k) {
        switch (req->type) {
        case NET_LISTEN: err = sock_listen(k, r.arg); break;
        case NET_SHUTDOWN: err = sock_shutdown(k, (int)r.arg); break;
        case NET_SOCKNAME: err = sock_name(k, r.arg != 0, &resp.addr); break;
        case NET_CLOSE:
            sock_destroy(k);
            s->socks[r.sock - 1] = NULL;
            err = 0;
            break;
        }
    }
    if (err)
        actor_reply(req, err, NULL, 0);
    else
        actor_reply(req, 0, &resp, req->type == NET_SOCKNAME ? sizeof(resp) : 0);
    net_run();
}

static void opt_(struct actor_req *req)
{
    struct net_opt_req r;
    memcpy(&r, req->data, sizeof(r));
    struct session *s = session_of(req);
    if (!s)
        return;
    struct sock *k = sock_of(s, r.sock);
    int err = !k                        ? EBADF
              : req->type == NET_SETOPT ? sock_setopt(k, r.opt, r.value)
                                        : sock_getopt(k, r.opt, &r.value);
    actor_reply(req, err, &r, err || req->type == NET_SETOPT ? 0 : sizeof(r));
}

static void ifinfo_(struct actor_req *req)
{
    struct session *s = session_of(req);
    if (!s)
        return;
    if (!s->buf) {
        actor_reply(req, EINVAL, NULL, 0);
        return;
    }
    link_info((struct net_ifinfo *)s->buf);
    actor_reply(req, 0, NULL, 0);
}

_Static_assert(sizeof(struct net_ifinfo) <= NET_BUFFER_MIN, "ifinfo fits any buffer");

const struct actor_handler net_handlers[] = {
    { NET_CONNECT, 0, 0, connect_ },
    { NET_BUFFER, sizeof(struct net_buffer), sizeof(struct net_buffer), buffer_ },
    { NET_SOCKET, sizeof(struct net_socket_req), sizeof(struct net_socket_req), socket_ },
    { NET_BIND, sizeof(struct net_addr_req), sizeof(struct net_addr_req), bind_ },
    { NET_LISTEN, sizeof(struct net_sock_req), sizeof(struct net_sock_req), sock_op },
    { NET_ACCEPT, sizeof(struct net_sock_req), sizeof(struct net_sock_req), waitable },
    { NET_CONNECT_TO, sizeof(struct net_addr_req), sizeof(struct net_addr_req), waitable },
    { NET_SEND, sizeof(struct net_io_req), sizeof(struct net_io_req), waitable },
    { NET_RECV, sizeof(struct net_io_req), sizeof(struct net_io_req), waitable },
    { NET_SHUTDOWN, sizeof(struct net_sock_req), sizeof(struct net_sock_req), sock_op },
    { NET_CLOSE, sizeof(struct net_sock_req), sizeof(struct net_sock_req), sock_op },
    { NET_SOCKNAME, sizeof(struct net_sock_req), sizeof(struct net_sock_req), sock_op },
    { NET_SETOPT, sizeof(struct net_opt_req), sizeof(struct net_opt_req), opt_ },
    { NET_GETOPT, sizeof(struct net_opt_req), sizeof(struct net_opt_req), opt_ },
    { NET_POLL, sizeof(struct net_poll_req), sizeof(struct net_poll_req), waitable },
    { NET_RESOLVE, sizeof(struct net_io_req), sizeof(struct net_io_req), waitable },
    { NET_IFINFO, 0, 0, ifinfo_ },
    { NET_PING, sizeof(struct net_ping_req), sizeof(struct net_ping_req), waitable },
    { 0, 0, 0, NULL },
};
