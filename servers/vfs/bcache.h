/*
 * bcache.h: the VFS's block cache, pure code over a device that the caller
 * supplies (the VFS: the block driver through its DMA buffer; unit tests:
 * memory). ext2 reads and writes bytes through it.
 *
 * Write-back, with commits. A write only changes the cached block and
 * marks it dirty, as data (file contents) or metadata (everything else).
 * Nothing dirty reaches the disk until bcache_commit, which the VFS calls
 * between operations only (after fsync, when bcache_should_commit says
 * so, and on a timer), so the disk only ever holds the state between two
 * operations. A commit writes
 *   1. every dirty data block, in batches, then the device's flush;
 *   2. every dirty metadata block, in as few batches as the device takes
 *      (one, unless there is more than one batch's worth), then a flush.
 * Data before the metadata that points at it: a stop in between leaves
 * new data in blocks that no inode on disk names yet. A batch is one
 * request to the driver, which finishes it even if the VFS dies after
 * sending it, so a VFS crash can never leave half of the metadata of a
 * commit on disk. (A power cut can: see docs/vfs.md.)
 *
 * Dirty blocks are never evicted, so the cache needs room for what one
 * operation dirties: the VFS commits when bcache_should_commit says half
 * of the cache is dirty.
 *
 * Reads miss into read-ahead: a miss at block B reads a run from B up to
 * the next cached block, the device's end or the read-ahead window, which
 * doubles while misses come in sequence (up to the device's max_read) and
 * shrinks back to BCACHE_RA_MIN after a jump.
 *
 * Errors are negative errno values of the C library it is built with.
 */
#ifndef VFS_BCACHE_H
#define VFS_BCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BCACHE_RA_MIN 8 /* blocks read at a miss that does not follow the last */

/* A run of COUNT blocks from BLOCK, to write from DATA (COUNT * block_size
 * bytes). */
struct bcache_run {
    uint64_t block;
    uint32_t count;
    const void *data;
};

/* The device, in blocks of the cache's block size. */
struct bcache_dev {
    /* Read COUNT (1..max_read) blocks from BLOCK into BUF: 0 or -errno. */
    int (*read)(void *ctx, uint64_t block, uint32_t count, void *buf);
    /* Write N runs (1..max_runs, at most max_batch blocks in all) as one
     * batch: the device finishes every run even if the caller dies once
     * this is called. Runs do not overlap. 0 or -errno. */
    int (*write)(void *ctx, const struct bcache_run *runs, unsigned n);
    /* Everything written before is on stable storage: 0 or -errno. */
    int (*flush)(void *ctx);
    void *ctx;
    uint64_t blocks;    /* the device's size */
    uint32_t max_read;  /* blocks per read */
    uint32_t max_batch; /* blocks per write batch */
    uint32_t max_runs;  /* runs per write batch */
};

enum bcache_kind {
    BCACHE_META = 0, /* the default: written in the commit's second step */
    BCACHE_DATA = 1, /* file contents: written first */
};

struct bcache_stats {
    uint64_t hits, misses;       /* block lookups by bcache_read and bcache_write */
    uint64_t reads, read_blocks; /* device reads, and the blocks they brought */
    uint64_t batches, written;   /* write batches, and the blocks they wrote */
    uint64_t flushes, commits;
};

struct bcache_entry; /* bcache.c's */

struct bcache {
    struct bcache_dev dev;
    uint32_t block_size; /* 512 to 65536, a power of two */
    uint32_t capacity;   /* blocks it can hold */
    /* bcache.c's own */
    uint8_t *data; /* capacity * block_size bytes */
    struct bcache_entry *entries;
    uint32_t *hash; /* bucket heads */
    uint32_t nbuckets;
    uint32_t lru_head, lru_tail; /* clean blocks, least recently used first */
    uint32_t free_head;
    uint32_t ndirty, ndirty_meta;
    uint64_t next_ra; /* the block after the last read-ahead */
    uint32_t ra;      /* the current read-ahead window */
    bool failed;      /* a commit failed: dirty blocks stay, every commit retries */
    struct bcache_stats stats;
};

/* Set C up over DEV with CAPACITY blocks of BLOCK_SIZE bytes (memory from
 * malloc). 0, -EINVAL (a size that is not a power of two in range, a
 * capacity under 2 * BCACHE_RA_MIN, a device without blocks or with
 * max_read/max_batch/max_runs 0), -ENOMEM. */
int bcache_init(struct bcache *c, const struct bcache_dev *dev, uint32_t block_size,
                uint32_t capacity);

/* Free the memory; dirty blocks are lost (commit first). */
void bcache_destroy(struct bcache *c);

/* LEN bytes at byte OFF of the device, through the cache: 0, -EIO past the
 * device's end or from the device, -ENOMEM when every block held is dirty
 * and room is needed. (The shape of ext2_dev's read and write.) */
int bcache_read(struct bcache *c, uint64_t off, void *buf, size_t len);
int bcache_write(struct bcache *c, uint64_t off, const void *buf, size_t len,
                 enum bcache_kind kind);

/* Forget block BLOCK's contents if cached and not dirty (a device change
 * behind the cache's back; tests). */
void bcache_invalidate(struct bcache *c, uint64_t block);

/* Write every dirty block as described above: 0, or the device's error
 * (what did not reach the disk stays dirty). */
int bcache_commit(struct bcache *c);

/* Half of the capacity (or more) is dirty: commit before the next change. */
bool bcache_should_commit(const struct bcache *c);

static inline uint32_t bcache_dirty(const struct bcache *c)
{
    return c->ndirty;
}

#endif
