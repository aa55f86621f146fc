/*
 * net.c: the network commands. ifconfig (and net) shows the interface and
 * ping sends ICMP echo requests, both through libc-port's session with the
 * net server (net_ifinfo, net_ping of actor/net.h); fetch is an HTTP/1.0
 * client on BSD sockets. Their output goes to OUT, their errors are one
 * line on the console: "ping: 10.0.2.2: network is down".
 */
#include "shell.h"
#include <actor/net.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define NS_PER_MS      1000000ULL
#define NS_PER_S       1000000000ULL
#define PING_BYTES     56 /* of payload; and 8 of ICMP header */
#define PING_MAX       100
#define FETCH_SLICE_NS (200 * NS_PER_MS) /* how often fetch looks for ^C */
#define FETCH_TIMEOUT  (30 * NS_PER_S)

/* IP (network byte order) as a dotted quad, into BUF. */
static const char *dotted(uint32_t ip, char buf[INET_ADDRSTRLEN])
{
    struct in_addr a = { ip };
    return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* ---- ifconfig ---- */

static bool no_mac(const uint8_t mac[6])
{
    for (int i = 0; i < 6; i++)
        if (mac[i])
            return false;
    return true;
}

/* The first line: the addresses, or why there is none yet. */
static void if_addresses(const struct net_ifinfo *i, FILE *out)
{
    char a[INET_ADDRSTRLEN], m[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];
    if (!i->ip) {
        fprintf(out, "%s: no address yet (%s)\n", i->name,
                i->flags & NET_IF_UP ? "waiting for DHCP"
                : no_mac(i->mac)     ? "no network driver"
                                     : "the link is down");
        return;
    }
    fprintf(out, "%s: inet %s netmask %s gateway %s dns %s\n", i->name, dotted(i->ip, a),
            dotted(i->netmask, m), dotted(i->gateway, g), dotted(i->dns, d));
}

static void if_counters(const char *dir, uint64_t packets, uint64_t bytes, uint64_t dropped,
                        uint64_t errors, FILE *out)
{
    fprintf(out, "      %s %llu packets %llu KiB, %llu dropped, %llu errors\n", dir,
            (unsigned long long)packets, (unsigned long long)(bytes / 1024),
            (unsigned long long)dropped, (unsigned long long)errors);
}

/* The link: its address, MTU, state and counters; or that there is none. */
static void if_link(const struct net_ifinfo *i, FILE *out)
{
    if (!(i->flags & NET_IF_UP) && no_mac(i->mac)) {
        fprintf(out, "      DOWN: only the loopback interface (127.0.0.1) works\n");
        return;
    }
    const uint8_t *e = i->mac;
    fprintf(out, "      ether %02x:%02x:%02x:%02x:%02x:%02x mtu %u %s", e[0], e[1], e[2], e[3],
            e[4], e[5], i->mtu, i->flags & NET_IF_UP ? "UP" : "DOWN");
    if (i->flags & NET_IF_DHCP)
        fprintf(out, " DHCP");
    if (i->ip)
        fprintf(out, " (lease %u, up %llu s)", i->dhcp_leases,
                (unsigned long long)(i->up_ns / NS_PER_S));
    fputc('\n', out);
    if_counters("rx", i->rx_packets, i->rx_bytes, i->rx_dropped, i->rx_errors, out);
    if_counters("tx", i->tx_packets, i->tx_bytes, i->tx_dropped, i->tx_errors, out);
    fprintf(out, "      nic %llu interrupts, %llu doorbells\n", (unsigned long long)i->interrupts,
            (unsigned long long)i->doorbells);
}

int cmd_ifconfig(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh;
    if (argc > 1)
        return CMD_ENGLISH; /* "net is down?" */
    struct net_ifinfo i;
    int err = net_ifinfo(&i);
    if (err == ENETDOWN) {
        printf("%s: the network server is not running\n", argv[0]);
        return 1;
    }
    if (err) {
        complain(argv[0], NULL, err);
        return 1;
    }
    i.name[sizeof(i.name) - 1] = '\0';
    if_addresses(&i, out);
    if_link(&i, out);
    fprintf(out, "      tcp %llu connected, %llu listening\n", (unsigned long long)i.tcp_active,
            (unsigned long long)i.tcp_listen);
    return 0;
}

/* ---- names ---- */

/* HOST's IPv4 address (a dotted quad, or a name the net server looks up)
 * into *IP: 0, or 1 after saying why not as CMD. */
static int resolve(const char *cmd, const char *host, uint32_t *ip)
{
    struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res;
    int err = getaddrinfo(host, NULL, &hints, &res);
    if (err) {
        printf("%s: %s: %s\n", cmd, host,
               err == EAI_NONAME  ? "unknown host"
               : err == EAI_AGAIN ? "no answer from the name server"
                                  : "cannot look names up (no network?)");
        return 1;
    }
    *ip = ((const struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr;
    freeaddrinfo(res);
    return 0;
}

/* ---- ping ---- */

struct ping_stats {
    unsigned sent, received;
    uint64_t min, max, sum; /* round trips, ns */
};

/* One echo request, SEQ, to IP: its line to OUT. 0 (answered or timed
 * out), or an errno value, not said yet. */
static int ping_once(uint32_t ip, const char *addr, unsigned seq, struct ping_stats *st, FILE *out)
{
    struct net_ping_req req = { ip, (uint16_t)seq, PING_BYTES, NS_PER_S };
    struct net_ping_resp resp;
    int err = net_ping(&req, &resp);
    if (err && err != ETIMEDOUT)
        return err;
    st->sent++;
    if (err) {
        fprintf(out, "ping: no reply from %s (seq=%u)\n", addr, seq);
        return 0;
    }
    if (!st->received++ || resp.rtt_ns < st->min)
        st->min = resp.rtt_ns;
    if (resp.rtt_ns > st->max)
        st->max = resp.rtt_ns;
    st->sum += resp.rtt_ns;
    fprintf(out, "%u bytes from %s: seq=%u ttl=%u time=%.1f ms\n", resp.len + 8, addr, seq,
            resp.ttl, (double)resp.rtt_ns / NS_PER_MS);
    fflush(out);
    return 0;
}

static void ping_summary(const char *addr, const struct ping_stats *st, FILE *out)
{
    fprintf(out, "--- %s: %u sent, %u received, %u%% lost", addr, st->sent, st->received,
            (st->sent - st->received) * 100 / st->sent);
    if (st->received)
        fprintf(out, ", rtt min/avg/max %.1f/%.1f/%.1f ms", (double)st->min / NS_PER_MS,
                (double)st->sum / st->received / NS_PER_MS, (double)st->max / NS_PER_MS);
    fputc('\n', out);
}

/* Whether WORD may be a host: an address, a dotted name, localhost. */
static bool host_like(const char *word)
{
    return strpbrk(word, ".:0123456789") || !strcasecmp(word, "localhost");
}

/* Whether WORD is all digits. */
static bool digits(const char *word)
{
    return *word && strspn(word, "0123456789") == strlen(word);
}

int cmd_ping(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh;
    if (argc > 3 || !host_like(argv[1]) || (argc == 3 && !digits(argv[2])))
        return CMD_ENGLISH; /* "ping the gateway", "ping router 3 times" */
    long count = 4;
    if (argc > 2) {
        count = strtol(argv[2], NULL, 10);
        if (count < 1 || count > PING_MAX) {
            printf("ping: %s: not a count from 1 to %d\n", argv[2], PING_MAX);
            return 1;
        }
    }
    uint32_t ip;
    char addr[INET_ADDRSTRLEN];
    if (resolve("ping", argv[1], &ip))
        return 1;
    dotted(ip, addr);
    struct ping_stats st = { 0 };
    int err = 0;
    bool stopped = false;
    for (unsigned seq = 1; seq <= (unsigned)count && !err && !stopped; seq++) {
        uint64_t start = clk_clock_ns();
        err = ping_once(ip, addr, seq, &st, out);
        uint64_t spent = clk_clock_ns() - start;
        if (!err && seq < (unsigned)count)
            stopped = interrupted(spent < NS_PER_S ? NS_PER_S - spent : 0);
    }
    if (err)
        complain("ping", addr, err);
    if (stopped)
        printf("ping: interrupted\n");
    if (st.sent)
        ping_summary(addr, &st, out);
    return err || stopped || st.received < st.sent;
}

/* ---- fetch ---- */

struct url {
    char host[256];
    uint16_t port;
    const char *path; /* in the URL given, "/..." (or "" for "/") */
};

/* TEXT, "http://HOST[:PORT][/PATH]" or without "http://", into *U: 0,
 * or -1 when it is no such URL. */
static int parse_url(const char *text, struct url *u)
{
    const char *s = strstr(text, "://");
    if (s && (s - text != 4 || strncasecmp(text, "http", 4)))
        return -1;
    s = s ? s + 3 : text;
    size_t n = strcspn(s, ":/?#");
    if (n == 0 || n >= sizeof(u->host))
        return -1;
    memcpy(u->host, s, n);
    u->host[n] = '\0';
    s += n;
    u->port = 80;
    if (*s == ':') {
        char *end;
        long port = strtol(s + 1, &end, 10);
        if (end == s + 1 || port < 1 || port > 65535 || (*end && *end != '/'))
            return -1;
        u->port = (uint16_t)port;
        s = end;
    }
    u->path = s;
    return *s && *s != '/' ? -1 : 0;
}

/* Wait until socket FD is ready for EVENTS, a slice at a time, watching
 * for ^C and DEADLINE: 0, EINTR (^C) or ETIMEDOUT. */
static int wait_ready(int fd, short events, uint64_t deadline)
{
    for (;;) {
        struct pollfd p = { fd, events, 0 };
        if (poll(&p, 1, (int)(FETCH_SLICE_NS / NS_PER_MS)) > 0)
            return 0;
        if (interrupted(0))
            return EINTR;
        if (clk_clock_ns() >= deadline)
            return ETIMEDOUT;
    }
}

/* A TCP connection to IP:PORT (network byte order, host byte order) into
 * *FD: 0 or an errno value. ^C and DEADLINE stop it. */
static int dial(uint32_t ip, uint16_t port, uint64_t deadline, int *fd)
{
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr = { ip } };
    int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (s < 0)
        return errno;
    int err = connect(s, (struct sockaddr *)&to, sizeof(to)) < 0 ? errno : 0;
    if (err == EINPROGRESS && !(err = wait_ready(s, POLLOUT, deadline))) {
        socklen_t len = sizeof(err);
        if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
            err = errno;
    }
    struct timeval slice = { 0, (suseconds_t)(FETCH_SLICE_NS / 1000) };
    if (!err && (fcntl(s, F_SETFL, 0) < 0 ||
                 setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &slice, sizeof(slice)) < 0))
        err = errno;
    if (err) {
        close(s);
        return err;
    }
    *fd = s;
    return 0;
}

/* The response as it comes: the head kept until its end, then the body. */
struct response {
    char head[4096];
    size_t head_len;
    bool in_body;
    int status;
    char reason[64];
    uint64_t body; /* bytes of it */
    bool at_line_start;
};

/* The status line of R's head: 0, or -1 if it is not HTTP. */
static int parse_status(struct response *r)
{
    char *eol = strstr(r->head, "\r\n");
    if (eol)
        *eol = '\0';
    int skip = 0;
    if (sscanf(r->head, "HTTP/%*d.%*d %3d %n", &r->status, &skip) < 1 || !skip)
        return -1;
    snprintf(r->reason, sizeof(r->reason), "%s", r->head + skip);
    return 0;
}

/* N bytes of the body to OUT. */
static void body(struct response *r, const char *b, size_t n, FILE *out)
{
    if (!n)
        return;
    fwrite(b, 1, n, out);
    r->body += n;
    r->at_line_start = b[n - 1] == '\n';
}

/* N bytes that came: to the head until its blank line, then the body.
 * 0, or -1 if the response is not HTTP. */
static int take(struct response *r, const char *b, size_t n, FILE *out)
{
    if (r->in_body) {
        body(r, b, n, out);
        return 0;
    }
    size_t room = sizeof(r->head) - 1 - r->head_len, k = n < room ? n : room;
    memcpy(r->head + r->head_len, b, k);
    r->head_len += k;
    r->head[r->head_len] = '\0';
    char *end = strstr(r->head, "\r\n\r\n");
    if (!end)
        return r->head_len == sizeof(r->head) - 1 ? -1 : 0;
    size_t rest = r->head_len - (size_t)(end + 4 - r->head); /* body bytes kept in HEAD */
    r->in_body = true;
    if (parse_status(r) < 0)
        return -1;
    body(r, end + 4, rest, out);
    body(r, b + k, n - k, out);
    return 0;
}

/* Send the request for U on FD and take the response into R (its body to
 * OUT): 0, an errno value, or -1 (not HTTP). */
static int exchange(int fd, const struct url *u, struct response *r, uint64_t deadline, FILE *out)
{
    char req[512 + sizeof(u->host)];
    int n = snprintf(req, sizeof(req),
                     "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: clk-fetch\r\n"
                     "Connection: close\r\n\r\n",
                     *u->path ? u->path : "/", u->host);
    if (n < 0 || (size_t)n >= sizeof(req))
        return ENAMETOOLONG;
    if (send(fd, req, (size_t)n, 0) != n)
        return errno;
    static char buf[16 * 1024];
    for (;;) {
        ssize_t got = recv(fd, buf, sizeof(buf), 0);
        if (got == 0)
            return r->in_body ? 0 : -1;
        if (got > 0 && take(r, buf, (size_t)got, out) < 0)
            return -1;
        if (got < 0 && errno != EAGAIN)
            return errno;
        if (interrupted(0))
            return EINTR;
        if (clk_clock_ns() >= deadline)
            return ETIMEDOUT;
    }
}

/* End the body's last line when it went to the console, so that what
 * follows starts a line of its own. */
static void end_line(const struct response *r, FILE *out)
{
    if (out == stdout && r->body && !r->at_line_start)
        fputc('\n', stdout);
}

/* "fetch: 200 OK, 1234 bytes from 127.0.0.1:80" on the console. */
static void fetch_summary(const struct response *r, const char *where, FILE *out)
{
    end_line(r, out);
    printf("fetch: %d %s, %llu bytes from %s\n", r->status, r->reason, (unsigned long long)r->body,
           where);
}

int cmd_fetch(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh;
    if (argc > 2)
        return CMD_ENGLISH; /* "fetch the page at http://..." */
    struct url u;
    uint32_t ip;
    if (parse_url(argv[1], &u) < 0) {
        printf("fetch: bad URL: %s (http://HOST[:PORT][/PATH])\n", argv[1]);
        return 1;
    }
    if (resolve("fetch", u.host, &ip))
        return 1;
    char where[300];
    snprintf(where, sizeof(where), "%s:%u", u.host, u.port);
    uint64_t deadline = clk_clock_ns() + FETCH_TIMEOUT;
    static struct response r;
    memset(&r, 0, sizeof(r));
    int fd = -1, err = dial(ip, u.port, deadline, &fd);
    if (!err) {
        err = exchange(fd, &u, &r, deadline, out);
        close(fd);
    }
    fflush(out);
    if (err)
        end_line(&r, out);
    if (err == -1)
        printf("fetch: %s: not an HTTP response\n", where);
    else if (err == EINTR)
        printf("fetch: interrupted after %llu bytes\n", (unsigned long long)r.body);
    else if (err)
        complain("fetch", where, err);
    else
        fetch_summary(&r, where, out);
    return err || r.status < 200 || r.status > 299;
}
