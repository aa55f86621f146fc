/*
 * blkdev.c: the block cache's device (bcache.h) on the block driver
 * (actor/block.h). Data passes through the driver's DMA buffer, which the
 * VFS maps: a read lands there and is copied into the cache; a write
 * batch is copied there and goes to the driver as one BLOCK_WRITEV, which
 * the driver finishes even if the VFS dies after sending it.
 *
 * Calls to the driver block the VFS's thread (clk_call, not actor_call):
 * the VFS does one file operation at a time, so no other request may run
 * while one waits for the disk.
 *
 * The driver's endpoint belongs to the supervisor, so the capability
 * stays good when the driver restarts; only its buffer is new. A call
 * in flight when it died ends with CLK_EDEAD, and so does one that names
 * the old buffer's id when the new instance gets it: then this maps the
 * new buffer and sends the call again, which is safe: the cache still
 * holds every byte of a write.
 */
#include "vfs.h"
#include <actor/block.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define BLOCK     4096
#define SECTORS   (BLOCK / BLOCK_SECTOR)
#define BUFFER_VA 0x0000500000000000UL /* the driver's DMA buffer */
#define RETRIES   3
#define RUNS_MAX  (CLK_MSG_MAX / sizeof(struct block_io))

static struct {
    long server; /* a send capability to the driver */
    struct block_info info;
    long buffer; /* its buffer's capability, mapped at BUFFER_VA, or 0 */
    uint32_t id; /* ...and its id, for requests to name */
} blk;

/* Call the driver: request TYPE with LEN bytes of DATA (in registers or
 * the IPC buffer), the reply's payload into RESP (up to RESP_LEN bytes
 * of registers), a capability from it into *CAP. The driver's status, or
 * the kernel's error. */
static long call(unsigned type, const void *data, size_t len, void *resp, size_t resp_len,
                 long *cap)
{
    return actor_call_blocking(blk.server, type, data, len, 0, resp, resp ? &resp_len : NULL, cap);
}

/* Map the current instance's buffer (after a restart, the new one's). */
static long map_buffer(void)
{
    long cap = 0, err;
    if (blk.buffer) {
        clk_unmap(BUFFER_VA);
        clk_cap_delete(blk.buffer);
        blk.buffer = 0;
    }
    if ((err = call(BLOCK_INFO, NULL, 0, &blk.info, sizeof(blk.info), NULL)) < 0 ||
        (err = call(BLOCK_BUFFER, NULL, 0, &blk.id, sizeof(blk.id), &cap)) < 0)
        return err;
    if (!cap)
        return CLK_EIO;
    if ((err = clk_map(cap, BUFFER_VA, CLK_MAP_WRITE)) < 0) {
        clk_cap_delete(cap);
        return err;
    }
    blk.buffer = cap;
    return 0;
}

/* A READ or FLUSH, sent again after a driver restart. */
static int transfer(unsigned type, struct block_io *io)
{
    long err = CLK_EDEAD;
    for (int attempt = 0; attempt < RETRIES && err == CLK_EDEAD; attempt++) {
        if (attempt && map_buffer() < 0)
            continue;
        if (io)
            io->buffer = blk.id;
        err = call(type, io, io ? sizeof(*io) : 0, NULL, 0, NULL);
    }
    return err ? -EIO : 0;
}

static int dev_read(void *ctx, uint64_t block, uint32_t count, void *buf)
{
    (void)ctx;
    struct block_io io = { block * SECTORS, 0, count * SECTORS, 0 };
    int err = transfer(BLOCK_READ, &io);
    if (!err)
        memcpy(buf, (const void *)BUFFER_VA, (size_t)count * BLOCK);
    return err;
}

/* Copy the runs into the buffer and describe them for the driver, each
 * cut into pieces of at most max_transfer bytes: how many pieces. */
static unsigned stage(const struct bcache_run *runs, unsigned n, struct block_io *io)
{
    uint64_t at = 0, piece_max = blk.info.max_transfer / BLOCK;
    unsigned k = 0;
    for (unsigned i = 0; i < n; i++) {
        memcpy((uint8_t *)BUFFER_VA + at, runs[i].data, (size_t)runs[i].count * BLOCK);
        for (uint64_t done = 0; done < runs[i].count; done += piece_max) {
            uint64_t c = runs[i].count - done < piece_max ? runs[i].count - done : piece_max;
            io[k++] = (struct block_io){ (runs[i].block + done) * SECTORS, at + done * BLOCK,
                                         (uint32_t)(c * SECTORS), blk.id };
        }
        at += (uint64_t)runs[i].count * BLOCK;
    }
    return k;
}

static int dev_write(void *ctx, const struct bcache_run *runs, unsigned n)
{
    (void)ctx;
    struct block_io io[RUNS_MAX];
    long err = CLK_EDEAD;
    for (int attempt = 0; attempt < RETRIES && err == CLK_EDEAD; attempt++) {
        if (attempt && map_buffer() < 0)
            continue;
        unsigned k = stage(runs, n, io); /* again: a new buffer holds nothing */
        err = call(BLOCK_WRITEV, io, k * sizeof(*io), NULL, 0, NULL);
    }
    return err ? -EIO : 0;
}

static int dev_flush(void *ctx)
{
    (void)ctx;
    return transfer(BLOCK_FLUSH, NULL);
}

long blkdev_open(struct bcache_dev *dev)
{
    long err;
    if ((blk.server = actor_lookup(BLOCK_NAME, 0)) < 0)
        return blk.server;
    if ((err = map_buffer()) < 0)
        return err; /* CLK_EDEAD: the driver found no disk and stopped */
    const struct block_info *i = &blk.info;
    uint32_t per_read =
        (uint32_t)(i->max_transfer < i->buffer_size ? i->max_transfer : i->buffer_size) / BLOCK;
    uint32_t batch = (uint32_t)(i->buffer_size / BLOCK);
    /* A batch of R runs becomes at most R + batch / per_read pieces. */
    uint32_t pieces = i->max_requests < RUNS_MAX ? i->max_requests : RUNS_MAX;
    uint32_t spare = batch / (per_read ? per_read : 1);
    if (per_read == 0 || i->sector_size != BLOCK_SECTOR || pieces <= spare) {
        printf("vfs: the block device's limits do not suit the cache\n");
        return CLK_EINVAL;
    }
    *dev = (struct bcache_dev){
        .read = dev_read,
        .write = dev_write,
        .flush = dev_flush,
        .blocks = i->sectors / SECTORS,
        .max_read = per_read,
        .max_batch = batch,
        .max_runs = pieces - spare,
    };
    return 0;
}

bool blkdev_read_only(void)
{
    return blk.info.flags & BLOCK_INFO_RO;
}
