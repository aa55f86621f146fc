/*
 * block.h: the virtio-blk driver's own declarations. The protocol it
 * serves is <actor/block.h>; docs/drivers.md tells how it finds and
 * drives the device.
 *
 *   main.c    the actor: find and set up the device, then libactor serves
 *   device.c  probe: PCI, virtio negotiation, the queue, the buffers
 *   ops.c     requests: check, put on the queue, complete (no messages)
 *   ipc.c     decode-and-reply handlers, and the interrupt
 */
#ifndef BLOCK_H
#define BLOCK_H

#include "virtio/virtio.h"
#include <actor/block.h>

#define BLK_MAX_TRANSFER (1u << 20) /* bytes per request at most */
#define BLK_BUFFER_SIZE  (2u << 20) /* the transfer buffer: two of the largest requests */
#define BLK_SLOTS_MAX    64         /* requests in flight at most */
#define BLK_QUEUE_MAX    256        /* entries of the virtqueue we use */
#define BLK_IRQ_BIT      0x1        /* what the interrupt signals to the loop */

/* One virtio request in flight: a slot of the header page. */
struct blk_slot {
    bool busy;
    uint16_t head; /* its chain in the queue */
    uint8_t req;   /* the client request it is part of (reqs[]) */
};

/* A client request in flight: one slot (READ, WRITE, FLUSH) or one per
 * entry (WRITEV). It holds at least one busy slot, so there is always a
 * free one of these for a request that has its slots. */
struct blk_req {
    unsigned pending; /* its slots not yet completed; 0: this is free */
    long status;      /* 0, or CLK_EIO once one of them has failed */
    uint64_t cookie;  /* the caller's (ipc.c: the deferred reply) */
};

/* The device and everything the driver keeps about it (one device). */
struct blk {
    /* hardware */
    struct pci pci;
    struct pci_dev dev;
    struct virtio vio;
    struct virtq q;
    long irq;
    /* what it is */
    uint64_t sectors;
    uint32_t block_size; /* the device's preferred unit (information only) */
    bool read_only, has_flush;
    /* limits of a request: bytes, bytes per descriptor, descriptors */
    uint32_t max_transfer, seg_bytes;
    unsigned descs, nslots;
    /* memory: the transfer buffer (and a capability to it for clients,
     * read and write only), and the page of request headers and statuses */
    struct pci_dma buffer, headers;
    long client_cap;
    uint32_t buffer_id; /* what requests name it by: our actor id, never reused */
    /* requests in flight */
    struct blk_slot slots[BLK_SLOTS_MAX];
    struct blk_req reqs[BLK_SLOTS_MAX];
    uint8_t slot_of_head[BLK_QUEUE_MAX]; /* valid while that slot is busy */
};

extern struct blk blk;

/* device.c: find the first virtio-blk device with the device authority
 * DEV and set it up. 0, CLK_ENOENT (none), CLK_ENOSYS (legacy only, or
 * without what the driver needs; said on the console), or an error. */
long blk_probe(struct blk *b, long dev);

/* ops.c */
typedef void blk_done_fn(uint64_t cookie, long status);

/* Whether a request of TYPE (BLOCK_READ, BLOCK_WRITE or BLOCK_FLUSH;
 * IO is ignored for a flush) can go to the device now: 0, or the error
 * to answer (see actor/block.h). Changes nothing. */
long blk_check(const struct blk *b, unsigned type, const struct block_io *io);

/* Put a request that blk_check allowed on the queue; DONE gets COOKIE
 * when it completes (from blk_complete). Cannot fail. */
void blk_submit(struct blk *b, unsigned type, const struct block_io *io, uint64_t cookie);

/* Whether a BLOCK_WRITEV of the N entries IOS can go to the device now:
 * 1 to nslots entries, each one a valid WRITE (blk_check), no two sharing
 * sectors or bytes of the buffer, and N free slots. 0, or the error to
 * answer (the request's fault before CLK_EAGAIN). Changes nothing. */
long blk_check_writev(const struct blk *b, const struct block_io *ios, unsigned n);

/* Put a WRITEV that blk_check_writev allowed on the queue, an entry a
 * slot; DONE gets COOKIE once, when all N have completed: 0, or CLK_EIO
 * if any failed. Cannot fail. */
void blk_submit_writev(struct blk *b, const struct block_io *ios, unsigned n, uint64_t cookie);

/* Hand every request the device has finished (all of its slots) to DONE,
 * with 0 or CLK_EIO. */
void blk_complete(struct blk *b, blk_done_fn *done);

void blk_info(const struct blk *b, struct block_info *info);

/* ipc.c: the protocol's handlers, and the loop's notification handler,
 * which completes requests when the interrupt (BLK_IRQ_BIT) comes. */
extern const struct actor_handler blk_handlers[];
void blk_notified(uint64_t bits);

#endif
