/*
 * fuzz_net.c: frames from the wire into the network server's stack: lwIP
 * (built for the host with servers/net's lwipopts.h) and servers/net's
 * sockets (sock.c) on top, with a TCP listener on port 80 and a UDP
 * socket on port 7, as httpd and an echo server would have. Each input is
 * a series of frames, each prefixed by its length (two bytes, big
 * endian); after each, connections are accepted, read and closed, and the
 * clock moves on so lwIP's timers run. Nothing a frame says may crash,
 * leak or corrupt memory.
 */
#include "net.h"
#include <lwip/init.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <lwip/timeouts.h>
#include <netif/etharp.h>
#include <netif/ethernet.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static uint64_t now_ms;
static struct netif nif;
static struct sock *listener, *udp;

u32_t sys_now(void)
{
    return (u32_t)now_ms;
}

uint32_t net_random(void)
{
    static uint32_t x = 12345;
    x = x * 1103515245u + 12345u;
    return x;
}

uint64_t net_now_ns(void)
{
    return now_ms * 1000000ULL;
}

void sock_event(struct sock *s)
{
    (void)s;
}

bool link_up(void)
{
    return true;
}

static err_t discard(struct netif *n, struct pbuf *p)
{
    (void)n, (void)p;
    return ERR_OK;
}

static err_t nif_init(struct netif *n)
{
    static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
    n->output = etharp_output;
    n->linkoutput = discard;
    n->mtu = 1500;
    n->hwaddr_len = 6;
    memcpy(n->hwaddr, mac, 6);
    n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
    return ERR_OK;
}

static void setup(void)
{
    lwip_init();
    ip4_addr_t ip, mask, gw;
    IP4_ADDR(&ip, 10, 0, 2, 15);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    IP4_ADDR(&gw, 10, 0, 2, 2);
    netif_add(&nif, &ip, &mask, &gw, NULL, nif_init, ethernet_input);
    netif_set_default(&nif);
    netif_set_up(&nif);
    struct net_addr any80 = { 0, lwip_htons(80), 0 }, any7 = { 0, lwip_htons(7), 0 };
    if (sock_create(NET_SOCK_STREAM, &listener) || sock_bind(listener, &any80) ||
        sock_listen(listener, 16) || sock_create(NET_SOCK_DGRAM, &udp) || sock_bind(udp, &any7))
        __builtin_trap();
}

/* What a server does with what arrived: accept, read, answer, close. */
static void serve(void)
{
    static uint8_t buf[4096];
    struct net_addr from;
    uint64_t full;
    struct sock *c;
    while (sock_accept(listener, &c) == 0) {
        long n = sock_recv(c, buf, sizeof(buf), false, &from, &full);
        if (n > 0)
            sock_send(c, buf, (uint32_t)n, NULL);
        sock_poll(c, NET_POLLIN | NET_POLLOUT);
        sock_destroy(c);
    }
    long n;
    while ((n = sock_recv(udp, buf, sizeof(buf), false, &from, &full)) >= 0)
        sock_send(udp, buf, (uint32_t)n, &from);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        setup();
        ready = true;
    }
    while (size >= 2) {
        size_t len = (size_t)data[0] << 8 | data[1];
        data += 2, size -= 2;
        if (len > size)
            len = size;
        if (len > 1514)
            len = 1514;
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
        if (p) {
            pbuf_take(p, data, (u16_t)len);
            if (nif.input(p, &nif) != ERR_OK)
                pbuf_free(p);
        }
        data += len, size -= len;
        now_ms += 100;
        sys_check_timeouts();
        serve();
    }
    return 0;
}
