/*
 * bufs.c: who holds each frame buffer, and the traffic on the four rings
 * (bufs.h draws the states). The client writes the rings' memory, so
 * nothing read from it is trusted: buffer numbers, states and lengths are
 * checked here, and a ring whose size was overwritten is laid out again.
 */
#include "bufs.h"
#include <assert.h>
#include <string.h>

static void fifo_clear(struct nic_fifo *f)
{
    f->head = f->count = 0;
}

static void fifo_push(struct nic_fifo *f, unsigned buf)
{
    assert(f->count < NIC_BUFS); /* each buffer is in one FIFO at most */
    f->item[(f->head + f->count++) % NIC_BUFS] = (uint16_t)buf;
}

static unsigned fifo_pop(struct nic_fifo *f)
{
    assert(f->count > 0);
    unsigned buf = f->item[f->head];
    f->head = (f->head + 1) % NIC_BUFS;
    f->count--;
    return buf;
}

int nic_fifo_first(const struct nic_fifo *f)
{
    return f->count ? f->item[f->head] : -1;
}

/* BUF goes to STATE, and to the FIFO that state waits in (if any). */
static void move(struct nic_bufs *b, unsigned buf, enum nic_buf_state state)
{
    b->state[buf] = (uint8_t)state;
    if (state == NIC_BUF_NIC)
        fifo_push(&b->post, buf);
    else if (state == NIC_BUF_RX_READY)
        fifo_push(&b->rx, buf);
    else if (state == NIC_BUF_TX_READY)
        fifo_push(&b->tx, buf);
    else if (state == NIC_BUF_TX_DONE)
        fifo_push(&b->done, buf);
}

/* Every buffer in no FIFO; those in STATE (or all, for NIC_BUF_STATES)
 * where they start: RX ones the nic's, TX ones the client's. */
static void restart(struct nic_bufs *b, enum nic_buf_state from)
{
    for (unsigned i = 0; i < NIC_BUFS; i++)
        if (from == NIC_BUF_STATES || b->state[i] == from)
            b->state[i] = i < NIC_RX_BUFS ? NIC_BUF_NIC : NIC_BUF_CLIENT;
}

/* Rebuild the FIFOs from the states (after restart): to post, every NIC
 * buffer; the rest wait for nothing, or kept their FIFOs. */
static void refill_post(struct nic_bufs *b)
{
    fifo_clear(&b->post);
    for (unsigned i = 0; i < NIC_RX_BUFS; i++)
        if (b->state[i] == NIC_BUF_NIC)
            fifo_push(&b->post, i);
}

void nic_bufs_init(struct nic_bufs *b)
{
    memset(b, 0, sizeof(*b));
    restart(b, NIC_BUF_STATES);
    refill_post(b);
}

void nic_bufs_attach(struct nic_bufs *b, void *region)
{
    assert(nic_bufs_count(b, NIC_BUF_DEV_TX) == 0);
    b->stats.tx_dropped += b->tx.count; /* the old client's, never sent */
    restart(b, NIC_BUF_RX_READY);
    restart(b, NIC_BUF_CLIENT);
    restart(b, NIC_BUF_TX_READY);
    restart(b, NIC_BUF_TX_DONE);
    fifo_clear(&b->rx);
    fifo_clear(&b->tx);
    fifo_clear(&b->done);
    refill_post(b);
    for (unsigned r = NIC_RX; r <= NIC_TXDONE; r++)
        clk_ring_init(nic_ring(region, (enum nic_ring)r), NIC_RING_BYTES);
    b->attached = true;
}

void nic_bufs_device_reset(struct nic_bufs *b)
{
    b->stats.tx_dropped += nic_bufs_count(b, NIC_BUF_DEV_TX);
    for (unsigned i = 0; i < NIC_BUFS; i++)
        if (b->state[i] == NIC_BUF_DEV_TX)
            move(b, i, NIC_BUF_TX_DONE);
    restart(b, NIC_BUF_DEV_RX);
    refill_post(b);
}

/* RING as the nic expects it. A client that overwrote its size (the only
 * field whose value could send an index out of the slots) gets it laid out
 * afresh: what was in it is lost, and counted in *ERRORS. */
static struct clk_ring *ring(void *region, enum nic_ring r, uint64_t *errors)
{
    struct clk_ring *ring = nic_ring(region, r);
    if (__atomic_load_n(&ring->size, __ATOMIC_ACQUIRE) != NIC_RING_SLOTS) {
        clk_ring_init(ring, NIC_RING_BYTES);
        (*errors)++;
    }
    return ring;
}

/* Checks of a message M from the client; the buffer, or -1 when bad. */
static int check_rxfree(const struct nic_bufs *b, const struct clk_ring_msg *m)
{
    if (m->tag >= NIC_RX_BUFS || b->state[m->tag] != NIC_BUF_CLIENT)
        return -1;
    return (int)m->tag;
}

static int check_tx(const struct nic_bufs *b, const struct clk_ring_msg *m)
{
    if (m->tag < NIC_RX_BUFS || m->tag >= NIC_BUFS || b->state[m->tag] != NIC_BUF_CLIENT)
        return -1;
    if (m->w[0] < NIC_FRAME_MIN || m->w[0] > NIC_FRAME_MAX)
        return -1;
    return (int)m->tag;
}

/* Take up to a ring's worth of messages from ring R (a client that keeps
 * filling it is served again at its next doorbell): each checked by CHECK,
 * a good one's buffer moved to TO with its length. Returns how many were
 * good; bad ones are counted in *ERRORS. */
static unsigned take(struct nic_bufs *b, void *region, enum nic_ring r,
                     int (*check)(const struct nic_bufs *, const struct clk_ring_msg *),
                     enum nic_buf_state to, uint64_t *errors)
{
    struct clk_ring *q = ring(region, r, errors);
    unsigned good = 0, seen = 0;
    while (seen < NIC_RING_SLOTS) {
        uint32_t n;
        const struct clk_ring_msg *m = clk_ring_peek(q, &n);
        if (n == 0)
            break;
        n = n < NIC_RING_SLOTS - seen ? n : NIC_RING_SLOTS - seen;
        for (uint32_t i = 0; i < n; i++) {
            /* each word read once: the client may write the slot meanwhile */
            struct clk_ring_msg msg = { .tag = __atomic_load_n(&m[i].tag, __ATOMIC_RELAXED),
                                        .w = { __atomic_load_n(&m[i].w[0], __ATOMIC_RELAXED) } };
            int buf = check(b, &msg);
            if (buf < 0) {
                (*errors)++;
                continue;
            }
            if (to == NIC_BUF_TX_READY)
                b->len[buf] = (uint16_t)msg.w[0]; /* checked: 14 to NIC_FRAME_MAX */
            move(b, (unsigned)buf, to);
            good++;
        }
        seen += n;
        clk_ring_release(q, n);
    }
    return good;
}

unsigned nic_bufs_take(struct nic_bufs *b, void *region)
{
    if (!b->attached)
        return 0;
    unsigned n = take(b, region, NIC_RXFREE, check_rxfree, NIC_BUF_NIC, &b->stats.rx_errors);
    return n + take(b, region, NIC_TX, check_tx, NIC_BUF_TX_READY, &b->stats.tx_errors);
}

/* Put the buffers waiting in F on ring R while there is room; each goes to
 * the client. True when the ring was empty before. */
static bool give(struct nic_bufs *b, void *region, enum nic_ring r, struct nic_fifo *f,
                 uint64_t *errors)
{
    struct clk_ring *q = ring(region, r, errors);
    bool wake = false;
    while (f->count) {
        unsigned buf = (unsigned)nic_fifo_first(f);
        struct clk_ring_msg m = { .tag = buf, .w = { r == NIC_RX ? b->len[buf] : 0 } };
        bool was_empty;
        if (!clk_ring_put(q, &m, &was_empty))
            break; /* full: the rest waits for the next doorbell or interrupt */
        wake |= was_empty;
        fifo_pop(f);
        b->state[buf] = NIC_BUF_CLIENT;
    }
    return wake;
}

bool nic_bufs_give(struct nic_bufs *b, void *region)
{
    if (!b->attached)
        return false;
    bool wake = give(b, region, NIC_RX, &b->rx, &b->stats.rx_errors);
    wake |= give(b, region, NIC_TXDONE, &b->done, &b->stats.tx_errors);
    memcpy((char *)region + NIC_STATS_OFF, &b->stats, sizeof(b->stats));
    return wake;
}

void nic_bufs_posted(struct nic_bufs *b)
{
    b->state[fifo_pop(&b->post)] = NIC_BUF_DEV_RX;
}

void nic_bufs_queued(struct nic_bufs *b)
{
    b->state[fifo_pop(&b->tx)] = NIC_BUF_DEV_TX;
}

bool nic_bufs_received(struct nic_bufs *b, unsigned buf, uint32_t len)
{
    if (buf >= NIC_RX_BUFS || b->state[buf] != NIC_BUF_DEV_RX)
        return false;
    uint32_t frame = len >= NIC_NET_HDR ? len - NIC_NET_HDR : 0;
    if (!b->attached || frame < NIC_FRAME_MIN || frame > NIC_FRAME_MAX) {
        b->stats.rx_dropped++; /* nobody to take it, or not a frame we pass on */
        move(b, buf, NIC_BUF_NIC);
        return true;
    }
    b->stats.rx_packets++;
    b->stats.rx_bytes += frame;
    b->len[buf] = (uint16_t)frame;
    move(b, buf, NIC_BUF_RX_READY);
    return true;
}

bool nic_bufs_sent(struct nic_bufs *b, unsigned buf)
{
    if (buf < NIC_RX_BUFS || buf >= NIC_BUFS || b->state[buf] != NIC_BUF_DEV_TX)
        return false;
    b->stats.tx_packets++;
    b->stats.tx_bytes += b->len[buf];
    move(b, buf, NIC_BUF_TX_DONE);
    return true;
}

unsigned nic_bufs_count(const struct nic_bufs *b, enum nic_buf_state state)
{
    unsigned n = 0;
    for (unsigned i = 0; i < NIC_BUFS; i++)
        n += b->state[i] == state;
    return n;
}

/* The FIFO buffers in STATE wait in, or NULL. */
static const struct nic_fifo *fifo_of(const struct nic_bufs *b, unsigned state)
{
    return state == NIC_BUF_NIC        ? &b->post
           : state == NIC_BUF_RX_READY ? &b->rx
           : state == NIC_BUF_TX_READY ? &b->tx
           : state == NIC_BUF_TX_DONE  ? &b->done
                                       : NULL;
}

/* Whether BUF may be in STATE: RX buffers never take the TX states, nor
 * TX buffers the RX ones; both may be the client's. */
static bool state_fits(unsigned buf, unsigned state)
{
    bool rx_side = state == NIC_BUF_NIC || state == NIC_BUF_DEV_RX || state == NIC_BUF_RX_READY;
    return state == NIC_BUF_CLIENT || (state < NIC_BUF_STATES && rx_side == (buf < NIC_RX_BUFS));
}

bool nic_bufs_consistent(const struct nic_bufs *b)
{
    for (unsigned i = 0; i < NIC_BUFS; i++)
        if (!state_fits(i, b->state[i]))
            return false;
    bool seen[NIC_BUFS] = { false };
    for (unsigned s = 0; s < NIC_BUF_STATES; s++) {
        const struct nic_fifo *f = fifo_of(b, s);
        if (!f)
            continue;
        if (f->count > NIC_BUFS || f->head >= NIC_BUFS || f->count != nic_bufs_count(b, s))
            return false;
        for (unsigned i = 0; i < f->count; i++) {
            unsigned buf = f->item[(f->head + i) % NIC_BUFS];
            if (buf >= NIC_BUFS || b->state[buf] != s || seen[buf])
                return false;
            seen[buf] = true;
        }
    }
    return true;
}
