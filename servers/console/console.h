/*
 * console.h: the console driver's own declarations. It reads a PS/2
 * keyboard through the i8042 controller and types what the keys mean into
 * the kernel console's input (CONSOLE_INPUT), where the shell and every
 * reader of standard input get it as if it came from the serial line.
 * docs/drivers.md tells how.
 *
 *   main.c    the actor: set the controller and keyboard up, then libactor
 *             serves (the interrupt only: it has no protocol)
 *   i8042.c   the controller and the keyboard's commands (I/O ports)
 *   kbd.c     scancodes to bytes (pure code: kbd.h)
 *   ipc.c     the interrupt: read the controller, translate, type
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include "kbd.h"
#include <actor/actor.h>

#define CONSOLE_NAME "console"
#define CON_IRQ_BIT  0x1 /* what the keyboard's interrupt signals to the loop */
#define CON_POLL_BIT 0x2 /* a timer: read on (the controller kept bytes) */

/*
 * ISA IRQ 1, the keyboard's. The kernel routes ISA IRQ N to the IOAPIC
 * input the MADT names for it (an interrupt source override, else input
 * N), with the MADT's polarity and trigger; IRQ_CREATE takes that input, a
 * GSI. Firmware overrides IRQ 0 (the PIT, to GSI 2) and, as QEMU does, the
 * level-triggered IRQs that PCI and ACPI share (5, 9, 10, 11), never the
 * keyboard's: GSI 1. (User space cannot read the MADT; a machine that
 * moved IRQ 1 would need the kernel to say where.)
 */
#define I8042_GSI 1

/* The controller: I/O-port capabilities for its two ports (0x61, between
 * them, is the kernel's: the PIT's gate). */
struct i8042 {
    long data;   /* 0x60: bytes from and to the keyboard */
    long status; /* 0x64: status (read), controller commands (write) */
};

/* The driver's state (one keyboard). */
struct con {
    long dev; /* the device authority: CONSOLE_INPUT needs it */
    struct i8042 ctl;
    uint8_t config; /* the controller's configuration byte, IRQ off */
    long irq;
    struct kbd kbd;
    /* counters */
    uint64_t codes, typed, dropped, aux;
};

extern struct con con;

/* i8042.c */

/* Capabilities for the controller's ports. 0, CLK_ENOENT when nothing
 * answers there (the status port reads 0xFF: no controller), or
 * IOPORT_CREATE's error. */
long i8042_open(struct i8042 *c, long dev);

/* Set the controller and its keyboard up, with the keyboard's interrupt
 * off: both ports off, output flushed, the controller's self-test and the
 * keyboard port's test, translation on, the mouse port off; the keyboard
 * in scancode set 2 (translated to set 1), scanning. *CONFIG gets the
 * configuration byte, *SET the scancode set the keyboard reports (0 when
 * it did not say). 0; CLK_ENOENT (no controller answers), CLK_EIO (a
 * test failed), CLK_ETIMEDOUT (no keyboard answers). */
long i8042_setup(struct i8042 *c, uint8_t *config, unsigned *set);

/* Turn the keyboard's interrupt on (CONFIG from i8042_setup). */
long i8042_irq_on(struct i8042 *c, uint8_t config);

/* The next byte the controller holds, or -1 when it holds none; *AUX says
 * it came from the mouse port. */
int i8042_read(struct i8042 *c, bool *aux);

/* ipc.c: the loop's notification handler (CON_IRQ_BIT, CON_POLL_BIT), and
 * reading what waits in the controller (also once at start). */
void con_notified(uint64_t bits);
void con_drain(struct con *c);

#endif
