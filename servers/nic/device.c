/*
 * device.c: find a virtio-net device on PCI and set it up: virtio 1.0
 * ("modern"), one MSI-X vector for both queues, RX queue 0 and TX queue 1,
 * and the region the client shares (actor/nic.h), its RX buffers posted.
 */
#include "nic.h"
#include <stdio.h>
#include <stdlib.h>

#define VIRTIO_NET_LEGACY 0x1000 /* a transitional device: legacy and modern */
#define VIRTIO_NET_MODERN 0x1041 /* 0x1040 + device type 1 */

/* Features (virtio 1.0, 5.1.3) and the device configuration (5.1.4). */
#define VIRTIO_NET_F_MAC     (1ULL << 5)
#define VIRTIO_NET_F_STATUS  (1ULL << 16)
#define VIRTIO_NET_S_LINK_UP 1
#define CFG_MAC              0
#define CFG_STATUS           6

#define WANTED   (VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS)
#define REQUIRED (VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MAC)

#define QUIESCE_STEP_NS 10000000ULL /* 10 ms */
#define QUIESCE_STEPS   100

static bool is_virtio_net(const struct pci_dev *d, void *arg)
{
    (void)arg;
    return d->vendor == VIRTIO_VENDOR &&
           (d->device == VIRTIO_NET_LEGACY || d->device == VIRTIO_NET_MODERN);
}

bool nic_link_up(const struct nic *n)
{
    return !n->has_status || virtio_config(&n->vio, CFG_STATUS, 2) & VIRTIO_NET_S_LINK_UP;
}

/* Negotiate, give the queues their rings and the interrupt's vector (MSI-X
 * entry 0), and start the device with every RX buffer the nic holds. */
static long start(struct nic *n)
{
    long r = virtio_start(&n->vio, WANTED, REQUIRED);
    if (r == CLK_ENOSYS)
        printf("nic: the device does not offer virtio 1.0 with a MAC address\n");
    if (r < 0 || (r = virtio_queue(&n->vio, NIC_RXQ, NIC_QUEUE_MAX, 0, &n->rxq)) < 0 ||
        (r = virtio_queue(&n->vio, NIC_TXQ, NIC_QUEUE_MAX, 0, &n->txq)) < 0) {
        virtio_fail(&n->vio);
        return r;
    }
    virtio_ready(&n->vio);
    nic_post(n); /* the device may be notified only once it is ready */
    return 0;
}

/* The interrupt, the region and a capability to it for clients, and the
 * device started. */
static long set_up(struct nic *n)
{
    long kind = pci_irq_setup(&n->dev, PCI_IRQ_MSIX, &n->irq);
    if (kind < 0) {
        printf("nic: the device has no MSI-X (%s)\n", actor_strerror(kind));
        return kind == CLK_ENOENT ? CLK_ENOSYS : kind;
    }
    long r = actor_bind_irq(n->irq, NIC_IRQ_BIT);
    if (r < 0 || (r = pci_dma_alloc(&n->pci, NIC_REGION_SIZE, &n->region)) < 0)
        return r;
    n->client_cap = clk_cap_mint(n->region.cap, CLK_RIGHT_READ | CLK_RIGHT_WRITE, 0);
    n->doorbell = actor_doorbell(NIC_DOORBELL_BIT);
    n->id = (uint32_t)clk_self();
    if (n->client_cap < 0 || n->doorbell < 0)
        return n->client_cap < 0 ? n->client_cap : n->doorbell;
    nic_bufs_init(&n->bufs);
    pci_enable(&n->dev, PCI_CMD_MASTER);
    return start(n);
}

long nic_probe(struct nic *n, long dev)
{
    long r = pci_open(&n->pci, dev);
    if (r < 0 || (r = pci_find(&n->pci, is_virtio_net, NULL, &n->dev)) < 0)
        return r;
    const struct pci_dev *d = &n->dev;
    printf("nic: virtio-net at %02x:%02x.%x (device %#x)\n", d->bus, d->slot, d->func, d->device);
    if (virtio_open(&n->vio, &n->dev) < 0) {
        printf("nic: it offers no virtio 1.0 interface (legacy only), which this driver needs\n");
        return CLK_ENOSYS;
    }
    if ((r = set_up(n)) < 0)
        return r;
    n->has_status = n->vio.features & VIRTIO_NET_F_STATUS;
    for (unsigned i = 0; i < sizeof(n->mac); i++)
        n->mac[i] = (uint8_t)virtio_config(&n->vio, CFG_MAC + i, 1);
    return 0;
}

void nic_quiesce(struct nic *n)
{
    for (unsigned i = 0;; i++) {
        nic_complete(n);
        if (nic_bufs_count(&n->bufs, NIC_BUF_DEV_TX) == 0)
            return;
        if (i == QUIESCE_STEPS)
            break;
        clk_sleep_ns(QUIESCE_STEP_NS);
    }
    printf("nic: the device still holds frames to send after %llu ms; resetting it\n",
           QUIESCE_STEPS * QUIESCE_STEP_NS / 1000000);
    nic_bufs_device_reset(&n->bufs); /* start() resets it: nothing it held is touched again */
    long r = start(n);
    if (r < 0) {
        printf("nic: the device did not start again (%s)\n", actor_strerror(r));
        exit(1); /* the supervisor starts a new instance */
    }
}
