/*
 * ipc.c: the keyboard's interrupt. The driver serves no requests (its
 * loop answers every one CLK_ENOSYS); what it reads goes to the kernel
 * console with CONSOLE_INPUT, each key's bytes in one call, so that an
 * escape sequence arrives whole or not at all.
 */
#include "console.h"
#include <stdio.h>

#define DRAIN_MAX 256     /* bytes read per interrupt at most... */
#define POLL_NS   1000000 /* ...and the rest after this long (a timer) */

/* Type the N bytes of a key; count and (sparingly) report what the
 * console had no room for. */
static void type(struct con *c, const char *bytes, size_t n)
{
    if (clk_console_input(c->dev, bytes, n) == (long)n) {
        c->typed++;
        return;
    }
    c->dropped++;
    if ((c->dropped & (c->dropped - 1)) == 0) /* the 1st, 2nd, 4th, ... */
        printf("console: console input full (nobody reads it?); %lu key(s) dropped so far\n",
               (unsigned long)c->dropped);
}

void con_drain(struct con *c)
{
    for (int i = 0; i < DRAIN_MAX; i++) {
        bool aux;
        int b = i8042_read(&c->ctl, &aux);
        if (b < 0)
            return;
        if (aux) { /* the mouse port is off; a byte of it all the same */
            c->aux++;
            continue;
        }
        c->codes++;
        char out[KBD_OUT_MAX];
        size_t n = kbd_feed(&c->kbd, (uint8_t)b, out);
        if (n)
            type(c, out, n);
    }
    actor_timer(POLL_NS, CON_POLL_BIT); /* the controller kept bytes: read on soon */
}

void con_notified(uint64_t bits)
{
    /* Edge-triggered: acknowledge before the controller is read, so that
     * a byte arriving meanwhile raises a new edge on an unmasked input. */
    if (bits & CON_IRQ_BIT)
        clk_irq_ack(con.irq);
    if (bits & (CON_IRQ_BIT | CON_POLL_BIT))
        con_drain(&con);
}
