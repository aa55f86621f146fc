/*
 * nictest.c: the nic driver's test client (tests/test_nic.py, manifest
 * tests/manifests/nic), a client of the frame rings without any TCP/IP:
 * on QEMU's user network (guest 10.0.2.15, gateway 10.0.2.2) it
 *
 *   1. attaches with its own doorbell and asks who 10.0.2.2 is (ARP);
 *   2. sends malformed ring messages (buffers out of range, of the wrong
 *      kind, not its own; lengths out of range) with a second ARP request,
 *      and checks that the driver counted each one and still answers;
 *   3. attaches again, as a restarted network stack would, and asks again.
 *
 * It is driven by its doorbell (the loop's notified handler): each phase
 * goes on when the gateway's ARP reply comes in on NIC_RX. Prints
 * "nictest: ..." lines, "nictest: FAIL ..." for anything unexpected, and
 * last "nictest: done, N failures".
 */
#include <actor/nic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REGION_VA   0x600000000000UL /* where the nic's region is mapped */
#define DB_BIT      0x1              /* our doorbell: the nic put something in a ring */
#define TIMEOUT_BIT 0x2
#define TIMEOUT_NS  20000000000ULL /* for each phase's ARP reply */
#define ARP_LEN     42             /* an Ethernet header and an ARP packet for IPv4 */

static const uint8_t guest_ip[4] = { 10, 0, 2, 15 }, gateway_ip[4] = { 10, 0, 2, 2 };

static long nic, nic_doorbell, region_cap;
static void *region;
static struct nic_info info;
static bool holds[NIC_BUFS]; /* the buffers we hold (TX ones we may fill) */
static unsigned phase, failures;
static struct nic_stats before; /* at the malformed messages */

__attribute__((format(printf, 1, 2))) static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("nictest: FAIL ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    failures++;
}

static struct nic_stats stats(void)
{
    struct nic_stats s;
    memcpy(&s, (char *)region + NIC_STATS_OFF, sizeof(s));
    return s;
}

static void print_stats(void)
{
    struct nic_stats s = stats();
    printf("nictest: counters: rx %lu packets %lu bytes, %lu dropped, %lu errors; tx %lu packets "
           "%lu bytes, %lu dropped, %lu errors; %lu interrupts, %lu doorbells\n",
           (unsigned long)s.rx_packets, (unsigned long)s.rx_bytes, (unsigned long)s.rx_dropped,
           (unsigned long)s.rx_errors, (unsigned long)s.tx_packets, (unsigned long)s.tx_bytes,
           (unsigned long)s.tx_dropped, (unsigned long)s.tx_errors, (unsigned long)s.interrupts,
           (unsigned long)s.doorbells);
}

static void finish(void)
{
    print_stats();
    printf("nictest: done, %u failures\n", failures);
    exit(0);
}

/* Put a message on ring R for the nic; ring its doorbell if R was empty. */
static void put(enum nic_ring r, uint64_t tag, uint64_t len)
{
    struct clk_ring_msg m = { .tag = tag, .w = { len } };
    bool was_empty;
    if (!clk_ring_put(nic_ring(region, r), &m, &was_empty))
        fail("ring %d is full", r);
    else if (was_empty)
        clk_signal(nic_doorbell, 1);
}

static int free_tx_buffer(void)
{
    for (int b = NIC_RX_BUFS; b < NIC_BUFS; b++)
        if (holds[b])
            return b;
    return -1;
}

/* Put the N messages M on ring R for the nic at once: it sees all of
 * them or none. Ring its doorbell if R was empty. */
static void put_batch(enum nic_ring r, const struct clk_ring_msg *m, uint32_t n)
{
    uint32_t room;
    struct clk_ring_msg *slot = clk_ring_reserve(nic_ring(region, r), &room);
    if (room < n) {
        fail("no room for %u messages in ring %d", n, r);
        return;
    }
    memcpy(slot, m, n * sizeof(*m));
    if (clk_ring_commit(nic_ring(region, r), n))
        clk_signal(nic_doorbell, 1);
}

/* An ARP request in buffer B: who has the gateway's address? */
static void fill_arp(int b)
{
    uint8_t *f = nic_frame(region, (unsigned)b), *a = f + 14;
    memset(f, 0xFF, 6); /* broadcast */
    memcpy(f + 6, info.mac, 6);
    f[12] = 0x08, f[13] = 0x06;                                   /* ARP */
    static const uint8_t request[8] = { 0, 1, 8, 0, 6, 4, 0, 1 }; /* Ethernet, IPv4, request */
    memcpy(a, request, 8);
    memcpy(a + 8, info.mac, 6);
    memcpy(a + 14, guest_ip, 4);
    memset(a + 18, 0, 6);
    memcpy(a + 24, gateway_ip, 4);
    holds[b] = false;
}

static void send_arp(int b)
{
    fill_arp(b);
    put(NIC_TX, (uint64_t)b, ARP_LEN);
}

/* Whether frame F of LEN bytes is the gateway's ARP reply; its MAC to MAC. */
static bool arp_reply(const uint8_t *f, uint64_t len, uint8_t mac[6])
{
    const uint8_t *a = f + 14;
    if (len < ARP_LEN || f[12] != 0x08 || f[13] != 0x06 || a[6] != 0 || a[7] != 2)
        return false;
    if (memcmp(a + 14, gateway_ip, 4) || memcmp(a + 24, guest_ip, 4))
        return false;
    memcpy(mac, a + 8, 6);
    return true;
}

/* Attach with our doorbell and map the region the reply brings. */
static bool attach(void)
{
    long cap = 0, db = actor_doorbell(DB_BIT);
    size_t len = sizeof(info);
    long r = db < 0 ? db : actor_call_cap(nic, NIC_ATTACH, NULL, 0, db, &info, &len, &cap);
    if (region) {
        clk_unmap(REGION_VA);
        clk_cap_delete(region_cap);
        region = NULL;
    }
    long map = r == 0 && cap > 0 ? clk_map(cap, REGION_VA, CLK_MAP_WRITE) : CLK_EBADF;
    printf("nictest: NIC_ATTACH -> %ld, MAP -> %ld; instance %u\n", r, map, info.id);
    if (map < 0)
        return false;
    region = (void *)REGION_VA;
    region_cap = cap;
    for (int b = 0; b < NIC_BUFS; b++)
        holds[b] = b >= NIC_RX_BUFS; /* the TX buffers are ours, the RX ones the nic's */
    return true;
}

/* Phase 2's malformed messages: 3 on NIC_RXFREE, then 6 on NIC_TX around
 * a good ARP request, all published at once, so that the nic has counted
 * them all before it can see the reply. */
static void send_malformed(void)
{
    before = stats();
    int b = free_tx_buffer();
    const struct clk_ring_msg rxfree[] = {
        { NIC_BUFS + 7, { 0 } }, /* out of range */
        { NIC_RX_BUFS, { 0 } },  /* a TX buffer */
        { 3, { 0 } },            /* an RX buffer we do not hold */
    };
    const struct clk_ring_msg tx[] = {
        { NIC_BUFS, { ARP_LEN } },              /* out of range */
        { 1ULL << 40, { ARP_LEN } },            /* far out of range */
        { 0, { ARP_LEN } },                     /* an RX buffer, the nic's */
        { (uint64_t)b, { 13 } },                /* shorter than an Ethernet header */
        { (uint64_t)b, { NIC_FRAME_MAX + 1 } }, /* too long */
        { (uint64_t)b, { ARP_LEN } },           /* good */
        { (uint64_t)b, { ARP_LEN } },           /* the same again: the nic's now */
    };
    fill_arp(b);
    put_batch(NIC_RXFREE, rxfree, 3);
    put_batch(NIC_TX, tx, 7);
}

static void check_errors(void)
{
    struct nic_stats s = stats();
    unsigned long tx = s.tx_errors - before.tx_errors, rx = s.rx_errors - before.rx_errors;
    printf("nictest: malformed messages counted: %lu tx errors, %lu rx errors\n", tx, rx);
    if (tx != 6 || rx != 3)
        fail("expected 6 tx errors and 3 rx errors");
}

/* The gateway answered (at MAC): on to the next phase. */
static void next_phase(const uint8_t mac[6])
{
    static const char *const what[] = { "", "", "after malformed messages, ",
                                        "after attaching again, " };
    printf("nictest: %sarp 10.0.2.2 is at %02x:%02x:%02x:%02x:%02x:%02x\n", what[phase], mac[0],
           mac[1], mac[2], mac[3], mac[4], mac[5]);
    if (phase == 1) {
        print_stats();
        send_malformed();
    } else if (phase == 2) {
        check_errors();
        uint32_t id = info.id;
        if (!attach())
            fail("attaching again");
        else if (info.id != id)
            fail("the instance changed: %u, then %u", id, info.id);
        else
            send_arp(free_tx_buffer());
    } else {
        finish();
    }
    phase++;
    actor_timer(TIMEOUT_NS, TIMEOUT_BIT);
}

/* Take what the nic put on NIC_TXDONE and NIC_RX (giving every RX buffer
 * back); true when the gateway's ARP reply was among it. */
static bool take(uint8_t mac[6])
{
    struct clk_ring_msg m;
    bool answered = false;
    while (clk_ring_get(nic_ring(region, NIC_TXDONE), &m)) {
        if (m.tag < NIC_RX_BUFS || m.tag >= NIC_BUFS || holds[m.tag])
            fail("NIC_TXDONE of buffer %lu, not one we sent", (unsigned long)m.tag);
        else
            holds[m.tag] = true;
    }
    while (clk_ring_get(nic_ring(region, NIC_RX), &m)) {
        if (m.tag >= NIC_RX_BUFS || m.w[0] < 14 || m.w[0] > NIC_FRAME_MAX) {
            fail("NIC_RX of buffer %lu, %lu bytes", (unsigned long)m.tag, (unsigned long)m.w[0]);
            continue;
        }
        answered |= arp_reply(nic_frame(region, (unsigned)m.tag), m.w[0], mac);
        put(NIC_RXFREE, m.tag, 0);
    }
    return answered;
}

static void notified(uint64_t bits)
{
    if (bits & TIMEOUT_BIT) {
        fail("no ARP reply in phase %u", phase);
        finish();
    }
    uint8_t mac[6];
    if ((bits & DB_BIT) && region && take(mac))
        next_phase(mac);
}

static long init(int argc, char **argv)
{
    (void)argc, (void)argv;
    nic = actor_lookup(NIC_NAME, 5000000000ULL);
    size_t len = sizeof(info);
    long r = nic < 0 ? nic : actor_call(nic, NIC_INFO, NULL, 0, &info, &len);
    if (r < 0) {
        printf("nictest: no nic: NIC_INFO -> %ld (%s)\n", r, actor_strerror(r));
        return r;
    }
    const uint8_t *m = info.mac;
    printf("nictest: nic instance %u: MAC %02x:%02x:%02x:%02x:%02x:%02x, MTU %u, link %s\n",
           info.id, m[0], m[1], m[2], m[3], m[4], m[5], info.mtu,
           info.flags & NIC_LINK_UP ? "up" : "down");
    r = actor_call(nic, NIC_ATTACH, NULL, 0, NULL, NULL);
    printf("nictest: NIC_ATTACH without a doorbell -> %ld\n", r);
    if (r != CLK_EINVAL)
        fail("NIC_ATTACH without a doorbell");
    r = actor_call_cap(nic, NIC_DOORBELL, NULL, 0, 0, NULL, NULL, &nic_doorbell);
    printf("nictest: NIC_DOORBELL -> %ld\n", r);
    if (r < 0 || nic_doorbell <= 0 || !attach())
        return CLK_EIO;
    phase = 1;
    send_arp(free_tx_buffer());
    return actor_timer(TIMEOUT_NS, TIMEOUT_BIT);
}

const struct actor_def actor = {
    .notified = notified,
    .init = init,
};
