/*
 * console.h: the kernel console. Output goes to every registered device
 * (COM1 first, then the VGA text screen); input arrives from interrupt
 * handlers into a small ring and is read by the idle loop.
 */
#ifndef CLK_CONSOLE_H
#define CLK_CONSOLE_H

#include <kdefs.h>

struct console_dev {
    const char *name;
    void (*write)(const char *s, size_t n);
    struct console_dev *next;
};

/* Add DEV to the list of outputs; it receives everything written after. */
void console_register(struct console_dev *dev);

/* Write N bytes to every console device. Safe with interrupts off. */
void console_write(const char *s, size_t n);

/* Called from interrupt context with one received byte; drops it when full. */
void console_input(char c);

/* Next received byte, or -1 when none is waiting. */
int console_getc(void);

/* True when input is waiting. Call with interrupts disabled. */
bool console_getc_pending(void);

#endif
