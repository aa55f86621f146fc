/*
 * link.c: the interface eth0: the nic driver's shared rings (actor/nic.h)
 * under lwIP's netif, and DHCP on it.
 *
 * Frames come in on NIC_RX: each is copied into a pbuf for lwIP and its
 * buffer goes straight back on NIC_RXFREE. Frames go out by copying the
 * pbuf chain into a free send buffer and putting it on NIC_TX. Either
 * side rings the other's doorbell only when a ring it filled was empty,
 * so a stream of frames costs no system call per frame.
 *
 * The nic may restart: every second link_house asks it for its id, and
 * attaches again when it changed (or the nic is gone for now). DHCP then
 * simply goes on: the address does not change.
 */
#include "net.h"
#include <actor/supervisor.h>
#include <lwip/dhcp.h>
#include <lwip/dns.h>
#include <lwip/etharp.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <lwip/stats.h>
#include <netif/ethernet.h>
#include <stdio.h>
#include <string.h>

#define REGION_VA   0x0000500000000000UL
#define NIC_WAIT_NS 1000000000ULL

static struct {
    long nic;    /* send capability to the nic, 0 when we have none */
    long bell;   /* the nic's doorbell */
    long region; /* the shared region's capability, mapped at REGION_VA */
    uint32_t id; /* the nic instance attached */
    bool attached;
    struct nic_info info;
    uint16_t txfree[NIC_TX_BUFS]; /* send buffers we hold */
    unsigned ntxfree;
    uint64_t tx_full; /* frames dropped: no send buffer free */
    uint32_t leases;
    uint64_t bound_at;
    bool said_no_nic;
} lk;

static struct netif eth0;
static ip_addr_t fixed_dns; /* dns= (main.c); any: DHCP's */

void link_set_dns(uint32_t ip)
{
    ip_addr_set_ip4_u32(&fixed_dns, ip);
    dns_setserver(0, &fixed_dns);
}

static void *region(void)
{
    return (void *)REGION_VA;
}

/* ---- frames ---- */

/* Send buffers the nic is done with, back into the free list. */
static void take_txdone(void)
{
    struct clk_ring *r = nic_ring(region(), NIC_TXDONE);
    uint32_t n;
    const struct clk_ring_msg *m;
    while ((m = clk_ring_peek(r, &n)) && n) {
        for (uint32_t i = 0; i < n; i++) {
            uint64_t b = m[i].tag;
            if (b >= NIC_RX_BUFS && b < NIC_BUFS && lk.ntxfree < NIC_TX_BUFS)
                lk.txfree[lk.ntxfree++] = (uint16_t)b;
        }
        clk_ring_release(r, n);
    }
}

static err_t output(struct netif *nif, struct pbuf *p)
{
    (void)nif;
    if (!lk.attached)
        return ERR_IF;
    if (!lk.ntxfree)
        take_txdone();
    if (!lk.ntxfree || p->tot_len > NIC_FRAME_MAX) {
        lk.tx_full++;
        LINK_STATS_INC(link.drop);
        return ERR_MEM;
    }
    unsigned b = lk.txfree[--lk.ntxfree];
    pbuf_copy_partial(p, nic_frame(region(), b), p->tot_len, 0);
    struct clk_ring_msg m = { .tag = b, .w = { p->tot_len } };
    bool was_empty = false;
    clk_ring_put(nic_ring(region(), NIC_TX), &m,
                 &was_empty); /* never full: as many slots as buffers */
    if (was_empty)
        clk_signal(lk.bell, 0);
    LINK_STATS_INC(link.xmit);
    return ERR_OK;
}

void link_poll(void)
{
    if (!lk.attached)
        return;
    struct clk_ring *rx = nic_ring(region(), NIC_RX), *back = nic_ring(region(), NIC_RXFREE);
    uint32_t n;
    const struct clk_ring_msg *m;
    bool ring = false;
    while ((m = clk_ring_peek(rx, &n)) && n) {
        for (uint32_t i = 0; i < n; i++) {
            uint64_t b = m[i].tag, len = m[i].w[0];
            if (b >= NIC_RX_BUFS)
                continue; /* not a receive buffer: the nic is confused; nothing to return */
            if (len >= 14 && len <= NIC_FRAME_MAX) {
                struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
                if (p) {
                    pbuf_take(p, nic_frame(region(), (unsigned)b), (u16_t)len);
                    if (eth0.input(p, &eth0) != ERR_OK)
                        pbuf_free(p);
                } else {
                    LINK_STATS_INC(link.memerr);
                }
            }
            struct clk_ring_msg f = { .tag = b };
            bool was_empty = false;
            clk_ring_put(back, &f, &was_empty); /* as many slots as receive buffers */
            ring |= was_empty;
        }
        clk_ring_release(rx, n);
    }
    if (ring)
        clk_signal(lk.bell, 0);
    take_txdone();
}

/* ---- the nic ---- */

static void detach(void)
{
    if (lk.attached)
        clk_unmap(REGION_VA);
    if (lk.region)
        clk_cap_delete(lk.region);
    if (lk.bell)
        clk_cap_delete(lk.bell);
    lk.region = lk.bell = 0;
    lk.attached = false;
}

static long attach(void)
{
    long mine = actor_doorbell(NET_BIT_NIC);
    if (mine < 0)
        return mine;
    long bell = 0, reg = 0;
    struct nic_info info;
    size_t len = sizeof(info);
    long err = actor_call_cap(lk.nic, NIC_DOORBELL, NULL, 0, 0, NULL, NULL, &bell);
    if (!err && !bell)
        err = CLK_EIO;
    if (!err)
        err = actor_call_cap(lk.nic, NIC_ATTACH, NULL, 0, mine, &info, &len, &reg);
    clk_cap_delete(mine);
    if (!err && (!reg || len != sizeof(info)))
        err = CLK_EIO;
    if (!err)
        err = clk_map(reg, REGION_VA, CLK_MAP_WRITE);
    if (err) {
        if (bell)
            clk_cap_delete(bell);
        if (reg)
            clk_cap_delete(reg);
        return err;
    }
    lk.bell = bell, lk.region = reg, lk.info = info, lk.id = info.id;
    lk.ntxfree = 0;
    for (unsigned b = NIC_RX_BUFS; b < NIC_BUFS; b++)
        lk.txfree[lk.ntxfree++] = (uint16_t)b;
    lk.attached = true;
    memcpy(eth0.hwaddr, info.mac, 6);
    netif_set_link_up(&eth0);
    link_poll(); /* anything that came before we listened */
    return 0;
}

/* Say once (until the nic is back) why eth0 is down. */
static void no_nic(const char *why)
{
    if (!lk.said_no_nic)
        printf("net: %s: only the loopback interface works\n", why);
    lk.said_no_nic = true;
    netif_set_link_down(&eth0);
}

/* Find the nic (again) and attach to it. */
static void connect_nic(uint64_t wait_ns)
{
    detach();
    if (lk.nic)
        clk_cap_delete(lk.nic);
    lk.nic = actor_lookup(NIC_NAME, wait_ns);
    if (lk.nic < 0) {
        lk.nic = 0;
        no_nic("no network interface (no nic service)");
        return;
    }
    long err = attach();
    if (err == CLK_EDEAD) { /* registered, but down: no card, or restarting */
        no_nic("no network interface (the nic is not running)");
        return;
    }
    if (err) {
        no_nic(actor_strerror(err));
        return;
    }
    lk.said_no_nic = false;
    const uint8_t *a = lk.info.mac;
    printf("net: eth0 attached to nic %u, MAC %02x:%02x:%02x:%02x:%02x:%02x\n", lk.id, a[0], a[1],
           a[2], a[3], a[4], a[5]);
}

void link_house(void)
{
    struct nic_info info;
    size_t len = sizeof(info);
    long err = lk.nic ? actor_call(lk.nic, NIC_INFO, NULL, 0, &info, &len) : CLK_EDEAD;
    if (!err && lk.attached && info.id == lk.id)
        return;
    if (lk.attached)
        printf("net: the nic restarted; attaching again\n");
    connect_nic(0);
    if (lk.attached && !dhcp_supplied_address(&eth0))
        dhcp_start(&eth0);
}

/* ---- lwIP's netif ---- */

static void status_changed(struct netif *nif)
{
    if (!netif_is_up(nif) || ip4_addr_isany_val(*netif_ip4_addr(nif)))
        return;
    if (!ip_addr_isany(&fixed_dns))
        dns_setserver(0, &fixed_dns); /* DHCP set its own */
    lk.leases++;
    lk.bound_at = net_now_ns();
    char ip[16], mask[16], gw[16];
    ip4addr_ntoa_r(netif_ip4_addr(nif), ip, sizeof(ip));
    ip4addr_ntoa_r(netif_ip4_netmask(nif), mask, sizeof(mask));
    ip4addr_ntoa_r(netif_ip4_gw(nif), gw, sizeof(gw));
    const ip_addr_t *dns = dns_getserver(0);
    printf("net: eth0 %s netmask %s gateway %s dns %s (DHCP)\n", ip, mask, gw, ipaddr_ntoa(dns));
}

static err_t eth0_init(struct netif *nif)
{
    nif->name[0] = 'e', nif->name[1] = 't';
    nif->output = etharp_output;
    nif->linkoutput = output;
    nif->mtu = 1500;
    nif->hwaddr_len = 6;
    nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    netif_set_hostname(nif, "clkernel");
    return ERR_OK;
}

long link_start(void)
{
    if (!netif_add(&eth0, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4, NULL, eth0_init,
                   ethernet_input))
        return CLK_ENOMEM;
    netif_set_default(&eth0);
    netif_set_status_callback(&eth0, status_changed);
    netif_set_up(&eth0);
    connect_nic(NIC_WAIT_NS);
    if (lk.attached)
        dhcp_start(&eth0);
    return 0;
}

bool link_up(void)
{
    return lk.attached && !ip4_addr_isany_val(*netif_ip4_addr(&eth0));
}

void link_info(struct net_ifinfo *o)
{
    memset(o, 0, sizeof(*o));
    memcpy(o->name, "eth0", 5);
    memcpy(o->mac, eth0.hwaddr, 6);
    o->mtu = eth0.mtu;
    o->ip = ip4_addr_get_u32(netif_ip4_addr(&eth0));
    o->netmask = ip4_addr_get_u32(netif_ip4_netmask(&eth0));
    o->gateway = ip4_addr_get_u32(netif_ip4_gw(&eth0));
    o->dns = ip4_addr_get_u32(ip_2_ip4(dns_getserver(0)));
    o->flags = (lk.attached && netif_is_link_up(&eth0) ? NET_IF_UP : 0) |
               (dhcp_supplied_address(&eth0) ? NET_IF_DHCP : 0);
    o->dhcp_leases = lk.leases;
    if (lk.attached) {
        const struct nic_stats *st =
            (const struct nic_stats *)((const char *)region() + NIC_STATS_OFF);
        o->rx_packets = st->rx_packets, o->rx_bytes = st->rx_bytes;
        o->rx_dropped = st->rx_dropped, o->rx_errors = st->rx_errors;
        o->tx_packets = st->tx_packets, o->tx_bytes = st->tx_bytes;
        o->tx_dropped = st->tx_dropped + lk.tx_full, o->tx_errors = st->tx_errors;
        o->interrupts = st->interrupts, o->doorbells = st->doorbells;
    }
    sock_count(&o->tcp_active, &o->tcp_listen);
    o->up_ns = link_up() ? net_now_ns() - lk.bound_at : 0;
}
