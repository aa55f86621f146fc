/*
 * test_bcache.c: the VFS's block cache (servers/vfs/bcache.c) over a
 * simulated device in memory that checks and records every call: reads
 * (block, count), write batches (their runs) and flushes. The tests
 * compare the cache with a model (a plain copy of what the device should
 * hold), look at the order of a commit, read-ahead, eviction, the
 * device's limits and its errors.
 */
#include "bcache.h"
#include <errno.h>
#include <stdlib.h>

#include <unit.h> /* last: kdefs.h defines short macros */

/* ---- the device ---- */

#define LOG_MAX  4096
#define RUNS_MAX 64 /* max_runs of every device here */

struct call {
    char op;        /* 'r'ead, 'w'rite batch, 'f'lush */
    uint64_t block; /* a read's */
    uint32_t count; /* a read's blocks, a batch's blocks in all */
    unsigned nruns;
    struct {
        uint64_t block;
        uint32_t count;
    } runs[RUNS_MAX];
};

struct sim {
    uint8_t *disk;
    uint64_t blocks;
    uint32_t bs;
    uint32_t max_read, max_batch, max_runs;
    struct call log[LOG_MAX];
    unsigned ncalls;
    int read_fail;       /* the error reads give, or 0 */
    int write_fail;      /* the error a batch gives after write_ok batches, or 0 */
    unsigned write_ok;   /* batches that still succeed before write_fail */
    bool write_partly;   /* a failing batch writes its first run first */
    int flush_fail;      /* the error flushes give, or 0 */
    uint64_t read_calls; /* every read, whether logged or not */
};

static struct sim sim;
static struct bcache cache;
static uint8_t *model; /* what the device holds after a commit, and what reads see */

static struct call *record(char op)
{
    CHECK(sim.ncalls < LOG_MAX);
    struct call *c = &sim.log[sim.ncalls++];
    *c = (struct call){ .op = op };
    return c;
}

static int sim_read(void *ctx, uint64_t block, uint32_t count, void *buf)
{
    CHECK(ctx == &sim);
    CHECK(count >= 1 && count <= sim.max_read);
    CHECK(block < sim.blocks && count <= sim.blocks - block);
    sim.read_calls++;
    struct call *c = record('r');
    c->block = block, c->count = count;
    if (sim.read_fail) {
        memset(buf, 0xEE, (size_t)count * sim.bs); /* garbage that must not be cached */
        return sim.read_fail;
    }
    memcpy(buf, sim.disk + block * sim.bs, (size_t)count * sim.bs);
    return 0;
}

/* A batch: 1..max_runs runs, 1..max_batch blocks, runs that do not
 * overlap, in increasing order (bcache.c sorts them). */
static int sim_write(void *ctx, const struct bcache_run *runs, unsigned n)
{
    CHECK(ctx == &sim);
    CHECK(n >= 1 && n <= sim.max_runs && n <= RUNS_MAX);
    struct call *c = record('w');
    c->nruns = n;
    for (unsigned i = 0; i < n; i++) {
        CHECK(runs[i].count >= 1 && runs[i].data);
        CHECK(runs[i].block < sim.blocks && runs[i].count <= sim.blocks - runs[i].block);
        if (i)
            CHECK(runs[i].block > runs[i - 1].block + runs[i - 1].count); /* else one run */
        c->runs[i].block = runs[i].block, c->runs[i].count = runs[i].count;
        c->count += runs[i].count;
    }
    CHECK(c->count <= sim.max_batch);
    if (sim.write_fail && sim.write_ok-- == 0) {
        if (sim.write_partly)
            memcpy(sim.disk + runs[0].block * sim.bs, runs[0].data, (size_t)runs[0].count * sim.bs);
        return sim.write_fail;
    }
    for (unsigned i = 0; i < n; i++)
        memcpy(sim.disk + runs[i].block * sim.bs, runs[i].data, (size_t)runs[i].count * sim.bs);
    return 0;
}

static int sim_flush(void *ctx)
{
    CHECK(ctx == &sim);
    record('f');
    return sim.flush_fail;
}

static void clear_log(void)
{
    sim.ncalls = 0;
}

/* How many calls of OP the log holds. */
static unsigned calls(char op)
{
    unsigned n = 0;
    for (unsigned i = 0; i < sim.ncalls; i++)
        n += sim.log[i].op == op;
    return n;
}

static uint8_t pattern(uint64_t i)
{
    return (uint8_t)(i * 7 + i / 509 + 3);
}

/* A device of BLOCKS blocks of BS bytes with the given limits, filled with
 * a pattern, and a cache of CAPACITY blocks over it. */
static void setup(uint32_t bs, uint64_t blocks, uint32_t capacity, uint32_t max_read,
                  uint32_t max_batch, uint32_t max_runs)
{
    free(sim.disk);
    free(model);
    bcache_destroy(&cache);
    sim = (struct sim){ .blocks = blocks,
                        .bs = bs,
                        .max_read = max_read,
                        .max_batch = max_batch,
                        .max_runs = max_runs };
    sim.disk = malloc(blocks * bs);
    model = malloc(blocks * bs);
    CHECK(sim.disk && model);
    for (uint64_t i = 0; i < blocks * bs; i++)
        sim.disk[i] = model[i] = pattern(i);
    struct bcache_dev dev = { sim_read, sim_write, sim_flush, &sim,
                              blocks,   max_read,  max_batch, max_runs };
    CHECK_EQ(bcache_init(&cache, &dev, bs, capacity), 0);
    CHECK(bcache_consistent(&cache));
}

/* Write LEN bytes of a fresh pattern at OFF through the cache and, when
 * that succeeds, the model; the result. */
static int put(uint64_t off, size_t len, enum bcache_kind kind)
{
    static uint8_t buf[64 * 1024];
    static uint8_t seed;
    CHECK(len <= sizeof(buf));
    seed++;
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(seed * 31 + i);
    int r = bcache_write(&cache, off, buf, len, kind);
    if (r == 0)
        memcpy(model + off, buf, len);
    CHECK(bcache_consistent(&cache));
    return r;
}

/* Whole blocks FIRST..FIRST+N-1 written as KIND. */
static void put_blocks(uint64_t first, uint64_t n, enum bcache_kind kind)
{
    CHECK_EQ(put(first * sim.bs, n * sim.bs, kind), 0);
}

/* Read LEN bytes at OFF through the cache and compare them with the model. */
static int check_read(uint64_t off, size_t len)
{
    static uint8_t buf[64 * 1024];
    CHECK(len <= sizeof(buf));
    int r = bcache_read(&cache, off, buf, len);
    if (r == 0)
        CHECK(memcmp(buf, model + off, len) == 0);
    CHECK(bcache_consistent(&cache));
    return r;
}

static void check_disk(void)
{
    CHECK(memcmp(sim.disk, model, sim.blocks * sim.bs) == 0);
}

/* Whether the batch C wrote BLOCK. */
static bool batch_has(const struct call *c, uint64_t block)
{
    for (unsigned i = 0; i < c->nruns; i++)
        if (block >= c->runs[i].block && block - c->runs[i].block < c->runs[i].count)
            return true;
    return false;
}

/* ---- the tests ---- */

static void test_init_refuses(void)
{
    struct bcache_dev dev = { sim_read, sim_write, sim_flush, &sim, 100, 8, 8, 8 };
    struct bcache c;
    CHECK_EQ(bcache_init(&c, &dev, 1000, 64), -EINVAL);
    CHECK_EQ(bcache_init(&c, &dev, 256, 64), -EINVAL);
    CHECK_EQ(bcache_init(&c, &dev, 131072, 64), -EINVAL);
    CHECK_EQ(bcache_init(&c, &dev, 4096, 2 * BCACHE_RA_MIN - 1), -EINVAL);
    struct bcache_dev bad = dev;
    bad.blocks = 0;
    CHECK_EQ(bcache_init(&c, &bad, 4096, 64), -EINVAL);
    bad = dev, bad.max_read = 0;
    CHECK_EQ(bcache_init(&c, &bad, 4096, 64), -EINVAL);
    bad = dev, bad.max_batch = 0;
    CHECK_EQ(bcache_init(&c, &bad, 4096, 64), -EINVAL);
    bad = dev, bad.max_runs = 0;
    CHECK_EQ(bcache_init(&c, &bad, 4096, 64), -EINVAL);
    bad = dev, bad.flush = NULL;
    CHECK_EQ(bcache_init(&c, &bad, 4096, 64), -EINVAL);
    bad = dev, bad.blocks = UINT64_MAX / 512;
    CHECK_EQ(bcache_init(&c, &bad, 4096, 64), -EINVAL);
    CHECK_EQ(bcache_init(&c, &dev, 65536, 2 * BCACHE_RA_MIN), 0);
    bcache_destroy(&c);
    CHECK_EQ(bcache_init(&c, &dev, 512, 64), 0);
    bcache_destroy(&c);
}

/* Bytes across block boundaries, at odd offsets, read and written. */
static void test_bytes_across_blocks(void)
{
    setup(512, 64, 32, 16, 16, 8);
    CHECK_EQ(check_read(0, 1), 0);
    CHECK_EQ(check_read(511, 2), 0);
    CHECK_EQ(check_read(1000, 5000), 0);
    CHECK_EQ(check_read(64 * 512 - 3, 3), 0);
    CHECK_EQ(check_read(64 * 512, 0), 0);
    CHECK_EQ(check_read(64 * 512 - 3, 4), -EIO);   /* past the end */
    CHECK_EQ(check_read(UINT64_MAX - 1, 4), -EIO); /* wraps */
    CHECK_EQ(put(64 * 512 - 3, 4, BCACHE_META), -EIO);
    CHECK_EQ(put(300, 2000, BCACHE_DATA), 0);
    CHECK_EQ(put(511, 1, BCACHE_META), 0);
    CHECK_EQ(put(64 * 512 - 1, 1, BCACHE_META), 0);
    CHECK_EQ(check_read(0, 64 * 512), 0); /* more than the cache holds */
    for (uint64_t off = 0; off < 64 * 512; off += 4096)
        CHECK_EQ(check_read(off, 4096), 0);
    CHECK_EQ(bcache_commit(&cache), 0);
    check_disk();
}

/* A long random sequence of reads, writes, commits (some failing) and
 * invalidations: reads always see the model, a commit that succeeds
 * leaves the device equal to it, and a failed write changes nothing. */
static void random_ops(uint32_t bs, unsigned steps)
{
    setup(bs, 256, 48, 32, 12, 5);
    uint64_t size = 256 * (uint64_t)bs;
    for (unsigned step = 0; step < steps; step++) {
        unsigned what = (unsigned)unit_rand_below(100);
        uint64_t off = unit_rand_below(size);
        size_t len = (size_t)unit_rand_below(4 * bs);
        if (unit_rand_below(4) == 0) /* whole blocks */
            off -= off % bs, len = bs * (1 + unit_rand_below(4));
        len = off + len > size ? size - off : len;
        if (what < 40) {
            int r = check_read(off, len);
            CHECK(r == 0 || (r == -ENOMEM && bcache_dirty(&cache) == cache.capacity));
        } else if (what < 75) {
            int r = put(off, len, unit_rand_below(2) ? BCACHE_DATA : BCACHE_META);
            CHECK(r == 0 || r == -ENOMEM);
        } else if (what < 80) {
            sim.read_fail = -EIO;
            int r = unit_rand_below(2) ? check_read(off, len) : put(off, len, BCACHE_META);
            CHECK(r == 0 || r == -EIO || r == -ENOMEM);
            sim.read_fail = 0;
        } else if (what < 88 || bcache_should_commit(&cache)) {
            bool fail = unit_rand_below(4) == 0;
            sim.write_fail = fail && unit_rand_below(2) ? -EIO : 0;
            sim.write_ok = (unsigned)unit_rand_below(3);
            sim.write_partly = unit_rand_below(2);
            sim.flush_fail = fail && !sim.write_fail ? -EIO : 0;
            int r = bcache_commit(&cache);
            CHECK(r == 0 || (fail && r == -EIO));
            CHECK_EQ(cache.failed, r != 0);
            if (r == 0) {
                CHECK_EQ(bcache_dirty(&cache), 0);
                check_disk();
            }
            sim.write_fail = sim.flush_fail = 0;
        } else if (what < 98) {
            bcache_invalidate(&cache, unit_rand_below(256));
        } else { /* drop every clean block: what is read again must be the model */
            for (uint64_t b = 0; b < 256; b++)
                bcache_invalidate(&cache, b);
            int r = check_read(0, size < 32768 ? size : 32768);
            CHECK(r == 0 || (r == -ENOMEM && bcache_dirty(&cache) == cache.capacity));
        }
        CHECK(bcache_consistent(&cache));
        clear_log();
    }
    CHECK_EQ(bcache_commit(&cache), 0);
    check_disk();
}

static void test_random_512(void)
{
    random_ops(512, 100000);
}

static void test_random_4096(void)
{
    random_ops(4096, 30000);
}

/* Nothing reaches the device before a commit; then every data block, a
 * flush, every metadata block, a flush. */
static void test_commit_order(void)
{
    setup(512, 1024, 128, 16, 16, 4);
    const uint64_t data[] = { 10, 11, 12, 40, 700, 701, 3, 900 };
    const uint64_t meta[] = { 1, 2, 100, 101, 102, 500, 999 };
    for (unsigned i = 0; i < sizeof(data) / sizeof(data[0]); i++)
        put_blocks(data[i], 1, BCACHE_DATA);
    for (unsigned i = 0; i < sizeof(meta) / sizeof(meta[0]); i++)
        put_blocks(meta[i], 1, BCACHE_META);
    CHECK_EQ(put(20 * 512 + 7, 100, BCACHE_DATA), 0); /* a partial one: read first */
    CHECK_EQ(calls('w') + calls('f'), 0);
    CHECK_EQ(bcache_dirty(&cache), 16);
    CHECK(memcmp(sim.disk, model, 1024 * 512) != 0);
    clear_log();
    CHECK_EQ(bcache_commit(&cache), 0);
    check_disk();
    /* data: 3 10-12 20 40 | 700-701 900 (4 runs a batch), flush, meta: 1-2 100-102 500 999 */
    CHECK_EQ(sim.ncalls, 5);
    CHECK(sim.log[0].op == 'w' && sim.log[1].op == 'w' && sim.log[2].op == 'f');
    CHECK(sim.log[3].op == 'w' && sim.log[4].op == 'f');
    CHECK_EQ(sim.log[0].nruns, 4);
    CHECK_EQ(sim.log[0].runs[0].block, 3);
    CHECK_EQ(sim.log[0].runs[1].block, 10);
    CHECK_EQ(sim.log[0].runs[1].count, 3);
    CHECK_EQ(sim.log[1].nruns, 2);
    CHECK_EQ(sim.log[1].runs[0].count, 2);
    CHECK_EQ(sim.log[3].nruns, 4);
    CHECK_EQ(sim.log[3].count, 7); /* one batch: every metadata block */
    for (unsigned i = 0; i < sizeof(meta) / sizeof(meta[0]); i++)
        CHECK(batch_has(&sim.log[3], meta[i]));
    CHECK_EQ(bcache_dirty(&cache), 0);
    CHECK_EQ(cache.stats.batches, 3);
    CHECK_EQ(cache.stats.written, 16);
    CHECK_EQ(cache.stats.flushes, 2);
    CHECK_EQ(cache.stats.commits, 1);
    /* nothing dirty: no call at all; metadata only: no data flush */
    clear_log();
    CHECK_EQ(bcache_commit(&cache), 0);
    CHECK_EQ(sim.ncalls, 0);
    put_blocks(5, 1, BCACHE_META);
    CHECK_EQ(bcache_commit(&cache), 0);
    CHECK(sim.ncalls == 2 && sim.log[0].op == 'w' && sim.log[1].op == 'f');
    /* data only: one flush */
    clear_log();
    put_blocks(6, 1, BCACHE_DATA);
    CHECK_EQ(bcache_commit(&cache), 0);
    CHECK(sim.ncalls == 2 && sim.log[0].op == 'w' && sim.log[1].op == 'f');
    check_disk();
}

/* Metadata wins: data then metadata is metadata; metadata then data too. */
static void test_metadata_wins(void)
{
    setup(512, 256, 64, 16, 16, 16);
    put_blocks(7, 1, BCACHE_DATA);
    CHECK_EQ(put(7 * 512 + 3, 10, BCACHE_META), 0);
    put_blocks(9, 1, BCACHE_META);
    put_blocks(9, 1, BCACHE_DATA);
    put_blocks(11, 1, BCACHE_DATA);
    CHECK_EQ(cache.ndirty_meta, 2);
    CHECK_EQ(bcache_dirty(&cache), 3);
    clear_log();
    CHECK_EQ(bcache_commit(&cache), 0);
    CHECK_EQ(sim.ncalls, 4);
    CHECK(batch_has(&sim.log[0], 11) && !batch_has(&sim.log[0], 7) && !batch_has(&sim.log[0], 9));
    CHECK(batch_has(&sim.log[2], 7) && batch_has(&sim.log[2], 9));
    check_disk();
}

/* The sizes of the reads in the log, in order, into SIZES; how many. */
static unsigned read_sizes(uint32_t *sizes, unsigned max)
{
    unsigned n = 0;
    for (unsigned i = 0; i < sim.ncalls && n < max; i++)
        if (sim.log[i].op == 'r')
            sizes[n++] = sim.log[i].count;
    return n;
}

static void test_read_ahead(void)
{
    setup(512, 4096, 256, 64, 16, 16);
    /* sequential, one block at a time: 8, 16, 32, then 64 at a time */
    for (uint64_t b = 0; b < 500; b++)
        CHECK_EQ(check_read(b * 512, 512), 0);
    uint32_t sizes[64];
    unsigned n = read_sizes(sizes, 64);
    CHECK_EQ(n, 10); /* 8 + 16 + 32 + 7 * 64 = 504 */
    CHECK(sizes[0] == 8 && sizes[1] == 16 && sizes[2] == 32);
    for (unsigned i = 3; i < n; i++)
        CHECK_EQ(sizes[i], 64);
    CHECK_EQ(cache.stats.read_blocks, 504);
    CHECK_EQ(cache.stats.misses, 10);
    CHECK_EQ(cache.stats.hits, 490);
    /* a jump: BCACHE_RA_MIN again, and again */
    clear_log();
    CHECK_EQ(check_read(2000 * 512, 512), 0);
    CHECK_EQ(check_read(3000 * 512 + 100, 512), 0);
    CHECK(sim.ncalls == 2 && sim.log[0].count == BCACHE_RA_MIN && sim.log[1].count == 8);
    CHECK(sim.log[0].block == 2000 && sim.log[1].block == 3000);
    /* after the jump it grows again */
    clear_log();
    CHECK_EQ(check_read(3008 * 512, 512), 0);
    CHECK(sim.ncalls == 1 && sim.log[0].count == 16);
    /* it stops before a cached block */
    clear_log();
    CHECK_EQ(check_read(1996 * 512, 512), 0);
    CHECK(sim.ncalls == 1 && sim.log[0].block == 1996 && sim.log[0].count == 4);
    /* and at the device's end */
    clear_log();
    CHECK_EQ(check_read(4093 * 512, 3 * 512), 0);
    CHECK(sim.ncalls == 1 && sim.log[0].block == 4093 && sim.log[0].count == 3);
    /* one big read of many blocks: far fewer device reads than blocks */
    setup(4096, 1024, 512, 64, 64, 64);
    CHECK_EQ(check_read(0, 64 * 1024), 0);
    for (uint64_t off = 64 * 1024; off < 1024 * 4096; off += 64 * 1024)
        CHECK_EQ(check_read(off, 64 * 1024), 0);
    CHECK(sim.ncalls <= 20);
    CHECK_EQ(cache.stats.read_blocks, 1024);
}

/* The window is cut to the room, and never to half the cache or more. */
static void test_read_ahead_room(void)
{
    setup(512, 4096, 32, 256, 16, 16);
    for (uint64_t b = 0; b < 300; b++)
        CHECK_EQ(check_read(b * 512, 512), 0);
    uint32_t sizes[64];
    unsigned n = read_sizes(sizes, 64);
    for (unsigned i = 0; i < n; i++)
        CHECK(sizes[i] <= 16);
    CHECK_EQ(sizes[n - 1], 16);
    put_blocks(1000, 29, BCACHE_META); /* 3 entries left */
    clear_log();
    CHECK_EQ(check_read(2000 * 512, 512), 0);
    CHECK(sim.ncalls == 1 && sim.log[0].count == 3);
    CHECK_EQ(check_read(2003 * 512, 512), 0);
    CHECK(sim.ncalls == 2 && sim.log[1].count == 3);
}

/* Dirty blocks are never evicted: with all of the cache dirty, what
 * needs room gets -ENOMEM and changes nothing; a commit makes room. */
static void test_eviction(void)
{
    setup(512, 1024, 16, 16, 64, 64);
    CHECK_EQ(check_read(900 * 512, 512), 0); /* 8 clean blocks */
    put_blocks(0, 16, BCACHE_DATA);
    CHECK_EQ(bcache_dirty(&cache), 16);
    CHECK(bcache_should_commit(&cache));
    CHECK_EQ(check_read(900 * 512, 1), -ENOMEM); /* evicted: clean */
    CHECK_EQ(check_read(5 * 512, 1000), 0);      /* dirty and cached */
    clear_log();
    CHECK_EQ(check_read(100 * 512, 1), -ENOMEM);
    CHECK_EQ(put(100 * 512 + 1, 10, BCACHE_META), -ENOMEM);
    CHECK_EQ(put(100 * 512, 512, BCACHE_META), -ENOMEM);
    CHECK_EQ(put(15 * 512, 1024, BCACHE_META), -ENOMEM); /* 15 is cached, 16 is not */
    CHECK_EQ(sim.ncalls, 0);
    CHECK_EQ(check_read(0, 16 * 512), 0); /* nothing changed */
    CHECK_EQ(bcache_commit(&cache), 0);
    check_disk();
    CHECK(!bcache_should_commit(&cache));
    CHECK_EQ(check_read(100 * 512, 1), 0);
    CHECK_EQ(put(15 * 512, 1024, BCACHE_META), 0);
    /* half dirty: should commit */
    setup(512, 1024, 16, 16, 64, 64);
    put_blocks(0, 7, BCACHE_DATA);
    CHECK(!bcache_should_commit(&cache));
    put_blocks(7, 1, BCACHE_META);
    CHECK(bcache_should_commit(&cache));
}

/* A write that needs more room than there is, or whose partial end cannot
 * be read, changes nothing. */
static void test_failed_write_changes_nothing(void)
{
    setup(512, 1024, 16, 16, 64, 64);
    put_blocks(0, 13, BCACHE_DATA);                              /* 3 entries left */
    CHECK_EQ(put(200 * 512 + 5, 4 * 512, BCACHE_META), -ENOMEM); /* 5 blocks */
    CHECK_EQ(put(200 * 512, 4 * 512, BCACHE_META), -ENOMEM);     /* 4 blocks */
    CHECK_EQ(bcache_dirty(&cache), 13);
    CHECK_EQ(put(200 * 512 + 5, 2 * 512, BCACHE_META), 0); /* 3 blocks */
    CHECK_EQ(bcache_dirty(&cache), 16);
    CHECK_EQ(bcache_commit(&cache), 0);
    check_disk();
    sim.read_fail = -EIO;
    CHECK_EQ(put(300 * 512 + 5, 3 * 512, BCACHE_META), -EIO); /* the head */
    CHECK_EQ(put(300 * 512, 3 * 512 + 5, BCACHE_META), -EIO); /* the tail */
    CHECK_EQ(bcache_dirty(&cache), 0);
    sim.read_fail = 0;
    CHECK_EQ(check_read(299 * 512, 6 * 512), 0);
}

/* Whole blocks that are not cached are written without reading them;
 * a partial one is read first. */
static void test_whole_blocks_not_read(void)
{
    setup(4096, 256, 64, 16, 64, 64);
    put_blocks(10, 8, BCACHE_DATA);
    put_blocks(100, 1, BCACHE_META);
    CHECK_EQ(sim.ncalls, 0);
    CHECK_EQ(cache.stats.misses, 9);
    CHECK_EQ(put(50 * 4096 + 1, 4095, BCACHE_META), 0); /* block 50, partly */
    CHECK(sim.ncalls == 1 && sim.log[0].op == 'r' && sim.log[0].block == 50);
    clear_log();
    /* 200-212: both ends are read (with read-ahead: 200-207, 212-219), 208-211 not */
    CHECK_EQ(put(200 * 4096 + 100, 12 * 4096, BCACHE_DATA), 0);
    CHECK(sim.ncalls == 2 && sim.log[0].block == 200 && sim.log[1].block == 212);
    clear_log();
    CHECK_EQ(put(256 * 4096, 1, BCACHE_DATA), -EIO);
    CHECK_EQ(put(256 * 4096, 0, BCACHE_DATA), 0);
    CHECK_EQ(bcache_commit(&cache), 0);
    check_disk();
    CHECK_EQ(calls('r'), 0);
}

/* A read error is returned and caches nothing. */
static void test_read_error(void)
{
    setup(512, 256, 32, 16, 16, 16);
    sim.read_fail = -EIO;
    CHECK_EQ(check_read(40 * 512, 10), -EIO);
    CHECK_EQ(cache.stats.reads, 0);
    sim.read_fail = -ENXIO;
    CHECK_EQ(check_read(40 * 512, 10), -ENXIO); /* the device's own error */
    sim.read_fail = 0;
    clear_log();
    CHECK_EQ(check_read(40 * 512, 8 * 512), 0);
    CHECK(sim.ncalls == 1 && sim.log[0].block == 40);
    CHECK_EQ(cache.stats.reads, 1);
}

/* A commit that fails leaves the failed step dirty; the next one writes it. */
static void test_write_errors(void)
{
    setup(512, 1024, 128, 16, 4, 2);
    for (uint64_t b = 0; b < 24; b += 2)
        put_blocks(b, 1, BCACHE_DATA); /* 12 runs: 6 batches of 2 */
    put_blocks(500, 10, BCACHE_META);  /* 3 batches: 4, 4, 2 */
    sim.write_fail = -EIO, sim.write_ok = 2, sim.write_partly = true;
    clear_log();
    CHECK_EQ(bcache_commit(&cache), -EIO);
    CHECK(cache.failed);
    CHECK_EQ(sim.ncalls, 3);
    CHECK_EQ(calls('f'), 0);
    CHECK_EQ(bcache_dirty(&cache), 22);
    CHECK_EQ(cache.stats.commits, 0);
    CHECK_EQ(check_read(0, 24 * 512), 0); /* still what was written */
    /* the data step passes, the metadata fails */
    sim.write_fail = -EIO, sim.write_ok = 7;
    clear_log();
    CHECK_EQ(bcache_commit(&cache), -EIO);
    CHECK_EQ(sim.ncalls, 9); /* 6 batches, a flush, 2 batches */
    CHECK_EQ(bcache_dirty(&cache), 10);
    CHECK_EQ(cache.ndirty_meta, 10);
    /* a flush that fails: the step stays dirty */
    sim.write_fail = 0, sim.flush_fail = -EIO;
    CHECK_EQ(bcache_commit(&cache), -EIO);
    CHECK_EQ(bcache_dirty(&cache), 10);
    sim.flush_fail = 0;
    clear_log();
    CHECK_EQ(bcache_commit(&cache), 0);
    CHECK(!cache.failed);
    CHECK_EQ(sim.ncalls, 4);
    check_disk();
    CHECK_EQ(cache.stats.commits, 1);
}

/* Batches keep to max_batch and max_runs. */
static void test_batch_limits(void)
{
    setup(512, 1024, 256, 16, 16, 3);
    put_blocks(100, 40, BCACHE_META); /* one run: 16, 16, 8 */
    clear_log();
    CHECK_EQ(bcache_commit(&cache), 0);
    CHECK_EQ(sim.ncalls, 4);
    CHECK(sim.log[0].count == 16 && sim.log[1].count == 16 && sim.log[2].count == 8);
    CHECK(sim.log[0].runs[0].block == 100 && sim.log[1].runs[0].block == 116);
    for (uint64_t b = 0; b < 80; b += 2)
        put_blocks(b, 1, BCACHE_META); /* 40 runs: 3 a batch */
    clear_log();
    CHECK_EQ(bcache_commit(&cache), 0);
    CHECK_EQ(sim.ncalls, 15);
    for (unsigned i = 0; i < 14; i++)
        CHECK_EQ(sim.log[i].nruns, i < 13 ? 3 : 1);
    check_disk();
    /* a batch larger than the cache: cut to the cache */
    setup(512, 1024, 16, 1000, 1000, 1000);
    put_blocks(0, 16, BCACHE_META);
    clear_log();
    CHECK_EQ(bcache_commit(&cache), 0);
    CHECK(sim.ncalls == 2 && sim.log[0].count == 16);
}

/* Invalidation drops a clean block (it is read again), never a dirty one. */
static void test_invalidate(void)
{
    setup(512, 256, 32, 16, 16, 16);
    CHECK_EQ(check_read(10 * 512, 512), 0);
    put_blocks(12, 1, BCACHE_META);
    sim.disk[10 * 512] ^= 0xFF; /* behind the cache's back */
    model[10 * 512] ^= 0xFF;
    bcache_invalidate(&cache, 10);
    bcache_invalidate(&cache, 12);
    bcache_invalidate(&cache, 200); /* not cached */
    CHECK(bcache_consistent(&cache));
    CHECK_EQ(bcache_dirty(&cache), 1);
    clear_log();
    CHECK_EQ(check_read(10 * 512, 3 * 512), 0);
    CHECK(sim.ncalls == 1 && sim.log[0].block == 10 && sim.log[0].count == 1);
}

int main(void)
{
    printf("seed %llu\n", (unsigned long long)unit_seed());
    RUN(test_init_refuses);
    RUN(test_bytes_across_blocks);
    RUN(test_random_512);
    RUN(test_random_4096);
    RUN(test_commit_order);
    RUN(test_metadata_wins);
    RUN(test_read_ahead);
    RUN(test_read_ahead_room);
    RUN(test_eviction);
    RUN(test_failed_write_changes_nothing);
    RUN(test_whole_blocks_not_read);
    RUN(test_read_error);
    RUN(test_write_errors);
    RUN(test_batch_limits);
    RUN(test_invalidate);
    setup(512, 16, 16, 1, 1, 1);
    bcache_destroy(&cache);
    free(sim.disk);
    free(model);
    return 0;
}
