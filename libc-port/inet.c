/*
 * inet.c: IPv4 addresses as text and back (<arpa/inet.h>). Pure code, so
 * tests/unit/test_inet.c runs it on the host.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;
}

/* One number of inet_aton's at *P, in C's notation (0x hex, 0 octal, else
 * decimal), at most MAX: true and *P past it, or false. */
static bool aton_part(const char **p, uint32_t max, uint32_t *out)
{
    const char *s = *p;
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        if (digit_value(*s) >= 16)
            return false; /* "0x" alone */
    } else if (s[0] == '0') {
        base = 8;
    }
    if ((unsigned)digit_value(*s) >= base)
        return false;
    uint64_t v = 0;
    for (; (unsigned)digit_value(*s) < base; s++) {
        v = v * base + (unsigned)digit_value(*s);
        if (v > max)
            return false;
    }
    *out = (uint32_t)v;
    *p = s;
    return true;
}

int inet_aton(const char *text, struct in_addr *addr)
{
    uint32_t parts[4], n = 0;
    const char *p = text;
    for (;;) {
        if (!aton_part(&p, 0xFFFFFFFFu, &parts[n]))
            return 0;
        n++;
        if (*p != '.')
            break;
        if (n == 4)
            return 0;
        p++;
    }
    if (*p && !is_space(*p))
        return 0;
    /* the last part fills the bytes the others leave */
    uint32_t ip = 0, last_bits = 32 - 8 * (n - 1);
    for (uint32_t i = 0; i + 1 < n; i++) {
        if (parts[i] > 0xFF)
            return 0;
        ip |= parts[i] << (24 - 8 * i);
    }
    if (last_bits < 32 && parts[n - 1] >> last_bits)
        return 0;
    ip |= parts[n - 1];
    if (addr)
        addr->s_addr = htonl(ip);
    return 1;
}

in_addr_t inet_addr(const char *text)
{
    struct in_addr a;
    return inet_aton(text, &a) ? a.s_addr : INADDR_NONE;
}

int inet_pton(int family, const char *text, void *addr)
{
    if (family != AF_INET) {
        errno = EAFNOSUPPORT;
        return -1;
    }
    uint8_t bytes[4];
    const char *p = text;
    for (int i = 0; i < 4; i++) {
        if (i && *p++ != '.')
            return 0;
        unsigned v = 0, digits = 0;
        for (; *p >= '0' && *p <= '9'; p++, digits++) {
            if (digits && v == 0)
                return 0; /* a leading zero */
            v = v * 10 + (unsigned)(*p - '0');
            if (v > 255)
                return 0;
        }
        if (!digits)
            return 0;
        bytes[i] = (uint8_t)v;
    }
    if (*p)
        return 0;
    for (int i = 0; i < 4; i++)
        ((uint8_t *)addr)[i] = bytes[i];
    return 1;
}

const char *inet_ntop(int family, const void *addr, char *text, socklen_t size)
{
    if (family != AF_INET) {
        errno = EAFNOSUPPORT;
        return NULL;
    }
    const uint8_t *b = addr;
    char tmp[INET_ADDRSTRLEN];
    int n = snprintf(tmp, sizeof(tmp), "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
    if (n < 0 || (socklen_t)n >= size) {
        errno = ENOSPC;
        return NULL;
    }
    for (int i = 0; i <= n; i++)
        text[i] = tmp[i];
    return text;
}

char *inet_ntoa(struct in_addr addr)
{
    static char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &addr, text, sizeof(text));
    return text;
}
