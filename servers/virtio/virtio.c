/*
 * virtio.c: virtio 1.0 over PCI (see virtio.h). The numbers are the
 * virtio 1.0 specification's (OASIS, 2016), section 4.1.
 */
#include "virtio.h"
#include <string.h>

/* Vendor capability (struct virtio_pci_cap): where each structure is. */
#define CAP_TYPE        3
#define CAP_BAR         4
#define CAP_OFFSET      8
#define CAP_LENGTH      12
#define CAP_NOTIFY_MULT 16
#define CFG_COMMON      1
#define CFG_NOTIFY      2
#define CFG_DEVICE      4

/* struct virtio_pci_common_cfg */
#define DEVICE_FEATURE_SELECT 0x00
#define DEVICE_FEATURE        0x04
#define DRIVER_FEATURE_SELECT 0x08
#define DRIVER_FEATURE        0x0C
#define MSIX_CONFIG           0x10
#define DEVICE_STATUS         0x14
#define CONFIG_GENERATION     0x15
#define QUEUE_SELECT          0x16
#define QUEUE_SIZE            0x18
#define QUEUE_MSIX_VECTOR     0x1A
#define QUEUE_ENABLE          0x1C
#define QUEUE_NOTIFY_OFF      0x1E
#define QUEUE_DESC            0x20
#define QUEUE_DRIVER          0x28
#define QUEUE_DEVICE          0x30
#define COMMON_LEN            0x38

/* Device status bits. */
#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER      2
#define STATUS_DRIVER_OK   4
#define STATUS_FEATURES_OK 8
#define STATUS_FAILED      128

#define RESET_TRIES 1000

/* ---- registers ---- */

static uint8_t rd8(volatile uint8_t *base, unsigned off)
{
    return *(volatile uint8_t *)(base + off);
}

static uint16_t rd16(volatile uint8_t *base, unsigned off)
{
    return *(volatile uint16_t *)(base + off);
}

static uint32_t rd32(volatile uint8_t *base, unsigned off)
{
    return *(volatile uint32_t *)(base + off);
}

static void wr8(volatile uint8_t *base, unsigned off, uint8_t v)
{
    *(volatile uint8_t *)(base + off) = v;
}

static void wr16(volatile uint8_t *base, unsigned off, uint16_t v)
{
    *(volatile uint16_t *)(base + off) = v;
}

static void wr32(volatile uint8_t *base, unsigned off, uint32_t v)
{
    *(volatile uint32_t *)(base + off) = v;
}

/* A 64-bit register as two 32-bit halves, which every device accepts. */
static void wr64(volatile uint8_t *base, unsigned off, uint64_t v)
{
    wr32(base, off, (uint32_t)v);
    wr32(base, off + 4, (uint32_t)(v >> 32));
}

/* ---- finding the structures ---- */

/* Map the structure that the vendor capability at CAP of D describes: 0
 * with its address and length, or an error (its BAR cannot be mapped, or
 * it does not fit the BAR). */
static long map_structure(struct pci_dev *d, unsigned cap, volatile uint8_t **va, uint32_t *len)
{
    unsigned bar = pci_read(d, cap + CAP_BAR, 1);
    uint32_t off = pci_read(d, cap + CAP_OFFSET, 4), n = pci_read(d, cap + CAP_LENGTH, 4);
    volatile uint8_t *base;
    long r = pci_map_bar(d, bar, &base);
    if (r < 0)
        return r;
    if ((uint64_t)off + n > d->bar_len[bar])
        return CLK_EINVAL;
    *va = base + off;
    *len = n;
    return 0;
}

long virtio_open(struct virtio *v, struct pci_dev *d)
{
    *v = (struct virtio){ .pci = d };
    uint32_t common_len = 0;
    for (unsigned cap = pci_find_cap(d, PCI_CAP_VENDOR, 0); cap;
         cap = pci_find_cap(d, PCI_CAP_VENDOR, cap)) {
        unsigned type = pci_read(d, cap + CAP_TYPE, 1);
        if (type == CFG_COMMON && !v->common)
            map_structure(d, cap, &v->common, &common_len);
        else if (type == CFG_DEVICE && !v->device)
            map_structure(d, cap, &v->device, &v->device_len);
        else if (type == CFG_NOTIFY && !v->notify &&
                 map_structure(d, cap, &v->notify, &v->notify_len) == 0)
            v->notify_mult = pci_read(d, cap + CAP_NOTIFY_MULT, 4);
    }
    if (!v->common || common_len < COMMON_LEN || !v->notify || v->notify_len < 2)
        return CLK_ENOENT;
    return 0;
}

/* ---- initialisation (virtio 1.0, 3.1.1) ---- */

static void add_status(struct virtio *v, uint8_t bits)
{
    wr8(v->common, DEVICE_STATUS, rd8(v->common, DEVICE_STATUS) | bits);
}

void virtio_fail(struct virtio *v)
{
    add_status(v, STATUS_FAILED);
}

void virtio_ready(struct virtio *v)
{
    add_status(v, STATUS_DRIVER_OK);
}

static uint64_t device_features(struct virtio *v)
{
    wr32(v->common, DEVICE_FEATURE_SELECT, 0);
    uint64_t lo = rd32(v->common, DEVICE_FEATURE);
    wr32(v->common, DEVICE_FEATURE_SELECT, 1);
    return (uint64_t)rd32(v->common, DEVICE_FEATURE) << 32 | lo;
}

long virtio_start(struct virtio *v, uint64_t wanted, uint64_t required)
{
    wr8(v->common, DEVICE_STATUS, 0);
    for (int i = 0; i < RESET_TRIES && rd8(v->common, DEVICE_STATUS) != 0; i++)
        clk_yield();
    add_status(v, STATUS_ACKNOWLEDGE);
    add_status(v, STATUS_DRIVER);
    uint64_t offered = device_features(v);
    if ((offered & required) != required) {
        virtio_fail(v);
        return CLK_ENOSYS;
    }
    v->features = offered & (wanted | required);
    wr32(v->common, DRIVER_FEATURE_SELECT, 0);
    wr32(v->common, DRIVER_FEATURE, (uint32_t)v->features);
    wr32(v->common, DRIVER_FEATURE_SELECT, 1);
    wr32(v->common, DRIVER_FEATURE, (uint32_t)(v->features >> 32));
    add_status(v, STATUS_FEATURES_OK);
    if (!(rd8(v->common, DEVICE_STATUS) & STATUS_FEATURES_OK)) {
        virtio_fail(v);
        return CLK_EIO;
    }
    wr16(v->common, MSIX_CONFIG, VIRTIO_NO_VECTOR); /* no interrupt for configuration changes */
    return 0;
}

/* ---- queues ---- */

long virtio_queue(struct virtio *v, unsigned index, unsigned max, uint16_t vector, struct virtq *q)
{
    volatile uint8_t *c = v->common;
    wr16(c, QUEUE_SELECT, (uint16_t)index);
    unsigned size = rd16(c, QUEUE_SIZE);
    if (size == 0)
        return CLK_ENOENT;
    if (max == 0)
        return CLK_EINVAL;
    while (size > max || size > VIRTQ_MAX || (size & (size - 1)))
        size = 1u << (31 - __builtin_clz(size - 1)); /* the power of two below */
    uint64_t notify_at = (uint64_t)rd16(c, QUEUE_NOTIFY_OFF) * v->notify_mult;
    if (notify_at + 2 > v->notify_len)
        return CLK_EIO;
    struct pci_dma mem, *kept = index < VIRTIO_QUEUES_KEPT ? &v->rings[index] : NULL;
    if (kept && kept->size >= virtq_bytes(size)) {
        mem = *kept; /* started again after a reset: the device no longer uses it */
        memset(mem.va, 0, mem.size);
    } else {
        long r = pci_dma_alloc(v->pci->pci, virtq_bytes(size), &mem);
        if (r < 0)
            return r;
        if (kept && kept->cap) { /* too small for the queue now: given back */
            clk_unmap((unsigned long)kept->va);
            clk_cap_delete(kept->cap);
        }
        if (kept)
            *kept = mem;
    }
    virtq_init(q, (uint16_t)index, (uint16_t)size, mem.va,
               (volatile uint16_t *)(v->notify + notify_at));
    wr16(c, QUEUE_SIZE, (uint16_t)size);
    wr16(c, QUEUE_MSIX_VECTOR, vector);
    if (rd16(c, QUEUE_MSIX_VECTOR) != vector)
        return CLK_EIO; /* it could not take the vector */
    wr64(c, QUEUE_DESC, mem.phys);
    wr64(c, QUEUE_DRIVER, mem.phys + virtq_avail_offset(size));
    wr64(c, QUEUE_DEVICE, mem.phys + virtq_used_offset(size));
    wr16(c, QUEUE_ENABLE, 1);
    return 0;
}

uint64_t virtio_config(const struct virtio *v, unsigned off, unsigned width)
{
    if (!v->device || off > v->device_len || width > v->device_len - off)
        return 0;
    if (width == 1)
        return rd8(v->device, off);
    if (width == 2)
        return rd16(v->device, off);
    if (width == 4)
        return rd32(v->device, off);
    uint64_t value;
    uint8_t gen;
    do {
        gen = rd8(v->common, CONFIG_GENERATION);
        value = (uint64_t)rd32(v->device, off + 4) << 32 | rd32(v->device, off);
    } while (gen != rd8(v->common, CONFIG_GENERATION));
    return value;
}
