/*
 * test_nic.c: the nic driver's buffers and rings (servers/nic/bufs.c),
 * with the test playing both the device and the client in a region of
 * host memory: frames received and sent through every state, each kind of
 * malformed client message dropped and counted, rings that are full or
 * whose layout the client overwrote, a new client attaching, and the
 * device reset. After every step the invariant (nic_bufs_consistent) holds.
 */
#include "nic/bufs.h"
#include <stdlib.h>
#include <unit.h>

static struct nic_bufs b;
static void *region;

#define HDR NIC_NET_HDR

static void fresh(void)
{
    free(region);
    region = calloc(1, NIC_REGION_SIZE);
    CHECK(region);
    nic_bufs_init(&b);
    CHECK(nic_bufs_consistent(&b));
}

/* The device takes every RX buffer the nic offers. */
static unsigned device_post_all(void)
{
    unsigned n = 0;
    for (; nic_fifo_first(&b.post) >= 0; n++)
        nic_bufs_posted(&b);
    CHECK(nic_bufs_consistent(&b));
    return n;
}

/* The device takes every frame waiting to be sent, and sends it. */
static unsigned device_send_all(void)
{
    unsigned n = 0;
    for (int buf; (buf = nic_fifo_first(&b.tx)) >= 0; n++) {
        nic_bufs_queued(&b);
        CHECK(nic_bufs_sent(&b, (unsigned)buf));
    }
    CHECK(nic_bufs_consistent(&b));
    return n;
}

static void client_put(enum nic_ring r, uint64_t tag, uint64_t len)
{
    struct clk_ring_msg m = { .tag = tag, .w = { len } };
    CHECK(clk_ring_put(nic_ring(region, r), &m, NULL));
}

static bool client_get(enum nic_ring r, struct clk_ring_msg *m)
{
    return clk_ring_get(nic_ring(region, r), m);
}

static const struct nic_stats *published(void)
{
    return (const struct nic_stats *)((char *)region + NIC_STATS_OFF);
}

static void test_start(void)
{
    fresh();
    CHECK_EQ(nic_bufs_count(&b, NIC_BUF_NIC), NIC_RX_BUFS);
    CHECK_EQ(nic_bufs_count(&b, NIC_BUF_CLIENT), NIC_TX_BUFS);
    CHECK_EQ(nic_fifo_first(&b.post), 0);
    CHECK_EQ(device_post_all(), NIC_RX_BUFS);
    CHECK_EQ(nic_bufs_count(&b, NIC_BUF_DEV_RX), NIC_RX_BUFS);
    /* without a client, frames are dropped and their buffers posted again */
    CHECK(nic_bufs_received(&b, 7, HDR + 60));
    CHECK_EQ(b.stats.rx_dropped, 1);
    CHECK_EQ(nic_fifo_first(&b.post), 7);
    CHECK_EQ(nic_bufs_take(&b, region), 0);
    CHECK(!nic_bufs_give(&b, region));
    nic_bufs_attach(&b, region);
    for (unsigned r = NIC_RX; r <= NIC_TXDONE; r++)
        CHECK_EQ(nic_ring(region, (enum nic_ring)r)->size, NIC_RING_SLOTS);
    CHECK(nic_bufs_consistent(&b));
}

static void test_receive(void)
{
    test_start();
    device_post_all();
    CHECK(nic_bufs_received(&b, 5, HDR + 60));
    CHECK(nic_bufs_received(&b, 9, HDR + NIC_FRAME_MAX));
    CHECK_EQ(nic_bufs_count(&b, NIC_BUF_RX_READY), 2);
    CHECK(nic_bufs_give(&b, region)); /* NIC_RX was empty: wake the client */
    CHECK(!nic_bufs_give(&b, region));
    struct clk_ring_msg m;
    CHECK(client_get(NIC_RX, &m));
    CHECK_EQ(m.tag, 5);
    CHECK_EQ(m.w[0], 60);
    CHECK(client_get(NIC_RX, &m));
    CHECK_EQ(m.tag, 9);
    CHECK_EQ(m.w[0], NIC_FRAME_MAX);
    CHECK(!client_get(NIC_RX, &m));
    CHECK_EQ(b.state[5], NIC_BUF_CLIENT);
    CHECK_EQ(published()->rx_packets, 2);
    CHECK_EQ(published()->rx_bytes, 60 + NIC_FRAME_MAX);
    /* given back, they go to the device again, in order */
    client_put(NIC_RXFREE, 9, 0);
    client_put(NIC_RXFREE, 5, 0);
    CHECK_EQ(nic_bufs_take(&b, region), 2);
    CHECK_EQ(nic_fifo_first(&b.post), 9);
    CHECK_EQ(device_post_all(), 2);
    /* frames too short or too long are dropped */
    CHECK(nic_bufs_received(&b, 1, HDR + NIC_FRAME_MIN - 1));
    CHECK(nic_bufs_received(&b, 2, HDR + NIC_FRAME_MAX + 1));
    CHECK(nic_bufs_received(&b, 3, 4));
    CHECK_EQ(b.stats.rx_dropped, 4);
    CHECK_EQ(nic_bufs_count(&b, NIC_BUF_NIC), 3);
    /* the device naming a buffer it does not hold changes nothing */
    CHECK(!nic_bufs_received(&b, 1, HDR + 60));
    CHECK(!nic_bufs_received(&b, NIC_RX_BUFS, HDR + 60));
    CHECK(!nic_bufs_received(&b, 100000, HDR + 60));
    CHECK(!nic_bufs_sent(&b, 5));
    CHECK(!nic_bufs_sent(&b, NIC_RX_BUFS));
    CHECK(nic_bufs_consistent(&b));
}

static void test_send(void)
{
    test_start();
    client_put(NIC_TX, NIC_RX_BUFS, 60);
    client_put(NIC_TX, NIC_BUFS - 1, NIC_FRAME_MIN);
    client_put(NIC_TX, NIC_RX_BUFS + 1, NIC_FRAME_MAX);
    CHECK_EQ(nic_bufs_take(&b, region), 3);
    CHECK_EQ(nic_bufs_count(&b, NIC_BUF_TX_READY), 3);
    CHECK_EQ(b.len[NIC_BUFS - 1], NIC_FRAME_MIN);
    CHECK_EQ(nic_fifo_first(&b.tx), NIC_RX_BUFS);
    nic_bufs_queued(&b);
    CHECK_EQ(b.state[NIC_RX_BUFS], NIC_BUF_DEV_TX);
    CHECK(!nic_bufs_give(&b, region)); /* nothing sent yet */
    CHECK(nic_bufs_sent(&b, NIC_RX_BUFS));
    CHECK(!nic_bufs_sent(&b, NIC_RX_BUFS)); /* twice: not the device's any more */
    CHECK_EQ(device_send_all(), 2);
    CHECK(nic_bufs_give(&b, region));
    struct clk_ring_msg m;
    unsigned n = 0;
    while (client_get(NIC_TXDONE, &m))
        CHECK_EQ(m.tag, n++ == 0 ? NIC_RX_BUFS : n == 2 ? NIC_BUFS - 1 : NIC_RX_BUFS + 1);
    CHECK_EQ(n, 3);
    CHECK_EQ(published()->tx_packets, 3);
    CHECK_EQ(published()->tx_bytes, 60 + NIC_FRAME_MIN + NIC_FRAME_MAX);
    CHECK_EQ(nic_bufs_count(&b, NIC_BUF_CLIENT), NIC_TX_BUFS);
}

static void test_malformed(void)
{
    test_start();
    device_post_all();
    CHECK(nic_bufs_received(&b, 4, HDR + 60));
    nic_bufs_give(&b, region);
    /* on NIC_RXFREE: out of range, a TX buffer, one the device has, one
     * given back twice; then the good one */
    client_put(NIC_RXFREE, NIC_BUFS, 0);
    client_put(NIC_RXFREE, ~0ULL, 0);
    client_put(NIC_RXFREE, NIC_RX_BUFS, 0);
    client_put(NIC_RXFREE, 6, 0);
    client_put(NIC_RXFREE, 4, 0);
    client_put(NIC_RXFREE, 4, 0);
    /* on NIC_TX: out of range, an RX buffer (the client's one too), lengths
     * out of range, and one sent twice */
    client_put(NIC_TX, NIC_BUFS, 60);
    client_put(NIC_TX, 1ULL << 40, 60);
    client_put(NIC_TX, 0, 60);
    client_put(NIC_TX, 4, 60);
    client_put(NIC_TX, NIC_RX_BUFS + 3, NIC_FRAME_MIN - 1);
    client_put(NIC_TX, NIC_RX_BUFS + 3, NIC_FRAME_MAX + 1);
    client_put(NIC_TX, NIC_RX_BUFS + 3, ~0ULL);
    client_put(NIC_TX, NIC_RX_BUFS + 3, 100);
    client_put(NIC_TX, NIC_RX_BUFS + 3, 100);
    CHECK_EQ(nic_bufs_take(&b, region), 2);
    CHECK_EQ(b.stats.rx_errors, 5);
    CHECK_EQ(b.stats.tx_errors, 8);
    CHECK_EQ(b.state[4], NIC_BUF_NIC);
    CHECK_EQ(b.state[6], NIC_BUF_DEV_RX);
    CHECK_EQ(b.state[NIC_RX_BUFS + 3], NIC_BUF_TX_READY);
    CHECK_EQ(b.len[NIC_RX_BUFS + 3], 100);
    nic_bufs_give(&b, region);
    CHECK_EQ(published()->rx_errors, 5);
    CHECK_EQ(published()->tx_errors, 8);
    CHECK(nic_bufs_consistent(&b));
}

/* A full NIC_RX (here: a client that moved its head back) keeps the frames
 * waiting, in order, until there is room. */
static void test_full_ring(void)
{
    test_start();
    device_post_all();
    struct clk_ring *rx = nic_ring(region, NIC_RX);
    rx->head = rx->tail - NIC_RING_SLOTS; /* looks full */
    for (unsigned i = 0; i < 10; i++)
        CHECK(nic_bufs_received(&b, 20 + i, HDR + 100 + i));
    CHECK(!nic_bufs_give(&b, region));
    CHECK_EQ(nic_bufs_count(&b, NIC_BUF_RX_READY), 10);
    rx->head = rx->tail - NIC_RING_SLOTS + 4; /* the client took four */
    CHECK(!nic_bufs_give(&b, region));        /* not empty before: no need to wake */
    CHECK_EQ(nic_bufs_count(&b, NIC_BUF_RX_READY), 6);
    CHECK_EQ(nic_fifo_first(&b.rx), 24);
    rx->head = rx->tail;
    CHECK(nic_bufs_give(&b, region));
    CHECK_EQ(nic_bufs_count(&b, NIC_BUF_RX_READY), 0);
    struct clk_ring_msg m;
    for (unsigned i = 4; i < 10; i++) {
        CHECK(client_get(NIC_RX, &m));
        CHECK_EQ(m.tag, 20 + i);
        CHECK_EQ(m.w[0], 100 + i);
    }
    CHECK(nic_bufs_consistent(&b));
}

/* A client that overwrote a ring's size gets it laid out again, counted;
 * nothing is read or written outside the slots (ASan would say). */
static void test_ring_layout_overwritten(void)
{
    test_start();
    client_put(NIC_TX, NIC_RX_BUFS, 60);
    nic_ring(region, NIC_TX)->size = 1u << 30;
    nic_ring(region, NIC_RXFREE)->size = 0;
    nic_ring(region, NIC_RXFREE)->tail = 1000;
    nic_ring(region, NIC_RX)->size = 3;
    nic_ring(region, NIC_TXDONE)->size = 512;
    CHECK_EQ(nic_bufs_take(&b, region), 0);
    CHECK_EQ(b.stats.tx_errors, 1);
    CHECK_EQ(b.stats.rx_errors, 1);
    device_post_all();
    CHECK(nic_bufs_received(&b, 0, HDR + 60));
    CHECK(nic_bufs_give(&b, region));
    CHECK_EQ(b.stats.rx_errors, 2);
    CHECK_EQ(b.stats.tx_errors, 2);
    for (unsigned r = NIC_RX; r <= NIC_TXDONE; r++)
        CHECK_EQ(nic_ring(region, (enum nic_ring)r)->size, NIC_RING_SLOTS);
    /* a tail far ahead of the head: at most a ring's worth is read (the
     * slots hold what they held: the first message, good, and zeros) */
    nic_ring(region, NIC_TX)->tail = nic_ring(region, NIC_TX)->head + 100000;
    CHECK_EQ(nic_bufs_take(&b, region), 1);
    CHECK_EQ(b.stats.tx_errors, 2 + NIC_RING_SLOTS - 1);
    CHECK(nic_bufs_consistent(&b));
}

/* A new client gets every buffer back where it starts; a device reset
 * gives back what the device held. */
static void test_attach_again(void)
{
    test_start();
    device_post_all();
    for (unsigned i = 0; i < 5; i++)
        CHECK(nic_bufs_received(&b, i, HDR + 60));
    nic_bufs_give(&b, region);                 /* 0-4 with the client */
    CHECK(nic_bufs_received(&b, 5, HDR + 60)); /* 5 waits for NIC_RX */
    client_put(NIC_TX, NIC_RX_BUFS, 60);
    client_put(NIC_TX, NIC_RX_BUFS + 1, 60);
    client_put(NIC_TX, NIC_RX_BUFS + 2, 60);
    nic_bufs_take(&b, region);
    nic_bufs_queued(&b);
    CHECK(nic_bufs_sent(&b, NIC_RX_BUFS)); /* waits for NIC_TXDONE */
    nic_bufs_queued(&b);                   /* +1 in the device */
    CHECK_EQ(nic_bufs_count(&b, NIC_BUF_DEV_TX), 1);
    nic_bufs_device_reset(&b);
    CHECK_EQ(b.stats.tx_dropped, 1);
    CHECK_EQ(nic_bufs_count(&b, NIC_BUF_DEV_RX), 0);
    CHECK(nic_bufs_consistent(&b));
    nic_bufs_attach(&b, region);
    CHECK_EQ(b.stats.tx_dropped, 2); /* + 2, never sent */
    CHECK_EQ(nic_bufs_count(&b, NIC_BUF_NIC), NIC_RX_BUFS);
    CHECK_EQ(nic_bufs_count(&b, NIC_BUF_CLIENT), NIC_TX_BUFS);
    CHECK_EQ(b.rx.count + b.tx.count + b.done.count, 0);
    struct clk_ring_msg m;
    CHECK(!client_get(NIC_RX, &m));
    CHECK(!client_get(NIC_TXDONE, &m));
    CHECK(nic_bufs_consistent(&b));
    /* and it works */
    CHECK_EQ(device_post_all(), NIC_RX_BUFS);
    client_put(NIC_TX, NIC_RX_BUFS + 2, 60);
    CHECK_EQ(nic_bufs_take(&b, region), 1);
    CHECK_EQ(device_send_all(), 1);
    CHECK(nic_bufs_give(&b, region));
    CHECK(client_get(NIC_TXDONE, &m));
    CHECK_EQ(m.tag, NIC_RX_BUFS + 2);
}

/* Random traffic, a well-behaved client: no buffer is ever lost. */
static void test_random_traffic(void)
{
    test_start();
    bool mine[NIC_BUFS] = { false };
    for (unsigned i = NIC_RX_BUFS; i < NIC_BUFS; i++)
        mine[i] = true;
    for (unsigned step = 0; step < 20000; step++) {
        unsigned op = (unsigned)(unit_rand() % 6);
        struct clk_ring_msg m;
        if (op == 0) {
            device_post_all();
        } else if (op == 1) {
            for (unsigned i = 0; i < NIC_RX_BUFS; i++)
                if (b.state[i] == NIC_BUF_DEV_RX && unit_rand() % 4 == 0)
                    nic_bufs_received(&b, i, HDR + 14 + (uint32_t)(unit_rand() % 1500));
        } else if (op == 2) {
            device_send_all();
        } else if (op == 3) {
            while (client_get(NIC_RX, &m)) {
                CHECK(!mine[m.tag]);
                mine[m.tag] = true;
            }
            while (client_get(NIC_TXDONE, &m)) {
                CHECK(!mine[m.tag]);
                mine[m.tag] = true;
            }
        } else if (op == 4) {
            for (unsigned i = 0; i < NIC_BUFS; i++) {
                if (mine[i] && unit_rand() % 3 == 0) {
                    mine[i] = false;
                    client_put(i < NIC_RX_BUFS ? NIC_RXFREE : NIC_TX, i, 60);
                }
            }
        } else {
            nic_bufs_take(&b, region);
            nic_bufs_give(&b, region);
        }
        CHECK(nic_bufs_consistent(&b));
    }
    CHECK_EQ(b.stats.rx_errors + b.stats.tx_errors, 0);
}

int main(void)
{
    printf("seed %llu\n", (unsigned long long)unit_seed());
    RUN(test_start);
    RUN(test_receive);
    RUN(test_send);
    RUN(test_malformed);
    RUN(test_full_ring);
    RUN(test_ring_layout_overwritten);
    RUN(test_attach_again);
    RUN(test_random_traffic);
    free(region);
    return 0;
}
