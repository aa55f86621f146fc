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
 * A block becomes clean again only when the flush after its step of a
 * commit has succeeded: a commit that fails (a batch or a flush) leaves
 * every block of that step dirty, and the next commit writes them all
 * again (writing a block twice is harmless; trusting a failed flush is
 * not).
 *
 * Reads miss into read-ahead: a miss at block B reads a run from B up to
 * the next cached block, the device's end or the read-ahead window, which
 * doubles while misses come in sequence (up to the device's max_read and
 * half the capacity, so that one run never pushes out every clean block)
 * and shrinks back to BCACHE_RA_MIN after a jump. The run never takes
 * the room of a dirty block: it is cut to the free and clean entries.
 * It is read into a scratch area and copied into the slots it gets,
 * which are wherever free entries and victims happen to be.
 *
 * All memory is allocated by bcache_init: reads, writes and commits
 * allocate nothing.
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

/* What a dirty block is. Metadata wins: a block dirty as data that is
 * written as metadata becomes metadata, and a block dirty as metadata
 * stays so whatever is written to it, until it is clean. (A block that
 * holds metadata on the disk must not be overwritten before the
 * metadata step, and metadata must never be split between steps.) */
enum bcache_kind {
    BCACHE_META = 0, /* the default: written in the commit's second step */
    BCACHE_DATA = 1, /* file contents: written first */
};

/* Device calls count when they succeeded. */
struct bcache_stats {
    uint64_t hits, misses;       /* block lookups by bcache_read and bcache_write */
    uint64_t reads, read_blocks; /* device reads, and the blocks they brought */
    uint64_t batches, written;   /* write batches, and the blocks they wrote */
    uint64_t flushes, commits;   /* commits: those that wrote something and succeeded */
};

struct bcache_entry; /* bcache.c's */
struct bcache_order; /* bcache.c's */

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
    uint32_t ra_max;                   /* blocks per read-ahead run at most */
    uint32_t batch_blocks, batch_runs; /* a write batch at most */
    unsigned hash_shift;               /* 64 - log2(nbuckets) */
    uint8_t *scratch;                  /* a read-ahead run or a write batch, in one piece */
    struct bcache_order *order;        /* capacity of them: the blocks a commit step writes */
    struct bcache_run *runs;           /* batch_runs of them */
};

/* Set C up over DEV with CAPACITY blocks of BLOCK_SIZE bytes (memory from
 * malloc: the blocks, and a scratch area of the larger of a read-ahead run
 * and a write batch). 0, -EINVAL (a size that is not a power of two in
 * range, a capacity under 2 * BCACHE_RA_MIN, a device without blocks,
 * without read, write or flush, with max_read/max_batch/max_runs 0, or of
 * more bytes than 64 bits count), -ENOMEM. */
int bcache_init(struct bcache *c, const struct bcache_dev *dev, uint32_t block_size,
                uint32_t capacity);

/* Free the memory; dirty blocks are lost (commit first). */
void bcache_destroy(struct bcache *c);

/* LEN bytes at byte OFF of the device, through the cache: 0, -EIO past the
 * device's end, the device's error, -ENOMEM when every block held is dirty
 * and room is needed (a write: when the blocks it covers do not all fit
 * beside the dirty ones). (The shape of ext2_dev's read and write.) A
 * write reads nothing but the partial blocks at its ends that are not
 * cached (each as a read miss does, with its read-ahead run), marks every
 * block it covers dirty as KIND, and when it fails has changed nothing
 * (but which clean blocks are cached). */
int bcache_read(struct bcache *c, uint64_t off, void *buf, size_t len);
int bcache_write(struct bcache *c, uint64_t off, const void *buf, size_t len,
                 enum bcache_kind kind);

/* Forget block BLOCK's contents if cached and not dirty (a device change
 * behind the cache's back; tests). */
void bcache_invalidate(struct bcache *c, uint64_t block);

/* Write every dirty block as described above: 0, or the device's error
 * (the step that failed stays dirty; sets failed until a commit succeeds).
 * With nothing dirty it calls the device not at all, and without dirty
 * data it skips the first step and its flush. */
int bcache_commit(struct bcache *c);

/* Half of the capacity (or more) is dirty: commit before the next change. */
bool bcache_should_commit(const struct bcache *c);

static inline uint32_t bcache_dirty(const struct bcache *c)
{
    return c->ndirty;
}

/* Whether C's lists, hash chains and counts agree (for tests; walks it all). */
bool bcache_consistent(const struct bcache *c);

#endif
