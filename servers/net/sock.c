/*
 * sock.c: sockets over lwIP's raw API. Pure logic: each function returns
 * an errno value or a count and knows nothing of messages; lwIP's
 * callbacks update the socket and call sock_event, so that ipc.c retries
 * what waits on it.
 *
 * Received TCP data stays in lwIP's pbufs until read; the window opens
 * again (tcp_recved) as the reader takes it, so a slow reader slows the
 * sender instead of filling memory. A listener's connections wait in its
 * backlog, each already a socket that receives; one over the backlog is
 * refused (reset).
 */
#include "net.h"
#include <errno.h>
#include <lwip/ip.h>
#include <lwip/pbuf.h>
#include <lwip/priv/tcp_priv.h>
#include <lwip/tcp.h>
#include <lwip/udp.h>
#include <stdlib.h>
#include <string.h>

/* Writable while this much send buffer is free (as lwIP's own sockets). */
#define SEND_LOWAT (2 * TCP_MSS)

static unsigned n_active, n_listening;

static void addr_to(struct net_addr *a, const ip_addr_t *ip, u16_t port)
{
    a->ip = ip ? ip4_addr_get_u32(ip_2_ip4(ip)) : 0;
    a->port = lwip_htons(port);
    a->reserved = 0;
}

static int from_err(err_t e)
{
    switch (e) {
    case ERR_OK: return 0;
    case ERR_MEM:
    case ERR_BUF: return ENOMEM;
    case ERR_TIMEOUT: return ETIMEDOUT;
    case ERR_RTE: return EHOSTUNREACH;
    case ERR_INPROGRESS: return EINPROGRESS;
    case ERR_VAL: return EINVAL;
    case ERR_WOULDBLOCK: return EAGAIN;
    case ERR_USE: return EADDRINUSE;
    case ERR_ALREADY: return EALREADY;
    case ERR_ISCONN: return EISCONN;
    case ERR_CONN: return ENOTCONN;
    case ERR_IF: return ENETDOWN;
    case ERR_ABRT: return ECONNABORTED;
    case ERR_RST: return ECONNRESET;
    case ERR_CLSD: return ENOTCONN;
    case ERR_ARG: return EINVAL;
    default: return EIO;
    }
}

static struct sock *sock_new(int type)
{
    struct sock *s = calloc(1, sizeof(*s));
    if (s)
        s->type = type;
    return s;
}

/* ---- TCP callbacks ---- */

static void tcp_attach(struct sock *s, struct tcp_pcb *pcb);

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct sock *s = arg;
    (void)pcb;
    if (!s) {
        if (p)
            pbuf_free(p);
        return ERR_OK;
    }
    if (!p || err != ERR_OK) {
        s->eof = true;
        if (p)
            pbuf_free(p);
    } else if (s->shut_rd) {
        tcp_recved(pcb, p->tot_len);
        pbuf_free(p);
    } else if (s->rx) {
        if ((uint32_t)s->rx->tot_len + p->tot_len > 0xFFFF)
            return ERR_MEM; /* cannot be, within the window; lwIP offers it again later */
        pbuf_cat(s->rx, p);
    } else {
        s->rx = p;
    }
    sock_event(s);
    return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    (void)pcb, (void)len;
    if (arg)
        sock_event(arg);
    return ERR_OK;
}

/* What a connection's end (lwIP's ERR) says to the program. */
static int conn_error(const struct sock *s, err_t err)
{
    if (s->state == SOCK_CONNECTING && err == ERR_RST)
        return ECONNREFUSED;
    switch (err) {
    case ERR_ABRT: return ECONNABORTED;
    case ERR_TIMEOUT: return ETIMEDOUT;
    default: return ECONNRESET;
    }
}

/* lwIP has freed the pcb: a reset, a refusal, or a timeout. */
static void on_err(void *arg, err_t err)
{
    struct sock *s = arg;
    if (!s)
        return;
    if (s->state == SOCK_CONNECTED)
        n_active--;
    s->pcb.tcp = NULL;
    s->error = conn_error(s, err);
    s->state = SOCK_CLOSED;
    if (s->listener) { /* reset while waiting to be accepted: forget it */
        struct sock *l = s->listener;
        for (unsigned i = 0; i < l->nbacklog; i++)
            if (l->backlog[i] == s) {
                memmove(&l->backlog[i], &l->backlog[i + 1],
                        (l->nbacklog - i - 1) * sizeof(l->backlog[0]));
                l->nbacklog--;
                break;
            }
        if (s->rx)
            pbuf_free(s->rx);
        free(s);
        return;
    }
    sock_event(s);
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct sock *s = arg;
    (void)pcb;
    if (!s)
        return ERR_OK;
    if (err == ERR_OK) {
        s->state = SOCK_CONNECTED;
        n_active++;
    } else {
        s->error = from_err(err);
    }
    sock_event(s);
    return ERR_OK;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct sock *l = arg;
    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    struct sock *s = l && l->nbacklog < l->backlog_max ? sock_new(NET_SOCK_STREAM) : NULL;
    if (!s) {
        tcp_abort(pcb); /* the backlog is full: refuse it */
        return ERR_ABRT;
    }
    s->state = SOCK_CONNECTED;
    s->listener = l;
    s->nodelay = l->nodelay;
    n_active++;
    tcp_attach(s, pcb);
    if (s->nodelay)
        tcp_nagle_disable(pcb);
    l->backlog[l->nbacklog++] = s;
    sock_event(l);
    return ERR_OK;
}

static void tcp_attach(struct sock *s, struct tcp_pcb *pcb)
{
    s->pcb.tcp = pcb;
    tcp_arg(pcb, s);
    tcp_recv(pcb, on_recv);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_err);
}

/* ---- UDP ---- */

static void on_datagram(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *ip,
                        u16_t port)
{
    struct sock *s = arg;
    (void)pcb;
    if (s->dq_len == NET_UDP_QUEUE || s->shut_rd) {
        pbuf_free(p); /* full: dropped, as a datagram may be */
        return;
    }
    struct dgram *d = &s->dq[(s->dq_head + s->dq_len++) % NET_UDP_QUEUE];
    d->p = p;
    d->ip = ip4_addr_get_u32(ip_2_ip4(ip));
    d->port = lwip_htons(port);
    sock_event(s);
}

/* ---- operations ---- */

int sock_create(int type, struct sock **out)
{
    struct sock *s = sock_new(type);
    if (!s)
        return ENOMEM;
    if (type == NET_SOCK_STREAM) {
        struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
        if (!pcb) {
            free(s);
            return ENOMEM;
        }
        tcp_attach(s, pcb);
    } else {
        struct udp_pcb *pcb = udp_new_ip_type(IPADDR_TYPE_V4);
        if (!pcb) {
            free(s);
            return ENOMEM;
        }
        s->pcb.udp = pcb;
        udp_recv(pcb, on_datagram, s);
    }
    *out = s;
    return 0;
}

static void tcp_end(struct tcp_pcb *pcb)
{
    tcp_arg(pcb, NULL);
    if (pcb->state == LISTEN) { /* a listener has no receive, sent or error callbacks */
        tcp_accept(pcb, NULL);
        tcp_close(pcb);
        return;
    }
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
    if (tcp_close(pcb) != ERR_OK)
        tcp_abort(pcb);
}

void sock_destroy(struct sock *s)
{
    if (s->type == NET_SOCK_STREAM) {
        for (unsigned i = 0; i < s->nbacklog; i++) { /* connections never accepted: reset */
            struct sock *c = s->backlog[i];
            if (c->pcb.tcp) {
                tcp_arg(c->pcb.tcp, NULL);
                tcp_abort(c->pcb.tcp);
                n_active--;
            }
            if (c->rx)
                pbuf_free(c->rx);
            free(c);
        }
        free(s->backlog);
        if (s->state == SOCK_CONNECTED && s->pcb.tcp)
            n_active--;
        if (s->state == SOCK_LISTENING)
            n_listening--;
        if (s->pcb.tcp) {
            if (s->rx && s->state != SOCK_LISTENING && s->rx->tot_len)
                tcp_abort(s->pcb.tcp); /* unread data: a reset, as POSIX systems do */
            else
                tcp_end(s->pcb.tcp);
        }
        if (s->rx)
            pbuf_free(s->rx);
    } else {
        if (s->pcb.udp)
            udp_remove(s->pcb.udp);
        for (unsigned i = 0; i < s->dq_len; i++)
            pbuf_free(s->dq[(s->dq_head + i) % NET_UDP_QUEUE].p);
    }
    free(s);
}

/* Does a listener have PORT on IP (or on any address, or IP is any)? */
static bool listening_on(const ip_addr_t *ip, u16_t port)
{
    for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l; l = l->next)
        if (port && l->local_port == port &&
            (ip_addr_isany(ip) || ip_addr_isany(&l->local_ip) || ip_addr_cmp(ip, &l->local_ip)))
            return true;
    return false;
}

int sock_bind(struct sock *s, const struct net_addr *a)
{
    ip_addr_t ip;
    ip_addr_set_ip4_u32(&ip, a->ip);
    u16_t port = lwip_ntohs(a->port);
    err_t e;
    if (s->type == NET_SOCK_STREAM) {
        if (!s->pcb.tcp || s->state != SOCK_NEW)
            return EINVAL;
        if (listening_on(&ip, port))
            return EADDRINUSE; /* SO_REUSEADDR never shares a listener's port (as Linux) */
        if (s->reuse)
            ip_set_option(s->pcb.tcp, SOF_REUSEADDR);
        e = tcp_bind(s->pcb.tcp, &ip, port);
    } else {
        if (s->reuse)
            ip_set_option(s->pcb.udp, SOF_REUSEADDR);
        e = udp_bind(s->pcb.udp, &ip, port);
    }
    if (e == ERR_OK) {
        s->bound_ip = a->ip;
        s->bound_port = a->port;
    }
    return e == ERR_VAL ? EINVAL : from_err(e);
}

int sock_listen(struct sock *s, unsigned backlog)
{
    if (s->type != NET_SOCK_STREAM)
        return EOPNOTSUPP;
    if (s->state == SOCK_LISTENING)
        return 0;
    if (s->state != SOCK_NEW || !s->pcb.tcp)
        return EINVAL;
    backlog = backlog < 1 ? 1 : backlog > 128 ? 128 : backlog;
    s->backlog = calloc(backlog, sizeof(s->backlog[0]));
    if (!s->backlog)
        return ENOMEM;
    s->backlog_max = backlog;
    err_t e;
    struct tcp_pcb *l = tcp_listen_with_backlog_and_err(s->pcb.tcp, 255, &e);
    if (!l) {
        free(s->backlog);
        s->backlog = NULL;
        return from_err(e);
    }
    s->pcb.tcp = l; /* the old pcb is freed */
    tcp_arg(l, s);
    tcp_accept(l, on_accept);
    s->state = SOCK_LISTENING;
    n_listening++;
    return 0;
}

int sock_accept(struct sock *s, struct sock **out)
{
    if (s->state != SOCK_LISTENING)
        return EINVAL;
    if (!s->nbacklog)
        return EAGAIN;
    struct sock *c = s->backlog[0];
    memmove(&s->backlog[0], &s->backlog[1], --s->nbacklog * sizeof(s->backlog[0]));
    c->listener = NULL;
    if (c->pcb.tcp)
        tcp_backlog_accepted(c->pcb.tcp);
    *out = c;
    return 0;
}

int sock_connect(struct sock *s, const struct net_addr *a)
{
    ip_addr_t ip;
    ip_addr_set_ip4_u32(&ip, a->ip);
    u16_t port = lwip_ntohs(a->port);
    if (s->type == NET_SOCK_DGRAM) {
        if (a->ip == 0 && port == 0) { /* AF_UNSPEC-like: disconnect */
            udp_disconnect(s->pcb.udp);
            s->state = SOCK_NEW;
            return 0;
        }
        err_t e = udp_connect(s->pcb.udp, &ip, port);
        if (e == ERR_OK)
            s->state = SOCK_CONNECTED;
        return from_err(e);
    }
    switch (s->state) {
    case SOCK_CONNECTING: return EALREADY;
    case SOCK_CONNECTED: return EISCONN;
    case SOCK_LISTENING: return EINVAL;
    case SOCK_CLOSED: return s->error ? s->error : EINVAL;
    case SOCK_NEW: break;
    }
    if (!s->pcb.tcp)
        return EINVAL;
    if (port == 0)
        return EADDRNOTAVAIL;
    if (!link_up() && !ip4_addr_isloopback(ip_2_ip4(&ip)))
        return ENETUNREACH;
    err_t e = tcp_connect(s->pcb.tcp, &ip, port, on_connected);
    if (e != ERR_OK)
        return from_err(e);
    s->state = SOCK_CONNECTING;
    return EINPROGRESS;
}

int sock_connect_result(struct sock *s)
{
    if (s->state == SOCK_CONNECTING && !s->error)
        return EINPROGRESS;
    if (s->state == SOCK_CONNECTED)
        return 0;
    int e = s->error ? s->error : ECONNREFUSED;
    s->error = 0;
    return e;
}

long sock_send(struct sock *s, const void *data, uint32_t len, const struct net_addr *to)
{
    if (s->shut_wr)
        return -EPIPE;
    if (s->type == NET_SOCK_DGRAM) {
        if (len > 65507)
            return -EMSGSIZE;
        if (!to && s->state != SOCK_CONNECTED)
            return -EDESTADDRREQ;
        struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
        if (!p)
            return -ENOMEM;
        memcpy(p->payload, data, len);
        err_t e;
        if (to) {
            ip_addr_t ip;
            ip_addr_set_ip4_u32(&ip, to->ip);
            e = udp_sendto(s->pcb.udp, p, &ip, lwip_ntohs(to->port));
        } else {
            e = udp_send(s->pcb.udp, p);
        }
        pbuf_free(p);
        return e == ERR_OK ? (long)len : -from_err(e);
    }
    if (s->state != SOCK_CONNECTED || !s->pcb.tcp) {
        int e = s->state == SOCK_CLOSED ? (s->error ? s->error : EPIPE) : ENOTCONN;
        if (s->state == SOCK_CLOSED)
            s->error = 0;
        return -(e == ECONNRESET || e == ECONNABORTED ? e : e == ENOTCONN ? ENOTCONN : EPIPE);
    }
    struct tcp_pcb *pcb = s->pcb.tcp;
    uint32_t room = tcp_sndbuf(pcb);
    if (tcp_sndqueuelen(pcb) >= TCP_SND_QUEUELEN - 4)
        room = 0;
    if (len > room)
        len = room;
    if (!len)
        return -EAGAIN;
    err_t e = tcp_write(pcb, data, (u16_t)(len > 0xFFFF ? 0xFFFF : len), TCP_WRITE_FLAG_COPY);
    if (len > 0xFFFF)
        len = 0xFFFF;
    if (e == ERR_MEM)
        return -EAGAIN;
    if (e != ERR_OK)
        return -from_err(e);
    tcp_output(pcb);
    return (long)len;
}

long sock_recv(struct sock *s, void *buf, uint32_t len, bool peek, struct net_addr *from,
               uint64_t *full)
{
    *full = 0;
    if (s->type == NET_SOCK_DGRAM) {
        if (!s->dq_len)
            return s->shut_rd ? 0 : -EAGAIN;
        struct dgram *d = &s->dq[s->dq_head];
        uint32_t n = d->p->tot_len < len ? d->p->tot_len : len;
        pbuf_copy_partial(d->p, buf, (u16_t)n, 0);
        from->ip = d->ip, from->port = d->port, from->reserved = 0;
        *full = d->p->tot_len;
        if (!peek) {
            pbuf_free(d->p);
            s->dq_head = (s->dq_head + 1) % NET_UDP_QUEUE;
            s->dq_len--;
        }
        return (long)n;
    }
    if (s->state == SOCK_LISTENING || s->state == SOCK_NEW || s->state == SOCK_CONNECTING)
        return -ENOTCONN;
    uint32_t avail = s->rx ? s->rx->tot_len : 0;
    if (!avail) {
        if (s->eof || s->shut_rd)
            return 0;
        if (s->state == SOCK_CLOSED) {
            int e = s->error ? s->error : 0;
            s->error = 0;
            return e ? -e : 0;
        }
        return -EAGAIN;
    }
    uint32_t n = avail < len ? avail : len;
    if (n > 0xFFFF) /* pbuf lengths are 16-bit: take the rest next time */
        n = 0xFFFF;
    pbuf_copy_partial(s->rx, buf, (u16_t)n, 0);
    if (s->pcb.tcp)
        addr_to(from, &s->pcb.tcp->remote_ip, s->pcb.tcp->remote_port);
    if (peek)
        return (long)n;
    s->rx = pbuf_free_header(s->rx, (u16_t)n); /* the pbufs read to the end are freed */
    if (s->pcb.tcp && s->state == SOCK_CONNECTED)
        tcp_recved(s->pcb.tcp, (u16_t)n);
    return (long)n;
}

int sock_shutdown(struct sock *s, int how)
{
    if (how != NET_SHUT_RD && how != NET_SHUT_WR && how != NET_SHUT_RDWR)
        return EINVAL;
    if (s->type == NET_SOCK_STREAM && s->state != SOCK_CONNECTED)
        return ENOTCONN;
    bool rd = how != NET_SHUT_WR, wr = how != NET_SHUT_RD;
    if (s->type == NET_SOCK_STREAM && s->pcb.tcp && wr && !s->shut_wr) {
        err_t e = tcp_shutdown(s->pcb.tcp, 0, 1);
        if (e != ERR_OK)
            return from_err(e);
    }
    if (rd && s->rx) { /* what was unread is gone; the window opens again */
        if (s->pcb.tcp)
            tcp_recved(s->pcb.tcp, (u16_t)(s->rx->tot_len));
        pbuf_free(s->rx);
        s->rx = NULL;
    }
    s->shut_rd |= rd;
    s->shut_wr |= wr;
    sock_event(s);
    return 0;
}

int sock_name(struct sock *s, bool peer, struct net_addr *a)
{
    if (s->type == NET_SOCK_DGRAM) {
        struct udp_pcb *u = s->pcb.udp;
        if (peer) {
            if (s->state != SOCK_CONNECTED)
                return ENOTCONN;
            addr_to(a, &u->remote_ip, u->remote_port);
        } else {
            addr_to(a, &u->local_ip, u->local_port);
        }
        return 0;
    }
    struct tcp_pcb *t = s->pcb.tcp;
    if (peer) {
        if (s->state != SOCK_CONNECTED || !t)
            return ENOTCONN;
        addr_to(a, &t->remote_ip, t->remote_port);
    } else if (t) {
        addr_to(a, &t->local_ip, t->local_port);
    } else {
        a->ip = s->bound_ip, a->port = s->bound_port, a->reserved = 0;
    }
    return 0;
}

int sock_setopt(struct sock *s, unsigned opt, uint64_t value)
{
    switch (opt) {
    case NET_OPT_REUSEADDR: s->reuse = value != 0; return 0;
    case NET_OPT_NODELAY:
        if (s->type != NET_SOCK_STREAM)
            return EOPNOTSUPP;
        s->nodelay = value != 0;
        if (s->pcb.tcp && s->state != SOCK_LISTENING) {
            if (s->nodelay)
                tcp_nagle_disable(s->pcb.tcp);
            else
                tcp_nagle_enable(s->pcb.tcp);
        }
        return 0;
    case NET_OPT_KEEPALIVE:
        s->keepalive = value != 0;
        if (s->type == NET_SOCK_STREAM && s->pcb.tcp) {
            if (s->keepalive)
                ip_set_option(s->pcb.tcp, SOF_KEEPALIVE);
            else
                ip_reset_option(s->pcb.tcp, SOF_KEEPALIVE);
        }
        return 0;
    default: return ENOPROTOOPT;
    }
}

int sock_getopt(struct sock *s, unsigned opt, uint64_t *value)
{
    switch (opt) {
    case NET_OPT_REUSEADDR: *value = s->reuse; return 0;
    case NET_OPT_NODELAY: *value = s->nodelay; return 0;
    case NET_OPT_KEEPALIVE: *value = s->keepalive; return 0;
    case NET_OPT_ERROR:
        *value = (uint64_t)s->error;
        if (s->state != SOCK_CLOSED || s->error != ECONNRESET)
            s->error = 0;
        return 0;
    case NET_OPT_RCVBUF: *value = TCP_WND; return 0;
    case NET_OPT_SNDBUF: *value = TCP_SND_BUF; return 0;
    case NET_OPT_TYPE: *value = (uint64_t)s->type; return 0;
    case NET_OPT_ACCEPTCONN: *value = s->state == SOCK_LISTENING; return 0;
    default: return ENOPROTOOPT;
    }
}

unsigned sock_poll(struct sock *s, unsigned events)
{
    unsigned r = 0;
    if (s->type == NET_SOCK_DGRAM) {
        if (s->dq_len || s->shut_rd)
            r |= NET_POLLIN;
        r |= NET_POLLOUT;
    } else if (s->state == SOCK_LISTENING) {
        if (s->nbacklog)
            r |= NET_POLLIN;
    } else if (s->state == SOCK_CONNECTING) {
        if (s->error)
            r |= NET_POLLOUT | NET_POLLERR;
    } else if (s->state == SOCK_CONNECTED) {
        if ((s->rx && s->rx->tot_len) || s->eof || s->shut_rd)
            r |= NET_POLLIN;
        if (s->shut_wr || (s->pcb.tcp && tcp_sndbuf(s->pcb.tcp) >= SEND_LOWAT &&
                           tcp_sndqueuelen(s->pcb.tcp) < TCP_SND_QUEUELEN / 2))
            r |= NET_POLLOUT;
        if (s->eof && s->shut_wr)
            r |= NET_POLLHUP;
    } else if (s->state == SOCK_CLOSED) {
        r |= NET_POLLIN | NET_POLLOUT | NET_POLLHUP | (s->error ? NET_POLLERR : 0);
    } else { /* SOCK_NEW: nothing to wait for; Linux says POLLOUT | POLLHUP */
        r |= NET_POLLOUT | NET_POLLHUP;
    }
    return r & (events | NET_POLLERR | NET_POLLHUP);
}

void sock_count(uint64_t *active, uint64_t *listening)
{
    *active = n_active;
    *listening = n_listening;
}
