/*
 * conn.c: one HTTP connection, a state machine driven by poll():
 *
 *   READ   collect a request head in IN; parse and answer each complete
 *          one in turn (pipelining), then WRITE
 *   WRITE  send OUT, refilled from the file HTTPD_CHUNK bytes at a time,
 *          until the socket would block (then wait for POLLOUT) or the
 *          response is done: back to READ (keep-alive) or to DRAIN
 *   DRAIN  the response is out and our side shut down; read and drop what
 *          the client still sends, so closing does not reset the
 *          connection under an unread response; close at EOF or after
 *          HTTPD_LINGER_MS
 *
 * The deadline closes idle and slow connections: a request head must be
 * complete HTTPD_IDLE_MS after READ began (slowloris), and a send must
 * make progress every HTTPD_IDLE_MS.
 */
#include "httpd.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* a system without SIGPIPE */
#endif

/* Chunks sent per turn before the others get theirs. */
#define CONN_TURN_CHUNKS 8

enum conn_state { CONN_READ, CONN_WRITE, CONN_DRAIN };

struct conn {
    int fd;
    enum conn_state state;
    int64_t deadline;
    /* the response being sent: OUT[out_at..out_len), then FILE_LEFT bytes of FILE */
    bool keep_alive;
    int file;
    uint64_t file_left;
    size_t out_len, out_at;
    /* received and not yet answered */
    size_t in_len;
    char in[HTTPD_HEAD_MAX];
    char out[HTTPD_CHUNK];
};

_Static_assert(HTTPD_CHUNK >= 3 * HTTPD_PATH_MAX + 512, "OUT holds any response head");

struct conn *conn_new(int fd, int64_t now_ms)
{
    struct conn *c = malloc(sizeof(*c));
    if (!c)
        return NULL;
    c->fd = fd;
    c->state = CONN_READ;
    c->deadline = now_ms + HTTPD_IDLE_MS;
    c->keep_alive = true;
    c->file = -1;
    c->file_left = 0;
    c->out_len = c->out_at = c->in_len = 0;
    return c;
}

static void close_file(struct conn *c)
{
    if (c->file >= 0)
        close(c->file);
    c->file = -1;
    c->file_left = 0;
}

void conn_free(struct conn *c)
{
    close_file(c);
    close(c->fd);
    free(c);
}

int conn_fd(const struct conn *c)
{
    return c->fd;
}

short conn_events(const struct conn *c)
{
    return c->state == CONN_WRITE ? POLLOUT : POLLIN;
}

int64_t conn_deadline(const struct conn *c)
{
    return c->deadline;
}

static bool would_block(void)
{
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

/*
 * Find REQ's file under ROOT: 200 with *FILE open and *LENGTH its size;
 * 301 with LOCATION (SIZE bytes) for a directory named without its
 * slash; or an error status. Only regular files are opened.
 */
static int open_target(const char *root, const struct http_request *req, int *file,
                       uint64_t *length, char *location, size_t size)
{
    char fs[2 * HTTPD_PATH_MAX + sizeof(HTTPD_INDEX) + 1];
    struct stat st;
    int n = snprintf(fs, sizeof(fs), "%s%s", root, req->path);
    if (n < 0 || (size_t)n >= sizeof(fs) - sizeof(HTTPD_INDEX) - 1)
        return 404;
    if (stat(fs, &st) != 0)
        return errno == EACCES ? 403 : 404;
    if (S_ISDIR(st.st_mode)) {
        if (!req->slash) {
            if (!http_encode_path(req->path, location, size - 1))
                return 404;
            strcat(location, "/");
            return 301;
        }
        strcat(fs, fs[n - 1] == '/' ? HTTPD_INDEX : "/" HTTPD_INDEX);
        if (stat(fs, &st) != 0)
            return 404; /* no index: no listing */
    } else if (req->slash) {
        return 404; /* "/file/" */
    }
    if (!S_ISREG(st.st_mode))
        return 404;
    int fd = open(fs, O_RDONLY);
    if (fd < 0)
        return errno == EACCES ? 403 : 404;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return 404;
    }
    *file = fd;
    *length = (uint64_t)st.st_size;
    return 200;
}

/* The Date header's value for now (IMF-fixdate), into BUF; NULL when
 * there is no clock. */
static const char *http_date(char *buf, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    if (now <= 0 || !gmtime_r(&now, &tm) || !strftime(buf, size, "%a, %d %b %Y %H:%M:%S GMT", &tm))
        return NULL;
    return buf;
}

/* Serve REQ's range of the open file (its size in RESP->length): RESP
 * becomes 206 with the file's position at the range, or 416 (the file is
 * closed), or stays 200. */
static void serve_range(struct conn *c, const struct http_request *req, struct http_response *resp)
{
    uint64_t from, count;
    int st = http_range(req, resp->length, &from, &count);
    if (st == 206 && lseek(c->file, (off_t)from, SEEK_SET) != (off_t)from)
        st = 200; /* cannot seek: the whole file, as if no range were asked */
    resp->total = resp->length;
    if (st == 416)
        close_file(c);
    if (st == 206)
        resp->from = from, resp->length = count;
    resp->status = st;
}

/* Put the response to REQ in C's OUT (and FILE); C goes to WRITE. */
static void respond(struct conn *c, const struct http_request *req, const struct httpd_config *cfg)
{
    char location[3 * HTTPD_PATH_MAX + 2];
    char body[64], date[40];
    struct http_response resp = { .status = req->status,
                                  .keep_alive = req->keep_alive,
                                  .date = http_date(date, sizeof(date)) };
    close_file(c);
    if (!resp.status)
        resp.status =
            open_target(cfg->root, req, &c->file, &resp.length, location, sizeof(location));
    if (resp.status == 200)
        serve_range(c, req, &resp);
    if (resp.status == 200 || resp.status == 206) {
        resp.type = http_content_type(req->path[1] && !req->slash ? req->path : HTTPD_INDEX);
        resp.file = true;
    } else {
        resp.type = "text/plain; charset=utf-8";
        resp.length = (uint64_t)snprintf(body, sizeof(body), "%d %s\n", resp.status,
                                         http_reason(resp.status));
        resp.location = resp.status == 301 ? location : NULL;
    }
    if (cfg->debug)
        printf("httpd: %s %s %d\n", req->method == HTTP_HEAD ? "HEAD" : "GET", req->path,
               resp.status);
    c->out_at = 0;
    c->out_len = http_response_head(&resp, c->out, sizeof(c->out));
    c->keep_alive = resp.keep_alive && c->out_len;
    if (req->method != HTTP_HEAD && resp.file)
        c->file_left = resp.length;
    else if (req->method != HTTP_HEAD && c->out_len)
        c->out_len +=
            (size_t)snprintf(c->out + c->out_len, sizeof(c->out) - c->out_len, "%s", body);
    if (!c->file_left)
        close_file(c);
    c->state = CONN_WRITE;
}

/* Send what C has to send. Returns 1 when the response is out, 0 when the
 * socket is full (or C had its turn), -1 when the connection failed. */
static int send_some(struct conn *c, int64_t now_ms)
{
    for (int turn = 0; turn < CONN_TURN_CHUNKS; turn++) {
        if (c->out_at == c->out_len) {
            if (!c->file_left)
                return 1;
            size_t want = c->file_left < sizeof(c->out) ? (size_t)c->file_left : sizeof(c->out);
            ssize_t n = read(c->file, c->out, want);
            if (n <= 0)
                return -1; /* the file shrank: Content-Length cannot be kept */
            c->out_at = 0;
            c->out_len = (size_t)n;
            c->file_left -= (uint64_t)n;
        }
        ssize_t n = send(c->fd, c->out + c->out_at, c->out_len - c->out_at, MSG_NOSIGNAL);
        if (n < 0)
            return would_block() ? 0 : -1;
        c->out_at += (size_t)n;
        c->deadline = now_ms + HTTPD_IDLE_MS;
    }
    return 0;
}

/* Answer the complete requests in C's input and send, as far as it goes
 * without blocking. Returns false when C is finished. */
static bool progress(struct conn *c, int64_t now_ms, const struct httpd_config *cfg)
{
    for (;;) {
        if (c->state == CONN_READ) {
            struct http_request req;
            size_t used = http_parse(c->in, c->in_len, &req);
            if (!used)
                return true;
            respond(c, &req, cfg);
            c->in_len -= used;
            memmove(c->in, c->in + used, c->in_len);
        }
        int r = send_some(c, now_ms);
        if (r <= 0)
            return r == 0;
        close_file(c);
        if (!c->keep_alive) {
            shutdown(c->fd, SHUT_WR);
            c->state = CONN_DRAIN;
            c->deadline = now_ms + HTTPD_LINGER_MS;
            return true;
        }
        c->state = CONN_READ;
        c->deadline = now_ms + HTTPD_IDLE_MS;
    }
}

/* Read into C's input (READ) or drop what arrives (DRAIN). Returns false
 * at EOF or on an error. */
static bool receive(struct conn *c)
{
    bool drop = c->state == CONN_DRAIN;
    size_t at = drop ? 0 : c->in_len;
    ssize_t n = recv(c->fd, c->in + at, sizeof(c->in) - at, 0);
    if (n < 0)
        return would_block();
    if (n == 0)
        return false;
    if (!drop)
        c->in_len += (size_t)n;
    return true;
}

bool conn_run(struct conn *c, short revents, int64_t now_ms, const struct httpd_config *cfg)
{
    if (revents & POLLNVAL)
        return false;
    if (c->state != CONN_WRITE && revents && !receive(c))
        return false;
    if (c->state == CONN_DRAIN)
        return true;
    return progress(c, now_ms, cfg);
}
