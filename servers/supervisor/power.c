/*
 * power.c: ACPI power-off and resets through I/O ports (see power.h).
 */
#include "power.h"
#include <stdio.h>

#define SLP_TYP_SHIFT   10
#define SLP_TYP_MASK    (7u << SLP_TYP_SHIFT)
#define SLP_EN          (1u << 13)
#define ACPI_SPACE_IO   1 /* generic address structure: system I/O */
#define KBC_STATUS      0x64
#define KBC_INPUT_FULL  2 /* status: the controller has not taken the last byte */
#define KBC_PULSE_RESET 0xFE

/* A capability to WIDTH bytes of ports from PORT, or 0 when refused. */
static long port_cap(long dev, unsigned port, unsigned width)
{
    long cap = clk_ioport_create(dev, port, width);
    return cap > 0 ? cap : 0;
}

static long plan_off(const struct clk_bootinfo *bi, long dev, struct power_plan *p)
{
    if (!bi->acpi_s5_valid || !bi->acpi_pm1a_cnt)
        return CLK_ENOSYS;
    unsigned ports[2] = { bi->acpi_pm1a_cnt, bi->acpi_pm1b_cnt };
    unsigned typ[2] = { bi->acpi_slp_typa, bi->acpi_slp_typb };
    for (int i = 0; i < 2; i++) {
        if (!ports[i])
            continue;
        p->pm1[i] = port_cap(dev, ports[i], 2);
        p->pm1_port[i] = ports[i];
        p->slp_typ[i] = typ[i] & 7;
        if (!p->pm1[i])
            return CLK_ENOSYS;
    }
    snprintf(p->how, sizeof(p->how), "ACPI S5, SLP_TYP %u to port %#x", p->slp_typ[0],
             p->pm1_port[0]);
    return 0;
}

static long plan_reset(const struct clk_bootinfo *bi, long dev, struct power_plan *p)
{
    if (bi->acpi_reset_valid && bi->acpi_reset_space == ACPI_SPACE_IO &&
        bi->acpi_reset_addr <= 0xFFFF) {
        p->reset = port_cap(dev, (unsigned)bi->acpi_reset_addr, 1);
        p->reset_port = (unsigned)bi->acpi_reset_addr;
        p->reset_value = bi->acpi_reset_value & 0xFF;
    }
    p->kbc = port_cap(dev, KBC_STATUS, 1);
    if (!p->reset && !p->kbc)
        return CLK_ENOSYS;
    if (p->reset)
        snprintf(p->how, sizeof(p->how), "ACPI reset, %#x to port %#x%s", p->reset_value,
                 p->reset_port, p->kbc ? ", then 8042" : "");
    else
        snprintf(p->how, sizeof(p->how), "8042 reset, %#x to port %#x", KBC_PULSE_RESET,
                 KBC_STATUS);
    return 0;
}

long power_plan(const struct clk_bootinfo *bi, long dev, bool reboot, struct power_plan *p)
{
    *p = (struct power_plan){ .reboot = reboot };
    long err = reboot ? plan_reset(bi, dev, p) : plan_off(bi, dev, p);
    if (err)
        power_release(p);
    return err;
}

/* S5: the sleep type first, then with SLP_EN, keeping the other bits
 * (SCI_EN above all), as ACPICA does. */
static void enter_s5(struct power_plan *p)
{
    unsigned v[2] = { 0, 0 };
    for (int i = 0; i < 2; i++)
        if (p->pm1[i]) {
            long r = clk_io_in(p->pm1[i], p->pm1_port[i], 2);
            v[i] = ((r < 0 ? 0 : (unsigned)r) & ~(SLP_TYP_MASK | SLP_EN)) | p->slp_typ[i]
                                                                                << SLP_TYP_SHIFT;
            clk_io_out(p->pm1[i], p->pm1_port[i], 2, v[i]);
        }
    for (int i = 0; i < 2; i++)
        if (p->pm1[i])
            clk_io_out(p->pm1[i], p->pm1_port[i], 2, v[i] | SLP_EN);
}

/* The keyboard controller's reset: wait (a bounded while) until it can
 * take a command, then pulse the reset line. */
static void kbc_reset(long kbc)
{
    for (int i = 0; i < 100000 && (clk_io_in(kbc, KBC_STATUS, 1) & KBC_INPUT_FULL); i++)
        ;
    clk_io_out(kbc, KBC_STATUS, 1, KBC_PULSE_RESET);
}

void power_act(struct power_plan *p, uint64_t wait_ns)
{
    if (!p->reboot) {
        enter_s5(p);
        clk_sleep_ns(wait_ns);
        return;
    }
    if (p->reset) {
        clk_io_out(p->reset, p->reset_port, 1, p->reset_value);
        clk_sleep_ns(wait_ns);
    }
    if (p->kbc) {
        kbc_reset(p->kbc);
        clk_sleep_ns(wait_ns);
    }
}

void power_release(struct power_plan *p)
{
    long *caps[] = { &p->pm1[0], &p->pm1[1], &p->reset, &p->kbc };
    for (unsigned i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
        if (*caps[i])
            clk_cap_delete(*caps[i]);
        *caps[i] = 0;
    }
}
