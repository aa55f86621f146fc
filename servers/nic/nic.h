/*
 * nic.h: the virtio-net driver's own declarations. The protocol it serves
 * is <actor/nic.h>; docs/drivers.md tells how it drives the device.
 *
 *   main.c    the actor: find and set up the device, then libactor serves
 *   device.c  probe: PCI, virtio negotiation, the two queues, the region;
 *             quiescing (and if need be resetting) it for a new client
 *   ops.c     frames between the device's queues and the buffers (no messages)
 *   bufs.c    who holds each buffer, and the client's rings (pure: bufs.h)
 *   ipc.c     decode-and-reply handlers, the interrupt and the doorbell
 */
#ifndef NIC_H
#define NIC_H

#include "bufs.h"
#include "virtio/virtio.h"

#define NIC_QUEUE_MAX    256 /* entries of each virtqueue we use */
#define NIC_RXQ          0
#define NIC_TXQ          1
#define NIC_IRQ_BIT      0x1 /* the device's interrupt, to the loop */
#define NIC_DOORBELL_BIT 0x2 /* the client's doorbell, to the loop */

/* The device and everything the driver keeps about it (one device). */
struct nic {
    /* hardware */
    struct pci pci;
    struct pci_dev dev;
    struct virtio vio;
    struct virtq rxq, txq;
    long irq;
    /* what it is */
    uint8_t mac[6];
    bool has_status; /* VIRTIO_NET_F_STATUS: the link's state is known */
    uint32_t id;     /* the instance (nic_info.id): our actor id, never reused */
    /* the region the client shares (and a read-write capability to it) */
    struct pci_dma region;
    long client_cap;
    /* doorbells: ours, to hand out, and the attached client's (0: none) */
    long doorbell, client_doorbell;
    /* the buffer each chain in the device is (by its head descriptor) */
    uint16_t rx_buf[VIRTQ_MAX], tx_buf[VIRTQ_MAX];
    struct nic_bufs bufs;
};

extern struct nic nic;

/* device.c: find the first virtio-net device with the device authority
 * DEV and set it up, buffers posted. 0, CLK_ENOENT (none), CLK_ENOSYS
 * (legacy only, or without what the driver needs; said on the console),
 * or an error. */
long nic_probe(struct nic *n, long dev);

/* Wait (up to a second) until the device has sent every TX buffer, else
 * reset it, so that no buffer a new client gets is still read by it. */
void nic_quiesce(struct nic *n);

bool nic_link_up(const struct nic *n);

/* ops.c */

/* Give the device the RX buffers the nic holds and the frames waiting to
 * be sent, while its queues have room; notify it once for each queue. */
void nic_post(struct nic *n);
void nic_send(struct nic *n);

/* Take what the device has done: frames received, buffers sent. */
void nic_complete(struct nic *n);

/* All of it, and the client's rings both ways: true when the client must
 * be woken (a ring it reads was empty). */
bool nic_serve(struct nic *n);

void nic_info(const struct nic *n, struct nic_info *info);

/* ipc.c: the protocol's handlers, and the loop's notification handler
 * (the interrupt, NIC_IRQ_BIT, and the client's doorbell, NIC_DOORBELL_BIT). */
extern const struct actor_handler nic_handlers[];
void nic_notified(uint64_t bits);

#endif
