/*
 * ops.c: block requests on the virtqueue. Each client request is one
 * virtio-blk request (a WRITEV one per entry): a header, the data straight
 * in the transfer buffer (in pieces of at most seg_bytes), and a status
 * byte the device writes. Headers and status bytes live in one DMA page,
 * a slot each; a free slot guarantees free descriptors (nslots * descs <=
 * queue size). A client request (struct blk_req) is answered when the
 * last of its slots completes.
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

static unsigned free_slots(const struct blk *b)
{
    unsigned n = 0;
    for (unsigned i = 0; i < b->nslots; i++)
        n += !b->slots[i].busy;
    return n;
}

static volatile uint8_t *status_byte(const struct blk *b, unsigned slot)
{
    return (volatile uint8_t *)b->headers.va + STATUS_AT + slot;
}

/* Whether IO names this instance's buffer (else CLK_EDEAD), and whole
 * sectors of the device and bytes of the buffer within the limits (else
 * CLK_EINVAL): 0 when it does. */
static long check_io(const struct blk *b, const struct block_io *io)
{
    uint64_t bytes = (uint64_t)io->count * BLOCK_SECTOR;
    if (io->buffer != b->buffer_id)
        return CLK_EDEAD; /* a buffer of an instance before this one */
    if (io->count == 0 || bytes > b->max_transfer)
        return CLK_EINVAL;
    if (io->lba >= b->sectors || io->count > b->sectors - io->lba)
        return CLK_EINVAL; /* past the end */
    if (io->offset % BLOCK_SECTOR || io->offset > b->buffer.size ||
        bytes > b->buffer.size - io->offset)
        return CLK_EINVAL; /* not within the buffer */
    return 0;
}

long blk_check(const struct blk *b, unsigned type, const struct block_io *io)
{
    if (type == BLOCK_READ || type == BLOCK_WRITE) {
        long err = check_io(b, io);
        if (err)
            return err;
        if (type == BLOCK_WRITE && b->read_only)
            return CLK_EPERM;
    } else if (type != BLOCK_FLUSH) {
        return CLK_EINVAL;
    }
    return free_slot(b) < 0 ? CLK_EAGAIN : 0;
}

/* Whether [A, A + ALEN) and [B, B + BLEN) meet (no sum overflows). */
static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

/* Whether two entries that check_io allowed share sectors or buffer bytes. */
static bool share(const struct block_io *x, const struct block_io *y)
{
    return overlap(x->lba, x->count, y->lba, y->count) ||
           overlap(x->offset, (uint64_t)x->count * BLOCK_SECTOR, y->offset,
                   (uint64_t)y->count * BLOCK_SECTOR);
}

long blk_check_writev(const struct blk *b, const struct block_io *ios, unsigned n)
{
    if (n == 0 || n > b->nslots)
        return CLK_EINVAL;
    for (unsigned i = 0; i < n; i++) {
        long err = check_io(b, &ios[i]);
        if (err)
            return err;
        for (unsigned j = 0; j < i; j++)
            if (share(&ios[i], &ios[j]))
                return CLK_EINVAL;
    }
    if (b->read_only)
        return CLK_EPERM;
    return free_slots(b) < n ? CLK_EAGAIN : 0;
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

/* A free client request of N slots, answered to COOKIE. Expects free
 * slots (so a free request exists: each busy one holds a busy slot). */
static unsigned new_req(struct blk *b, unsigned n, uint64_t cookie)
{
    unsigned r = 0;
    while (b->reqs[r].pending) {
        r++;
        assert(r < BLK_SLOTS_MAX);
    }
    b->reqs[r] = (struct blk_req){ .pending = n, .status = 0, .cookie = cookie };
    return r;
}

/* Put a virtio request of TYPE for IO in a free slot, as part of client
 * request R; the device sees it at the next kick. */
static void put(struct blk *b, unsigned type, const struct block_io *io, unsigned r)
{
    int s = free_slot(b);
    assert(s >= 0); /* blk_check or blk_check_writev said so */
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
    b->slots[s] = (struct blk_slot){ .busy = true, .head = (uint16_t)head, .req = (uint8_t)r };
    b->slot_of_head[head] = (uint8_t)s;
}

void blk_submit(struct blk *b, unsigned type, const struct block_io *io, uint64_t cookie)
{
    put(b, type, io, new_req(b, 1, cookie));
    virtq_kick(&b->q);
}

void blk_submit_writev(struct blk *b, const struct block_io *ios, unsigned n, uint64_t cookie)
{
    unsigned r = new_req(b, n, cookie);
    for (unsigned i = 0; i < n; i++)
        put(b, BLOCK_WRITE, &ios[i], r);
    virtq_kick(&b->q); /* all of them at once */
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
        struct blk_req *req = &b->reqs[slot->req];
        if (*status_byte(b, s) != VIRTIO_BLK_S_OK)
            req->status = CLK_EIO;
        if (--req->pending == 0)
            done(req->cookie, req->status);
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
