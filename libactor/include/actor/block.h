/*
 * actor/block.h: the block device protocol. servers/block, the virtio-blk
 * driver, serves it under the name "block" (BLOCK_NAME); find it with
 * actor_lookup(BLOCK_NAME, ...).
 *
 * Data never travels in messages. BLOCK_BUFFER gives the client a
 * capability to the driver's transfer buffer: DMA memory of
 * block_info.buffer_size bytes that the client maps writable (MAP with
 * CLK_MAP_WRITE), and the buffer's id. A READ or WRITE names sectors, a
 * place in that buffer and the buffer's id, and the device writes or
 * reads that place itself: no copy.
 *
 *   BLOCK_INFO    -> struct block_info
 *   BLOCK_BUFFER  -> uint32_t: the buffer's id; and a capability to the
 *                 buffer (read and write rights)
 *   BLOCK_READ    struct block_io -> nothing: the sectors LBA..LBA+COUNT-1
 *                 are in the buffer at OFFSET
 *   BLOCK_WRITE   struct block_io -> nothing: the device has the sectors
 *                 from the buffer at OFFSET
 *   BLOCK_FLUSH   -> nothing: every write answered before the flush was
 *                 sent is on stable storage (a device without a write
 *                 cache answers at once)
 *   BLOCK_WRITEV  struct block_io[N], N from 1 to max_requests (so 24 to
 *                 24 * max_requests bytes) -> nothing: the device has the
 *                 sectors of every entry, each from the buffer at its
 *                 OFFSET (see "Vectored writes" below)
 *
 * Errors:
 *   CLK_EINVAL  a malformed or out-of-range request: a payload of the wrong
 *               size, COUNT 0 or above max_transfer /
 *               BLOCK_SECTOR, sectors past the end of the device, OFFSET
 *               not a multiple of BLOCK_SECTOR, or bytes past the end of
 *               the buffer; a WRITEV whose payload is not 1 to
 *               max_requests whole entries, one of whose entries is any
 *               of the above, or two of whose entries share sectors or
 *               bytes of the buffer
 *   CLK_EPERM   a write (WRITE, WRITEV) to a read-only device (BLOCK_INFO_RO)
 *   CLK_EIO     the device reported an error (a WRITEV: for one of its
 *               entries at least; the others may have been written)
 *   CLK_EAGAIN  max_requests requests are in flight already (a WRITEV:
 *               fewer than its entries are free)
 *   CLK_ENOSYS  an unknown request type
 *   CLK_EDEAD   BUFFER is not this instance's buffer: the driver has
 *               restarted since the client asked BLOCK_BUFFER (and from
 *               the kernel: it died with the request)
 *
 * Each request is answered when the device has finished it. Up to
 * max_requests may be in flight at once (from a client's threads or
 * fibers; each entry of a WRITEV counts as one), and the device finishes
 * them in any order; the client keeps requests in flight from sharing
 * bytes of the buffer.
 *
 * Vectored writes. A WRITEV is checked whole before anything happens:
 * every entry as a WRITE is, no two entries sharing sectors or bytes of
 * the buffer, and a free slot for each; when a check fails nothing is
 * written. Then every entry goes to the device at once, and the one
 * answer comes when all have completed: 0 if all succeeded, CLK_EIO if
 * any failed. What it is for: once it is sent, all of it is written even
 * if the client dies before the answer, so a client that sends a set of
 * writes that belong together as one WRITEV (the VFS: a commit's
 * metadata) never leaves part of them on the disk by dying. (A power cut
 * can: the device writes the entries in any order.)
 *
 * There is one buffer, so one client at a time for now (the VFS). It is
 * DMA memory, whose capability tells physical addresses (MEMORY_PHYS):
 * give it only to a trusted client. After the driver restarts, the buffer
 * the client has mapped is not the new instance's; the endpoint is the
 * supervisor's, so a request sent meanwhile reaches the new instance,
 * which refuses it (CLK_EDEAD) because it names the old buffer's id. The
 * client then asks BLOCK_BUFFER again, maps the new buffer and sends the
 * request again. Buffer ids are the driver's actor id, never reused.
 */
#ifndef ACTOR_BLOCK_H
#define ACTOR_BLOCK_H

#include <actor/actor.h>

#define BLOCK_NAME   "block"
#define BLOCK_SECTOR 512 /* bytes; LBAs count these */

enum block_type {
    BLOCK_INFO = 1,
    BLOCK_BUFFER = 2,
    BLOCK_READ = 3,
    BLOCK_WRITE = 4,
    BLOCK_FLUSH = 5,
    BLOCK_WRITEV = 6,
};

struct block_info {
    uint64_t sectors;      /* the capacity, in BLOCK_SECTOR sectors */
    uint32_t sector_size;  /* BLOCK_SECTOR */
    uint32_t max_transfer; /* bytes per READ or WRITE at most, whole sectors */
    uint64_t buffer_size;  /* bytes of the transfer buffer */
    uint32_t flags;        /* BLOCK_INFO_* */
    uint32_t max_requests; /* requests in flight at most */
};
_Static_assert(sizeof(struct block_info) == 32, "block_info is part of the protocol");

#define BLOCK_INFO_RO 0x1 /* the device is read-only */

struct block_io {
    uint64_t lba;    /* the first sector */
    uint64_t offset; /* where in the buffer, bytes */
    uint32_t count;  /* sectors */
    uint32_t buffer; /* the buffer's id, as BLOCK_BUFFER said */
};
_Static_assert(sizeof(struct block_io) == 24, "block_io is part of the protocol");

#define BLOCK_SERVICE                                                                              \
    ACTOR_SERVICE(BLOCK_NAME, ACTOR_IDEMPOTENT(BLOCK_INFO) | ACTOR_IDEMPOTENT(BLOCK_FLUSH))

/* A READ or WRITE (TYPE) of COUNT sectors from LBA at OFFSET in buffer
 * BUFFER (its id), through SERVER (a send capability to the driver). */
static inline long block_transfer(long server, enum block_type type, uint64_t lba, uint32_t count,
                                  uint64_t offset, uint32_t buffer)
{
    struct block_io io = { .lba = lba, .offset = offset, .count = count, .buffer = buffer };
    return actor_call(server, type, &io, sizeof(io), NULL, NULL);
}

/* A WRITEV of the N entries IOS (1 to max_requests) through SERVER. */
static inline long block_writev(long server, const struct block_io *ios, unsigned n)
{
    return actor_call(server, BLOCK_WRITEV, ios, n * sizeof(*ios), NULL, NULL);
}

#endif
