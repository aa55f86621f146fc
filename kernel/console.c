/*
 * console.c: fan-out of console output and the console input ring.
 */
#include <arch/cpu.h>
#include <console.h>
#include <param.h>

static struct console_dev *devices;

/* Input ring: written by the interrupt handler, read with interrupts off. */
static char inbuf[CONSOLE_INBUF];
static unsigned in_head, in_tail;

void console_register(struct console_dev *dev)
{
    struct console_dev **p = &devices;
    while (*p)
        p = &(*p)->next;
    dev->next = NULL;
    *p = dev;
}

void console_write(const char *s, size_t n)
{
    for (struct console_dev *d = devices; d; d = d->next)
        d->write(s, n);
}

void console_input(char c)
{
    unsigned next = (in_head + 1) % CONSOLE_INBUF;
    if (next == in_tail)
        return; /* full: drop, as a UART would */
    inbuf[in_head] = c;
    in_head = next;
}

int console_getc(void)
{
    uint64_t flags = read_rflags();
    irq_disable();
    int c = -1;
    if (in_tail != in_head) {
        c = (unsigned char)inbuf[in_tail];
        in_tail = (in_tail + 1) % CONSOLE_INBUF;
    }
    if (flags & RFLAGS_IF)
        irq_enable();
    return c;
}

bool console_getc_pending(void)
{
    return in_head != in_tail;
}
