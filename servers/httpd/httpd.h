/*
 * httpd.h: the web server, the service "httpd" (docs/httpd.md). Portable
 * POSIX C over BSD sockets: the same source runs on CLKernel (through
 * libc-port) and on a Linux host (the host test).
 *
 *   main.c  arguments, the listening socket, the poll() loop
 *   conn.c  one connection's state machine: read a request, answer it,
 *           stream the file, keep alive or close
 *   http.c  pure HTTP/1.x: parse a request head, decode and normalise its
 *           path, content types, response heads; no I/O
 */
#ifndef HTTPD_H
#define HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- limits and timeouts: every tunable of the server ---- */

#define HTTPD_PORT         80
#define HTTPD_ROOT         "/var/www"
#define HTTPD_MAX_CONNS    256   /* open connections; more wait in the backlog */
#define HTTPD_BACKLOG      64    /* listen() backlog */
#define HTTPD_HEAD_MAX     8192  /* request line plus headers, bytes */
#define HTTPD_PATH_MAX     1024  /* decoded request path, bytes */
#define HTTPD_CHUNK        16384 /* file bytes read and sent at a time */
#define HTTPD_IDLE_MS      10000 /* a request head must arrive within; a stalled send */
#define HTTPD_LINGER_MS    2000  /* after the last response, unread input is drained */
#define HTTPD_RETRY_MIN_MS 100   /* re-making the listener: first wait, */
#define HTTPD_RETRY_MAX_MS 2000  /* doubling up to this */
#define HTTPD_INDEX        "index.html"
#define HTTPD_SERVER       "CLKernel-httpd"

/* ---- http.c: requests ---- */

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_OTHER };

/* One parsed request head. STATUS is 0 when the request may be served,
 * else the error status to answer (400, 405, 414, 431, 505). */
enum http_range_kind {
    HTTP_RANGE_NONE,   /* none, or one this server ignores (several, If-Range) */
    HTTP_RANGE_SPAN,   /* bytes=FIRST-LAST (LAST UINT64_MAX: to the end) */
    HTTP_RANGE_SUFFIX, /* bytes=-LAST: the last LAST bytes */
};

struct http_request {
    int status;
    enum http_method method;
    int minor;       /* HTTP/1.MINOR */
    bool keep_alive; /* what the client asked for, and it is safe */
    bool slash;      /* the path ended in '/' */
    bool if_range;   /* If-Range came: the range is ignored */
    enum http_range_kind range;
    uint64_t range_first, range_last;
    char path[HTTPD_PATH_MAX]; /* decoded, normalised: "/", "/a/b" */
};

/*
 * Parse the request head at the start of BUF (LEN bytes). Returns 0 when
 * the head is not complete yet and LEN < HTTPD_HEAD_MAX; otherwise the
 * number of bytes the request used (at most LEN) with *REQ filled in. An
 * overlong head uses all LEN bytes, with status 414 or 431. A request
 * with a body (Content-Length, Transfer-Encoding) is answered and then
 * the connection closes: REQ->keep_alive is false.
 */
size_t http_parse(const char *buf, size_t len, struct http_request *req);

/* Decode %XX escapes of S[0..LEN) into OUT (SIZE bytes, NUL-terminated)
 * and normalise: "//" and "/./" fold, ".." is refused. Returns 0, or
 * 400 (bad escape, %00, "..") or 414 (too long). */
int http_path(const char *s, size_t len, char *out, size_t size, bool *slash);

/* Percent-encode PATH for a Location header into OUT (SIZE bytes). Returns
 * false when it does not fit. */
bool http_encode_path(const char *path, char *out, size_t size);

/* REQ's range of a file of SIZE bytes: 200 (the whole file: no Range, or
 * one ignored), 206 with *FROM and *COUNT, or 416 (not satisfiable). */
int http_range(const struct http_request *req, uint64_t size, uint64_t *from, uint64_t *count);

/* The Content-Type for PATH, by its extension. */
const char *http_content_type(const char *path);

/* The reason phrase of STATUS ("Not Found"). */
const char *http_reason(int status);

/* ---- http.c: responses ---- */

struct http_response {
    int status;
    const char *type;     /* Content-Type */
    uint64_t length;      /* Content-Length */
    bool keep_alive;      /* Connection: keep-alive, else close */
    const char *location; /* for 301, else NULL */
    const char *date;     /* the Date header's value, or NULL for none */
    bool file;            /* a file's bytes follow: Accept-Ranges: bytes */
    uint64_t from, total; /* 206: the range's first byte, and the file's size; 416: size */
};

/* Write the response head for RESP into BUF (SIZE bytes). Returns its
 * length, or 0 when it does not fit. */
size_t http_response_head(const struct http_response *resp, char *buf, size_t size);

/* ---- conn.c ---- */

struct conn;

struct httpd_config {
    const char *root; /* document root, no trailing '/' */
    int port;
    bool debug; /* log every request */
};

/* A connection on nonblocking socket FD, accepted at NOW_MS: NULL when
 * out of memory (the caller closes FD). */
struct conn *conn_new(int fd, int64_t now_ms);

/* Free C and close its socket and file. */
void conn_free(struct conn *c);

/* C's socket. */
int conn_fd(const struct conn *c);

/* The poll() events C waits for (POLLIN or POLLOUT). */
short conn_events(const struct conn *c);

/* The time (ms) by which C must make progress, or be closed. */
int64_t conn_deadline(const struct conn *c);

/* Handle REVENTS on C at NOW_MS: read, answer, send. Returns false when
 * C is finished and should be freed. */
bool conn_run(struct conn *c, short revents, int64_t now_ms, const struct httpd_config *cfg);

/* ---- main.c ---- */

/* Monotonic milliseconds. */
int64_t httpd_now_ms(void);

#endif
