/*
 * devbad.c: device-access calls with bad arguments, each of which must give
 * its documented error, and a few that must work: ranges the kernel owns
 * or that are no device (RAM), ports out of range, interrupts the kernel
 * uses, DMA and MEMORY_PHYS misuse, and wrong capability types. Slot 1
 * should hold a copy of the device authority; the runner gives it a page
 * quota of 64. Prints "devbad: ok NAME" or "devbad: FAIL NAME ..." lines.
 */
#define CHECK_WHO "devbad"
#include "check.h"
#include <kstring.h>

#define DEV   1
#define VA    0x10000000UL
#define LAPIC 0xFEE00000UL
#define HPET  0xFED00000UL /* device memory the kernel does not use */

static long ep; /* a capability of the wrong type */

static void mmio(void)
{
    check("MMIO over RAM", clk_mmio_create(DEV, 0x1000000, 1), CLK_EINVAL);
    check("MMIO over the local APIC", clk_mmio_create(DEV, LAPIC, 1), CLK_EPERM);
    check("MMIO over the IOAPIC", clk_mmio_create(DEV, 0xFEC00000UL, 1), CLK_EPERM);
    check("MMIO running into the local APIC", clk_mmio_create(DEV, HPET, 0x200), CLK_EPERM);
    check("MMIO over VGA memory (the console)", clk_mmio_create(DEV, 0xB8000, 1), CLK_EPERM);
    check("MMIO misaligned", clk_mmio_create(DEV, HPET + 8, 1), CLK_EINVAL);
    check("MMIO of no pages", clk_mmio_create(DEV, HPET, 0), CLK_EINVAL);
    check("MMIO wrapping around", clk_mmio_create(DEV, 0xFFFFFFFFFFFFF000UL, 2), CLK_EINVAL);
    check("MMIO past 52 bits", clk_mmio_create(DEV, 1UL << 52, 1), CLK_EINVAL);
    check("MMIO of 4 GiB", clk_mmio_create(DEV, 1UL << 40, 1UL << 20), CLK_EINVAL);
    check("MMIO with an endpoint", clk_mmio_create(ep, HPET, 1), CLK_EBADF);
    long mo = clk_mmio_create(DEV, HPET, 1);
    check("MMIO of a free device page", mo > 0, 1);
    check("map the device page", clk_map(mo, VA, 0), 0);
    check("the kernel never copies from device memory", clk_debug_write((void *)VA, 8), CLK_EFAULT);
    check("MEMORY_PHYS of device memory", clk_memory_phys(mo, 0), (long)HPET);
    check("unmap", clk_unmap(VA), 0);
    clk_cap_delete(mo);
}

static void ports(void)
{
    check("ports past 0xFFFF", clk_ioport_create(DEV, 0xFFFF, 2), CLK_EINVAL);
    check("port 0x10000", clk_ioport_create(DEV, 0x10000, 1), CLK_EINVAL);
    check("no ports", clk_ioport_create(DEV, 0x70, 0), CLK_EINVAL);
    check("the PIT", clk_ioport_create(DEV, 0x40, 4), CLK_EPERM);
    check("the PIC", clk_ioport_create(DEV, 0x21, 1), CLK_EPERM);
    check("a range over COM1", clk_ioport_create(DEV, 0x3F0, 16), CLK_EPERM);
    check("QEMU's exit port", clk_ioport_create(DEV, 0xF4, 1), CLK_EPERM);
    check("ports without the device authority", clk_ioport_create(0, 0x70, 2), CLK_EBADF);
    long io = clk_ioport_create(DEV, 0x70, 2);
    check("the CMOS ports", io > 0, 1);
    check("width 3", clk_io_in(io, 0x71, 3), CLK_EINVAL);
    check("width 0", clk_io_out(io, 0x70, 0, 0), CLK_EINVAL);
    check("a port below the range", clk_io_in(io, 0x6F, 1), CLK_EPERM);
    check("a port above the range", clk_io_in(io, 0x72, 1), CLK_EPERM);
    check("a word at the last port", clk_io_in(io, 0x71, 2), CLK_EPERM);
    check("a huge port number", clk_syscall(CLK_SYS_IO_IN, io, 0x100000070L, 1, 0, 0, 0),
          CLK_EPERM);
    long wo = clk_cap_mint(io, CLK_RIGHT_WRITE, 0), ro = clk_cap_mint(io, CLK_RIGHT_READ, 0);
    check("IO_IN without READ", clk_io_in(wo, 0x71, 1), CLK_EPERM);
    check("IO_OUT without WRITE", clk_io_out(ro, 0x70, 1, 0x0B), CLK_EPERM);
    check("IO_OUT then IO_IN (status B)",
          clk_io_out(wo, 0x70, 1, 0x0B) == 0 && clk_io_in(ro, 0x71, 1) >= 0, 1);
    check("IO_IN on an endpoint", clk_io_in(ep, 0x70, 1), CLK_EBADF);
    /* IO_INDEXED: the CMOS's index and data ports as one access */
    long sec = clk_io_indexed_in(io, 0x70, 1, 0x0B, 0x71, 1);
    check("IO_INDEXED reads status B",
          sec >= 0 && sec == clk_io_indexed_in(io, 0x70, 1, 0x0B, 0x71, 1), 1);
    check("IO_INDEXED writes it back",
          clk_io_indexed_out(io, 0x70, 1, 0x0B, 0x71, 1, (uint32_t)sec), 0);
    check("IO_INDEXED read without READ", clk_io_indexed_in(wo, 0x70, 1, 0x0B, 0x71, 1), CLK_EPERM);
    check("IO_INDEXED without WRITE", clk_io_indexed_in(ro, 0x70, 1, 0x0B, 0x71, 1), CLK_EPERM);
    check("IO_INDEXED data port outside", clk_io_indexed_in(io, 0x70, 1, 0x0B, 0x72, 1), CLK_EPERM);
    check("IO_INDEXED index width 3", clk_io_indexed_in(io, 0x70, 3, 0x0B, 0x71, 1), CLK_EINVAL);
    check("IO_INDEXED unknown op bits",
          clk_syscall(CLK_SYS_IO_INDEXED, io, 0x70, 0x0B, 0x71, 0x1011, 0), CLK_EINVAL);
    clk_cap_delete(io), clk_cap_delete(wo), clk_cap_delete(ro);
}

static void irqs(void)
{
    check("IRQ of the PIT (GSI 2)", clk_irq_create(DEV, 2), CLK_EPERM);
    check("IRQ of the console (GSI 4)", clk_irq_create(DEV, 4), CLK_EPERM);
    check("IRQ of no IOAPIC input", clk_irq_create(DEV, 24), CLK_ENOENT);
    check("IRQ of GSI 4096", clk_irq_create(DEV, 4096), CLK_ENOENT);
    check("IRQ without the device authority", clk_irq_create(0, 10), CLK_EBADF);
    long irq = clk_irq_create(DEV, 10), n = clk_notification_create();
    check("IRQ of GSI 10", irq > 0, 1);
    check("the same input twice", clk_irq_create(DEV, 10), CLK_EEXIST);
    check("MSI address of an IOAPIC input", clk_irq_info(irq, CLK_IRQ_MSI_ADDRESS), CLK_EINVAL);
    check("unknown IRQ_INFO", clk_irq_info(irq, (enum clk_irq_info)99), CLK_EINVAL);
    check("no interrupts yet", clk_irq_info(irq, CLK_IRQ_COUNT), 0);
    check("IRQ_ACK when unbound", clk_irq_ack(irq), CLK_ENOENT);
    check("IRQ_BIND to an endpoint", clk_irq_bind(irq, ep, 1), CLK_EBADF);
    check("IRQ_BIND with no bits", clk_irq_bind(irq, n, 0), CLK_EINVAL);
    long recv_only = clk_cap_mint(n, CLK_RIGHT_RECV, 0);
    check("IRQ_BIND without SEND", clk_irq_bind(irq, recv_only, 1), CLK_EPERM);
    check("IRQ_BIND", clk_irq_bind(irq, n, 1), 0);
    check("IRQ_ACK", clk_irq_ack(irq), 0);
    check("unbind", clk_irq_bind(irq, CLK_CAP_NONE, 0), 0);
    check("IRQ_INFO on a notification", clk_irq_info(n, CLK_IRQ_COUNT), CLK_EBADF);
    check("delete it", clk_cap_delete(irq), 0);
    irq = clk_irq_create(DEV, 10);
    check("and the input is free again", irq > 0, 1);
    clk_cap_delete(irq), clk_cap_delete(n), clk_cap_delete(recv_only);

    long msi[160], k = 0, r;
    while (k < 160 && (r = clk_irq_create_msi(DEV)) > 0)
        msi[k++] = r;
    check("MSI vectors run out after 128", k, 128);
    check("with CLK_ENOMEM", r, CLK_ENOMEM);
    while (k)
        clk_cap_delete(msi[--k]);
    r = clk_irq_create_msi(DEV);
    check("and come back", r > 0, 1);
    clk_cap_delete(r);
}

/* DMA memory; at the end every frame must be back. */
static void dma(void)
{
    /* A first round makes the page tables and heap slabs the checks need,
     * so that the free frames can be compared at the end. */
    long warm = clk_dma_create(DEV, 3), mem = clk_memory_create(1);
    clk_map(warm, VA, 0), clk_unmap(VA), clk_cap_delete(warm), clk_cap_delete(mem);
    clk_cap_delete(clk_cap_mint(ep, 0, 0));
    long free0 = clk_stats(CLK_STAT_FREE_FRAMES);
    check("DMA of no pages", clk_dma_create(DEV, 0), CLK_EINVAL);
    check("DMA of more than 4 MiB", clk_dma_create(DEV, 1025), CLK_EINVAL);
    check("DMA over the page quota", clk_dma_create(DEV, 64), CLK_ENOMEM);
    check("DMA without the device authority", clk_dma_create(0, 1), CLK_EBADF);
    long mo = clk_dma_create(DEV, 3);
    check("DMA of 3 pages", mo > 0, 1);
    long p0 = clk_memory_phys(mo, 0);
    check("physically contiguous",
          clk_memory_phys(mo, 1) == p0 + 4096 && clk_memory_phys(mo, 2) == p0 + 8192, 1);
    check("MEMORY_PHYS past the end", clk_memory_phys(mo, 3), CLK_EINVAL);
    long none = clk_cap_mint(mo, 0, 0);
    check("MEMORY_PHYS without READ", clk_memory_phys(none, 0), CLK_EPERM);
    check("map the DMA pages", clk_map(mo, VA, CLK_MAP_WRITE), 0);
    volatile uint64_t *p = (uint64_t *)VA;
    long zero = 0;
    for (int i = 0; i < 3 * 512; i++)
        zero += p[i] == 0;
    check("zeroed", zero, 3 * 512);
    static const char line[] = "devbad: the kernel reads DMA memory\n";
    memcpy((void *)VA, line, sizeof(line) - 1);
    check("DEBUG_WRITE from DMA memory", clk_debug_write((void *)VA, sizeof(line) - 1),
          sizeof(line) - 1);
    clk_unmap(VA), clk_cap_delete(mo), clk_cap_delete(none);
    mem = clk_memory_create(1);
    check("MEMORY_PHYS of an ordinary memory object", clk_memory_phys(mem, 0), CLK_EBADF);
    check("MEMORY_PHYS of an endpoint", clk_memory_phys(ep, 0), CLK_EBADF);
    clk_cap_delete(mem);
    check("every frame is back", clk_stats(CLK_STAT_FREE_FRAMES), free0);
}

int main(void)
{
    ep = clk_endpoint_create();
    mmio();
    ports();
    irqs();
    dma();
    check("a syscall past the table", clk_syscall(CLK_SYS_COUNT, 0, 0, 0, 0, 0, 0), CLK_ENOSYS);
    clk_printf("devbad: %d failures\n", failures);
    return failures != 0;
}
