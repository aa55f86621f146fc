/*
 * fuzz_http.c: libFuzzer target for the web server's request parser
 * (servers/httpd/http.c). Parses the input as a pipelined stream, as a
 * connection's buffer holds it, and checks that each request uses bytes
 * it was given, that a served path is absolute, normalised and free of
 * NUL and "..", that the status is one the server knows, and that the
 * response head for it fits and is well formed.
 */
#include "httpd/httpd.h"
#include <unit.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Check the path of a request that will be served. */
static void check_path(const struct http_request *req)
{
    size_t n = strnlen(req->path, sizeof(req->path));
    CHECK(n < sizeof(req->path));
    CHECK(req->path[0] == '/');
    CHECK(n == 1 || req->path[n - 1] != '/');
    CHECK(!strstr(req->path, "//"));
    CHECK(!strstr(req->path, "/./"));
    const char *p = req->path;
    while ((p = strstr(p, "/..")) != NULL) {
        CHECK(p[3] != '\0' && p[3] != '/');
        p++;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct http_request req;
    unit_abort_on_fail = true;
    const char *buf = (const char *)data;
    while (size) {
        size_t used = http_parse(buf, size, &req);
        if (!used) {
            CHECK(size < HTTPD_HEAD_MAX);
            break;
        }
        CHECK(used <= size);
        int st = req.status;
        CHECK(st == 0 || st == 400 || st == 405 || st == 414 || st == 431 || st == 505);
        if (st == 0 || st == 405)
            check_path(&req);
        else
            CHECK(!req.keep_alive);
        char head[HTTPD_CHUNK];
        char loc[3 * HTTPD_PATH_MAX + 1];
        CHECK(http_encode_path(req.path, loc, sizeof(loc)));
        /* the range of a file as long as what is left of the input */
        uint64_t from = 0, count = 0, total = size - used;
        int rst = http_range(&req, total, &from, &count);
        CHECK(rst == 200 || rst == 206 || rst == 416);
        if (rst == 200)
            CHECK(from == 0 && count == total);
        if (rst == 206)
            CHECK(count >= 1 && from < total && count <= total - from);
        struct http_response r = { .status = st ? st : rst,
                                   .type = http_content_type(req.path),
                                   .length = rst == 206 ? count : used,
                                   .keep_alive = req.keep_alive,
                                   .location = st ? NULL : loc,
                                   .file = !st && rst != 416,
                                   .from = from,
                                   .total = total };
        size_t n = http_response_head(&r, head, sizeof(head));
        CHECK(n > 0 && n == strlen(head));
        CHECK(n >= 4 && !memcmp(head + n - 4, "\r\n\r\n", 4));
        buf += used;
        size -= used;
    }
    return 0;
}
