/*
 * ioport.c: I/O ports for user-space drivers (see device.h). Drivers never
 * get the ports themselves (no IOPL, no TSS bitmap): each access is a
 * system call that checks the capability's range, so a port can be handed
 * out and taken back at the granularity of one capability.
 */
#include <arch/cpu.h>
#include <device.h>

/* Ports the kernel drives itself, never handed out. */
static const struct {
    uint16_t base, count;
} kernel_ports[] = {
    { 0x20, 2 },  /* master PIC */
    { 0x40, 4 },  /* PIT (TSC calibration) */
    { 0x61, 1 },  /* PIT channel 2 gate */
    { 0xA0, 2 },  /* slave PIC */
    { 0xF4, 4 },  /* isa-debug-exit: how the kernel ends QEMU */
    { 0x3F8, 8 }, /* COM1, the console */
};

bool arch_ioport_reserved(uint32_t base, uint32_t count)
{
    for (unsigned i = 0; i < ARRAY_SIZE(kernel_ports); i++)
        if (base < (uint32_t)kernel_ports[i].base + kernel_ports[i].count &&
            kernel_ports[i].base < base + count)
            return true;
    return false;
}

uint32_t arch_io_in(uint16_t port, unsigned width)
{
    switch (width) {
    case 1: return inb(port);
    case 2: return inw(port);
    default: return inl(port);
    }
}

void arch_io_out(uint16_t port, unsigned width, uint32_t value)
{
    switch (width) {
    case 1: outb(port, (uint8_t)value); break;
    case 2: outw(port, (uint16_t)value); break;
    default: outl(port, value); break;
    }
}
