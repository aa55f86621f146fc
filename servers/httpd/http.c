/*
 * http.c: HTTP/1.x without I/O. A request head is parsed line by line
 * (CRLF or a bare LF ends a line); the target's path is percent-decoded
 * first and normalised after, so no spelling of ".." gets through; the
 * response head is built from a struct. Everything here is a pure
 * function of its arguments, tested on the host (tests/unit/test_http.c)
 * and fuzzed (tests/fuzz/fuzz_http.c).
 */
#include "httpd.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* RFC 9110 tchar: the bytes of a method or a header name. */
static bool is_tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return true;
    return c && strchr("!#$%&'*+-.^_`|~", c);
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Does [S, S+LEN) equal WORD, ignoring case? */
static bool word_is(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

/* The end of the line starting at P (before END): the '\n', or NULL. */
static const char *line_end(const char *p, const char *end)
{
    return memchr(p, '\n', (size_t)(end - p));
}

/* The length of the line at P ending at NL, without its CR. */
static size_t line_len(const char *p, const char *nl)
{
    size_t n = (size_t)(nl - p);
    return n && p[n - 1] == '\r' ? n - 1 : n;
}

int http_path(const char *s, size_t len, char *out, size_t size, bool *slash)
{
    char dec[HTTPD_PATH_MAX];
    size_t n = 0;
    for (size_t i = 0; i < len; i++, n++) {
        if (n + 1 >= sizeof(dec))
            return 414;
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            int hi = i + 2 < len ? hex_value((unsigned char)s[i + 1]) : -1;
            int lo = hi >= 0 ? hex_value((unsigned char)s[i + 2]) : -1;
            if (lo < 0 || (hi | lo) == 0)
                return 400; /* a bad escape, or %00 */
            c = (unsigned char)(hi << 4 | lo);
            i += 2;
        }
        dec[n] = (char)c;
    }
    if (n == 0 || dec[0] != '/')
        return 400;
    *slash = dec[n - 1] == '/';
    /* fold the segments: "", "." vanish, ".." is refused */
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        while (i < n && dec[i] == '/')
            i++;
        size_t start = i;
        while (i < n && dec[i] != '/')
            i++;
        size_t seg = i - start;
        if (seg == 0 || (seg == 1 && dec[start] == '.'))
            continue;
        if (seg == 2 && dec[start] == '.' && dec[start + 1] == '.')
            return 400;
        if (o + 1 + seg + 1 > size)
            return 414;
        out[o++] = '/';
        memcpy(out + o, dec + start, seg);
        o += seg;
    }
    if (o == 0)
        out[o++] = '/';
    out[o] = '\0';
    return 0;
}

/* The target of a request: origin form "/p?q", or absolute form
 * "http://host/p". Decodes its path into REQ. Returns 0 or a status. */
static int parse_target(const char *t, size_t len, struct http_request *req)
{
    if (len > 7 && strncasecmp(t, "http://", 7) == 0) {
        const char *p = memchr(t + 7, '/', len - 7);
        if (!p)
            return 400;
        len -= (size_t)(p - t);
        t = p;
    }
    if (len == 0 || t[0] != '/')
        return 400;
    for (size_t i = 0; i < len; i++) {
        if (t[i] == '?' || t[i] == '#') {
            len = i;
            break;
        }
    }
    return http_path(t, len, req->path, sizeof(req->path), &req->slash);
}

/* Parse "HTTP/1.1" into REQ->minor. Returns 0, 400 or 505. */
static int parse_version(const char *v, size_t len, struct http_request *req)
{
    if (len != 8 || memcmp(v, "HTTP/", 5) != 0 || v[6] != '.' || v[5] < '0' || v[5] > '9' ||
        v[7] < '0' || v[7] > '9')
        return 400;
    if (v[5] != '1')
        return 505;
    req->minor = v[7] - '0';
    req->keep_alive = req->minor >= 1;
    return 0;
}

/* Parse the request line "METHOD SP TARGET SP VERSION". Returns 0 or a status. */
static int parse_request_line(const char *p, size_t len, struct http_request *req)
{
    const char *end = p + len;
    const char *sp1 = memchr(p, ' ', len);
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1)) : NULL;
    if (!sp2 || sp1 == p || sp2 == sp1 + 1 || sp2 + 1 == end)
        return 400;
    for (const char *m = p; m < sp1; m++)
        if (!is_tchar((unsigned char)*m))
            return 400;
    for (const char *t = sp1 + 1; t < sp2; t++)
        if ((unsigned char)*t <= ' ' || *t == 0x7f)
            return 400;
    int st = parse_version(sp2 + 1, (size_t)(end - sp2 - 1), req);
    if (st)
        return st;
    size_t mlen = (size_t)(sp1 - p);
    req->method = mlen == 3 && !memcmp(p, "GET", 3)    ? HTTP_GET
                  : mlen == 4 && !memcmp(p, "HEAD", 4) ? HTTP_HEAD
                                                       : HTTP_OTHER;
    st = parse_target(sp1 + 1, (size_t)(sp2 - sp1 - 1), req);
    if (st)
        return st;
    return req->method == HTTP_OTHER ? 405 : 0;
}

/* Apply the Connection header's comma-separated tokens V to REQ. */
static void parse_connection(const char *v, size_t len, struct http_request *req)
{
    size_t i = 0;
    while (i < len) {
        while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t start = i;
        while (i < len && v[i] != ',' && v[i] != ' ' && v[i] != '\t')
            i++;
        if (word_is(v + start, i - start, "close"))
            req->keep_alive = false;
        else if (word_is(v + start, i - start, "keep-alive") && req->minor == 0)
            req->keep_alive = true;
    }
}

/* Digits of [*P, END) as a number (at most 18 digits, so that it cannot
 * overflow): true with *P past them, false when there are none. */
static bool number(const char **p, const char *end, uint64_t *out)
{
    const char *q = *p;
    uint64_t n = 0;
    while (q < end && *q >= '0' && *q <= '9' && q - *p < 18)
        n = n * 10 + (uint64_t)(*q++ - '0');
    if (q == *p || (q < end && *q >= '0' && *q <= '9'))
        return false;
    *p = q;
    *out = n;
    return true;
}

/* Range: one "bytes" range (RFC 9110 14.1.2); anything else is ignored,
 * as the RFC lets a server do, and the whole file is served. */
static void parse_range(const char *v, size_t len, struct http_request *req)
{
    const char *p = v, *end = v + len;
    uint64_t first = 0, last = UINT64_MAX;
    req->range = HTTP_RANGE_NONE;
    if (len < 7 || strncasecmp(v, "bytes=", 6) != 0)
        return;
    p += 6;
    if (*p == '-') {
        p++;
        if (number(&p, end, &last) && p == end) {
            req->range = HTTP_RANGE_SUFFIX;
            req->range_last = last;
        }
        return;
    }
    if (!number(&p, end, &first) || p == end || *p++ != '-')
        return;
    if (p < end && (!number(&p, end, &last) || last < first))
        return;
    if (p != end)
        return; /* several ranges, or junk */
    req->range = HTTP_RANGE_SPAN;
    req->range_first = first;
    req->range_last = last;
}

/* Parse one header line. Returns 0 or 400. A body closes the connection. */
static int parse_header(const char *p, size_t len, struct http_request *req, bool *closes)
{
    const char *colon = memchr(p, ':', len);
    if (!colon || colon == p)
        return 400;
    for (const char *n = p; n < colon; n++)
        if (!is_tchar((unsigned char)*n))
            return 400; /* also a space before the colon, or a folded line */
    const char *v = colon + 1, *end = p + len;
    for (const char *c = v; c < end; c++)
        if (((unsigned char)*c < ' ' && *c != '\t') || *c == 0x7f)
            return 400;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    size_t nlen = (size_t)(colon - p), vlen = (size_t)(end - v);
    if (word_is(p, nlen, "Connection"))
        parse_connection(v, vlen, req);
    else if (word_is(p, nlen, "Transfer-Encoding"))
        *closes = true;
    else if (word_is(p, nlen, "Content-Length") && !(vlen == 1 && *v == '0'))
        *closes = true;
    else if (word_is(p, nlen, "Range"))
        parse_range(v, vlen, req);
    else if (word_is(p, nlen, "If-Range"))
        req->if_range = true; /* no validators here to compare with */
    return 0;
}

/* Parse the head [P, END), whose lines are complete. Returns 0 or a status. */
static int parse_head(const char *p, const char *end, struct http_request *req)
{
    const char *nl = line_end(p, end);
    int st = parse_request_line(p, line_len(p, nl), req);
    if (st == 400 || st == 505)
        return st;
    bool closes = false;
    for (p = nl + 1; p < end; p = nl + 1) {
        nl = line_end(p, end);
        size_t n = line_len(p, nl);
        if (n == 0)
            break;
        if (parse_header(p, n, req, &closes))
            return 400;
    }
    if (closes)
        req->keep_alive = false;
    return st;
}

size_t http_parse(const char *buf, size_t len, struct http_request *req)
{
    memset(req, 0, sizeof(*req));
    size_t lim = len < HTTPD_HEAD_MAX ? len : HTTPD_HEAD_MAX;
    size_t start = 0;
    while (start < lim && (buf[start] == '\r' || buf[start] == '\n'))
        start++; /* empty lines before a request are ignored (RFC 9112 2.2) */
    const char *p = buf + start, *end = buf + lim, *nl;
    for (const char *q = p; (nl = line_end(q, end)) != NULL; q = nl + 1) {
        if (q > p && line_len(q, nl) == 0) {
            req->status = parse_head(p, q, req);
            if (req->status && req->status != 405)
                req->keep_alive = false;
            return (size_t)(nl + 1 - buf);
        }
    }
    if (len < HTTPD_HEAD_MAX)
        return 0;
    req->status = line_end(p, end) ? 431 : 414;
    return len;
}

bool http_encode_path(const char *path, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        bool plain = (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
                     (*p >= 'A' && *p <= 'Z') || strchr("-._~/", *p);
        if (o + (plain ? 1 : 3) >= size)
            return false;
        if (plain) {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    if (o >= size)
        return false;
    out[o] = '\0';
    return true;
}

static const struct {
    const char *ext, *type;
} content_types[] = {
    { "html", "text/html; charset=utf-8" },
    { "htm", "text/html; charset=utf-8" },
    { "txt", "text/plain; charset=utf-8" },
    { "css", "text/css" },
    { "js", "text/javascript" },
    { "json", "application/json" },
    { "png", "image/png" },
    { "jpg", "image/jpeg" },
    { "jpeg", "image/jpeg" },
    { "gif", "image/gif" },
    { "svg", "image/svg+xml" },
    { "ico", "image/x-icon" },
    { "pdf", "application/pdf" },
    { "wasm", "application/wasm" },
};

int http_range(const struct http_request *req, uint64_t size, uint64_t *from, uint64_t *count)
{
    *from = 0;
    *count = size;
    if (req->range == HTTP_RANGE_NONE || req->if_range)
        return 200;
    if (req->range == HTTP_RANGE_SUFFIX) {
        if (req->range_last == 0 || size == 0)
            return 416;
        *from = size > req->range_last ? size - req->range_last : 0;
    } else {
        if (req->range_first >= size)
            return 416;
        *from = req->range_first;
    }
    uint64_t last =
        req->range == HTTP_RANGE_SPAN && req->range_last < size - 1 ? req->range_last : size - 1;
    *count = last - *from + 1;
    return 206;
}

const char *http_content_type(const char *path)
{
    const char *base = strrchr(path, '/');
    const char *dot = strrchr(base ? base : path, '.');
    if (dot)
        for (size_t i = 0; i < sizeof(content_types) / sizeof(content_types[0]); i++)
            if (strcasecmp(dot + 1, content_types[i].ext) == 0)
                return content_types[i].type;
    return "application/octet-stream";
}

const char *http_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 414: return "URI Too Long";
    case 416: return "Range Not Satisfiable";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

size_t http_response_head(const struct http_response *resp, char *buf, size_t size)
{
    char range[80] = "";
    if (resp->status == 206)
        snprintf(range, sizeof(range), "Content-Range: bytes %llu-%llu/%llu\r\n",
                 (unsigned long long)resp->from,
                 (unsigned long long)(resp->from + resp->length - 1),
                 (unsigned long long)resp->total);
    else if (resp->status == 416)
        snprintf(range, sizeof(range), "Content-Range: bytes */%llu\r\n",
                 (unsigned long long)resp->total);
    int n = snprintf(buf, size,
                     "HTTP/1.1 %d %s\r\nServer: " HTTPD_SERVER "\r\n%s%s%sContent-Type: %s\r\n"
                     "Content-Length: %llu\r\n%s%sConnection: %s\r\n%s%s%s%s\r\n",
                     resp->status, http_reason(resp->status), resp->date ? "Date: " : "",
                     resp->date ? resp->date : "", resp->date ? "\r\n" : "", resp->type,
                     (unsigned long long)resp->length, range,
                     resp->file ? "Accept-Ranges: bytes\r\n" : "",
                     resp->keep_alive ? "keep-alive" : "close", resp->location ? "Location: " : "",
                     resp->location ? resp->location : "", resp->location ? "\r\n" : "",
                     resp->status == 405 ? "Allow: GET, HEAD\r\n" : "");
    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}
