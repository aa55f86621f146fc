/*
 * nettest.c: an ordinary POSIX C program that drives the net server
 * through libc's sockets, for end-to-end tests. It reads commands from
 * the console after the prompt "nettest> "; each prints one result line
 * (a few print progress lines first):
 *
 *   listen PORT          a TCP socket listening on PORT (SO_REUSEADDR), for
 *                        serve-echo: "listen: ok port P"
 *   serve-echo [N]       echo every client of that socket, many at once (one
 *                        poll over the listener, the clients and the
 *                        console), until N clients (default 1) have come
 *                        and gone or a line is typed: "serve-echo: client I
 *                        from A:P", "serve-echo: client I closed after B
 *                        bytes", then "serve-echo: done N clients, B bytes"
 *   udp-echo PORT [N]    echo N datagrams (default 1) on UDP PORT, or until a
 *                        line is typed: "udp-echo: ready port P", "udp-echo:
 *                        B bytes from A:P", then "udp-echo: done N datagrams"
 *   get HOST PORT PATH   an HTTP/1.0 GET: "get: status LINE", then "get: body
 *                        B bytes crc32 XXXXXXXX"
 *   sink PORT [fast]     accept one connection on PORT and read it to the
 *                        end: "sink: B bytes in MS ms, K KiB/s, crc32 X, tsc
 *                        T, cpu C ns" (T: TSC ticks, idle time included;
 *                        C: the CPU time of all actors, with caps=monitor;
 *                        fast: no crc32, which costs more than the network,
 *                        so benchmarks measure the stack alone)
 *   source HOST PORT MB [fast]  connect and write MB MiB of the pattern
 *                        (byte i is i * 7 + 1): "source: B bytes in MS ms, K
 *                        KiB/s, crc32 X, tsc T, cpu C ns" (fast: the pattern is
 *                        written once and sent again, no crc32)
 *   loopback PORT KB     a client and a server on 127.0.0.1:PORT in this
 *                        program, nonblocking with poll: KB KiB sent, echoed
 *                        and checked: "loopback: ok B bytes" or "loopback:
 *                        FAIL ..."
 *   resolve NAME         "resolve: NAME -> A.B.C.D" or "resolve: NAME error
 *                        TEXT" (getaddrinfo's gai_strerror)
 *   errno-checks         each errno case: "errno: ok NAME" or "errno: FAIL
 *                        NAME ...", then "errno: done, N failed"
 *   exit
 * Errors are "CMD: error ENAME (text)". Host names may be numeric.
 */
#include "crc32.h"
#include <actor/sys.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MIB     (1024 * 1024)
#define CLIENTS 16

static uint8_t big[64 * 1024];
static int listener = -1; /* of "listen" */

/* ---- small helpers ---- */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/* errno's name, for the result lines. */
static const char *errname(int e)
{
    static const struct {
        int e;
        const char *name;
    } names[] = {
        { EBADF, "EBADF" },
        { ENOTSOCK, "ENOTSOCK" },
        { ECONNREFUSED, "ECONNREFUSED" },
        { EADDRINUSE, "EADDRINUSE" },
        { EAGAIN, "EAGAIN" },
        { ENOTCONN, "ENOTCONN" },
        { EINVAL, "EINVAL" },
        { EAFNOSUPPORT, "EAFNOSUPPORT" },
        { EINPROGRESS, "EINPROGRESS" },
        { EISCONN, "EISCONN" },
        { EPIPE, "EPIPE" },
        { ECONNRESET, "ECONNRESET" },
        { ETIMEDOUT, "ETIMEDOUT" },
        { EHOSTUNREACH, "EHOSTUNREACH" },
        { ENETDOWN, "ENETDOWN" },
        { EMSGSIZE, "EMSGSIZE" },
        { ENOPROTOOPT, "ENOPROTOOPT" },
        { EPROTONOSUPPORT, "EPROTONOSUPPORT" },
        { EALREADY, "EALREADY" },
        { ENOENT, "ENOENT" },
        { EIO, "EIO" },
        { ENOSYS, "ENOSYS" },
        { EMFILE, "EMFILE" },
        { ENOMEM, "ENOMEM" },
        { EADDRNOTAVAIL, "EADDRNOTAVAIL" },
        { EOPNOTSUPP, "EOPNOTSUPP" },
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].e == e)
            return names[i].name;
    return "E?";
}

/* "CMD: error ENAME (text)" for errno: returns -1. */
static int error(const char *cmd)
{
    int e = errno;
    printf("%s: error %s (%s)\n", cmd, errname(e), strerror(e));
    return -1;
}

static const char *addr_text(const struct sockaddr_in *a)
{
    static char text[32];
    snprintf(text, sizeof(text), "%s:%u", inet_ntoa(a->sin_addr), ntohs(a->sin_port));
    return text;
}

static int write_all(int fd, const void *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0)
            return -1;
        p = (const uint8_t *)p + w;
        n -= (size_t)w;
    }
    return 0;
}

/* A TCP or UDP socket bound to PORT on every address: it, or -1. */
static int bound_socket(int type, unsigned port)
{
    int fd = socket(AF_INET, type, 0), one = 1;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    if (fd < 0)
        return -1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        (type == SOCK_STREAM && listen(fd, SOMAXCONN) < 0)) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* A TCP connection to HOST:PORT (by getaddrinfo): it, or -1. */
static int connect_to(const char *host, const char *port)
{
    struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res;
    int err = getaddrinfo(host, port, &hints, &res);
    if (err) {
        errno = err == EAI_NONAME ? ENOENT : EIO;
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
            int e = errno;
            close(fd);
            errno = e;
            fd = -1;
        }
    }
    freeaddrinfo(res);
    return fd;
}

/* Whether a line was typed (and then read it). */
static bool line_typed(const struct pollfd *console)
{
    char line[128];
    if (!(console->revents & POLLIN))
        return false;
    if (!fgets(line, sizeof(line), stdin))
        clearerr(stdin);
    return true;
}

/* ---- commands ---- */

static void cmd_listen(unsigned port)
{
    if (listener >= 0)
        close(listener);
    if ((listener = bound_socket(SOCK_STREAM, port)) < 0) {
        error("listen");
        return;
    }
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    getsockname(listener, (struct sockaddr *)&a, &len);
    printf("listen: ok port %u\n", ntohs(a.sin_port));
}

/* Echo what client P sent: false when it is done (closed or failed). */
static bool echo_client(struct pollfd *p, uint64_t *bytes)
{
    ssize_t n = recv(p->fd, big, sizeof(big), 0);
    if (n <= 0 || write_all(p->fd, big, (size_t)n) < 0)
        return false;
    *bytes += (uint64_t)n;
    return true;
}

static void cmd_serve_echo(unsigned want)
{
    if (listener < 0) {
        printf("serve-echo: error no listen first\n");
        return;
    }
    struct pollfd p[CLIENTS + 2] = { { .fd = 0, .events = POLLIN },
                                     { .fd = listener, .events = POLLIN } };
    uint64_t bytes[CLIENTS + 2] = { 0 }, total = 0;
    unsigned ids[CLIENTS + 2], came = 0, gone = 0;
    for (int i = 2; i < CLIENTS + 2; i++)
        p[i].fd = -1;
    fflush(stdout);
    while (gone < want) {
        if (poll(p, CLIENTS + 2, -1) < 0) {
            error("serve-echo");
            break;
        }
        if (line_typed(&p[0]))
            break;
        for (int i = 2; i < CLIENTS + 2; i++) {
            if (p[i].fd < 0 || !p[i].revents || echo_client(&p[i], &bytes[i]))
                continue;
            printf("serve-echo: client %u closed after %llu bytes\n", ids[i],
                   (unsigned long long)bytes[i]);
            total += bytes[i];
            close(p[i].fd);
            p[i].fd = -1;
            gone++;
        }
        if (p[1].revents & POLLIN) {
            struct sockaddr_in a;
            socklen_t len = sizeof(a);
            int fd = accept(listener, (struct sockaddr *)&a, &len), i = 2;
            while (i < CLIENTS + 2 && p[i].fd >= 0)
                i++;
            if (fd < 0 || i == CLIENTS + 2) {
                if (fd >= 0)
                    close(fd);
                continue;
            }
            p[i] = (struct pollfd){ .fd = fd, .events = POLLIN };
            bytes[i] = 0;
            ids[i] = ++came;
            printf("serve-echo: client %u from %s\n", came, addr_text(&a));
        }
        fflush(stdout);
    }
    for (int i = 2; i < CLIENTS + 2; i++)
        if (p[i].fd >= 0)
            close(p[i].fd);
    printf("serve-echo: done %u clients, %llu bytes\n", gone, (unsigned long long)total);
}

static void cmd_udp_echo(unsigned port, unsigned want)
{
    int fd = bound_socket(SOCK_DGRAM, port);
    if (fd < 0) {
        error("udp-echo");
        return;
    }
    printf("udp-echo: ready port %u\n", port);
    fflush(stdout);
    struct pollfd p[2] = { { .fd = 0, .events = POLLIN }, { .fd = fd, .events = POLLIN } };
    unsigned count = 0;
    while (count < want && poll(p, 2, -1) >= 0 && !line_typed(&p[0])) {
        struct sockaddr_in a;
        socklen_t len = sizeof(a);
        ssize_t n = recvfrom(fd, big, sizeof(big), MSG_DONTWAIT, (struct sockaddr *)&a, &len);
        if (n < 0) {
            if (errno != EAGAIN)
                error("udp-echo");
            continue;
        }
        if (sendto(fd, big, (size_t)n, 0, (struct sockaddr *)&a, len) < 0)
            error("udp-echo");
        printf("udp-echo: %zd bytes from %s\n", n, addr_text(&a));
        fflush(stdout);
        count++;
    }
    close(fd);
    printf("udp-echo: done %u datagrams\n", count);
}

static void cmd_get(const char *host, const char *port, const char *path)
{
    int fd = connect_to(host, port);
    if (fd < 0) {
        error("get");
        return;
    }
    char req[512];
    int n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n",
                     path, host);
    if (write_all(fd, req, (size_t)n) < 0) {
        error("get");
        close(fd);
        return;
    }
    /* the head (up to its blank line) in HEAD, then the body summed */
    static char head[8192];
    size_t head_len = 0, body = 0;
    uint32_t crc = 0;
    char *end = NULL;
    ssize_t got;
    while ((got = recv(fd, big, sizeof(big), 0)) > 0) {
        size_t at = 0;
        if (!end) {
            size_t take = (size_t)got < sizeof(head) - 1 - head_len ? (size_t)got
                                                                    : sizeof(head) - 1 - head_len;
            memcpy(head + head_len, big, take);
            head[head_len + take] = '\0';
            if ((end = strstr(head, "\r\n\r\n")))
                at = (size_t)(end + 4 - head) - head_len;
            head_len += take;
            if (!end)
                continue;
        }
        crc = crc32(crc, big + at, (size_t)got - at);
        body += (size_t)got - at;
    }
    if (got < 0)
        error("get");
    close(fd);
    head[strcspn(head, "\r\n")] = '\0';
    printf("get: status %s\n", head);
    printf("get: body %zu bytes crc32 %08x\n", body, (unsigned)crc);
}

static void pattern(uint8_t *p, size_t n, uint64_t at)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)((at + i) * 7 + 1);
}

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

/* The CPU time every actor has used so far (ns), with the monitor
 * authority (caps=monitor: CLK_MONITOR names its slot); 0 without it. So a
 * transfer's cost counts the work of nic, net and this program, and not
 * the time the CPU waited for the host. */
static uint64_t cpu_all(void)
{
    const char *m = getenv("CLK_MONITOR");
    uint64_t sum = 0;
    struct clk_actor_info info;
    for (uint64_t id = 0; m && clk_actor_info(atol(m), id, &info) == 0; id = info.id)
        sum += info.cpu_ns;
    return sum;
}

static void report(const char *cmd, uint64_t bytes, uint64_t ns, uint32_t crc, uint64_t tsc,
                   uint64_t cpu)
{
    uint64_t ms = ns / 1000000;
    printf("%s: %llu bytes in %llu ms, %llu KiB/s, crc32 %08x, tsc %llu, cpu %llu ns\n", cmd,
           (unsigned long long)bytes, (unsigned long long)ms,
           (unsigned long long)(bytes * 1000000000 / (ns ? ns : 1) / 1024), (unsigned)crc,
           (unsigned long long)tsc, (unsigned long long)cpu);
}

static void cmd_sink(unsigned port, bool fast)
{
    int l = bound_socket(SOCK_STREAM, port);
    if (l < 0) {
        error("sink");
        return;
    }
    printf("sink: listening on port %u\n", port);
    fflush(stdout);
    int fd = accept(l, NULL, NULL);
    close(l);
    if (fd < 0) {
        error("sink");
        return;
    }
    uint64_t start = now_ns(), tsc = rdtsc(), cpu = cpu_all(), bytes = 0;
    uint32_t crc = 0;
    ssize_t n;
    while ((n = read(fd, big, sizeof(big))) > 0) {
        if (!fast)
            crc = crc32(crc, big, (size_t)n);
        bytes += (uint64_t)n;
    }
    if (n < 0)
        error("sink");
    close(fd);
    report("sink", bytes, now_ns() - start, crc, rdtsc() - tsc, cpu_all() - cpu);
}

static void cmd_source(const char *host, const char *port, unsigned mb, bool fast)
{
    int fd = connect_to(host, port);
    if (fd < 0) {
        error("source");
        return;
    }
    uint64_t start = now_ns(), tsc = rdtsc(), cpu = cpu_all(), bytes = 0,
             total = (uint64_t)mb * MIB;
    uint32_t crc = 0;
    if (fast)
        pattern(big, sizeof(big), 0);
    while (bytes < total) {
        size_t n = total - bytes < sizeof(big) ? (size_t)(total - bytes) : sizeof(big);
        if (!fast)
            pattern(big, n, bytes);
        if (write(fd, big, n) != (ssize_t)n) {
            error("source");
            break;
        }
        if (!fast)
            crc = crc32(crc, big, n);
        bytes += n;
    }
    close(fd);
    report("source", bytes, now_ns() - start, crc, rdtsc() - tsc, cpu_all() - cpu);
}

/* A client and server in one: nonblocking sockets and poll. */
static const char *loopback(unsigned port, size_t len, int fds[3])
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if ((fds[0] = bound_socket(SOCK_STREAM, port)) < 0 ||
        (fds[1] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0)
        return "socket";
    if (connect(fds[1], (struct sockaddr *)&a, sizeof(a)) < 0 && errno != EINPROGRESS)
        return "connect";
    struct pollfd p = { .fd = fds[0], .events = POLLIN };
    if (poll(&p, 1, 5000) != 1 || (fds[2] = accept(fds[0], NULL, NULL)) < 0)
        return "accept";
    size_t sent = 0, echoed = 0, back = 0;
    uint32_t crc_out = 0, crc_in = 0;
    uint8_t chunk[4096];
    while (back < len) {
        struct pollfd q[2] = { { .fd = fds[1], .events = POLLIN | (sent < len ? POLLOUT : 0) },
                               { .fd = fds[2], .events = POLLIN } };
        if (poll(q, 2, 5000) <= 0)
            return "poll";
        if (q[0].revents & POLLOUT) {
            size_t n = len - sent < sizeof(chunk) ? len - sent : sizeof(chunk);
            pattern(chunk, n, sent);
            ssize_t w = send(fds[1], chunk, n, 0);
            if (w < 0 && errno != EAGAIN)
                return "send";
            crc_out = w > 0 ? crc32(crc_out, chunk, (size_t)w) : crc_out;
            sent += w > 0 ? (size_t)w : 0;
        }
        if (q[1].revents & POLLIN) { /* the server echoes, blocking */
            ssize_t n = recv(fds[2], big, sizeof(big), 0);
            if (n <= 0 || write_all(fds[2], big, (size_t)n) < 0)
                return "server";
            echoed += (size_t)n;
        }
        if (q[0].revents & POLLIN) {
            ssize_t n = recv(fds[1], big, sizeof(big), MSG_DONTWAIT);
            if (n <= 0 && !(n < 0 && errno == EAGAIN))
                return "client recv";
            crc_in = n > 0 ? crc32(crc_in, big, (size_t)n) : crc_in;
            back += n > 0 ? (size_t)n : 0;
        }
    }
    return crc_in == crc_out && echoed == len ? NULL : "mismatch";
}

static void cmd_loopback(unsigned port, unsigned kb)
{
    int fds[3] = { -1, -1, -1 };
    const char *what = loopback(port, (size_t)kb * 1024, fds);
    if (what)
        printf("loopback: FAIL %s: %s\n", what, errname(errno));
    else
        printf("loopback: ok %u bytes\n", kb * 1024);
    for (int i = 0; i < 3; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

static void cmd_resolve(const char *name)
{
    struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res;
    int err = getaddrinfo(name, NULL, &hints, &res);
    if (err) {
        printf("resolve: %s error %s\n", name, gai_strerror(err));
        return;
    }
    printf("resolve: %s -> %s\n", name, inet_ntoa(((struct sockaddr_in *)res->ai_addr)->sin_addr));
    freeaddrinfo(res);
}

/* ---- errno ---- */

static int failures;

/* R should be -1 with errno WANT (WANT 0: R should be >= 0). */
static void expect(const char *name, long r, int want)
{
    int got = r < 0 ? errno : 0;
    if ((want && r == -1 && got == want) || (!want && r >= 0)) {
        printf("errno: ok %s\n", name);
    } else {
        printf("errno: FAIL %s: returned %ld, errno %s; wanted %s\n", name, r, errname(got),
               want ? errname(want) : "success");
        failures++;
    }
}

static void check(const char *name, bool ok)
{
    printf("errno: %s %s\n", ok ? "ok" : "FAIL", name);
    failures += !ok;
}

static struct sockaddr *loop_addr(struct sockaddr_in *a, unsigned port)
{
    *a = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return (struct sockaddr *)a;
}

/* What libc answers without the network. */
static void errno_local(void)
{
    char c = 0;
    expect("EAFNOSUPPORT socket(AF_INET6)", socket(AF_INET6, SOCK_STREAM, 0), EAFNOSUPPORT);
    expect("EPROTONOSUPPORT stream with UDP", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP),
           EPROTONOSUPPORT);
    expect("ENOTSOCK send to the console", send(1, &c, 1, 0), ENOTSOCK);
    expect("EBADF send to fd 200", send(200, &c, 1, 0), EBADF);
    struct addrinfo *res, hints = { .ai_flags = AI_NUMERICHOST };
    int err = getaddrinfo("10.0.2.2", "http", &hints, &res);
    check("getaddrinfo numeric, http: TCP and UDP",
          !err && ((struct sockaddr_in *)res->ai_addr)->sin_port == htons(80) && res->ai_next);
    if (!err)
        freeaddrinfo(res);
    check("getaddrinfo EAI_NONAME with AI_NUMERICHOST",
          getaddrinfo("example.com", "80", &hints, &res) == EAI_NONAME);
    check("getaddrinfo EAI_SERVICE", getaddrinfo("1.2.3.4", "nosuch", NULL, &res) == EAI_SERVICE);
    struct pollfd p = { .fd = 200, .events = POLLIN };
    check("poll POLLNVAL", poll(&p, 1, 0) == 1 && p.revents == POLLNVAL);
}

/* A socket's life as a descriptor: fstat, fcntl, dup, close. */
static void errno_descriptors(void)
{
    char c = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    expect("socket", fd, 0);
    struct stat st;
    check("fstat S_IFSOCK", fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode));
    check("F_SETFL O_NONBLOCK",
          fcntl(fd, F_SETFL, O_NONBLOCK) == 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK));
    int type = 0;
    socklen_t len = sizeof(type);
    check("SO_TYPE", getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM);
    expect("ENOPROTOOPT getsockopt(99)", getsockopt(fd, SOL_SOCKET, 99, &type, &len), ENOPROTOOPT);
    expect("EINVAL setsockopt short", setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &c, 1), EINVAL);
    expect("EINVAL shutdown(7)", shutdown(fd, 7), EINVAL);
    expect("ENOTCONN recv unconnected", recv(fd, &c, 1, 0), ENOTCONN);
    struct sockaddr_in peer;
    socklen_t plen = sizeof(peer);
    expect("ENOTCONN getpeername unconnected", getpeername(fd, (struct sockaddr *)&peer, &plen),
           ENOTCONN);
    int d = dup(fd);
    expect("dup", d, 0);
    close(fd);
    check("dup keeps it", fstat(d, &st) == 0 && S_ISSOCK(st.st_mode));
    close(d);
    expect("EBADF send on a closed socket", send(d, &c, 1, 0), EBADF);
}

/* What the net server answers. */
static void errno_server(void)
{
    char c = 'x';
    struct sockaddr_in a;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    expect("ECONNREFUSED connect to a closed port", connect(s, loop_addr(&a, 1), sizeof(a)),
           ECONNREFUSED);
    close(s);
    int l = bound_socket(SOCK_STREAM, 7777), l2 = socket(AF_INET, SOCK_STREAM, 0);
    expect("listen 7777", l, 0);
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    a.sin_port = htons(7777);
    expect("EADDRINUSE a second bind", bind(l2, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE);
    close(l2);
    fcntl(l, F_SETFL, O_NONBLOCK);
    expect("EAGAIN nonblocking accept", accept(l, NULL, NULL), EAGAIN);
    int cl = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int r = connect(cl, loop_addr(&a, 7777), sizeof(a));
    check("EINPROGRESS (or 0) nonblocking connect", r == 0 || errno == EINPROGRESS);
    struct pollfd p = { .fd = cl, .events = POLLOUT };
    int err = -1;
    socklen_t len = sizeof(err);
    check("poll POLLOUT, SO_ERROR 0", poll(&p, 1, 5000) == 1 && (p.revents & POLLOUT) &&
                                          !getsockopt(cl, SOL_SOCKET, SO_ERROR, &err, &len) &&
                                          err == 0);
    expect("EISCONN connect again", connect(cl, loop_addr(&a, 7777), sizeof(a)), EISCONN);
    fcntl(l, F_SETFL, 0);
    int sv = accept(l, NULL, NULL);
    expect("accept", sv, 0);
    struct sockaddr_in me, peer;
    socklen_t mlen = sizeof(me), plen = sizeof(peer);
    check("getpeername: the accepted socket's peer is the client",
          getsockname(cl, (struct sockaddr *)&me, &mlen) == 0 &&
              getpeername(sv, (struct sockaddr *)&peer, &plen) == 0 &&
              peer.sin_port == me.sin_port && peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    plen = sizeof(peer);
    check("getpeername: the client's peer is port 7777",
          getpeername(cl, (struct sockaddr *)&peer, &plen) == 0 && peer.sin_port == htons(7777));
    struct timeval tv = { 0, 100000 };
    setsockopt(sv, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    expect("EAGAIN recv after SO_RCVTIMEO", recv(sv, &c, 1, 0), EAGAIN);
    expect("EAGAIN recv MSG_DONTWAIT", recv(cl, &c, 1, MSG_DONTWAIT), EAGAIN);
    /* The client reads nothing: sends fill its window and our buffer,
     * then one returns short or EAGAIN after SO_SNDTIMEO instead of
     * waiting for ever. */
    static uint8_t piece[64 * 1024];
    setsockopt(sv, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    ssize_t n = (ssize_t)sizeof(piece);
    for (int i = 0; i < 256 && n == (ssize_t)sizeof(piece); i++)
        n = send(sv, piece, sizeof(piece), 0);
    check("SO_SNDTIMEO: a send into full buffers comes back",
          (n >= 0 && n < (ssize_t)sizeof(piece)) || (n < 0 && errno == EAGAIN));
    shutdown(cl, SHUT_WR);
    expect("EPIPE send after SHUT_WR", send(cl, &c, 1, MSG_NOSIGNAL), EPIPE);
    check("EOF after SHUT_WR", recv(sv, &c, 1, 0) == 0);
    close(cl);
    close(sv);
    close(l);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    static uint8_t huge[70000];
    expect("EMSGSIZE a 70000-byte datagram",
           sendto(u, huge, sizeof(huge), 0, loop_addr(&a, 9), sizeof(a)), EMSGSIZE);
    close(u);
}

static void cmd_errno(void)
{
    failures = 0;
    errno_local();
    errno_descriptors();
    errno_server();
    printf("errno: done, %d failed\n", failures);
}

static void run(char *line)
{
    char *cmd = strtok(line, " \n"), *a = strtok(NULL, " \n"), *b = strtok(NULL, " \n"),
         *c = strtok(NULL, " \n"), *d = strtok(NULL, " \n");
    if (!cmd)
        return;
    if (!strcmp(cmd, "listen") && a)
        cmd_listen((unsigned)atoi(a));
    else if (!strcmp(cmd, "serve-echo"))
        cmd_serve_echo(a ? (unsigned)atoi(a) : 1);
    else if (!strcmp(cmd, "udp-echo") && a)
        cmd_udp_echo((unsigned)atoi(a), b ? (unsigned)atoi(b) : 1);
    else if (!strcmp(cmd, "get") && c)
        cmd_get(a, b, c);
    else if (!strcmp(cmd, "sink") && a)
        cmd_sink((unsigned)atoi(a), b && !strcmp(b, "fast"));
    else if (!strcmp(cmd, "source") && c)
        cmd_source(a, b, (unsigned)atoi(c), d && !strcmp(d, "fast"));
    else if (!strcmp(cmd, "loopback") && b)
        cmd_loopback((unsigned)atoi(a), (unsigned)atoi(b));
    else if (!strcmp(cmd, "resolve") && a)
        cmd_resolve(a);
    else if (!strcmp(cmd, "errno-checks"))
        cmd_errno();
    else if (!strcmp(cmd, "exit"))
        exit(0);
    else
        printf("nettest: what is \"%s\"?\n", cmd);
}

int main(void)
{
    char line[512];
    printf("nettest: ready\n");
    for (;;) {
        printf("nettest> ");
        fflush(stdout);
        if (!fgets(line, sizeof(line), stdin))
            return 0;
        run(line);
    }
}
