/*
 * test_block.c: the block driver's pure parts on the host: split
 * virtqueues (servers/virtio/virtq.c) and the request path
 * (servers/block/ops.c), vectored writes included, with this file
 * playing the virtio-blk device.
 * Physical addresses are host addresses here, so the device reads and
 * writes buffers through them.
 */
#include "block.h"
#include <stdlib.h>

#include <unit.h> /* last: kdefs.h defines short macros */

/* ---- a device: takes what the driver made available, in any order ---- */

struct fake {
    struct virtq *q;
    uint16_t last_avail;
    uint16_t done[VIRTQ_MAX]; /* heads taken, not yet put in the used ring */
    uint32_t done_len[VIRTQ_MAX];
    unsigned ndone;
    uint8_t disk[256 * BLOCK_SECTOR];
    uint8_t fail_status; /* what it answers (0: VIRTIO_BLK_S_OK) */
    uint64_t fail_lba1;  /* 1 + the sector whose requests fail (IOERR), or 0 */
};

static uint16_t doorbell;

/* One virtio-blk request of the chain at HEAD; returns the bytes written. */
static uint32_t serve(struct fake *f, uint16_t head)
{
    struct virtq_desc *d = &f->q->desc[head];
    CHECK(!(d->flags & VIRTQ_DESC_F_WRITE) && d->len == 16 && (d->flags & VIRTQ_DESC_F_NEXT));
    uint32_t type = *(uint32_t *)(uintptr_t)d->addr, written = 0;
    uint64_t sector = *(uint64_t *)(uintptr_t)(d->addr + 8), at = sector * BLOCK_SECTOR;
    unsigned pieces = 0;
    for (d = &f->q->desc[d->next]; d->flags & VIRTQ_DESC_F_NEXT; d = &f->q->desc[d->next]) {
        pieces++;
        CHECK(at + d->len <= sizeof(f->disk));
        CHECK_EQ(!!(d->flags & VIRTQ_DESC_F_WRITE), type == 0); /* reads write the buffer */
        if (type == 0)
            memcpy((void *)(uintptr_t)d->addr, f->disk + at, d->len), written += d->len;
        else
            memcpy(f->disk + at, (void *)(uintptr_t)d->addr, d->len);
        at += d->len;
    }
    CHECK(d->len == 1 && (d->flags & VIRTQ_DESC_F_WRITE));
    CHECK_EQ(pieces == 0, type == 4); /* only a flush (VIRTIO_BLK_T_FLUSH) has no data */
    *(uint8_t *)(uintptr_t)d->addr = f->fail_lba1 == sector + 1 ? 1 : f->fail_status;
    return written + 1;
}

/* Take every chain made available since last time. */
static void device_take(struct fake *f)
{
    while (f->last_avail != f->q->avail->idx) {
        uint16_t head = f->q->avail->ring[f->last_avail++ & (f->q->size - 1)];
        f->done[f->ndone] = head;
        f->done_len[f->ndone++] = serve(f, head);
    }
}

/* Put the finished chain I (of those taken) in the used ring. */
static void device_use(struct fake *f, unsigned i)
{
    volatile struct virtq_used *u = f->q->used;
    u->ring[u->idx & (f->q->size - 1)].id = f->done[i];
    u->ring[u->idx & (f->q->size - 1)].len = f->done_len[i];
    u->idx++;
    f->done[i] = f->done[--f->ndone];
    f->done_len[i] = f->done_len[f->ndone];
}

static _Alignas(4096) uint8_t ring_mem[3 * 4096];

static void queue(struct virtq *q, uint16_t size)
{
    CHECK(virtq_bytes(size) <= sizeof(ring_mem));
    memset(ring_mem, 0, sizeof(ring_mem));
    virtq_init(q, 3, size, ring_mem, &doorbell);
}

/* ---- virtqueues ---- */

static void test_virtq_chains(void)
{
    static struct virtq q;
    static struct fake f;
    queue(&q, 8);
    f = (struct fake){ .q = &q };
    CHECK_EQ(virtq_avail_offset(8), 128);
    CHECK_EQ(virtq_used_offset(8), 128 + 24); /* 6 + 16 bytes, rounded up to 4 */
    uint8_t hdr[16] = { 0 }, status = 0xFF, data[1024];
    struct virtq_buf bufs[3] = { { (uintptr_t)hdr, 16, false },
                                 { (uintptr_t)data, sizeof(data), true },
                                 { (uintptr_t)&status, 1, true } };
    CHECK_EQ(virtq_add(&q, bufs, 0), CLK_EINVAL);
    long a = virtq_add(&q, bufs, 3), b = virtq_add(&q, bufs, 3);
    CHECK(a >= 0 && b >= 0 && a != b);
    CHECK_EQ(q.nfree, 2);
    CHECK_EQ(virtq_add(&q, bufs, 3), CLK_EAGAIN);
    CHECK_EQ(q.avail->idx, 0); /* not published before the kick */
    doorbell = 0xFFFF;
    virtq_kick(&q);
    CHECK_EQ(doorbell, 3);
    uint32_t len;
    CHECK_EQ(virtq_take(&q, &len), CLK_ENOENT);
    device_take(&f);
    CHECK_EQ(f.ndone, 2);
    device_use(&f, 1); /* the second first */
    CHECK_EQ(virtq_take(&q, &len), b);
    CHECK_EQ(len, sizeof(data) + 1);
    CHECK_EQ(q.nfree, 5);
    device_use(&f, 0);
    CHECK_EQ(virtq_take(&q, &len), a);
    CHECK_EQ(q.nfree, 8);
    /* a device that names no chain of ours, or one twice */
    q.used->ring[q.used->idx & 7].id = 5;
    q.used->idx++;
    CHECK_EQ(virtq_take(&q, &len), CLK_EIO);
    q.used->ring[q.used->idx & 7].id = (uint32_t)a;
    q.used->idx++;
    CHECK_EQ(virtq_take(&q, &len), CLK_EIO);
    CHECK_EQ(q.nfree, 8);
    /* it asked not to be notified */
    q.used->flags = VIRTQ_USED_F_NO_NOTIFY;
    doorbell = 0xFFFF;
    CHECK(virtq_add(&q, bufs, 1) >= 0);
    virtq_kick(&q);
    CHECK_EQ(doorbell, 0xFFFF);
}

/* Random chains, completed in random order: no descriptor is in two
 * chains at once, and all come back. */
static void test_virtq_random(void)
{
    static struct virtq q;
    static struct fake f;
    queue(&q, 64);
    f = (struct fake){ .q = &q };
    static uint8_t owner[VIRTQ_MAX]; /* 1 + the head of the chain it is in, or 0 */
    memset(owner, 0, sizeof(owner));
    static uint8_t hdr[16], status;
    static uint8_t data[4][BLOCK_SECTOR];
    unsigned in_flight = 0;
    for (unsigned step = 0; step < 200000; step++) {
        if (unit_rand_below(3)) {
            unsigned pieces = 1 + (unsigned)unit_rand_below(4);
            struct virtq_buf bufs[6] = { { (uintptr_t)hdr, 16, false } };
            for (unsigned i = 0; i < pieces; i++)
                bufs[1 + i] = (struct virtq_buf){ (uintptr_t)data[i], BLOCK_SECTOR, true };
            bufs[1 + pieces] = (struct virtq_buf){ (uintptr_t)&status, 1, true };
            unsigned n = pieces + 2, before = q.nfree;
            long head = virtq_add(&q, bufs, n);
            if (n > before) {
                CHECK_EQ(head, CLK_EAGAIN);
                continue;
            }
            CHECK(head >= 0 && head < 64);
            for (unsigned i = 0, d = (unsigned)head; i < n; i++, d = q.desc[d].next) {
                CHECK_EQ(owner[d], 0);
                owner[d] = (uint8_t)(head + 1);
            }
            in_flight++;
            if (unit_rand_below(2))
                virtq_kick(&q);
        } else if (f.ndone) {
            device_use(&f, (unsigned)unit_rand_below(f.ndone));
            uint32_t len;
            long head = virtq_take(&q, &len);
            CHECK(head >= 0);
            for (unsigned d = 0; d < 64; d++)
                if (owner[d] == head + 1)
                    owner[d] = 0;
            in_flight--;
        } else {
            virtq_kick(&q);
            device_take(&f);
        }
    }
    virtq_kick(&q);
    device_take(&f);
    while (f.ndone) {
        uint32_t len;
        device_use(&f, 0);
        CHECK(virtq_take(&q, &len) >= 0);
        in_flight--;
    }
    CHECK_EQ(in_flight, 0);
    CHECK_EQ(q.nfree, 64);
}

/* ---- requests ---- */

static _Alignas(4096) uint8_t header_page[4096];
static _Alignas(4096) uint8_t buffer[64 * 1024];
static struct blk b;
static struct fake dev;
static long results[BLK_SLOTS_MAX + 1];
static unsigned nresults;

static void done(uint64_t cookie, long status)
{
    CHECK(cookie < BLK_SLOTS_MAX + 1);
    results[cookie] = status;
    nresults++;
}

/* A driver for a disk of 256 sectors, a buffer of 64 KiB, requests of up
 * to 16 KiB in pieces of SEG bytes, on a queue of 32 (so SEG 2048 leaves
 * room for 3 requests in flight, 16384 for 10). */
static void driver(uint32_t seg)
{
    queue(&b.q, 32);
    b.sectors = 256;
    b.read_only = false;
    b.has_flush = true;
    b.headers = (struct pci_dma){ .va = header_page, .phys = (uintptr_t)header_page };
    b.buffer = (struct pci_dma){ .va = buffer, .phys = (uintptr_t)buffer, .size = sizeof(buffer) };
    b.max_transfer = 16 * 1024;
    b.seg_bytes = seg;
    b.descs = 2 + (b.max_transfer + seg - 1) / seg;
    b.nslots = b.q.size / b.descs;
    memset(b.slots, 0, sizeof(b.slots));
    memset(b.reqs, 0, sizeof(b.reqs));
    dev = (struct fake){ .q = &b.q };
    for (unsigned i = 0; i < sizeof(dev.disk); i++)
        dev.disk[i] = (uint8_t)(i / BLOCK_SECTOR * 7 + i);
    nresults = 0;
}

static struct block_io io(uint64_t lba, uint32_t count, uint64_t offset)
{
    return (struct block_io){ .lba = lba, .offset = offset, .count = count };
}

static void test_blk_check(void)
{
    driver(16 * 1024);
    struct block_io ok = io(0, 1, 0);
    CHECK_EQ(blk_check(&b, BLOCK_READ, &ok), 0);
    CHECK_EQ(blk_check(&b, BLOCK_WRITE, &ok), 0);
    CHECK_EQ(blk_check(&b, BLOCK_FLUSH, NULL), 0);
    struct block_io last = io(255, 1, sizeof(buffer) - BLOCK_SECTOR);
    CHECK_EQ(blk_check(&b, BLOCK_READ, &last), 0);
    struct block_io biggest = io(224, 32, sizeof(buffer) - 16 * 1024);
    CHECK_EQ(blk_check(&b, BLOCK_READ, &biggest), 0);
    const struct block_io bad[] = {
        io(256, 1, 0),
        io(255, 2, 0),
        io(~0ULL, 2, 0),
        io(0, 0, 0),
        io(0, 33, 0),
        io(0, 1, 100),
        io(0, 2, sizeof(buffer) - BLOCK_SECTOR),
        io(0, 1, ~0ULL - 511),
        io(0, 1, sizeof(buffer)),
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_EQ(blk_check(&b, BLOCK_READ, &bad[i]), CLK_EINVAL);
        CHECK_EQ(blk_check(&b, BLOCK_WRITE, &bad[i]), CLK_EINVAL);
    }
    struct block_io flagged = io(0, 1, 0);
    flagged.buffer = 1; /* another instance's buffer */
    CHECK_EQ(blk_check(&b, BLOCK_READ, &flagged), CLK_EDEAD);
    CHECK_EQ(blk_check(&b, BLOCK_INFO, &ok), CLK_EINVAL);
    b.read_only = true;
    CHECK_EQ(blk_check(&b, BLOCK_WRITE, &ok), CLK_EPERM);
    CHECK_EQ(blk_check(&b, BLOCK_READ, &ok), 0);
    b.read_only = false;
    for (unsigned i = 0; i < b.nslots; i++)
        blk_submit(&b, BLOCK_READ, &ok, i);
    CHECK_EQ(blk_check(&b, BLOCK_READ, &ok), CLK_EAGAIN);
    CHECK_EQ(blk_check(&b, BLOCK_FLUSH, NULL), CLK_EAGAIN);
    CHECK_EQ(blk_check(&b, BLOCK_READ, &bad[0]), CLK_EINVAL); /* the request's fault first */
}

/* Requests in flight at once, finished in random order, with the data in
 * pieces of SEG bytes: every one is answered once, with the right data. */
static void requests(uint32_t seg)
{
    driver(seg);
    unsigned n = b.nslots - 1; /* and a flush */
    CHECK(n >= 2);
    for (unsigned i = 0; i < n; i++) {
        uint32_t count = 1 + (uint32_t)unit_rand_below(32);
        struct block_io r = io(unit_rand_below(256 - count), count, i * 4096);
        unsigned type = i % 3 == 2 ? BLOCK_WRITE : BLOCK_READ;
        if (type == BLOCK_WRITE)
            memset(buffer + r.offset, 0x40 + i, BLOCK_SECTOR); /* only its first sector */
        CHECK_EQ(blk_check(&b, type, &r), 0);
        blk_submit(&b, type, &r, i);
        CHECK_EQ(b.q.chain[b.slots[i].head], 2 + (count * BLOCK_SECTOR + seg - 1) / seg);
        results[i] = 1;
    }
    CHECK_EQ(blk_check(&b, BLOCK_FLUSH, NULL), 0);
    blk_submit(&b, BLOCK_FLUSH, NULL, n);
    CHECK_EQ(blk_check(&b, BLOCK_FLUSH, NULL), CLK_EAGAIN);
    device_take(&dev);
    while (dev.ndone)
        device_use(&dev, (unsigned)unit_rand_below(dev.ndone));
    blk_complete(&b, done);
    CHECK_EQ(nresults, n + 1);
    for (unsigned i = 0; i <= n; i++)
        CHECK_EQ(results[i], 0);
    CHECK_EQ(b.q.nfree, b.q.size);
}

static void test_blk_requests(void)
{
    requests(16 * 1024);
    requests(4096);
    requests(2048);
}

/* One request through the device; what it was answered. With LOST (a
 * flush only), the device's status byte is lost. */
static long one(unsigned type, uint64_t lba, uint32_t count, uint64_t offset, bool lost)
{
    struct block_io r = io(lba, count, offset);
    unsigned before = nresults;
    blk_submit(&b, type, &r, 0);
    device_take(&dev);
    if (lost) /* a flush's status: the descriptor after the header */
        *(uint8_t *)(uintptr_t)b.q.desc[b.q.desc[b.slots[0].head].next].addr = 0xFF;
    device_use(&dev, 0);
    blk_complete(&b, done);
    CHECK_EQ(nresults, before + 1);
    return results[0];
}

static void test_blk_data_and_errors(void)
{
    driver(4096);
    memset(buffer, 0, sizeof(buffer));
    CHECK_EQ(one(BLOCK_READ, 10, 20, 8192, false), 0);
    CHECK(memcmp(buffer + 8192, dev.disk + 10 * BLOCK_SECTOR, 20 * BLOCK_SECTOR) == 0);
    memset(buffer, 0x5A, sizeof(buffer));
    CHECK_EQ(one(BLOCK_WRITE, 3, 2, 0, false), 0);
    CHECK(dev.disk[3 * BLOCK_SECTOR] == 0x5A && dev.disk[5 * BLOCK_SECTOR - 1] == 0x5A);
    CHECK(dev.disk[5 * BLOCK_SECTOR] != 0x5A);
    dev.fail_status = 1; /* VIRTIO_BLK_S_IOERR */
    CHECK_EQ(one(BLOCK_READ, 3, 2, 0, false), CLK_EIO);
    dev.fail_status = 0;
    CHECK_EQ(one(BLOCK_FLUSH, 0, 0, 0, true), CLK_EIO); /* no status written is an error */
    CHECK_EQ(one(BLOCK_FLUSH, 0, 0, 0, false), 0);
}

/* ---- vectored writes ---- */

/* Slots busy now: a bit each. */
static uint64_t busy_slots(void)
{
    uint64_t m = 0;
    for (unsigned i = 0; i < b.nslots; i++)
        m |= (uint64_t)b.slots[i].busy << i;
    return m;
}

/* N entries of 1 to 4 sectors, apart on the disk and in the buffer. */
static void entries(struct block_io *ios, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        ios[i] = io(200 - 10 * i, 1 + i % 4, i * 4096);
}

/* All entries reach the device, at once, and the one answer comes with
 * the last of them, whatever order they complete in. */
static void test_writev(void)
{
    driver(4096); /* 5 slots */
    CHECK_EQ(b.nslots, 5);
    struct block_io ios[5];
    entries(ios, 5);
    for (unsigned i = 0; i < 5 * 4096; i++)
        buffer[i] = (uint8_t)(i * 3 + 1);
    CHECK_EQ(blk_check_writev(&b, ios, 5), 0);
    blk_submit_writev(&b, ios, 5, 9);
    CHECK_EQ(busy_slots(), 0x1F);
    CHECK_EQ(blk_check(&b, BLOCK_READ, &ios[0]), CLK_EAGAIN);
    CHECK_EQ(doorbell, 3);
    device_take(&dev);
    CHECK_EQ(dev.ndone, 5); /* every entry was made available */
    for (unsigned i = 0; i < 5; i++)
        CHECK(memcmp(dev.disk + ios[i].lba * BLOCK_SECTOR, buffer + ios[i].offset,
                     ios[i].count * BLOCK_SECTOR) == 0);
    for (unsigned left = 5; left > 0; left--) {
        CHECK_EQ(nresults, 0);
        device_use(&dev, (unsigned)unit_rand_below(left));
        blk_complete(&b, done);
    }
    CHECK_EQ(nresults, 1);
    CHECK_EQ(results[9], 0);
    CHECK_EQ(busy_slots(), 0);
    CHECK_EQ(b.q.nfree, b.q.size);
    /* one entry: like a WRITE */
    nresults = 0;
    CHECK_EQ(blk_check_writev(&b, ios, 1), 0);
    blk_submit_writev(&b, ios, 1, 4);
    device_take(&dev);
    device_use(&dev, 0);
    blk_complete(&b, done);
    CHECK(nresults == 1 && results[4] == 0);
}

/* A bad entry anywhere refuses the whole request, which changes nothing. */
static void test_writev_refused(void)
{
    driver(4096);
    struct block_io ios[5];
    const struct block_io bad[] = {
        io(256, 1, 0),   io(255, 2, 0),         io(0, 0, 0),
        io(0, 33, 0),    io(0, 1, 100),         io(0, 2, sizeof(buffer) - BLOCK_SECTOR),
        io(~0ULL, 2, 0), io(0, 1, ~0ULL - 511),
    };
    for (unsigned k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        for (unsigned at = 0; at < 4; at++) {
            entries(ios, 4);
            ios[at] = bad[k];
            CHECK_EQ(blk_check_writev(&b, ios, 4), CLK_EINVAL);
        }
    }
    entries(ios, 4);
    ios[3].buffer = 1;
    CHECK_EQ(blk_check_writev(&b, ios, 4), CLK_EDEAD);
    entries(ios, 4);
    ios[2].offset = ios[1].offset + BLOCK_SECTOR; /* shares the buffer's bytes */
    CHECK_EQ(blk_check_writev(&b, ios, 4), CLK_EINVAL);
    entries(ios, 4);
    ios[3].lba = ios[1].lba + ios[1].count - 1; /* shares a sector */
    CHECK_EQ(blk_check_writev(&b, ios, 4), CLK_EINVAL);
    ios[3].lba = ios[1].lba + ios[1].count; /* adjacent is fine, on either side */
    CHECK_EQ(blk_check_writev(&b, ios, 4), 0);
    ios[3].lba = ios[1].lba - ios[3].count;
    CHECK_EQ(blk_check_writev(&b, ios, 4), 0);
    ios[3].offset = ios[2].offset - ios[3].count * BLOCK_SECTOR;
    CHECK_EQ(blk_check_writev(&b, ios, 4), 0);
    ios[3].offset = ios[2].offset + ios[2].count * BLOCK_SECTOR;
    CHECK_EQ(blk_check_writev(&b, ios, 4), 0);
    CHECK_EQ(blk_check_writev(&b, ios, 0), CLK_EINVAL);
    entries(ios, 5);
    CHECK_EQ(blk_check_writev(&b, ios, 5), 0);
    static struct block_io many[BLK_SLOTS_MAX + 1];
    for (unsigned i = 0; i <= BLK_SLOTS_MAX; i++)
        many[i] = io(i, 1, i * BLOCK_SECTOR);
    CHECK_EQ(blk_check_writev(&b, many, b.nslots + 1), CLK_EINVAL); /* above max_requests */
    b.read_only = true;
    CHECK_EQ(blk_check_writev(&b, ios, 5), CLK_EPERM);
    ios[4] = bad[0];
    CHECK_EQ(blk_check_writev(&b, ios, 5), CLK_EINVAL); /* the malformed first */
    b.read_only = false;
    CHECK_EQ(busy_slots(), 0);
    CHECK_EQ(b.q.nfree, b.q.size);
    CHECK_EQ(b.q.avail_idx, 0); /* nothing was ever submitted */
}

/* Not enough free slots for every entry: CLK_EAGAIN, after the request's
 * own faults. */
static void test_writev_slots(void)
{
    driver(4096); /* 5 slots */
    struct block_io r = io(0, 1, 60 * 1024), ios[5];
    blk_submit(&b, BLOCK_READ, &r, 0);
    blk_submit(&b, BLOCK_READ, &r, 1);
    entries(ios, 5);
    CHECK_EQ(blk_check_writev(&b, ios, 4), CLK_EAGAIN);
    CHECK_EQ(blk_check_writev(&b, ios, 3), 0);
    ios[0].count = 0;
    CHECK_EQ(blk_check_writev(&b, ios, 4), CLK_EINVAL);
    entries(ios, 5);
    blk_submit_writev(&b, ios, 3, 2);
    CHECK_EQ(blk_check_writev(&b, ios, 1), CLK_EAGAIN);
    device_take(&dev);
    while (dev.ndone)
        device_use(&dev, (unsigned)unit_rand_below(dev.ndone));
    blk_complete(&b, done);
    CHECK_EQ(nresults, 3);
    CHECK(results[0] == 0 && results[1] == 0 && results[2] == 0);
}

/* One failed entry makes the answer CLK_EIO; the others were written. */
static void test_writev_error(void)
{
    driver(4096);
    struct block_io ios[4];
    entries(ios, 4);
    memset(buffer, 0x77, sizeof(buffer));
    dev.fail_lba1 = ios[2].lba + 1;
    CHECK_EQ(blk_check_writev(&b, ios, 4), 0);
    blk_submit_writev(&b, ios, 4, 5);
    device_take(&dev);
    while (dev.ndone) {
        CHECK_EQ(nresults, 0);
        device_use(&dev, 0);
        blk_complete(&b, done);
    }
    CHECK(nresults == 1 && results[5] == CLK_EIO);
    CHECK_EQ(dev.disk[ios[3].lba * BLOCK_SECTOR], 0x77);
    /* the request's state is not left behind */
    dev.fail_lba1 = 0;
    nresults = 0;
    blk_submit_writev(&b, ios, 4, 6);
    device_take(&dev);
    while (dev.ndone)
        device_use(&dev, 0);
    blk_complete(&b, done);
    CHECK(nresults == 1 && results[6] == 0);
}

/* Reads, writes and WRITEVs in flight together, completed in random
 * order: each is answered once, when all of its chains are done. */
static void test_writev_mixed(void)
{
    driver(16 * 1024);                           /* 32 / 3 = 10 slots */
    static uint64_t slots_of[BLK_SLOTS_MAX + 1]; /* a cookie's slots */
    for (unsigned round = 0; round < 2000; round++) {
        unsigned cookie = 0, free = b.nslots;
        nresults = 0;
        while (free) {
            unsigned n = 1 + (unsigned)unit_rand_below(free < 4 ? free : 4);
            struct block_io ios[4];
            for (unsigned i = 0; i < n; i++)
                ios[i] = io(cookie * 24 + i * 6, 1 + (uint32_t)unit_rand_below(2),
                            (cookie * 4 + i) * 1024);
            uint64_t before = busy_slots();
            if (n == 1 && unit_rand_below(2)) {
                CHECK_EQ(blk_check(&b, BLOCK_READ, ios), 0);
                blk_submit(&b, BLOCK_READ, ios, cookie);
            } else {
                CHECK_EQ(blk_check_writev(&b, ios, n), 0);
                blk_submit_writev(&b, ios, n, cookie);
            }
            slots_of[cookie] = busy_slots() & ~before;
            results[cookie++] = 1;
            free -= n;
        }
        device_take(&dev);
        uint64_t done_slots = 0;
        while (dev.ndone) {
            unsigned i = (unsigned)unit_rand_below(dev.ndone);
            done_slots |= 1ULL << b.slot_of_head[dev.done[i]];
            device_use(&dev, i);
            blk_complete(&b, done);
            for (unsigned c = 0; c < cookie; c++)
                CHECK_EQ(results[c] == 0, (slots_of[c] & ~done_slots) == 0);
        }
        CHECK_EQ(nresults, cookie);
    }
    CHECK_EQ(b.q.nfree, b.q.size);
}

int main(void)
{
    printf("seed %llu\n", (unsigned long long)unit_seed());
    RUN(test_virtq_chains);
    RUN(test_virtq_random);
    RUN(test_blk_check);
    RUN(test_blk_requests);
    RUN(test_blk_data_and_errors);
    RUN(test_writev);
    RUN(test_writev_refused);
    RUN(test_writev_slots);
    RUN(test_writev_error);
    RUN(test_writev_mixed);
    return 0;
}
