/*
 * tcp_echo.c: a TCP echo server written as ordinary POSIX C, nothing of
 * CLKernel's in it: getaddrinfo for the address, a nonblocking listener,
 * poll over it and the clients, getnameinfo for the log, select for a
 * pause. tests/test_sdk.py compiles it against the sysroot as C11 with
 * _POSIX_C_SOURCE, as code from elsewhere would be; `tcp_echo PORT` runs
 * it (until a client sends "quit").
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_CLIENTS 8

static int open_listener(const char *port)
{
    struct addrinfo hints, *res, *ai;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int err = getaddrinfo(NULL, port, &hints, &res);
    if (err != 0) {
        fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(err));
        return -1;
    }
    int fd = -1;
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0)
            break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd >= 0)
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

static void log_peer(const struct sockaddr_storage *ss, socklen_t len)
{
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    if (getnameinfo((const struct sockaddr *)ss, len, host, sizeof(host), serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV) == 0)
        printf("tcp_echo: client %s port %s\n", host, serv);
}

int main(int argc, char **argv)
{
    int lfd = open_listener(argc > 1 ? argv[1] : "7");
    if (lfd < 0) {
        perror("tcp_echo: listen");
        return 1;
    }
    struct pollfd fds[MAX_CLIENTS + 1];
    nfds_t n = 1;
    fds[0].fd = lfd;
    fds[0].events = POLLIN;
    char buf[4096];
    for (;;) {
        if (poll(fds, n, -1) < 0) {
            perror("poll");
            return 1;
        }
        if ((fds[0].revents & POLLIN) && n < MAX_CLIENTS + 1) {
            struct sockaddr_storage ss;
            socklen_t len = sizeof(ss);
            int c = accept(lfd, (struct sockaddr *)&ss, &len);
            if (c >= 0) {
                int one = 1;
                setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
                log_peer(&ss, len);
                fds[n].fd = c;
                fds[n].events = POLLIN;
                fds[n++].revents = 0;
            } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
                perror("accept");
            }
        }
        for (nfds_t i = 1; i < n; i++) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t got = recv(fds[i].fd, buf, sizeof(buf), 0);
            if (got > 0 && strncmp(buf, "quit", 4) == 0)
                return 0;
            if (got <= 0 || send(fds[i].fd, buf, (size_t)got, MSG_NOSIGNAL) != got) {
                close(fds[i].fd);
                fds[i--] = fds[--n];
            }
        }
        struct timeval pause = { 0, 1000 }; /* yield a moment, the old way */
        select(0, NULL, NULL, NULL, &pause);
        (void)htonl(INADDR_ANY);
        (void)inet_addr("127.0.0.1");
    }
}
