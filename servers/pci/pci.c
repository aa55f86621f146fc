/*
 * pci.c: PCI for user-space drivers (see pci.h): configuration mechanism
 * #1 through an I/O-port capability, BARs mapped as device memory, DMA
 * memory, and one MSI-X or MSI vector.
 */
#include "pci.h"

#define PAGE           4096UL
#define CFG_ADDRESS    0xCF8
#define CFG_DATA       0xCFC
#define MSI_64BIT      0x0080 /* message control: a 64-bit address */
#define MSI_ENABLE     0x0001
#define MSI_MULTIPLE   0x0070 /* message control: vectors enabled (log2) */
#define MSIX_ENABLE    0x8000
#define MSIX_MASK_ALL  0x4000
#define MSIX_SIZE      0x07FF /* message control: table entries - 1 */
#define MSIX_ENTRY     16     /* bytes per table entry */
#define MSIX_MASKED    0x1    /* vector control: masked */
#define BAR_IO         0x1
#define BAR_TYPE_64    0x4
#define BAR_PREFETCH   0x8
#define CAPS_MAX       48 /* a capability list longer than this is a loop */
#define HEADER_MULTIFN 0x80

long pci_open(struct pci *pci, long dev)
{
    long cfg = clk_ioport_create(dev, CFG_ADDRESS, 8);
    if (cfg < 0)
        return cfg;
    *pci = (struct pci){ .dev = dev, .cfg = cfg, .next_va = PCI_MAP_VA };
    return 0;
}

/* ---- configuration space ---- */

/* Configuration mechanism #1: the address of register OFF of D goes to
 * 0xCF8, then its data is at 0xCFC.. . Every driver has its own copy of
 * these ports, so each access is one IO_INDEXED call: no other driver's
 * address can come between ours and the data. */
static uint32_t cfg_address(const struct pci_dev *d, unsigned off)
{
    return 0x80000000u | (uint32_t)d->bus << 16 | (uint32_t)d->slot << 11 | (uint32_t)d->func << 8 |
           (off & 0xFC);
}

uint32_t pci_read(const struct pci_dev *d, unsigned off, unsigned width)
{
    long v = clk_io_indexed_in(d->pci->cfg, CFG_ADDRESS, 4, cfg_address(d, off),
                               CFG_DATA + (off & 3), width);
    return v < 0 ? 0xFFFFFFFFu : (uint32_t)v;
}

void pci_write(const struct pci_dev *d, unsigned off, unsigned width, uint32_t value)
{
    clk_io_indexed_out(d->pci->cfg, CFG_ADDRESS, 4, cfg_address(d, off), CFG_DATA + (off & 3),
                       width, value);
}

/* Fill in what identifies function D (bus, slot and function set). */
static void identify(struct pci_dev *d)
{
    uint32_t id = pci_read(d, PCI_VENDOR_ID, 4), class = pci_read(d, PCI_REVISION, 4);
    d->vendor = (uint16_t)id;
    d->device = (uint16_t)(id >> 16);
    d->revision = (uint8_t) class;
    d->prog_if = (uint8_t)(class >> 8);
    d->subclass = (uint8_t)(class >> 16);
    d->class = (uint8_t)(class >> 24);
    for (unsigned i = 0; i < PCI_BARS; i++)
        d->bar_va[i] = NULL, d->bar_len[i] = 0;
}

long pci_find(struct pci *pci, pci_match_fn *match, void *arg, struct pci_dev *out)
{
    struct pci_dev d = { .pci = pci };
    for (unsigned bus = 0; bus < 256; bus++) {
        for (unsigned slot = 0; slot < 32; slot++) {
            d.bus = (uint8_t)bus, d.slot = (uint8_t)slot, d.func = 0;
            if (pci_read(&d, PCI_VENDOR_ID, 2) == PCI_VENDOR_NONE)
                continue;
            unsigned nfunc = pci_read(&d, PCI_HEADER_TYPE, 1) & HEADER_MULTIFN ? 8 : 1;
            for (unsigned func = 0; func < nfunc; func++) {
                d.func = (uint8_t)func;
                if (pci_read(&d, PCI_VENDOR_ID, 2) == PCI_VENDOR_NONE)
                    continue;
                identify(&d);
                if (match(&d, arg)) {
                    *out = d;
                    return 0;
                }
            }
        }
    }
    return CLK_ENOENT;
}

unsigned pci_find_cap(const struct pci_dev *d, unsigned id, unsigned after)
{
    if (!(pci_read(d, PCI_STATUS, 2) & PCI_STATUS_CAPS))
        return 0;
    unsigned p = pci_read(d, PCI_CAPABILITIES, 1) & 0xFC;
    bool past = after == 0;
    for (unsigned n = 0; p >= 0x40 && n < CAPS_MAX; n++) {
        uint32_t w = pci_read(d, p, 2);
        if (past && (w & 0xFF) == id)
            return p;
        past = past || p == after;
        p = (w >> 8) & 0xFC;
    }
    return 0;
}

void pci_enable(const struct pci_dev *d, uint16_t bits)
{
    pci_write(d, PCI_COMMAND, 2, pci_read(d, PCI_COMMAND, 2) | bits);
}

/* ---- BARs ---- */

static bool bar_is64(const struct pci_dev *d, unsigned i)
{
    uint32_t v = pci_read(d, PCI_BAR0 + 4 * i, 4);
    return !(v & BAR_IO) && (v & 0x6) == BAR_TYPE_64;
}

long pci_bar(const struct pci_dev *d, unsigned i, struct pci_bar *bar)
{
    unsigned k = 0;
    while (k < i && k < PCI_BARS)
        k += bar_is64(d, k) ? 2 : 1;
    if (i >= PCI_BARS || k != i)
        return CLK_EINVAL; /* past the end, or the upper half of BAR i-1 */
    unsigned off = PCI_BAR0 + 4 * i;
    uint32_t lo = pci_read(d, off, 4), hi = 0, size_lo, size_hi = 0xFFFFFFFFu;
    bool io = lo & BAR_IO, is64 = !io && bar_is64(d, i) && i + 1 < PCI_BARS;
    uint16_t cmd = (uint16_t)pci_read(d, PCI_COMMAND, 2);
    pci_write(d, PCI_COMMAND, 2, cmd & ~(PCI_CMD_IO | PCI_CMD_MEMORY));
    pci_write(d, off, 4, 0xFFFFFFFFu);
    size_lo = pci_read(d, off, 4);
    pci_write(d, off, 4, lo);
    if (is64) {
        hi = pci_read(d, off + 4, 4);
        pci_write(d, off + 4, 4, 0xFFFFFFFFu);
        size_hi = pci_read(d, off + 4, 4);
        pci_write(d, off + 4, 4, hi);
    }
    pci_write(d, PCI_COMMAND, 2, cmd);
    uint64_t mask = (uint64_t)size_hi << 32 | (size_lo & (io ? ~0x3u : ~0xFu));
    if (io)
        mask |= 0xFFFFFFFFFFFF0000ULL; /* the upper bits of an I/O BAR may read 0 */
    *bar = (struct pci_bar){
        .addr = ((uint64_t)hi << 32 | lo) & (io ? ~0x3ULL : ~0xFULL),
        .size = (size_lo & (io ? ~0x3u : ~0xFu)) ? ~mask + 1 : 0,
        .io = io,
        .is64 = is64,
        .prefetch = !io && (lo & BAR_PREFETCH),
    };
    return 0;
}

/* Map memory object MO of NPAGES pages writable at the window's next
 * address, which goes to *VA. Leaves an unmapped page after it. */
static long map_next(struct pci *pci, long mo, unsigned long npages, uintptr_t *va)
{
    long r = clk_map(mo, pci->next_va, CLK_MAP_WRITE);
    if (r < 0)
        return r;
    *va = pci->next_va;
    pci->next_va += (npages + 1) * PAGE;
    return 0;
}

/* Map memory BAR I of D (not mapped yet) and turn memory decoding on. */
static long map_bar(struct pci_dev *d, unsigned i)
{
    struct pci_bar bar;
    long r = pci_bar(d, i, &bar);
    if (r < 0)
        return r;
    if (bar.io || bar.size == 0 || bar.addr == 0)
        return CLK_EINVAL; /* not memory, not there, or not assigned */
    uint64_t base = bar.addr & ~(PAGE - 1), end = (bar.addr + bar.size + PAGE - 1) & ~(PAGE - 1);
    unsigned long npages = (end - base) / PAGE;
    long mo = clk_mmio_create(d->pci->dev, base, npages);
    if (mo < 0)
        return mo;
    uintptr_t at;
    r = map_next(d->pci, mo, npages, &at);
    clk_cap_delete(mo); /* the mapping keeps the object */
    if (r < 0)
        return r;
    d->bar_va[i] = (volatile uint8_t *)(at + (bar.addr - base));
    d->bar_len[i] = bar.size;
    pci_enable(d, PCI_CMD_MEMORY);
    return 0;
}

long pci_map_bar(struct pci_dev *d, unsigned i, volatile uint8_t **va)
{
    long r = i >= PCI_BARS ? CLK_EINVAL : d->bar_va[i] ? 0 : map_bar(d, i);
    *va = r < 0 ? NULL : d->bar_va[i];
    return r;
}

/* ---- interrupts ---- */

/* Point MSI-X table entry 0 of D (capability at CAP) at ADDR/DATA, mask
 * the others, and enable MSI-X. */
static long msix_program(struct pci_dev *d, unsigned cap, uint64_t addr, uint32_t data)
{
    uint16_t ctl = (uint16_t)pci_read(d, cap + 2, 2);
    unsigned entries = (ctl & MSIX_SIZE) + 1u;
    uint32_t table = pci_read(d, cap + 4, 4);
    volatile uint8_t *bar;
    long r = pci_map_bar(d, table & 0x7, &bar);
    if (r < 0)
        return r;
    uint64_t off = table & ~0x7u;
    if (off + (uint64_t)entries * MSIX_ENTRY > d->bar_len[table & 0x7])
        return CLK_EINVAL; /* a table that does not fit its BAR */
    volatile uint32_t *t = (volatile uint32_t *)(bar + off);
    pci_write(d, cap + 2, 2, ctl | MSIX_ENABLE | MSIX_MASK_ALL);
    for (unsigned i = 1; i < entries; i++)
        t[i * 4 + 3] |= MSIX_MASKED;
    t[0] = (uint32_t)addr;
    t[1] = (uint32_t)(addr >> 32);
    t[2] = data;
    t[3] &= ~(uint32_t)MSIX_MASKED;
    pci_write(d, cap + 2, 2, (ctl | MSIX_ENABLE) & ~MSIX_MASK_ALL);
    return 0;
}

/* Point D's MSI capability at CAP at ADDR/DATA, one message, enabled. */
static long msi_program(struct pci_dev *d, unsigned cap, uint64_t addr, uint32_t data)
{
    uint16_t ctl = (uint16_t)pci_read(d, cap + 2, 2);
    bool is64 = ctl & MSI_64BIT;
    pci_write(d, cap + 4, 4, (uint32_t)addr);
    if (is64)
        pci_write(d, cap + 8, 4, (uint32_t)(addr >> 32));
    pci_write(d, cap + (is64 ? 12 : 8), 2, data);
    pci_write(d, cap + 2, 2, (ctl & ~MSI_MULTIPLE) | MSI_ENABLE);
    return 0;
}

long pci_irq_setup(struct pci_dev *d, unsigned kinds, long *irq)
{
    unsigned msix = kinds & PCI_IRQ_MSIX ? pci_find_cap(d, PCI_CAP_MSIX, 0) : 0;
    unsigned msi = !msix && (kinds & PCI_IRQ_MSI) ? pci_find_cap(d, PCI_CAP_MSI, 0) : 0;
    if (!msix && !msi)
        return CLK_ENOENT;
    long cap = clk_irq_create_msi(d->pci->dev);
    if (cap < 0)
        return cap;
    long addr = clk_irq_info(cap, CLK_IRQ_MSI_ADDRESS), data = clk_irq_info(cap, CLK_IRQ_MSI_DATA);
    long r = addr < 0 ? addr : data < 0 ? data : 0;
    if (!r)
        r = msix ? msix_program(d, msix, (uint64_t)addr, (uint32_t)data)
                 : msi_program(d, msi, (uint64_t)addr, (uint32_t)data);
    if (r < 0) {
        clk_cap_delete(cap);
        return r;
    }
    pci_enable(d, PCI_CMD_INTX_OFF);
    *irq = cap;
    return msix ? PCI_IRQ_MSIX : PCI_IRQ_MSI;
}

/* ---- DMA memory ---- */

long pci_dma_alloc(struct pci *pci, size_t bytes, struct pci_dma *dma)
{
    unsigned long npages = (bytes + PAGE - 1) / PAGE;
    long mo = clk_dma_create(pci->dev, npages);
    if (mo < 0)
        return mo;
    long phys = clk_memory_phys(mo, 0);
    uintptr_t va = 0;
    long r = phys < 0 ? phys : map_next(pci, mo, npages, &va);
    if (r < 0) {
        clk_cap_delete(mo);
        return r;
    }
    *dma = (struct pci_dma){
        .cap = mo, .va = (void *)va, .phys = (uint64_t)phys, .size = npages * PAGE
    };
    return 0;
}
