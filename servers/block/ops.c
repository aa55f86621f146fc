/*
 * ops.c: block requests on the virtqueue. Each client request is one
 * virtio-blk request: a header, the data straight in the transfer buffer
 * (in pieces of at most seg_bytes), and a status byte the device writes.
 * Headers and status bytes live in one DMA page, a slot each; a free slot
 * guarantees free descriptors (nslots * descs <= queue size).
 */
#include "block.h"
#include <assert.h>

/* virtio 1.0, 5.2.6: request types and status. */
#define VIRTIO_BLK_T_IN    0
#define VIRTIO_BLK_T_OUT   1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_S_OK    0

struct blk_header {
    uint32_t type, reserved;
    uint64_t sector;
};
_Static_assert(sizeof(struct blk_header) == 16, "virtio 1.0 5.2.6");

#define STATUS_AT (BLK_SLOTS_MAX * sizeof(struct blk_header)) /* in the header page */
_Static_assert(STATUS_AT + BLK_SLOTS_MAX <= 4096, "headers and statuses share a page");

static int free_slot(const struct blk *b)
{
    for (unsigned i = 0; i < b->nslots; i++)
        if (!b->slots[i].busy)
            return (int)i;
    return -1;
}

static volatile uint8_t *status_byte(const struct blk *b, unsigned slot)
{
    return (volatile uint8_t *)b->headers.va + STATUS_AT + slot;
}

long blk_check(const struct blk *b, unsigned type, const struct block_io *io)
{
    if (type == BLOCK_READ || type == BLOCK_WRITE) {
        uint64_t bytes = (uint64_t)io->count * BLOCK_SECTOR;
        if (io->flags || io->count == 0 || bytes > b->max_transfer)
            return CLK_EINVAL;
        if (io->lba >= b->sectors || io->count > b->sectors - io->lba)
            return CLK_EINVAL; /* past the end */
        if (io->offset % BLOCK_SECTOR || io->offset > b->buffer.size ||
            bytes > b->buffer.size - io->offset)
            return CLK_EINVAL; /* not within the buffer */
        if (type == BLOCK_WRITE && b->read_only)
            return CLK_EPERM;
    } else if (type != BLOCK_FLUSH) {
        return CLK_EINVAL;
    }
    return free_slot(b) < 0 ? CLK_EAGAIN : 0;
}

/* The buffers of a request of TYPE in slot S into BUFS; returns how many. */
static unsigned chain(const struct blk *b, unsigned type, const struct block_io *io, unsigned s,
                      struct virtq_buf *bufs)
{
    unsigned n = 0;
    bufs[n++] = (struct virtq_buf){ b->headers.phys + s * sizeof(struct blk_header),
                                    sizeof(struct blk_header), false };
    uint64_t bytes = type == BLOCK_FLUSH ? 0 : (uint64_t)io->count * BLOCK_SECTOR;
    for (uint64_t done = 0; done < bytes; done += b->seg_bytes) {
        uint64_t piece = bytes - done < b->seg_bytes ? bytes - done : b->seg_bytes;
        bufs[n++] = (struct virtq_buf){ b->buffer.phys + io->offset + done, (uint32_t)piece,
                                        type == BLOCK_READ };
    }
    bufs[n++] = (struct virtq_buf){ b->headers.phys + STATUS_AT + s, 1, true };
    return n;
}

void blk_submit(struct blk *b, unsigned type, const struct block_io *io, uint64_t cookie)
{
    int s = free_slot(b);
    assert(s >= 0); /* blk_check said so */
    struct blk_header *h = (struct blk_header *)b->headers.va + s;
    *h = (struct blk_header){
        .type = type == BLOCK_READ    ? VIRTIO_BLK_T_IN
                : type == BLOCK_WRITE ? VIRTIO_BLK_T_OUT
                                      : VIRTIO_BLK_T_FLUSH,
        .sector = type == BLOCK_FLUSH ? 0 : io->lba,
    };
    *status_byte(b, (unsigned)s) = 0xFF; /* an error, unless the device writes it */
    struct virtq_buf bufs[BLK_QUEUE_MAX];
    unsigned n = chain(b, type, io, (unsigned)s, bufs);
    long head = virtq_add(&b->q, bufs, n);
    assert(head >= 0); /* a free slot has its descriptors */
    b->slots[s] = (struct blk_slot){ .busy = true, .head = (uint16_t)head, .cookie = cookie };
    b->slot_of_head[head] = (uint8_t)s;
    virtq_kick(&b->q);
}

void blk_complete(struct blk *b, blk_done_fn *done)
{
    uint32_t len;
    for (long head; (head = virtq_take(&b->q, &len)) != CLK_ENOENT;) {
        if (head < 0)
            continue; /* the device named no chain of ours */
        unsigned s = b->slot_of_head[head];
        struct blk_slot *slot = &b->slots[s];
        if (!slot->busy || slot->head != head)
            continue;
        slot->busy = false;
        done(slot->cookie, *status_byte(b, s) == VIRTIO_BLK_S_OK ? 0 : CLK_EIO);
    }
}

void blk_info(const struct blk *b, struct block_info *info)
{
    *info = (struct block_info){
        .sectors = b->sectors,
        .sector_size = BLOCK_SECTOR,
        .max_transfer = b->max_transfer,
        .buffer_size = b->buffer.size,
        .flags = b->read_only ? BLOCK_INFO_RO : 0,
        .max_requests = b->nslots,
    };
}
