/*
 * device.c: find a virtio-blk device on PCI and set it up: virtio 1.0
 * ("modern") through its capabilities, one MSI-X vector, request queue 0,
 * the transfer buffer and the page of request headers.
 */
#include "block.h"
#include <stdio.h>

#define VIRTIO_BLK_LEGACY 0x1001 /* a transitional device: legacy and modern */
#define VIRTIO_BLK_MODERN 0x1042 /* 0x1040 + device type 2 */

/* Features (virtio 1.0, 5.2.3) and the device configuration (5.2.4). */
#define VIRTIO_BLK_F_SIZE_MAX (1ULL << 1)
#define VIRTIO_BLK_F_SEG_MAX  (1ULL << 2)
#define VIRTIO_BLK_F_RO       (1ULL << 5)
#define VIRTIO_BLK_F_BLK_SIZE (1ULL << 6)
#define VIRTIO_BLK_F_FLUSH    (1ULL << 9)
#define CFG_CAPACITY          0
#define CFG_SIZE_MAX          8
#define CFG_SEG_MAX           12
#define CFG_BLK_SIZE          20

#define WANTED                                                                                     \
    (VIRTIO_BLK_F_SIZE_MAX | VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_RO | VIRTIO_BLK_F_BLK_SIZE |      \
     VIRTIO_BLK_F_FLUSH)

static bool is_virtio_blk(const struct pci_dev *d, void *arg)
{
    (void)arg;
    return d->vendor == VIRTIO_VENDOR &&
           (d->device == VIRTIO_BLK_LEGACY || d->device == VIRTIO_BLK_MODERN);
}

/* What the device says about itself, from its configuration. */
static void read_config(struct blk *b)
{
    uint64_t f = b->vio.features;
    b->sectors = virtio_config(&b->vio, CFG_CAPACITY, 8);
    b->read_only = f & VIRTIO_BLK_F_RO;
    b->has_flush = f & VIRTIO_BLK_F_FLUSH;
    b->block_size = f & VIRTIO_BLK_F_BLK_SIZE ? virtio_config(&b->vio, CFG_BLK_SIZE, 4) : 0;
    b->block_size = b->block_size ? b->block_size : BLOCK_SECTOR;
}

/* The largest request, and how many fit the queue at once: a request is a
 * header, its data in pieces of at most seg_bytes, and a status byte. */
static void set_limits(struct blk *b)
{
    uint64_t seg = BLK_MAX_TRANSFER, segs = b->q.size - 2u;
    uint32_t size_max = b->vio.features & VIRTIO_BLK_F_SIZE_MAX
                            ? (uint32_t)virtio_config(&b->vio, CFG_SIZE_MAX, 4)
                            : 0;
    uint32_t seg_max = b->vio.features & VIRTIO_BLK_F_SEG_MAX
                           ? (uint32_t)virtio_config(&b->vio, CFG_SEG_MAX, 4)
                           : 0;
    if (size_max >= BLOCK_SECTOR && size_max < seg)
        seg = size_max & ~(BLOCK_SECTOR - 1u);
    if (seg_max >= 1 && seg_max < segs)
        segs = seg_max;
    uint64_t max = seg * segs < BLK_MAX_TRANSFER ? seg * segs : BLK_MAX_TRANSFER;
    b->seg_bytes = (uint32_t)seg;
    b->max_transfer = (uint32_t)max & ~(BLOCK_SECTOR - 1u);
    b->descs = 2 + (unsigned)((b->max_transfer + seg - 1) / seg);
    b->nslots = b->q.size / b->descs < BLK_SLOTS_MAX ? b->q.size / b->descs : BLK_SLOTS_MAX;
}

/* The transfer buffer, a read-write capability to it for clients, and the
 * page of request headers and status bytes. */
static long alloc_memory(struct blk *b)
{
    long r = pci_dma_alloc(&b->pci, BLK_BUFFER_SIZE, &b->buffer);
    if (r < 0 || (r = pci_dma_alloc(&b->pci, 4096, &b->headers)) < 0)
        return r;
    b->client_cap = clk_cap_mint(b->buffer.cap, CLK_RIGHT_READ | CLK_RIGHT_WRITE, 0);
    b->buffer_id = (uint32_t)clk_self();
    return b->client_cap < 0 ? b->client_cap : 0;
}

/* Interrupts, the queue and memory, once features are agreed. */
static long set_up(struct blk *b)
{
    long kind = pci_irq_setup(&b->dev, PCI_IRQ_MSIX, &b->irq);
    if (kind < 0) {
        printf("block: the device has no MSI-X (%s)\n", actor_strerror(kind));
        return kind == CLK_ENOENT ? CLK_ENOSYS : kind;
    }
    long r = actor_bind_irq(b->irq, BLK_IRQ_BIT);
    if (r < 0 || (r = virtio_queue(&b->vio, 0, BLK_QUEUE_MAX, 0, &b->q)) < 0 ||
        (r = alloc_memory(b)) < 0)
        return r;
    pci_enable(&b->dev, PCI_CMD_MASTER);
    read_config(b);
    set_limits(b);
    virtio_ready(&b->vio);
    return 0;
}

long blk_probe(struct blk *b, long dev)
{
    long r = pci_open(&b->pci, dev);
    if (r < 0 || (r = pci_find(&b->pci, is_virtio_blk, NULL, &b->dev)) < 0)
        return r;
    const struct pci_dev *d = &b->dev;
    printf("block: virtio-blk at %02x:%02x.%x (device %#x)\n", d->bus, d->slot, d->func, d->device);
    if (virtio_open(&b->vio, &b->dev) < 0) {
        printf("block: it offers no virtio 1.0 interface (legacy only), which this driver "
               "needs\n");
        return CLK_ENOSYS;
    }
    if ((r = virtio_start(&b->vio, WANTED, VIRTIO_F_VERSION_1)) < 0)
        return r;
    if ((r = set_up(b)) < 0)
        virtio_fail(&b->vio);
    return r;
}
