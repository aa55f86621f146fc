/*
 * test_inet.c: libc-port/inet.c, IPv4 addresses as text and back:
 * inet_aton's BSD forms (fewer parts, octal, hex), inet_pton's strict
 * dotted quad, inet_ntop's buffer sizes, and a round trip of random
 * addresses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <unit.h>

/* inet_aton of TEXT, in host byte order; -1 for "malformed". */
static int64_t aton(const char *text)
{
    struct in_addr a;
    return inet_aton(text, &a) ? (int64_t)ntohl(a.s_addr) : -1;
}

static int64_t pton(const char *text)
{
    uint8_t b[4] = { 0xEE, 0xEE, 0xEE, 0xEE };
    int r = inet_pton(AF_INET, text, b);
    CHECK(r == 0 || r == 1);
    if (!r) {
        CHECK(b[0] == 0xEE && b[3] == 0xEE); /* untouched when malformed */
        return -1;
    }
    return (int64_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
}

static void test_aton(void)
{
    CHECK_EQ(aton("127.0.0.1"), 0x7F000001);
    CHECK_EQ(aton("10.0.2.15"), 0x0A00020F);
    CHECK_EQ(aton("255.255.255.255"), 0xFFFFFFFF);
    CHECK_EQ(aton("0.0.0.0"), 0);
    CHECK_EQ(aton("1.2.3"), 0x01020003);   /* the last part: 16 bits */
    CHECK_EQ(aton("1.65535"), 0x0100FFFF); /* 24 bits */
    CHECK_EQ(aton("3232235777"), 0xC0A80101);
    CHECK_EQ(aton("0x7f.1"), 0x7F000001);
    CHECK_EQ(aton("0177.0.0.01"), 0x7F000001); /* octal */
    CHECK_EQ(aton("1.2.3.4 trailing"), 0x01020304);
    CHECK_EQ(aton("1.2.3.256"), -1);
    CHECK_EQ(aton("1.2.65536"), -1);
    CHECK_EQ(aton("256.1"), -1);
    CHECK_EQ(aton("4294967296"), -1);
    CHECK_EQ(aton("1.2.3.4.5"), -1);
    CHECK_EQ(aton("1..2"), -1);
    CHECK_EQ(aton("1.2.3."), -1);
    CHECK_EQ(aton(""), -1);
    CHECK_EQ(aton("08"), -1);
    CHECK_EQ(aton("0x"), -1);
    CHECK_EQ(aton("1.2.3.4x"), -1);
    CHECK_EQ(aton("localhost"), -1);
    CHECK_EQ(inet_addr("192.168.1.1"), htonl(0xC0A80101));
    CHECK_EQ(inet_addr("nonsense"), INADDR_NONE);
    CHECK_EQ(inet_aton("1.2.3.4", NULL), 1); /* only checks */
}

static void test_pton(void)
{
    CHECK_EQ(pton("127.0.0.1"), 0x7F000001);
    CHECK_EQ(pton("255.255.255.255"), 0xFFFFFFFF);
    CHECK_EQ(pton("0.0.0.0"), 0);
    CHECK_EQ(pton("1.2.3"), -1); /* no short forms */
    CHECK_EQ(pton("1.2.3.4.5"), -1);
    CHECK_EQ(pton("1.2.3.256"), -1);
    CHECK_EQ(pton("01.2.3.4"), -1); /* no leading zeros */
    CHECK_EQ(pton("0x1.2.3.4"), -1);
    CHECK_EQ(pton("1.2.3.4 "), -1);
    CHECK_EQ(pton(" 1.2.3.4"), -1);
    CHECK_EQ(pton("1.2..4"), -1);
    CHECK_EQ(pton("1234.2.3.4"), -1);
    CHECK_EQ(pton(""), -1);
    uint8_t b[16];
    errno = 0;
    CHECK_EQ(inet_pton(AF_INET6, "::1", b), -1);
    CHECK_EQ(errno, EAFNOSUPPORT);
}

static void test_ntop(void)
{
    uint8_t b[4] = { 192, 168, 100, 200 };
    char text[INET_ADDRSTRLEN];
    CHECK_STR(inet_ntop(AF_INET, b, text, sizeof(text)), "192.168.100.200");
    CHECK(inet_ntop(AF_INET, b, text, 16) == text);
    errno = 0;
    CHECK(inet_ntop(AF_INET, b, text, 15) == NULL); /* 15 characters and the NUL */
    CHECK_EQ(errno, ENOSPC);
    errno = 0;
    CHECK(inet_ntop(AF_INET6, b, text, sizeof(text)) == NULL);
    CHECK_EQ(errno, EAFNOSUPPORT);
    struct in_addr a = { htonl(0x0A00020F) };
    CHECK_STR(inet_ntoa(a), "10.0.2.15");
}

static void test_round_trip(void)
{
    for (int i = 0; i < 100000; i++) {
        uint32_t ip = (uint32_t)unit_rand();
        char text[INET_ADDRSTRLEN];
        CHECK(inet_ntop(AF_INET, &ip, text, sizeof(text)));
        uint32_t back = 0;
        CHECK_EQ(inet_pton(AF_INET, text, &back), 1);
        CHECK_EQ(back, ip);
        struct in_addr a;
        CHECK_EQ(inet_aton(text, &a), 1);
        CHECK_EQ(a.s_addr, ip);
    }
}

int main(void)
{
    RUN(test_aton);
    RUN(test_pton);
    RUN(test_ntop);
    RUN(test_round_trip);
    return 0;
}
