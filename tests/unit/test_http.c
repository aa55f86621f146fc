/*
 * test_http.c: the web server's pure HTTP code (servers/httpd/http.c):
 * request lines, headers and their errors, keep-alive rules, pipelined and
 * incomplete input, the 8 KiB limit, percent-decoding and traversal,
 * content types and response heads.
 */
#include "httpd/httpd.h"
#include <stdlib.h>
#include <unit.h>

static struct http_request req;

/* Parse the NUL-terminated S; return the bytes used. */
static size_t parse(const char *s)
{
    return http_parse(s, strlen(s), &req);
}

/* The status of the complete request S. */
static int status_of(const char *s)
{
    CHECK_EQ(parse(s), strlen(s));
    return req.status;
}

static void test_request_line(void)
{
    CHECK_EQ(status_of("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), 0);
    CHECK_EQ(req.method, HTTP_GET);
    CHECK_EQ(req.minor, 1);
    CHECK_STR(req.path, "/");
    CHECK(req.slash);
    CHECK_EQ(status_of("HEAD /a/b.txt?x=1#frag HTTP/1.0\n\n"), 0); /* bare LF ends lines */
    CHECK_EQ(req.method, HTTP_HEAD);
    CHECK_STR(req.path, "/a/b.txt");
    CHECK(!req.slash);
    CHECK_EQ(status_of("GET http://host:80/x HTTP/1.1\r\n\r\n"), 0); /* absolute form */
    CHECK_STR(req.path, "/x");
    CHECK_EQ(status_of("POST / HTTP/1.1\r\n\r\n"), 405);
    CHECK_EQ(status_of("get / HTTP/1.1\r\n\r\n"), 405); /* methods are case-sensitive */
    CHECK_EQ(status_of("GET / HTTP/2.0\r\n\r\n"), 505);
    CHECK_EQ(status_of("GET / HTTP/0.9\r\n\r\n"), 505);
    CHECK_EQ(status_of("GET / HTTP/1.2\r\n\r\n"), 0); /* a later 1.x is served as 1.1 */
    static const char *bad[] = {
        "GET /\r\n\r\n",
        "GET  / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1 \r\n\r\n",
        "GET / FTP/1.1\r\n\r\n",
        "G(T / HTTP/1.1\r\n\r\n",
        "GET x HTTP/1.1\r\n\r\n",
        "GET / HTTP/11\r\n\r\n",
        "GET /a\rb HTTP/1.1\r\n\r\n",
        "GET http://h HTTP/1.1\r\n\r\n",
        "\x16\x03\x01 garbage\n\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_EQ(status_of(bad[i]), 400);
        CHECK(!req.keep_alive);
    }
}

static void test_headers(void)
{
    CHECK_EQ(status_of("GET / HTTP/1.1\r\nHost: a\r\nX-Thing:  v \t\r\n\r\n"), 0);
    CHECK_EQ(status_of("GET / HTTP/1.1\r\n\r\n"), 0); /* no Host: served anyway */
    CHECK_EQ(status_of("GET / HTTP/1.1\r\nNo colon\r\n\r\n"), 400);
    CHECK_EQ(status_of("GET / HTTP/1.1\r\nName : v\r\n\r\n"), 400);
    CHECK_EQ(status_of("GET / HTTP/1.1\r\n: v\r\n\r\n"), 400);
    CHECK_EQ(status_of("GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n"), 400);
    CHECK_EQ(status_of("GET / HTTP/1.1\r\nA: b\x01\r\n\r\n"), 400);
    CHECK_EQ(status_of("GET / HTTP/1.1\r\nA: caf\xc3\xa9\r\n\r\n"), 0); /* obs-text */
}

static void test_keep_alive(void)
{
    CHECK_EQ(status_of("GET / HTTP/1.1\r\n\r\n"), 0);
    CHECK(req.keep_alive);
    CHECK_EQ(status_of("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n"), 0);
    CHECK(!req.keep_alive);
    CHECK_EQ(status_of("GET / HTTP/1.1\r\nConnection: foo, close\r\n\r\n"), 0);
    CHECK(!req.keep_alive);
    CHECK_EQ(status_of("GET / HTTP/1.0\r\n\r\n"), 0);
    CHECK(!req.keep_alive);
    CHECK_EQ(status_of("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), 0);
    CHECK(req.keep_alive);
    CHECK_EQ(status_of("GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\n"), 0); /* a body: close */
    CHECK(!req.keep_alive);
    CHECK_EQ(status_of("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n"), 0);
    CHECK(req.keep_alive);
    CHECK_EQ(status_of("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"), 0);
    CHECK(!req.keep_alive);
    CHECK_EQ(status_of("DELETE / HTTP/1.1\r\n\r\n"), 405); /* 405 keeps the connection */
    CHECK(req.keep_alive);
}

static void test_stream(void)
{
    const char *two = "\r\nGET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c";
    size_t used = parse(two);
    CHECK_EQ(used, 21); /* the empty line before a request is skipped */
    CHECK_STR(req.path, "/a");
    size_t used2 = http_parse(two + used, strlen(two) - used, &req);
    CHECK_EQ(used2, 19);
    CHECK_STR(req.path, "/b");
    CHECK_EQ(parse(two + used + used2), 0); /* incomplete */
    CHECK_EQ(parse(""), 0);
    CHECK_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\n"), 0);
}

static void test_limits(void)
{
    static char big[HTTPD_HEAD_MAX + 1];
    memset(big, 'a', HTTPD_HEAD_MAX);
    CHECK_EQ(http_parse(big, HTTPD_HEAD_MAX, &req), HTTPD_HEAD_MAX);
    CHECK_EQ(req.status, 414);
    CHECK(!req.keep_alive);
    memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
    CHECK_EQ(http_parse(big, HTTPD_HEAD_MAX, &req), HTTPD_HEAD_MAX);
    CHECK_EQ(req.status, 431);
    CHECK_EQ(http_parse(big, HTTPD_HEAD_MAX - 1, &req), 0); /* may still end */
    /* a head of exactly HTTPD_HEAD_MAX bytes is served */
    memset(big + 19, 'v', HTTPD_HEAD_MAX - 19 - 4);
    memcpy(big + HTTPD_HEAD_MAX - 4, "\r\n\r\n", 4);
    CHECK_EQ(http_parse(big, HTTPD_HEAD_MAX, &req), HTTPD_HEAD_MAX);
    CHECK_EQ(req.status, 0);
    /* a path longer than HTTPD_PATH_MAX */
    char line[HTTPD_PATH_MAX + 64] = "GET /";
    memset(line + 5, 'p', HTTPD_PATH_MAX);
    strcpy(line + 5 + HTTPD_PATH_MAX, " HTTP/1.1\r\n\r\n");
    CHECK_EQ(status_of(line), 414);
}

/* The path S decodes to, or its error status as text. */
static const char *path_of(const char *s)
{
    static char out[HTTPD_PATH_MAX], err[8];
    bool slash;
    int st = http_path(s, strlen(s), out, sizeof(out), &slash);
    if (!st)
        return out;
    snprintf(err, sizeof(err), "%d", st);
    return err;
}

static void test_paths(void)
{
    CHECK_STR(path_of("/"), "/");
    CHECK_STR(path_of("//a///b/./c/"), "/a/b/c");
    CHECK_STR(path_of("/a%20b/%41%62"), "/a b/Ab");
    CHECK_STR(path_of("/%2e%2E"), "400"); /* decoded first: ".." */
    CHECK_STR(path_of("/a/../b"), "400");
    CHECK_STR(path_of("/a/%2e%2e%2fb"), "400");
    CHECK_STR(path_of("/.."), "400");
    CHECK_STR(path_of("/a/..b"), "/a/..b"); /* a name, not a step up */
    CHECK_STR(path_of("/a%00b"), "400");
    CHECK_STR(path_of("/a%zz"), "400");
    CHECK_STR(path_of("/a%4"), "400");
    CHECK_STR(path_of("/a%"), "400");
    CHECK_STR(path_of("%2fa"), "/a");
    CHECK_STR(path_of("a"), "400");
    CHECK_STR(path_of("/%ff%01"), "/\xff\x01");
    char enc[64];
    CHECK(http_encode_path("/a b/\xff%~x-y_z.", enc, sizeof(enc)));
    CHECK_STR(enc, "/a%20b/%FF%25~x-y_z.");
    CHECK(!http_encode_path("/a b", enc, 6));
    CHECK(http_encode_path("/a b", enc, 7));
}

static void test_types(void)
{
    CHECK_STR(http_content_type("/index.html"), "text/html; charset=utf-8");
    CHECK_STR(http_content_type("/A.HTM"), "text/html; charset=utf-8");
    CHECK_STR(http_content_type("/x.txt"), "text/plain; charset=utf-8");
    CHECK_STR(http_content_type("/s.css"), "text/css");
    CHECK_STR(http_content_type("/s.js"), "text/javascript");
    CHECK_STR(http_content_type("/d.json"), "application/json");
    CHECK_STR(http_content_type("/i.png"), "image/png");
    CHECK_STR(http_content_type("/i.jpg"), "image/jpeg");
    CHECK_STR(http_content_type("/i.jpeg"), "image/jpeg");
    CHECK_STR(http_content_type("/i.gif"), "image/gif");
    CHECK_STR(http_content_type("/i.svg"), "image/svg+xml");
    CHECK_STR(http_content_type("/favicon.ico"), "image/x-icon");
    CHECK_STR(http_content_type("/d.pdf"), "application/pdf");
    CHECK_STR(http_content_type("/m.wasm"), "application/wasm");
    CHECK_STR(http_content_type("/b.bin"), "application/octet-stream");
    CHECK_STR(http_content_type("/noext"), "application/octet-stream");
    CHECK_STR(http_content_type("/dir.html/file"), "application/octet-stream");
}

static void test_response_head(void)
{
    char buf[512];
    struct http_response r = {
        .status = 200, .type = "text/plain", .length = 12345678901ULL, .keep_alive = true
    };
    size_t n = http_response_head(&r, buf, sizeof(buf));
    CHECK_EQ(n, strlen(buf));
    CHECK_STR(buf, "HTTP/1.1 200 OK\r\nServer: CLKernel-httpd\r\nContent-Type: text/plain\r\n"
                   "Content-Length: 12345678901\r\nConnection: keep-alive\r\n\r\n");
    r = (struct http_response){ .status = 301, .type = "text/plain", .location = "/d/" };
    http_response_head(&r, buf, sizeof(buf));
    CHECK(strstr(buf, "\r\nLocation: /d/\r\n"));
    CHECK(strstr(buf, "\r\nConnection: close\r\n"));
    r = (struct http_response){ .status = 405, .type = "text/plain", .keep_alive = true };
    http_response_head(&r, buf, sizeof(buf));
    CHECK(!strncmp(buf, "HTTP/1.1 405 Method Not Allowed\r\n", 33));
    CHECK(strstr(buf, "\r\nAllow: GET, HEAD\r\n\r\n"));
    CHECK_EQ(http_response_head(&r, buf, 40), 0); /* does not fit */
    CHECK_STR(http_reason(404), "Not Found");
    CHECK_STR(http_reason(999), "Unknown");
}

/* The range REQ asks of a file of SIZE bytes: the status, *FROM, *COUNT. */
static int range_of(const char *header, uint64_t size, uint64_t *from, uint64_t *count)
{
    static char head[256];
    snprintf(head, sizeof(head), "GET /f HTTP/1.1\r\n%s\r\n\r\n", header);
    CHECK_EQ(status_of(head), 0);
    return http_range(&req, size, from, count);
}

static void test_ranges(void)
{
    uint64_t from, count;
    CHECK_EQ(range_of("X: y", 1000, &from, &count), 200);
    CHECK(from == 0 && count == 1000);
    CHECK_EQ(range_of("Range: bytes=100-199", 1000, &from, &count), 206);
    CHECK(from == 100 && count == 100);
    CHECK_EQ(range_of("Range: bytes=0-0", 1000, &from, &count), 206);
    CHECK(from == 0 && count == 1);
    CHECK_EQ(range_of("range: BYTES=990-", 1000, &from, &count), 206);
    CHECK(from == 990 && count == 10);
    CHECK_EQ(range_of("Range: bytes=900-5000", 1000, &from, &count), 206); /* to the end */
    CHECK(from == 900 && count == 100);
    CHECK_EQ(range_of("Range: bytes=-10", 1000, &from, &count), 206);
    CHECK(from == 990 && count == 10);
    CHECK_EQ(range_of("Range: bytes=-5000", 1000, &from, &count), 206); /* the whole file */
    CHECK(from == 0 && count == 1000);
    CHECK_EQ(range_of("Range: bytes=1000-", 1000, &from, &count), 416);
    CHECK_EQ(range_of("Range: bytes=-0", 1000, &from, &count), 416);
    CHECK_EQ(range_of("Range: bytes=0-", 0, &from, &count), 416);
    CHECK_EQ(range_of("Range: bytes=-1", 0, &from, &count), 416);
    /* ignored: the whole file */
    static const char *const ignored[] = {
        "Range: bytes=5-1",
        "Range: bytes=1-2,4-5",
        "Range: items=1-2",
        "Range: bytes=abc",
        "Range: bytes=",
        "Range: bytes=-",
        "Range: bytes=1",
        "Range: bytes=1-2x",
        "Range: bytes=99999999999999999999-",
        "Range: bytes=--1",
        "Range: bytes=1-2\r\nIf-Range: \"tag\"",
    };
    for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
        CHECK_EQ(range_of(ignored[i], 1000, &from, &count), 200);
        CHECK(from == 0 && count == 1000);
    }
    char buf[512];
    struct http_response r = { .status = 206,
                               .type = "text/plain",
                               .length = 100,
                               .keep_alive = true,
                               .file = true,
                               .from = 100,
                               .total = 1000,
                               .date = "Sat, 05 Dec 2026 06:00:00 GMT" };
    http_response_head(&r, buf, sizeof(buf));
    CHECK_STR(buf, "HTTP/1.1 206 Partial Content\r\nServer: CLKernel-httpd\r\n"
                   "Date: Sat, 05 Dec 2026 06:00:00 GMT\r\nContent-Type: text/plain\r\n"
                   "Content-Length: 100\r\nContent-Range: bytes 100-199/1000\r\n"
                   "Accept-Ranges: bytes\r\nConnection: keep-alive\r\n\r\n");
    r = (struct http_response){ .status = 416, .type = "text/plain", .length = 26, .total = 1000 };
    http_response_head(&r, buf, sizeof(buf));
    CHECK(!strncmp(buf, "HTTP/1.1 416 Range Not Satisfiable\r\n", 36));
    CHECK(strstr(buf, "\r\nContent-Range: bytes */1000\r\n"));
    CHECK(!strstr(buf, "Accept-Ranges") && !strstr(buf, "Date"));
}

int main(void)
{
    RUN(test_request_line);
    RUN(test_headers);
    RUN(test_keep_alive);
    RUN(test_stream);
    RUN(test_limits);
    RUN(test_paths);
    RUN(test_types);
    RUN(test_response_head);
    RUN(test_ranges);
    return 0;
}
