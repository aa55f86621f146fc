/*
 * virtq.h: split virtqueues (virtio 1.0, section 2.4), the rings a driver
 * and a virtio device share in DMA memory. Pure code: virtio.h's
 * virtio_queue gives a queue its memory and its notification address, and
 * tests/unit/test_block.c plays the device on the host.
 *
 * Requests are chains of buffers: virtq_add puts one in the available
 * ring, virtq_kick tells the device about those added since the last
 * kick, and virtq_take returns the chains the device has finished with,
 * in the order it used them. Only the driver's thread touches a queue.
 */
#ifndef VIRTQ_H
#define VIRTQ_H

#include <clk/abi.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTQ_MAX 256 /* entries of a queue we use at most */

/* The rings, as virtio 1.0 section 2.4 lays them out. */
struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};
_Static_assert(sizeof(struct virtq_desc) == 16, "virtio 1.0 2.4.5");
#define VIRTQ_DESC_F_NEXT      1
#define VIRTQ_DESC_F_WRITE     2 /* the device writes the buffer */
#define VIRTQ_USED_F_NO_NOTIFY 1

struct virtq_avail {
    uint16_t flags, idx;
    uint16_t ring[];
};

struct virtq_used_elem {
    uint32_t id, len;
};

struct virtq_used {
    uint16_t flags, idx;
    struct virtq_used_elem ring[];
};

/* One split virtqueue. Only its driver's thread touches it. */
struct virtq {
    uint16_t index, size;
    struct virtq_desc *desc;
    volatile struct virtq_avail *avail;
    volatile struct virtq_used *used;
    volatile uint16_t *notify;
    uint16_t free_head, nfree; /* free descriptors, linked through next */
    uint16_t avail_idx;        /* ours; published by virtq_kick */
    uint16_t last_used;        /* the next used entry to take */
    uint16_t chain[VIRTQ_MAX]; /* descriptors in the chain a head starts, 0 if none */
};

/* One buffer of a chain: PHYS, LEN bytes; WRITABLE: the device writes it. */
struct virtq_buf {
    uint64_t phys;
    uint32_t len;
    bool writable;
};

/* The bytes of DMA memory a queue of SIZE entries needs (16-byte aligned). */
size_t virtq_bytes(unsigned size);

/* Lay out a queue of SIZE entries (a power of two, at most VIRTQ_MAX) in
 * MEM (zeroed), notified through NOTIFY. The device is told where its
 * descriptors (MEM), available ring and used ring are: */
void virtq_init(struct virtq *q, uint16_t index, uint16_t size, void *mem,
                volatile uint16_t *notify);
size_t virtq_avail_offset(unsigned size);
size_t virtq_used_offset(unsigned size);

/* Put the chain of the N buffers BUFS in the available ring (the device
 * sees it at the next virtq_kick). Returns the head descriptor's index,
 * which virtq_take gives back, or CLK_EAGAIN (not enough free
 * descriptors) or CLK_EINVAL (N is 0). */
long virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned n);

/* Publish the chains added and notify the device (unless it asked not). */
void virtq_kick(struct virtq *q);

/* The next chain the device has used: its head, with the bytes it wrote
 * in *LEN; its descriptors are free again. CLK_ENOENT when there is none,
 * CLK_EIO when the device named a descriptor that heads no chain. */
long virtq_take(struct virtq *q, uint32_t *len);

#endif
