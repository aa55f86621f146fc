/*
 * fuzz_nic.c: libFuzzer target for the nic driver's buffers and rings
 * (servers/nic/bufs.c). The input is a script of steps by a hostile client
 * (any message on its rings, any value in the rings' indices and size) and
 * a device that uses the buffers it holds in any order; a new client may
 * attach and the device may be reset. After every step the buffers' states
 * and FIFOs agree (nothing lost, nothing held twice), and every message
 * the nic puts in a ring names a buffer it handed over, of the right kind.
 */
#include "nic/bufs.h"
#include <stdlib.h>
#include <unit.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct nic_bufs b;
static void *region;
static bool scribbled[4]; /* the client wrote a ring's indices since the nic laid it out */

/* The next LEN bytes of the input, little-endian (zeros past its end). */
static uint64_t next(const uint8_t **p, const uint8_t *end, unsigned len)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < len && *p < end; i++)
        v |= (uint64_t) * (*p)++ << (8 * i);
    return v;
}

/* A buffer number as a hostile client writes one: mostly in range. */
static uint64_t any_buffer(const uint8_t **p, const uint8_t *end)
{
    uint64_t v = next(p, end, 2);
    return v & 0x8000 ? next(p, end, 8) : v % (NIC_BUFS + 8);
}

/* The Nth (mod count) buffer in STATE, or -1. */
static int pick(enum nic_buf_state state, uint64_t n)
{
    unsigned count = nic_bufs_count(&b, state);
    if (!count)
        return -1;
    n %= count;
    for (unsigned i = 0; i < NIC_BUFS; i++)
        if (b.state[i] == state && n-- == 0)
            return (int)i;
    return -1;
}

/* The client reads ring R: every message names a buffer the nic gave it
 * (unless the client moved the indices: then it reads its own garbage). */
static void client_reads(enum nic_ring r)
{
    struct clk_ring *q = nic_ring(region, r);
    if (q->size != NIC_RING_SLOTS || scribbled[r])
        return;
    struct clk_ring_msg m;
    for (unsigned n = 0; n < NIC_RING_SLOTS && clk_ring_get(q, &m); n++) {
        CHECK(m.tag < NIC_BUFS);
        CHECK(r == NIC_RX ? m.tag < NIC_RX_BUFS : m.tag >= NIC_RX_BUFS);
        if (r == NIC_RX)
            CHECK(m.w[0] >= NIC_FRAME_MIN && m.w[0] <= NIC_FRAME_MAX);
    }
}

static void step(unsigned op, const uint8_t **p, const uint8_t *end)
{
    unsigned r = (unsigned)(next(p, end, 1) % 4);
    struct clk_ring *q = nic_ring(region, (enum nic_ring)r);
    int buf;
    switch (op) {
    case 0: /* the client writes a message on NIC_RXFREE or NIC_TX */
    case 1: {
        struct clk_ring_msg m = { .tag = any_buffer(p, end), .w = { next(p, end, 2) } };
        struct clk_ring *to = nic_ring(region, op ? NIC_TX : NIC_RXFREE);
        if (to->size == NIC_RING_SLOTS)
            clk_ring_put(to, &m, NULL);
        break;
    }
    case 2: /* the client scribbles on a ring's indices or size */
        *(&q->head + 16 * (next(p, end, 1) % 3)) = (uint32_t)next(p, end, 4);
        scribbled[r] = true;
        break;
    case 3:
        client_reads(NIC_RX);
        client_reads(NIC_TXDONE);
        break;
    case 4: nic_bufs_take(&b, region); break;
    case 5: nic_bufs_give(&b, region); break;
    case 6: /* the device takes buffers */
        for (unsigned n = (unsigned)next(p, end, 1); n--;) {
            if (nic_fifo_first(&b.post) >= 0)
                nic_bufs_posted(&b);
            if (nic_fifo_first(&b.tx) >= 0)
                nic_bufs_queued(&b);
        }
        break;
    case 7: /* the device uses one, or names any buffer */
        if ((buf = pick(NIC_BUF_DEV_RX, next(p, end, 2))) >= 0)
            CHECK(nic_bufs_received(&b, (unsigned)buf, (uint32_t)next(p, end, 2)));
        break;
    case 8:
        if ((buf = pick(NIC_BUF_DEV_TX, next(p, end, 2))) >= 0)
            CHECK(nic_bufs_sent(&b, (unsigned)buf));
        break;
    case 9:
        nic_bufs_received(&b, (unsigned)next(p, end, 2), (uint32_t)next(p, end, 2));
        nic_bufs_sent(&b, (unsigned)next(p, end, 2));
        break;
    case 10: /* a new client; the device is reset if it holds TX buffers */
        if (nic_bufs_count(&b, NIC_BUF_DEV_TX))
            nic_bufs_device_reset(&b);
        nic_bufs_attach(&b, region);
        memset(scribbled, 0, sizeof(scribbled));
        CHECK_EQ(nic_bufs_count(&b, NIC_BUF_CLIENT), NIC_TX_BUFS);
        break;
    default:
        nic_bufs_device_reset(&b);
        CHECK_EQ(nic_bufs_count(&b, NIC_BUF_DEV_RX) + nic_bufs_count(&b, NIC_BUF_DEV_TX), 0);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unit_abort_on_fail = true;
    if (!region)
        region = malloc(NIC_REGION_SIZE);
    memset(region, 0, NIC_REGION_SIZE);
    nic_bufs_init(&b);
    memset(scribbled, 0, sizeof(scribbled));
    if (size && data[0] & 1)
        nic_bufs_attach(&b, region);
    const uint8_t *p = data + (size > 0), *end = data + size;
    while (p < end) {
        step((unsigned)next(&p, end, 1) % 12, &p, end);
        CHECK(nic_bufs_consistent(&b));
    }
    return 0;
}
