/*
 * rtc.c: a small driver for the CMOS real-time clock, through I/O ports
 * 0x70 (register index) and 0x71 (data), and its periodic interrupt (ISA
 * IRQ 8, which QEMU's q35 wires to IOAPIC input 8). Slot 1 should hold a
 * copy of the device authority (runner spec D); without one it reports
 * what IOPORT_CREATE said and stops.
 */
#include <actor/sys.h>

#define DEV        1
#define CMOS_INDEX 0x70 /* bit 7 would disable NMIs: always written clear */
#define CMOS_DATA  0x71
#define RTC_GSI    8
#define REG_A      0x0A /* bit 7: update in progress; bits 0-3: periodic rate */
#define REG_B      0x0B /* bit 6: periodic interrupt; bit 2: binary; bit 1: 24-hour */
#define REG_C      0x0C /* interrupt flags; reading clears them (and the IRQ) */
#define CENTURY    0x32 /* the century register QEMU's ACPI tables name */
#define RATE_64HZ  10   /* 32768 Hz >> (rate - 1) */
#define TICKS      8

static long io;

static unsigned cmos_read(unsigned reg)
{
    clk_io_out(io, CMOS_INDEX, 1, reg);
    return (unsigned)clk_io_in(io, CMOS_DATA, 1);
}

static void cmos_write(unsigned reg, unsigned v)
{
    clk_io_out(io, CMOS_INDEX, 1, reg);
    clk_io_out(io, CMOS_DATA, 1, v);
}

static unsigned bcd(unsigned v, unsigned b)
{
    return (b & 0x04) ? v : (v >> 4) * 10 + (v & 0x0F);
}

/* Print the date and time, read between two updates of the clock. */
static void print_date(void)
{
    unsigned r[7], again[7], regs[7] = { 0x00, 0x02, 0x04, 0x07, 0x08, 0x09, CENTURY };
    do {
        while (cmos_read(REG_A) & 0x80)
            clk_yield();
        for (int i = 0; i < 7; i++)
            r[i] = cmos_read(regs[i]);
        for (int i = 0; i < 7; i++)
            again[i] = cmos_read(regs[i]);
    } while (r[0] != again[0] || r[1] != again[1] || r[5] != again[5]);
    unsigned b = cmos_read(REG_B);
    clk_printf("rtc: status B %#x, date %u%02u-%02u-%02u %02u:%02u:%02u\n", b, bcd(r[6], b),
               bcd(r[5], b), bcd(r[4], b), bcd(r[3], b), bcd(r[2], b), bcd(r[1], b), bcd(r[0], b));
}

/* TICKS periodic interrupts through a notification. The IRQ is edge
 * triggered: acknowledge it in the kernel before the device (reading C),
 * so that the next edge cannot come while it is still masked. */
static void periodic(void)
{
    long irq = clk_irq_create(DEV, RTC_GSI), n = clk_notification_create();
    struct clk_msg m = { 0 };
    uint64_t badge;
    long bound = clk_bind(n), bind = clk_irq_bind(irq, n, 0x8);
    clk_printf("rtc: IRQ_CREATE(GSI %d) -> %s, IRQ_BIND -> %ld\n", RTC_GSI,
               irq > 0 ? "a capability" : "error", bind);
    if (irq < 0 || bound < 0 || bind < 0)
        return;
    cmos_write(REG_A, (cmos_read(REG_A) & 0xF0) | RATE_64HZ);
    cmos_read(REG_C);
    cmos_write(REG_B, cmos_read(REG_B) | 0x40);
    uint64_t t0 = clk_clock_ns();
    int got = 0;
    while (got < TICKS) {
        long r = clk_wait(1000000000ULL, &m, &badge);
        if (r != n || m.w[0] != 0x8) {
            clk_printf("rtc: WAIT -> %ld, bits %#lx\n", r, (unsigned long)m.w[0]);
            break;
        }
        got++;
        clk_irq_ack(irq);
        cmos_read(REG_C);
    }
    unsigned ms = (unsigned)((clk_clock_ns() - t0) / 1000000);
    cmos_write(REG_B, cmos_read(REG_B) & ~0x40u);
    cmos_read(REG_C);
    clk_printf("rtc: %d periodic interrupts in %u ms; the kernel counted %ld, %ld unbound\n", got,
               ms, clk_irq_info(irq, CLK_IRQ_COUNT), clk_irq_info(irq, CLK_IRQ_UNBOUND));
    clk_cap_delete(irq);
}

int main(long ncaps)
{
    io = clk_ioport_create(DEV, CMOS_INDEX, 2);
    if (ncaps < 1 || io < 0) {
        clk_printf("rtc: no device authority: IOPORT_CREATE -> %ld\n", io);
        return 1;
    }
    print_date();
    clk_printf("rtc: IOPORT_CREATE(COM1) -> %ld, IO_IN(COM1) through the CMOS ports -> %ld\n",
               clk_ioport_create(DEV, 0x3F8, 1), clk_io_in(io, 0x3F8, 1));
    periodic();
    return 0;
}
