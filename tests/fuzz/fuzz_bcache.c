/*
 * fuzz_bcache.c: libFuzzer target for the VFS's block cache
 * (servers/vfs/bcache.c). The input chooses a block size, a device size,
 * a capacity and the device's limits, then a sequence of operations:
 * reads, writes of data or metadata, commits, invalidations, and device
 * errors. A model holds what the device should hold and a shadow what
 * each block is (clean, dirty data, dirty metadata). Checked: reads see
 * the model; a write that fails changes nothing; nothing reaches the
 * device outside a commit; a commit writes dirty data, flushes, then
 * writes dirty metadata, flushes, within the device's limits; after a
 * commit that succeeds the device equals the model; the cache's own
 * structures agree (bcache_consistent).
 */
#include "bcache.h"
#include <errno.h>
#include <stdlib.h>
#include <unit.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BLOCKS_MAX 128
#define BS_MAX     1024

enum { CLEAN, DIRTY_DATA, DIRTY_META };

static struct {
    uint8_t disk[BLOCKS_MAX * BS_MAX], model[BLOCKS_MAX * BS_MAX];
    uint8_t shadow[BLOCKS_MAX]; /* CLEAN, DIRTY_* */
    uint64_t blocks;
    uint32_t bs, max_read, max_batch, max_runs;
    bool in_commit;
    int read_fail, write_fail, flush_fail;
} s;

static int sim_read(void *ctx, uint64_t block, uint32_t count, void *buf)
{
    (void)ctx;
    CHECK(!s.in_commit);
    CHECK(count >= 1 && count <= s.max_read && block < s.blocks && count <= s.blocks - block);
    if (s.read_fail) {
        memset(buf, 0xEE, (size_t)count * s.bs); /* must not be cached */
        return s.read_fail;
    }
    memcpy(buf, s.disk + block * s.bs, (size_t)count * s.bs);
    return 0;
}

/* A batch of a commit: only dirty data while there is any (until the
 * data step's flush), then only dirty metadata. */
static int sim_write(void *ctx, const struct bcache_run *runs, unsigned n)
{
    (void)ctx;
    CHECK(s.in_commit && n >= 1 && n <= s.max_runs);
    uint64_t total = 0, end = 0;
    bool data_left = memchr(s.shadow, DIRTY_DATA, s.blocks) != NULL;
    for (unsigned i = 0; i < n; i++) {
        CHECK(runs[i].count >= 1 && runs[i].block >= end && runs[i].block < s.blocks &&
              runs[i].count <= s.blocks - runs[i].block);
        end = runs[i].block + runs[i].count;
        total += runs[i].count;
        for (uint64_t b = runs[i].block; b < end; b++)
            CHECK_EQ(s.shadow[b], data_left ? DIRTY_DATA : DIRTY_META);
    }
    CHECK(total <= s.max_batch);
    if (s.write_fail)
        return s.write_fail;
    for (unsigned i = 0; i < n; i++)
        memcpy(s.disk + runs[i].block * s.bs, runs[i].data, (size_t)runs[i].count * s.bs);
    return 0;
}

static int sim_flush(void *ctx)
{
    (void)ctx;
    CHECK(s.in_commit);
    if (s.flush_fail)
        return s.flush_fail;
    /* the step just written is clean now */
    uint8_t step = memchr(s.shadow, DIRTY_DATA, s.blocks) ? DIRTY_DATA : DIRTY_META;
    for (uint64_t b = 0; b < s.blocks; b++)
        if (s.shadow[b] == step)
            s.shadow[b] = CLEAN;
    return 0;
}

/* The input, a byte at a time (zeros when it runs out). */
struct input {
    const uint8_t *p;
    size_t left;
};

static unsigned next(struct input *in)
{
    if (!in->left)
        return 0;
    in->left--;
    return *in->p++;
}

static unsigned next16(struct input *in)
{
    return next(in) | next(in) << 8;
}

static void do_read(struct bcache *c, uint64_t off, size_t len)
{
    static uint8_t buf[BLOCKS_MAX * BS_MAX];
    int r = bcache_read(c, off, buf, len);
    if (r == 0)
        CHECK(memcmp(buf, s.model + off, len) == 0);
    else
        CHECK(r == s.read_fail || (r == -ENOMEM && bcache_dirty(c) == c->capacity));
}

static void do_write(struct bcache *c, uint64_t off, size_t len, enum bcache_kind kind, unsigned v)
{
    static uint8_t buf[BLOCKS_MAX * BS_MAX];
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(v + i * 13);
    uint32_t before = bcache_dirty(c);
    int r = bcache_write(c, off, buf, len, kind);
    if (r) {
        CHECK(r == s.read_fail || r == -ENOMEM);
        CHECK_EQ(bcache_dirty(c), before);
        return;
    }
    memcpy(s.model + off, buf, len);
    for (uint64_t b = off / s.bs; len && b <= (off + len - 1) / s.bs; b++)
        if (s.shadow[b] != DIRTY_META)
            s.shadow[b] = kind == BCACHE_META ? DIRTY_META : DIRTY_DATA;
}

static void do_commit(struct bcache *c)
{
    s.in_commit = true;
    int r = bcache_commit(c);
    s.in_commit = false;
    CHECK_EQ(c->failed, r != 0);
    if (r == 0) {
        CHECK(memcmp(s.disk, s.model, s.blocks * s.bs) == 0);
        CHECK(memchr(s.shadow, DIRTY_DATA, s.blocks) == NULL);
        CHECK(memchr(s.shadow, DIRTY_META, s.blocks) == NULL);
    } else {
        CHECK(r == s.write_fail || r == s.flush_fail);
    }
}

static void run(struct bcache *c, struct input *in)
{
    uint64_t size = s.blocks * s.bs;
    while (in->left) {
        unsigned op = next(in), v = next(in);
        uint64_t off = next16(in) % size;
        size_t len = next16(in) % (4 * s.bs + 1) * (v & 0x40 ? 8 : 1);
        len = len > size - off ? size - off : len;
        if (v & 0x80) /* whole blocks */
            off -= off % s.bs, len = len - len % s.bs;
        s.read_fail = op & 0x10 ? -EIO : 0;
        s.write_fail = op & 0x20 ? -EIO : 0;
        s.flush_fail = op & 0x40 ? -ENOSPC : 0;
        switch (op & 7) {
        case 0:
        case 1: do_read(c, off, len); break;
        case 2: do_write(c, off, len, BCACHE_DATA, v); break;
        case 3: do_write(c, off, len, BCACHE_META, v); break;
        case 4: do_commit(c); break;
        case 5: bcache_invalidate(c, off / s.bs); break;
        default:
            if (bcache_should_commit(c))
                do_commit(c);
            break;
        }
        CHECK(bcache_consistent(c));
        uint32_t dirty = 0;
        for (uint64_t b = 0; b < s.blocks; b++)
            dirty += s.shadow[b] != CLEAN;
        CHECK_EQ(bcache_dirty(c), dirty);
    }
    s.read_fail = s.write_fail = s.flush_fail = 0;
    do_commit(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = { data, size };
    s.bs = next(&in) & 1 ? 1024 : 512;
    s.blocks = 1 + next(&in) % BLOCKS_MAX;
    uint32_t capacity = 2 * BCACHE_RA_MIN + next(&in) % 48;
    s.max_read = 1 + next(&in) % 40;
    s.max_batch = 1 + next(&in) % 40;
    s.max_runs = 1 + next(&in) % 8;
    for (uint64_t i = 0; i < s.blocks * s.bs; i++)
        s.disk[i] = s.model[i] = (uint8_t)(i * 7 + i / 251);
    memset(s.shadow, CLEAN, sizeof(s.shadow));
    s.in_commit = false;
    s.read_fail = s.write_fail = s.flush_fail = 0;
    struct bcache c;
    struct bcache_dev dev = { sim_read, sim_write,  sim_flush,   NULL,
                              s.blocks, s.max_read, s.max_batch, s.max_runs };
    CHECK_EQ(bcache_init(&c, &dev, s.bs, capacity), 0);
    run(&c, &in);
    bcache_destroy(&c);
    return 0;
}
