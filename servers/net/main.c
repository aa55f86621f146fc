/*
 * main.c: the network server, the service "net" (protocol: actor/net.h).
 * lwIP's raw API in one thread: libactor's loop takes socket requests
 * (ipc.c), the nic's doorbell (link.c) and timers, and this file keeps
 * lwIP's clock and timers running between them. The interface comes up by
 * DHCP; without a nic the server still serves the loopback interface.
 */
#include "net.h"
#include <lwip/dns.h>
#include <lwip/init.h>
#include <lwip/netif.h>
#include <lwip/sys.h>
#include <lwip/timeouts.h>
#include <stdio.h>
#include <string.h>

#define HOUSE_NS 1000000000ULL

static uint64_t armed = UINT64_MAX; /* the deadline NET_BIT_LWIP's timer is set for */

uint64_t net_now_ns(void)
{
    return clk_clock_ns();
}

/* lwIP's clock: milliseconds since boot. */
u32_t sys_now(void)
{
    return (u32_t)(clk_clock_ns() / 1000000);
}

/* xorshift64*, seeded from the clock: TCP's initial sequence numbers and
 * ports, DHCP's and DNS's transaction ids. */
uint32_t net_random(void)
{
    static uint64_t x;
    if (!x)
        x = clk_clock_ns() * 0x9E3779B97F4A7C15ULL | 1;
    x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
    return (uint32_t)((x * 0x2545F4914F6CDD1DULL) >> 32);
}

void net_wake_by(uint64_t deadline)
{
    uint64_t now = clk_clock_ns();
    if (deadline >= armed && armed > now)
        return;
    armed = deadline;
    actor_timer(deadline > now ? deadline - now : 1, NET_BIT_LWIP);
}

/* After anything: frames looped back to ourselves, lwIP's due timers,
 * then the requests that may now complete; the timer is set for whichever
 * comes next. */
void net_run(void)
{
    netif_poll_all();
    sys_check_timeouts();
    uint64_t next = net_ipc_run();
    uint32_t lwip_ms = sys_timeouts_sleeptime();
    uint64_t now = clk_clock_ns();
    uint64_t lwip =
        lwip_ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE ? UINT64_MAX : now + lwip_ms * 1000000ULL;
    armed = UINT64_MAX;
    net_wake_by(lwip < next ? lwip : next);
}

static void notified(uint64_t bits)
{
    if (bits & NET_BIT_NIC)
        link_poll();
    if (bits & NET_BIT_HOUSE) {
        link_house();
        net_ipc_reap();
        actor_timer(HOUSE_NS, NET_BIT_HOUSE);
    }
    net_run();
}

/* dns=A.B.C.D among the arguments: the DNS server to ask, whatever DHCP
 * says (tests run their own on the host, reached through the gateway). */
static void dns_argument(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        ip_addr_t a;
        if (strncmp(argv[i], "dns=", 4))
            continue;
        if (ipaddr_aton(argv[i] + 4, &a)) {
            link_set_dns(ip4_addr_get_u32(ip_2_ip4(&a)));
            printf("net: names from %s (dns=)\n", argv[i] + 4);
        } else {
            printf("net: dns=%s is not an IPv4 address; ignored\n", argv[i] + 4);
        }
    }
}

static long init(int argc, char **argv)
{
    lwip_init();
    dns_argument(argc, argv);
    long err = net_ipc_init();
    if (err < 0) {
        printf("net: cannot set up sessions: %s\n", actor_strerror(err));
        return err;
    }
    if ((err = link_start()) < 0)
        return err;
    actor_timer(HOUSE_NS, NET_BIT_HOUSE);
    net_run();
    return 0;
}

const struct actor_def actor = {
    .name = NET_NAME,
    .handlers = net_handlers,
    .notified = notified,
    .init = init,
};
