/*
 * power.h: turning the machine off and resetting it, for SUP_SHUTDOWN and
 * SUP_REBOOT. The kernel reads the firmware's ACPI tables and tells the
 * root actor (struct clk_bootinfo, acpi_*) which I/O ports to write; the
 * supervisor holds the device authority that reaches them.
 *
 * Power-off is ACPI S5: SLP_TYPa and SLP_EN written to PM1a's control
 * register (and SLP_TYPb to PM1b's, when there is one). A reset tries the
 * FADT's reset register (when it is an I/O port), then the keyboard
 * controller's reset line (0xFE to port 0x64), the PC's old way, which is
 * also Linux's order (reboot=acpi,kbd).
 *
 * A plan is made first: every I/O-port capability it needs, so that a
 * machine that cannot do it says so (CLK_ENOSYS) before anything is
 * stopped.
 */
#ifndef SUPERVISOR_POWER_H
#define SUPERVISOR_POWER_H

#include <actor/sys.h>
#include <stdbool.h>

#define POWER_HOW_MAX 96

struct power_plan {
    bool reboot;
    /* power-off: PM1a and PM1b control (0: none), their sleep types */
    long pm1[2];
    unsigned pm1_port[2], slp_typ[2];
    /* reset: the ACPI reset register (0: none) and its value, the 8042 */
    long reset, kbc;
    unsigned reset_port, reset_value;
    char how[POWER_HOW_MAX]; /* what it will do, for the console */
};

/* Make the plan for a power-off (REBOOT false) or a reset from BI, with
 * the device authority DEV. Returns 0, or CLK_ENOSYS when the firmware
 * told no way that the kernel lets us use (no \_S5 or PM1a port, or the
 * ports refused); nothing is held then. */
long power_plan(const struct clk_bootinfo *bi, long dev, bool reboot, struct power_plan *p);

/* Carry the plan out: returns only when the machine is still running
 * WAIT_NS after the last way was tried. */
void power_act(struct power_plan *p, uint64_t wait_ns);

/* Give the plan's capabilities back. */
void power_release(struct power_plan *p);

#endif
