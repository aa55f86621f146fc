/*
 * actor/net.h: the socket protocol. servers/net (lwIP) serves it under the
 * name "net" (NET_NAME); libc-port's socket, bind, connect, send, recv,
 * poll, getaddrinfo and the rest speak it, so ordinary programs never see
 * it. docs/net.md tells the design.
 *
 * Sessions, as the VFS's (actor/vfs.h). A client connects once:
 * NET_CONNECT, sent to the registered endpoint, passes a mailbox the
 * client made (one slot is enough; the client never reads it) and gets
 * back a send capability to its session, an endpoint of the net instance
 * badged for this client. Then NET_BUFFER on the session passes its
 * transfer buffer: a memory object the client made and mapped, of
 * NET_BUFFER_MIN to NET_BUFFER_MAX bytes, read and write rights. Every
 * other request goes to the session. Addresses, names and data travel in
 * the transfer buffer where a request says so; every message fits in
 * registers.
 *
 * Sockets are numbered per session (1, 2, ...). A session's sockets live
 * as long as the session: the net server closes them when the client
 * dies (it learns so when a message to the client's mailbox ends in
 * CLK_EDEAD; it checks every second, and at once when a bind finds the
 * port taken) or when the client closes them.
 *
 * Blocking. A request that must wait (ACCEPT with nothing pending, RECV
 * with no data, SEND with no room, CONNECT, POLL, RESOLVE, PING) is
 * answered when it can be or when its TIMEOUT_NS (0: do not wait, then
 * EAGAIN; NET_FOREVER: no limit) runs out: EAGAIN for ACCEPT, RECV and
 * SEND, ETIMEDOUT for CONNECT, RESOLVE and PING, and a count of 0 for
 * POLL. The client's thread waits in its call, as in a system call. A
 * session has one request in flight at a time (its transfer buffer is
 * shared), which is how libc-port uses it.
 *
 * Restarts. A session lives as long as the net instance that made it:
 * when the server restarts, calls to the session end with CLK_EDEAD. The
 * client then looks "net" up again, connects, and makes its listening and
 * bound sockets again (socket, options, bind, listen); libc-port does so
 * by itself (docs/net.md). TCP connections do not survive: their next
 * use says ECONNRESET.
 *
 * Status. A reply's label is 0, or a positive errno value (newlib's, as
 * <errno.h> gives them), or NET_ESESSION (the session is not this
 * instance's: connect again); negative values are CLK_E* codes from the
 * actor runtime (CLK_ENOSYS for an unknown request, CLK_EINVAL for a
 * payload of the wrong size).
 *
 *   NET_CONNECT    the mailbox (a capability) -> the session's capability
 *   NET_BUFFER     struct net_buffer + the buffer's capability
 *   NET_SOCKET     struct net_socket_req -> struct net_sock_resp
 *   NET_BIND       struct net_addr_req (SOCK, ADDR)
 *   NET_LISTEN     struct net_sock_req (SOCK, ARG = the backlog)
 *   NET_ACCEPT     struct net_sock_req (SOCK, TIMEOUT_NS)
 *                  -> struct net_sock_resp (the new socket, the peer)
 *   NET_CONNECT_TO struct net_addr_req (SOCK, ADDR, TIMEOUT_NS: 0 starts
 *                  a TCP connection and answers EINPROGRESS at once; a
 *                  UDP socket is connected at once whatever it says)
 *   NET_SEND       struct net_io_req (SOCK, LEN bytes at the start of the
 *                  buffer, FLAGS, ADDR for an unconnected UDP socket,
 *                  else port 0) -> struct net_io_resp (COUNT taken: for
 *                  TCP, as much as fits, at least 1 unless it failed; for
 *                  UDP, all, as one datagram, or EMSGSIZE)
 *   NET_RECV       struct net_io_req (SOCK, LEN at most, FLAGS:
 *                  NET_PEEK) -> struct net_io_resp (COUNT, 0 at the end
 *                  of a TCP stream; ADDR: where it came from), the bytes
 *                  at the start of the buffer. UDP: one datagram, cut to
 *                  LEN (COUNT then says LEN, FULL_LEN its length)
 *   NET_SHUTDOWN   struct net_sock_req (SOCK, ARG = SHUT_RD, SHUT_WR or
 *                  SHUT_RDWR)
 *   NET_CLOSE      struct net_sock_req (SOCK)
 *   NET_SOCKNAME   struct net_sock_req (SOCK, ARG: 0 local, 1 peer)
 *                  -> struct net_sock_resp (ADDR; ENOTCONN for a peer
 *                  there is not)
 *   NET_SETOPT     struct net_opt_req (SOCK, OPT = NET_OPT_*, VALUE)
 *   NET_GETOPT     struct net_opt_req (SOCK, OPT) -> struct net_opt_req
 *                  (VALUE; NET_OPT_ERROR reads and clears the pending
 *                  error, an errno value)
 *   NET_POLL       struct net_poll_req (COUNT struct net_pollfd at the
 *                  start of the buffer, TIMEOUT_NS) -> struct net_io_resp
 *                  (COUNT: entries with REVENTS set), REVENTS filled in
 *   NET_RESOLVE    struct net_io_req (LEN bytes of a host name at the
 *                  start of the buffer, no NUL; TIMEOUT_NS in ADDR's
 *                  place is not used: the server's DNS timeout applies)
 *                  -> struct net_io_resp (ADDR: the IPv4 address)
 *   NET_IFINFO     -> struct net_ifinfo at the start of the buffer
 *   NET_PING       struct net_ping_req -> struct net_ping_resp
 *
 * Errors are errno values as POSIX gives them for the call each request
 * serves: EBADF (no such socket), ENOTSOCK never (libc-port knows its
 * descriptors), EADDRINUSE, EADDRNOTAVAIL, ECONNREFUSED, ECONNRESET,
 * ENOTCONN, EISCONN, EPIPE, EINPROGRESS, EALREADY, EAGAIN, ETIMEDOUT,
 * EHOSTUNREACH, ENETDOWN (no address yet), EMSGSIZE, EOPNOTSUPP,
 * EAFNOSUPPORT, EPROTONOSUPPORT, EINVAL, ENOMEM, EMFILE (too many
 * sockets), ENOENT (RESOLVE: no such host).
 */
#ifndef ACTOR_NET_H
#define ACTOR_NET_H

#include <actor/actor.h>

#define NET_NAME        "net"
#define NET_BUFFER_MIN  (16 * 1024)
#define NET_BUFFER_MAX  (256 * 1024)
#define NET_FOREVER     0xFFFFFFFFFFFFFFFFULL
#define NET_ESESSION    1000                 /* above every errno value */
#define NET_SOCKETS_MAX 256                  /* per session */
#define NET_POLL_MAX    (NET_BUFFER_MIN / 8) /* struct net_pollfd per NET_POLL */

enum net_type {
    NET_CONNECT = 1,
    NET_BUFFER = 2,
    NET_SOCKET = 3,
    NET_BIND = 4,
    NET_LISTEN = 5,
    NET_ACCEPT = 6,
    NET_CONNECT_TO = 7,
    NET_SEND = 8,
    NET_RECV = 9,
    NET_SHUTDOWN = 10,
    NET_CLOSE = 11,
    NET_SOCKNAME = 12,
    NET_SETOPT = 13,
    NET_GETOPT = 14,
    NET_POLL = 15,
    NET_RESOLVE = 16,
    NET_IFINFO = 17,
    NET_PING = 18,
};

/* An IPv4 address and port, both in network byte order, as in struct
 * sockaddr_in. */
struct net_addr {
    uint32_t ip;
    uint16_t port;
    uint16_t reserved;
};

struct net_buffer {
    uint64_t size; /* bytes of the transfer buffer */
};

/* Socket types (SOCK_STREAM, SOCK_DGRAM) and protocols (0, IPPROTO_TCP,
 * IPPROTO_UDP) are the values <sys/socket.h> and <netinet/in.h> give;
 * the only domain is AF_INET (2). */
struct net_socket_req {
    uint32_t domain, type, protocol, reserved;
};

struct net_sock_req {
    uint32_t sock;
    uint32_t arg;
    uint64_t timeout_ns;
};

struct net_sock_resp {
    uint32_t sock;
    uint32_t reserved;
    struct net_addr addr;
};

struct net_addr_req {
    uint32_t sock;
    uint32_t reserved;
    struct net_addr addr;
    uint64_t timeout_ns;
};

struct net_io_req {
    uint32_t sock;
    uint32_t len;
    uint32_t flags; /* NET_PEEK */
    uint32_t reserved;
    struct net_addr addr;
    uint64_t timeout_ns;
};

#define NET_PEEK 0x1

struct net_io_resp {
    uint64_t count;
    uint64_t full_len; /* RECV of a datagram: its length */
    struct net_addr addr;
};

enum net_opt {
    NET_OPT_REUSEADDR = 1, /* SO_REUSEADDR: 0 or 1 */
    NET_OPT_NODELAY = 2,   /* TCP_NODELAY: 0 or 1 */
    NET_OPT_KEEPALIVE = 3, /* SO_KEEPALIVE: 0 or 1 */
    NET_OPT_ERROR = 4,     /* SO_ERROR: read only */
    NET_OPT_RCVBUF = 5,    /* SO_RCVBUF: read only, bytes */
    NET_OPT_SNDBUF = 6,    /* SO_SNDBUF: read only, bytes */
    NET_OPT_TYPE = 7,      /* SO_TYPE: read only */
    NET_OPT_ACCEPTCONN = 8 /* SO_ACCEPTCONN: read only */
};

struct net_opt_req {
    uint32_t sock;
    uint32_t opt;
    uint64_t value;
};

/* POLLIN, POLLOUT, POLLERR, POLLHUP and POLLNVAL have <poll.h>'s values:
 * NET_POLLIN 0x1, NET_POLLOUT 0x4, NET_POLLERR 0x8, NET_POLLHUP 0x10,
 * NET_POLLNVAL 0x20. A listening socket is readable when a connection is
 * pending; a connecting one writable once connected or failed. */
#define NET_POLLIN   0x01
#define NET_POLLOUT  0x04
#define NET_POLLERR  0x08
#define NET_POLLHUP  0x10
#define NET_POLLNVAL 0x20

struct net_pollfd {
    uint32_t sock;
    uint16_t events, revents;
};

struct net_poll_req {
    uint32_t count;
    uint32_t reserved;
    uint64_t timeout_ns;
};

struct net_ifinfo {
    char name[8]; /* "eth0" */
    uint8_t mac[6];
    uint16_t mtu;
    uint32_t ip, netmask, gateway, dns; /* network byte order; 0: none yet */
    uint32_t flags;                     /* NET_IF_* */
    uint32_t dhcp_leases;               /* leases taken since the server started */
    uint64_t rx_packets, rx_bytes, rx_dropped, rx_errors;
    uint64_t tx_packets, tx_bytes, tx_dropped, tx_errors;
    uint64_t tcp_active, tcp_listen; /* TCP sockets connected, listening */
    uint64_t up_ns;                  /* since the address was bound */
    uint64_t interrupts, doorbells;  /* the nic's: device interrupts, and the
                                        times net's doorbell woke it */
};

#define NET_IF_UP   0x1 /* the driver is attached and the link up */
#define NET_IF_DHCP 0x2 /* the address came by DHCP */

struct net_ping_req {
    uint32_t ip; /* network byte order */
    uint16_t seq;
    uint16_t len; /* bytes of payload, up to 1024 */
    uint64_t timeout_ns;
};

struct net_ping_resp {
    uint64_t rtt_ns;
    uint32_t ttl;
    uint32_t len; /* bytes of payload that came back */
};

/* libc-port's (sockets.c), on the session its sockets use: the interface
 * (NET_IFINFO) into OUT; one echo request (NET_PING), waiting up to
 * REQ->TIMEOUT_NS for its reply, into OUT. Each returns 0 or an errno
 * value (not -1 and errno): ENETDOWN without a net server; for NET_PING
 * also ETIMEDOUT (no reply in time), ENETDOWN (no address yet),
 * EHOSTUNREACH, EINVAL (LEN over 1024). */
int net_ifinfo(struct net_ifinfo *out);
int net_ping(const struct net_ping_req *req, struct net_ping_resp *out);

#endif
