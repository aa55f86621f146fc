/*
 * edu.c: a driver for QEMU's educational PCI device ("-device edu", see
 * QEMU's docs/specs/edu.rst), which exercises every kind of device access:
 * PCI configuration space through ports 0xCF8/0xCFC, its registers through
 * MMIO (BAR 0), interrupts through MSI and a notification, and DMA from
 * and to memory whose physical address the kernel tells. Slot 1 should
 * hold a copy of the device authority. Prints "edu: ..." lines, and
 * "edu: FAIL ..." for anything unexpected.
 */
#include <actor/sys.h>
#include <stdbool.h>

#define DEV       1
#define EDU_ID    0x11E81234 /* device << 16 | vendor */
#define REGS_VA   0x10000000UL
#define DMA_VA    0x20000000UL
#define EDU_DMA   0x40000 /* the device's 4 KiB buffer, as a DMA address */
#define NOTIFY    0x1     /* the bit the interrupt signals */
#define WAIT_NS   2000000000ULL
#define RAISE_BIT 0x1000 /* an interrupt status bit of our own (register 0x60) */
/* Bytes per transfer: QEMU 7.2's edu stops the whole machine ("hardware
 * error") for a transfer that reaches the last byte of its 4 KiB buffer
 * (an off-by-one in its range check), so stay below that. */
#define XFER 4000

static long cfg, notification, irq;
static unsigned bus, slot;
static volatile uint8_t *regs;
static int failures;

static void fail(const char *what, long got)
{
    clk_printf("edu: FAIL %s (%ld, %#lx)\n", what, got, (unsigned long)got);
    failures++;
}

/* ---- PCI configuration space, mechanism #1, of device SLOT on bus 0 ---- */

static uint32_t pci_read(unsigned off)
{
    clk_io_out(cfg, 0xCF8, 4, 0x80000000u | bus << 16 | slot << 11 | (off & 0xFC));
    return (uint32_t)clk_io_in(cfg, 0xCFC, 4);
}

static void pci_write(unsigned off, uint32_t v)
{
    clk_io_out(cfg, 0xCF8, 4, 0x80000000u | bus << 16 | slot << 11 | (off & 0xFC));
    clk_io_out(cfg, 0xCFC, 4, v);
}

static bool find_edu(void)
{
    for (slot = 0; slot < 32; slot++)
        if (pci_read(0) == EDU_ID)
            return true;
    return false;
}

/* The offset of capability ID in the device's list, or 0. */
static unsigned pci_find_cap(unsigned id)
{
    if (!(pci_read(0x04) & (1u << 20))) /* status: has a capability list */
        return 0;
    for (unsigned p = pci_read(0x34) & 0xFC, n = 0; p && n < 48; n++) {
        uint32_t w = pci_read(p);
        if ((w & 0xFF) == id)
            return p;
        p = (w >> 8) & 0xFC;
    }
    return 0;
}

/* BAR 0's address and size: written all ones and read back, with memory
 * decoding off meanwhile, then restored. */
static uint32_t bar0(uint32_t *size)
{
    uint32_t bar = pci_read(0x10), cmd = pci_read(0x04) & 0xFFFF;
    pci_write(0x04, cmd & ~0x3u);
    pci_write(0x10, 0xFFFFFFFF);
    *size = ~(pci_read(0x10) & ~0xFu) + 1;
    pci_write(0x10, bar);
    pci_write(0x04, cmd);
    return bar & ~0xFu;
}

/* ---- the device ---- */

static uint32_t reg32(unsigned off)
{
    return *(volatile uint32_t *)(regs + off);
}

static void set32(unsigned off, uint32_t v)
{
    *(volatile uint32_t *)(regs + off) = v;
}

static void set64(unsigned off, uint64_t v)
{
    *(volatile uint64_t *)(regs + off) = v;
}

/* Wait for the interrupt's notification; then clear the device's status
 * bits BITS and acknowledge the interrupt in the kernel. */
static bool interrupt(const char *what, uint32_t bits)
{
    struct clk_msg m = { 0 };
    uint64_t badge;
    long r = clk_wait(WAIT_NS, &m, &badge);
    if (r != notification || m.w[0] != NOTIFY) {
        fail(what, r);
        return false;
    }
    uint32_t status = reg32(0x24);
    if (status != bits)
        fail("interrupt status", status);
    set32(0x64, status);
    clk_irq_ack(irq);
    return true;
}

/* Point the device's MSI capability at our vector and enable it. */
static bool enable_msi(void)
{
    unsigned cap = pci_find_cap(0x05);
    long addr = clk_irq_info(irq, CLK_IRQ_MSI_ADDRESS), data = clk_irq_info(irq, CLK_IRQ_MSI_DATA);
    if (!cap || addr < 0 || data < 0) {
        clk_printf("edu: no MSI: capability at %#x, address %ld, data %ld\n", cap, addr, data);
        return false;
    }
    uint32_t ctl = pci_read(cap);
    bool is64 = ctl & (1u << 23); /* message control bit 7: 64-bit address */
    pci_write(cap + 4, (uint32_t)addr);
    if (is64)
        pci_write(cap + 8, 0);
    pci_write(cap + (is64 ? 12 : 8), (uint32_t)data);
    pci_write(cap, (ctl & ~(0x70u << 16)) | (1u << 16)); /* one vector, enabled */
    clk_printf("edu: MSI capability at %#x, address %#lx, data %#lx\n", cap, addr, data);
    return true;
}

/* An interrupt with nobody bound is kept (and counted); binding delivers it. */
static void unbound_then_bound(void)
{
    set32(0x60, RAISE_BIT);
    for (int i = 0; i < 1000 && clk_irq_info(irq, CLK_IRQ_COUNT) < 1; i++)
        clk_yield();
    long count = clk_irq_info(irq, CLK_IRQ_COUNT), unbound = clk_irq_info(irq, CLK_IRQ_UNBOUND);
    long bind = clk_irq_bind(irq, notification, NOTIFY);
    struct clk_msg m = { 0 };
    uint64_t badge;
    long r = clk_wait(0, &m, &badge);
    clk_printf("edu: an interrupt before IRQ_BIND: counted %ld, unbound %ld; bind -> %ld, "
               "delivered %s\n",
               count, unbound, bind, r == notification && m.w[0] == NOTIFY ? "at once" : "never");
    set32(0x64, RAISE_BIT);
    clk_irq_ack(irq);
}

static void factorial(void)
{
    set32(0x20, 0x80); /* interrupt when done */
    set32(0x08, 10);
    if (interrupt("factorial interrupt", 0x1))
        clk_printf("edu: 10! = %u, by interrupt\n", reg32(0x08));
}

/* DMA_CREATE two pages; the device copies XFER bytes of page 0 into its
 * buffer and them back into page 1, each time with an interrupt. */
static void dma(void)
{
    long mo = clk_dma_create(DEV, 2);
    long map = mo > 0 ? clk_map(mo, DMA_VA, CLK_MAP_WRITE) : mo;
    long p0 = clk_memory_phys(mo, 0), p1 = clk_memory_phys(mo, 1);
    if (map < 0 || p0 < 0 || p1 != p0 + 4096) {
        clk_printf("edu: FAIL DMA memory: map %ld, pages at %#lx and %#lx\n", map, p0, p1);
        failures++;
        return;
    }
    clk_printf("edu: DMA buffer of 2 pages at physical %#lx, contiguous\n", p0);
    volatile uint8_t *src = (uint8_t *)DMA_VA, *dst = src + 4096;
    for (int i = 0; i < XFER; i++)
        src[i] = (uint8_t)(i * 7 + 3);
    set64(0x80, (uint64_t)p0);
    set64(0x88, EDU_DMA);
    set64(0x90, XFER);
    set64(0x98, 0x1 | 0x4); /* start, RAM to device, interrupt */
    if (!interrupt("DMA to the device", 0x100))
        return;
    set64(0x80, EDU_DMA);
    set64(0x88, (uint64_t)p1);
    set64(0x90, XFER);
    set64(0x98, 0x1 | 0x2 | 0x4); /* start, device to RAM, interrupt */
    if (!interrupt("DMA from the device", 0x100))
        return;
    int same = 0;
    for (int i = 0; i < XFER; i++)
        same += dst[i] == (uint8_t)(i * 7 + 3);
    clk_printf("edu: DMA of %d bytes to the device and back: %d bytes intact\n", XFER, same);
}

/* Once its capability is gone, the vector is masked and unbound: a raised
 * interrupt reaches nobody (the kernel counts it as a stray). */
static void after_delete(void)
{
    clk_printf("edu: the kernel counted %ld interrupts, %ld unbound\n",
               clk_irq_info(irq, CLK_IRQ_COUNT), clk_irq_info(irq, CLK_IRQ_UNBOUND));
    long del = clk_cap_delete(irq);
    set32(0x60, RAISE_BIT);
    struct clk_msg m = { 0 };
    uint64_t badge;
    long r = clk_wait(100000000ULL, &m, &badge);
    set32(0x64, RAISE_BIT);
    clk_printf("edu: IRQ capability deleted (%ld); an interrupt after that: WAIT -> %ld\n", del, r);
}

int main(void)
{
    cfg = clk_ioport_create(DEV, 0xCF8, 8);
    if (cfg < 0 || !find_edu()) {
        clk_printf("edu: no edu device (configuration ports: %ld)\n", cfg);
        return 1;
    }
    uint32_t size, bar = bar0(&size);
    pci_write(0x04, (pci_read(0x04) & 0xFFFF) | 0x0406); /* memory, bus master; INTx off */
    long mo = clk_mmio_create(DEV, bar, size / 4096);
    long map = mo > 0 ? clk_map(mo, REGS_VA, CLK_MAP_WRITE) : mo;
    clk_printf("edu: at 00:%02x.0, BAR 0 at %#x (%u KiB): MMIO_CREATE -> %s, MAP -> %ld\n", slot,
               bar, size / 1024, mo > 0 ? "ok" : "error", map);
    if (map < 0)
        return 1;
    regs = (volatile uint8_t *)REGS_VA;
    set32(0x04, 0x12345678);
    clk_printf("edu: identification 0x%08x, liveness ~0x12345678 = 0x%08x\n", reg32(0x00),
               reg32(0x04));
    clk_printf("edu: DEBUG_WRITE from device memory -> %ld\n",
               clk_debug_write((const void *)REGS_VA, 4));
    notification = clk_notification_create();
    clk_bind(notification);
    irq = clk_irq_create_msi(DEV);
    if (irq < 0 || !enable_msi())
        return 1;
    unbound_then_bound();
    factorial();
    dma();
    after_delete();
    clk_printf("edu: %d failures\n", failures);
    return failures != 0;
}
