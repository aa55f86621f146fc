/*
 * net.h: the network server's private header. The server is one thread:
 * libactor's loop takes requests (ipc.c), the nic's doorbell (link.c)
 * and timers (main.c), and drives lwIP's raw API, whose callbacks change
 * sockets (sock.c). A request that must wait is deferred (MINIX's
 * SUSPEND) and tried again whenever something happens to its session.
 */
#ifndef NET_SERVER_H
#define NET_SERVER_H

#include <actor/net.h>
#include <actor/nic.h>
#include <stdbool.h>
#include <stdint.h>

/* The values of <sys/socket.h> that the protocol carries (Linux's, as
 * libc-port's headers give them). */
#define NET_AF_INET     2
#define NET_SOCK_STREAM 1
#define NET_SOCK_DGRAM  2
#define NET_SHUT_RD     0
#define NET_SHUT_WR     1
#define NET_SHUT_RDWR   2

struct pbuf;
struct tcp_pcb;
struct udp_pcb;

/* Bits of the loop's notification. */
#define NET_BIT_NIC   0x1 /* the nic's doorbell: frames in, buffers back */
#define NET_BIT_LWIP  0x2 /* lwIP's timers, and deadlines of waiting requests */
#define NET_BIT_HOUSE 0x4 /* every second: the nic, DHCP, clients still alive */

#define NET_SESSIONS_MAX 64
#define NET_UDP_QUEUE    64 /* datagrams waiting per UDP socket */

/* ---- sockets (sock.c): lwIP's pcbs and what waits on them ---- */

enum sock_state {
    SOCK_NEW,        /* made, not connected or listening */
    SOCK_LISTENING,  /* TCP: accepting */
    SOCK_CONNECTING, /* TCP: SYN sent */
    SOCK_CONNECTED,  /* TCP: established (perhaps half closed); UDP: a default peer */
    SOCK_CLOSED,     /* TCP: reset, refused or closed by the peer's RST; the pcb is gone */
};

struct dgram {
    struct pbuf *p;
    uint32_t ip;
    uint16_t port;
};

struct sock {
    struct session *owner; /* NULL while waiting in a listener's queue */
    uint32_t id;           /* in its session */
    int type;              /* NET_SOCK_STREAM or NET_SOCK_DGRAM */
    enum sock_state state;
    int error; /* pending errno (SO_ERROR), 0 if none */
    bool eof;  /* TCP: the peer sent FIN */
    bool shut_rd, shut_wr;
    bool reuse, nodelay, keepalive;
    union {
        struct tcp_pcb *tcp;
        struct udp_pcb *udp;
    } pcb;
    /* TCP: received bytes not yet read, a chain (tot_len is 16-bit: the
     * receive window, 128 KiB, may exceed it, so count with rx_bytes) */
    struct pbuf *rx;
    /* TCP listener: connections made, not yet accepted */
    struct sock **backlog;
    unsigned nbacklog, backlog_max;
    struct sock *listener; /* a connection waiting in a listener's queue: that listener */
    /* UDP: datagrams received */
    struct dgram dq[NET_UDP_QUEUE];
    unsigned dq_head, dq_len;
    uint32_t bound_ip; /* what bind gave (network order) */
    uint16_t bound_port;
};

/* A socket of TYPE (NET_SOCK_STREAM or NET_SOCK_DGRAM): 0 and *OUT, or an errno. */
int sock_create(int type, struct sock **out);
/* Close S and free it (a TCP connection ends gracefully, or is reset if
 * lwIP has no room to say goodbye). */
void sock_destroy(struct sock *s);
int sock_bind(struct sock *s, const struct net_addr *a);
int sock_listen(struct sock *s, unsigned backlog);
/* The next connection of listener S (EAGAIN when none). */
int sock_accept(struct sock *s, struct sock **out);
/* Start connecting (TCP) or set the default peer (UDP). */
int sock_connect(struct sock *s, const struct net_addr *a);
/* A TCP connect under way: 0 once connected, EINPROGRESS, or its error. */
int sock_connect_result(struct sock *s);
/* Up to LEN bytes of DATA: the count taken, or -errno (-EAGAIN: no room).
 * TO: the destination of a datagram, or NULL for the connected peer. */
long sock_send(struct sock *s, const void *data, uint32_t len, const struct net_addr *to);
/* Up to LEN bytes into BUF: the count (0: the end of the stream), or
 * -errno (-EAGAIN: nothing yet). A datagram's sender goes to *FROM and its
 * full length to *FULL. PEEK leaves the data where it is. */
long sock_recv(struct sock *s, void *buf, uint32_t len, bool peek, struct net_addr *from,
               uint64_t *full);
int sock_shutdown(struct sock *s, int how);
int sock_name(struct sock *s, bool peer, struct net_addr *a);
int sock_setopt(struct sock *s, unsigned opt, uint64_t value);
int sock_getopt(struct sock *s, unsigned opt, uint64_t *value);
/* NET_POLL* bits that hold for S now, of EVENTS (and ERR, HUP always). */
unsigned sock_poll(struct sock *s, unsigned events);
/* TCP sockets connected and listening, for NET_IFINFO. */
void sock_count(uint64_t *active, uint64_t *listening);

/* Something happened to S (sock.c tells ipc.c): retry what waits. */
void sock_event(struct sock *s);

/* ---- sessions and the protocol (ipc.c) ---- */

extern const struct actor_handler net_handlers[];
long net_ipc_init(void);
/* Retry the deferred requests that may now complete, and end those past
 * their deadlines. Returns the nearest deadline left (ns since boot;
 * UINT64_MAX: none). */
uint64_t net_ipc_run(void);
/* Close the sessions of clients that have died: how many. */
unsigned net_ipc_reap(void);

/* ---- the interface (link.c): the nic, lwIP's netif, DHCP ---- */

long link_start(void);
/* The nic rang: take frames in, buffers back. */
void link_poll(void);
/* Every second: is the nic the one attached? Attach again if not. */
void link_house(void);
void link_info(struct net_ifinfo *out);
/* Ask the DNS server at IP (network order), not the one DHCP names. */
void link_set_dns(uint32_t ip);
bool link_up(void);

/* ---- ping and names (query.c) ---- */

/* A finished query calls DONE(CTX, ERR, ...) once; CTX names a session's
 * waiting request. */
typedef void query_done_fn(uint64_t ctx, int err, const struct net_ping_resp *ping, uint32_t ip);
int ping_start(const struct net_ping_req *r, uint64_t ctx, query_done_fn *done);
void ping_cancel(uint64_t ctx);
/* 0 with *IP at once, EINPROGRESS (DONE follows), or an errno. */
int resolve_start(const char *name, uint64_t ctx, query_done_fn *done, uint32_t *ip);

/* ---- main.c ---- */

uint64_t net_now_ns(void);
/* After a request or an event: run lwIP and the waiting requests. */
void net_run(void);
/* Ask the loop to run (lwIP's timers and deadlines) again by DEADLINE. */
void net_wake_by(uint64_t deadline);

#endif
