/*
 * virtio.h: virtio 1.0 devices over PCI ("modern": the registers in memory
 * BARs that vendor capabilities point to) and split virtqueues, for
 * user-space drivers (servers/block; the network driver later). Built on
 * servers/pci/pci.h; the caller owns the rings' DMA memory through it.
 *
 * A driver calls virtio_open, virtio_start (reset, feature negotiation),
 * virtio_queue for each queue (its rings in new DMA memory; virtq.h), then
 * virtio_ready.
 */
#ifndef VIRTIO_H
#define VIRTIO_H

#include "pci/pci.h"
#include "virtq.h"

#define VIRTIO_VENDOR      0x1AF4
#define VIRTIO_F_VERSION_1 (1ULL << 32)
#define VIRTIO_NO_VECTOR   0xFFFF

/* The device's register blocks, as its capabilities place them. */
#define VIRTIO_QUEUES_KEPT 4

struct virtio {
    struct pci_dev *pci;
    volatile uint8_t *common; /* struct virtio_pci_common_cfg */
    volatile uint8_t *device; /* the device type's configuration... */
    uint32_t device_len;      /* ...of this many bytes */
    volatile uint8_t *notify; /* queue notification addresses... */
    uint32_t notify_len, notify_mult;
    uint64_t features; /* negotiated */
    /* the rings' DMA memory of queues 0 to VIRTIO_QUEUES_KEPT - 1, kept
     * for when the device is started again after a reset */
    struct pci_dma rings[VIRTIO_QUEUES_KEPT];
};

/* Find D's common, notification and device-specific structures and map
 * them. 0, or CLK_ENOENT (a legacy-only device: no such capabilities). */
long virtio_open(struct virtio *v, struct pci_dev *d);

/* Reset the device and negotiate: the features it offers of WANTED, and
 * all of REQUIRED (or CLK_ENOSYS), end up in v->features; FEATURES_OK must
 * stick (or CLK_EIO). The device is marked FAILED when this fails. */
long virtio_start(struct virtio *v, uint64_t wanted, uint64_t required);

/* Set up queue INDEX with at most MAX entries (rounded down to a power of
 * two, at most VIRTQ_MAX), in new DMA memory, interrupting through MSI-X
 * VECTOR. A queue set up again (after a reset) has its rings in the same
 * memory as before, when they fit. 0, or
 * CLK_ENOENT (no such queue), CLK_EIO (the device refused the vector) and
 * allocation errors. */
long virtio_queue(struct virtio *v, unsigned index, unsigned max, uint16_t vector, struct virtq *q);

/* The driver is ready (DRIVER_OK), or has given up (FAILED). */
void virtio_ready(struct virtio *v);
void virtio_fail(struct virtio *v);

/* Bytes OFF.. of the device-specific configuration: WIDTH 1, 2 or 4, or 8
 * (read as two halves until the configuration generation holds still).
 * Reads past its end give 0. */
uint64_t virtio_config(const struct virtio *v, unsigned off, unsigned width);

#endif
