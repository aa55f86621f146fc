/*
 * main.c: the console driver, the service "console". The supervisor
 * starts it with the device authority (manifest: caps=device; the
 * environment's CLK_DEVICE names its slot). It sets up the PS/2
 * controller and keyboard, then libactor's loop takes the keyboard's
 * interrupts, and the keys go to the kernel console's input. Without a
 * controller or a keyboard it says so and exits with SUP_EXIT_IGNORE,
 * which the supervisor does not restart.
 */
#include "console.h"
#include <actor/supervisor.h>
#include <stdio.h>
#include <stdlib.h>

struct con con;

static void nothing_to_do(const char *why)
{
    printf("console: %s; no keyboard input (the serial console works as ever)\n", why);
    exit(SUP_EXIT_IGNORE);
}

/* The controller and keyboard set up, the interrupt bound and on. */
static long start(struct con *c)
{
    unsigned set;
    long r = i8042_setup(&c->ctl, &c->config, &set);
    if (r == CLK_ENOENT)
        nothing_to_do("the PS/2 controller does not answer");
    if (r == CLK_ETIMEDOUT)
        nothing_to_do("no keyboard answers on the PS/2 port");
    if (r < 0) {
        printf("console: the PS/2 controller failed its tests: %s\n", actor_strerror(r));
        return r;
    }
    c->irq = clk_irq_create(c->dev, I8042_GSI);
    if (c->irq < 0 || (r = actor_bind_irq(c->irq, CON_IRQ_BIT)) < 0 ||
        (r = i8042_irq_on(&c->ctl, c->config)) < 0) {
        r = c->irq < 0 ? c->irq : r;
        printf("console: cannot take IRQ 1 (GSI %d): %s\n", I8042_GSI, actor_strerror(r));
        return r;
    }
    con_drain(c); /* what came before the interrupt was on */
    if (set != 2)
        printf("console: the keyboard says its scancode set is %u, not 2\n", set);
    printf("console: PS/2 keyboard on the i8042 (ports 0x60, 0x64; IRQ 1 at GSI %d), "
           "scancode set 2 translated to set 1, US layout\n",
           I8042_GSI);
    return 0;
}

static long init(int argc, char **argv)
{
    (void)argc, (void)argv;
    const char *dev = getenv("CLK_DEVICE");
    if (!dev) {
        printf("console: no device authority: start me with caps=device\n");
        return CLK_EPERM;
    }
    con.dev = strtol(dev, NULL, 10);
    kbd_init(&con.kbd);
    long r = i8042_open(&con.ctl, con.dev);
    if (r == CLK_ENOENT)
        nothing_to_do("no PS/2 controller (nothing answers at port 0x64)");
    if (r < 0) {
        printf("console: cannot have the PS/2 controller's ports: %s\n", actor_strerror(r));
        return r;
    }
    return start(&con);
}

const struct actor_def actor = {
    .name = CONSOLE_NAME,
    .notified = con_notified,
    .init = init,
};
