/*
 * serial.c: COM1 (16550 UART) at 115200 8N1, the primary console. Output is
 * polled; input raises IRQ 4 through the IOAPIC and lands in console_input().
 */
#include <arch/cpu.h>
#include <arch/platform.h>
#include <arch/trap.h>
#include <console.h>
#include <log.h>

#define COM1 0x3F8
enum { DATA = 0, IER = 1, FCR = 2, LCR = 3, MCR = 4, LSR = 5 };
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY  0x20

static void serial_putc(char c)
{
    for (int spin = 0; spin < 100000 && !(inb(COM1 + LSR) & LSR_THR_EMPTY); spin++)
        cpu_pause();
    outb(COM1 + DATA, c);
}

static void serial_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            serial_putc('\r');
        serial_putc(s[i]);
    }
}

static struct console_dev serial_console = { .name = "com1", .write = serial_write };

void serial_init(void)
{
    outb(COM1 + IER, 0);    /* no interrupts while programming */
    outb(COM1 + LCR, 0x80); /* DLAB: divisor follows */
    outb(COM1 + DATA, 1);   /* 115200 baud = 115200 / 1 */
    outb(COM1 + IER, 0);
    outb(COM1 + LCR, 0x03); /* 8 bits, no parity, one stop bit */
    outb(COM1 + FCR, 0xC7); /* FIFOs on and cleared, 14-byte threshold */
    outb(COM1 + MCR, 0x0B); /* DTR, RTS, OUT2 (routes the IRQ) */
    console_register(&serial_console);
}

/* Empty the receive FIFO, handing the bytes on in batches, so that a
 * waiting reader gets what arrived together in one piece. */
static void serial_irq(struct trap_frame *tf)
{
    char buf[16];
    size_t n = 0;
    (void)tf;
    while (inb(COM1 + LSR) & LSR_DATA_READY) {
        buf[n++] = (char)inb(COM1 + DATA);
        if (n == sizeof(buf)) {
            console_input(buf, n);
            n = 0;
        }
    }
    if (n)
        console_input(buf, n);
}

void serial_enable_input(void)
{
    int vector = ioapic_route_isa(4);
    if (vector < 0) {
        log_warn("serial: no IOAPIC input serves IRQ 4; console input is off");
        return;
    }
    irq_set_handler(vector, serial_irq);
    outb(COM1 + IER, 0x01); /* interrupt on received data */
}
