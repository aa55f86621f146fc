/*
 * main.c: httpd, the web server (docs/httpd.md). One thread, one poll()
 * loop over the listening socket and up to HTTPD_MAX_CONNS nonblocking
 * connections (conn.c), so a slow client or a large file never holds up
 * the others.
 *
 *   httpd [root=DIR] [port=N] [debug=1]
 *
 * The listener is made again, with a growing pause, whenever it reports
 * an error or accept() fails in a way that says the network stack went
 * away (a restart of the net server); the connections carry on.
 */
#include "httpd.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Connections accepted per turn of the loop, at most. */
#define ACCEPT_BURST 64

struct server {
    struct httpd_config cfg;
    int listener;      /* -1 while there is none */
    bool announced;    /* the start line is out */
    int64_t listen_at; /* when to make the listener again */
    int retry_ms;      /* the pause before the next attempt */
    int64_t accept_at; /* accepting paused until (out of descriptors) */
    struct conn *conns[HTTPD_MAX_CONNS];
    size_t nconns;
};

int64_t httpd_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
    nanosleep(&ts, NULL);
}

/* Parse ARGV into CFG. Returns false on a bad argument. */
static bool parse_args(int argc, char **argv, struct httpd_config *cfg)
{
    static char root[HTTPD_PATH_MAX];
    cfg->root = HTTPD_ROOT;
    cfg->port = HTTPD_PORT;
    cfg->debug = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        char *end;
        if (!strncmp(a, "root=", 5) && strlen(a + 5) < sizeof(root)) {
            strcpy(root, a + 5);
            size_t n = strlen(root);
            while (n > 0 && root[n - 1] == '/')
                root[--n] = '\0'; /* "/srv/" serves as "/srv", "/" as "" */
            cfg->root = root;
        } else if (!strncmp(a, "port=", 5)) {
            long port = strtol(a + 5, &end, 10);
            if (*end || port < 1 || port > 65535)
                return false;
            cfg->port = (int)port;
        } else if (!strncmp(a, "debug=", 6)) {
            cfg->debug = strcmp(a + 6, "0") != 0;
        } else {
            return false;
        }
    }
    return true;
}

static bool set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL, 0);
    return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

/* A nonblocking socket listening on PORT of every address, or -1 (errno). */
static int make_listener(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_ANY);
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, HTTPD_BACKLOG) != 0 ||
        !set_nonblocking(fd)) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* Try to make S's listener, now or after a growing pause. */
static void relisten(struct server *s, int64_t now)
{
    s->listener = make_listener(s->cfg.port);
    if (s->listener < 0) {
        if (s->retry_ms == HTTPD_RETRY_MIN_MS)
            fprintf(stderr, "httpd: port %d: %s; retrying\n", s->cfg.port, strerror(errno));
        s->listen_at = now + s->retry_ms;
        s->retry_ms = s->retry_ms * 2 > HTTPD_RETRY_MAX_MS ? HTTPD_RETRY_MAX_MS : s->retry_ms * 2;
        return;
    }
    if (!s->announced)
        printf("httpd: serving %s on port %d\n", *s->cfg.root ? s->cfg.root : "/", s->cfg.port);
    else if (s->cfg.debug)
        printf("httpd: listening again on port %d\n", s->cfg.port);
    s->announced = true;
}

/* Close S's listener; make it again after the current pause. */
static void drop_listener(struct server *s, int64_t now)
{
    if (s->listener >= 0)
        close(s->listener);
    s->listener = -1;
    s->listen_at = now + s->retry_ms;
}

/* Accept what waits on S's listener, as far as there is room. */
static void accept_some(struct server *s, int64_t now)
{
    for (int i = 0; i < ACCEPT_BURST && s->nconns < HTTPD_MAX_CONNS; i++) {
        int fd = accept(s->listener, NULL, NULL);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO || errno == EPERM)
                continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                s->accept_at = now + HTTPD_RETRY_MIN_MS; /* wait for a close */
                return;
            }
            fprintf(stderr, "httpd: accept: %s; listening again\n", strerror(errno));
            drop_listener(s, now);
            return;
        }
        s->retry_ms = HTTPD_RETRY_MIN_MS;
        /* A response's head and the start of its file go out in two sends:
         * without this the second waits for the client's ACK of the first
         * (Nagle), a delayed ACK on the client's side on every request. */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        struct conn *c = set_nonblocking(fd) ? conn_new(fd, now) : NULL;
        if (!c) {
            close(fd);
            continue;
        }
        s->conns[s->nconns++] = c;
    }
}

/* Close every connection of S (the network stack went away). */
static void drop_all(struct server *s)
{
    for (size_t i = 0; i < s->nconns; i++)
        conn_free(s->conns[i]);
    s->nconns = 0;
}

/* Milliseconds poll() may wait: until the next deadline, at most 1 s. */
static int poll_timeout(const struct server *s, int64_t now)
{
    int64_t next = now + 1000;
    if (s->listener < 0 && s->listen_at < next)
        next = s->listen_at;
    if (s->accept_at > now && s->accept_at < next)
        next = s->accept_at;
    for (size_t i = 0; i < s->nconns; i++)
        if (conn_deadline(s->conns[i]) < next)
            next = conn_deadline(s->conns[i]);
    return next <= now ? 0 : (int)(next - now);
}

/* Run each connection that poll() reported on, close the finished and
 * the expired ones, and keep the rest in order. */
static void run_conns(struct server *s, const struct pollfd *fds, int64_t now)
{
    size_t kept = 0;
    for (size_t i = 0; i < s->nconns; i++) {
        struct conn *c = s->conns[i];
        bool alive = conn_run(c, fds[i].revents, now, &s->cfg) && conn_deadline(c) > now;
        if (alive)
            s->conns[kept++] = c;
        else
            conn_free(c);
    }
    s->nconns = kept;
}

/* One turn of the loop: wait for events, then handle them. */
static void serve_once(struct server *s)
{
    static struct pollfd fds[HTTPD_MAX_CONNS + 1];
    int64_t now = httpd_now_ms();
    if (s->listener < 0 && now >= s->listen_at)
        relisten(s, now);
    for (size_t i = 0; i < s->nconns; i++)
        fds[i] = (struct pollfd){ conn_fd(s->conns[i]), conn_events(s->conns[i]), 0 };
    size_t nfds = s->nconns;
    bool listening = s->listener >= 0 && s->nconns < HTTPD_MAX_CONNS && now >= s->accept_at;
    if (listening)
        fds[nfds++] = (struct pollfd){ s->listener, POLLIN, 0 };
    int n = poll(fds, (nfds_t)nfds, poll_timeout(s, now));
    now = httpd_now_ms();
    if (n < 0) {
        if (errno == EINTR)
            return;
        fprintf(stderr, "httpd: poll: %s; starting again\n", strerror(errno));
        drop_all(s);
        drop_listener(s, now);
        sleep_ms(s->retry_ms);
        return;
    }
    short lrev = listening ? fds[s->nconns].revents : 0;
    run_conns(s, fds, now);
    if (lrev & (POLLERR | POLLHUP | POLLNVAL))
        drop_listener(s, now);
    else if (lrev & POLLIN)
        accept_some(s, now);
}

int main(int argc, char **argv)
{
    static struct server s;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!parse_args(argc, argv, &s.cfg)) {
        fprintf(stderr, "usage: httpd [root=DIR] [port=N] [debug=1]\n");
        return 2;
    }
    s.listener = -1;
    s.retry_ms = HTTPD_RETRY_MIN_MS;
    for (;;)
        serve_once(&s);
}
