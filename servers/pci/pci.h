/*
 * pci.h: PCI for user-space drivers, linked into each driver that needs it
 * (servers/block, later servers/net). Pure user space: it uses only the
 * capabilities its caller passes, a copy of the device authority from
 * which it makes what it needs (docs/drivers.md):
 *
 *   configuration space   mechanism #1, an I/O-port capability for
 *                         0xCF8-0xCFF (IOPORT_CREATE), 256 bytes a function
 *   registers (BARs)      memory objects of device pages (MMIO_CREATE), mapped
 *   DMA memory            DMA_CREATE, mapped, with its physical address
 *   interrupts            one MSI-X or MSI vector (IRQ_CREATE_MSI, IRQ_INFO),
 *                         which the caller binds to a notification
 *
 * What it maps goes in a window of the driver's address space from
 * PCI_MAP_VA up (docs/kernel-abi.md, "An actor's address space"), one
 * mapping after another; nothing is ever unmapped, since a driver keeps
 * its device for life.
 */
#ifndef PCI_H
#define PCI_H

#include <actor/sys.h>
#include <stdbool.h>

#define PCI_MAP_VA 0x0000500000000000UL
#define PCI_BARS   6

/* Configuration space registers (offsets) and bits of the command register. */
#define PCI_VENDOR_ID    0x00
#define PCI_DEVICE_ID    0x02
#define PCI_COMMAND      0x04
#define PCI_STATUS       0x06
#define PCI_REVISION     0x08
#define PCI_HEADER_TYPE  0x0E
#define PCI_BAR0         0x10
#define PCI_CAPABILITIES 0x34
#define PCI_CMD_IO       0x0001
#define PCI_CMD_MEMORY   0x0002
#define PCI_CMD_MASTER   0x0004
#define PCI_CMD_INTX_OFF 0x0400
#define PCI_STATUS_CAPS  0x0010
#define PCI_CAP_MSI      0x05
#define PCI_CAP_VENDOR   0x09 /* vendor-specific: virtio's structures */
#define PCI_CAP_MSIX     0x11
#define PCI_VENDOR_NONE  0xFFFF

/* The configuration space of every bus, and what the library has mapped. */
struct pci {
    long dev;          /* the device authority the caller passed */
    long cfg;          /* I/O ports 0xCF8-0xCFF */
    uintptr_t next_va; /* where the next mapping goes */
};

/* One function of one device. */
struct pci_dev {
    struct pci *pci;
    uint8_t bus, slot, func;
    uint16_t vendor, device;
    uint8_t class, subclass, prog_if, revision;
    volatile uint8_t *bar_va[PCI_BARS]; /* BARs mapped so far (pci_map_bar), else NULL */
    uint64_t bar_len[PCI_BARS];         /* ...and their sizes in bytes */
};

/* What a base address register decodes. */
struct pci_bar {
    uint64_t addr, size; /* size 0: the BAR is not implemented */
    bool io;             /* an I/O-port range, else memory */
    bool is64;           /* memory, 64-bit: BAR i+1 holds the high half */
    bool prefetch;
};

/* Physically contiguous memory for a device to read and write. */
struct pci_dma {
    long cap; /* the DMA memory object (all rights) */
    void *va; /* where it is mapped, writable */
    uint64_t phys;
    size_t size; /* bytes, a multiple of 4096 */
};

/* The kinds of interrupt pci_irq_setup may use. */
enum pci_irq_kind { PCI_IRQ_MSI = 1, PCI_IRQ_MSIX = 2 };

/* Reach the configuration space with the device authority DEV (a slot the
 * caller keeps). 0, or IOPORT_CREATE's error. */
long pci_open(struct pci *pci, long dev);

typedef bool pci_match_fn(const struct pci_dev *d, void *arg);

/* Walk buses 0-255, slots 0-31 and the functions of multi-function devices
 * in that order; the first function for which MATCH says true goes to
 * *OUT. 0, or CLK_ENOENT when none matched. */
long pci_find(struct pci *pci, pci_match_fn *match, void *arg, struct pci_dev *out);

/* Configuration register OFF of D, WIDTH (1, 2 or 4) bytes, naturally
 * aligned. Reads of a function that is not there give all ones. */
uint32_t pci_read(const struct pci_dev *d, unsigned off, unsigned width);
void pci_write(const struct pci_dev *d, unsigned off, unsigned width, uint32_t value);

/* The offset of the next capability ID in D's list after the one at AFTER
 * (0: from the start), or 0 when there is none. */
unsigned pci_find_cap(const struct pci_dev *d, unsigned id, unsigned after);

/* Decode BAR I of D: written all ones and read back with decoding off, then
 * restored. 0, or CLK_EINVAL (no BAR I, or the upper half of a 64-bit one). */
long pci_bar(const struct pci_dev *d, unsigned i, struct pci_bar *bar);

/* Map memory BAR I of D writable (once; later calls give the same
 * mapping) and turn memory decoding on. 0 with *VA, or CLK_EINVAL (an I/O
 * or empty BAR), MMIO_CREATE's and MAP's errors. */
long pci_map_bar(struct pci_dev *d, unsigned i, volatile uint8_t **va);

/* Set BITS (PCI_CMD_*) in D's command register. */
void pci_enable(const struct pci_dev *d, uint16_t bits);

/* Give D one interrupt vector, of a kind in KINDS (MSI-X preferred: its
 * table entry 0; else MSI, one message), and turn INTx off. Returns the
 * kind used with *IRQ the interrupt capability, unbound (the caller binds
 * it with IRQ_BIND, or actor_bind_irq); CLK_ENOENT when D has neither
 * capability; the kernel's errors. */
long pci_irq_setup(struct pci_dev *d, unsigned kinds, long *irq);

/* BYTES (rounded up to pages) of zeroed DMA memory, mapped. 0, or
 * DMA_CREATE's and MAP's errors. */
long pci_dma_alloc(struct pci *pci, size_t bytes, struct pci_dma *dma);

#endif
