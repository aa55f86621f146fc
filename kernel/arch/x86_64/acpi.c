/*
 * acpi.c: just enough ACPI to find the interrupt controllers (RSDP -> RSDT
 * or XSDT -> MADT) and how to power off and reset (-> FADT -> DSDT's
 * \_S5). Every length and checksum is checked; bad tables are ignored with
 * a warning and PC defaults used instead (or, for power, nothing).
 */
#include <arch/cpu.h>
#include <arch/platform.h>
#include <clk/abi.h>
#include <kstring.h>
#include <log.h>
#include <unaligned.h>
#include <vm.h>

/* Map the whole table at PA after checking its header; NULL when bad. */
static const uint8_t *map_table(uint64_t pa, uint32_t *len)
{
    const uint8_t *h = vm_map_phys(pa, ACPI_SDT_HEADER);
    if (!h)
        return NULL;
    *len = get_u32(h + 4);
    if (*len < ACPI_SDT_HEADER || *len > (1u << 20))
        return NULL;
    const uint8_t *t = vm_map_phys(pa, *len);
    return t && acpi_checksum_ok(t, *len) ? t : NULL;
}

/* Physical address of the table with signature SIG, or 0. */
static uint64_t find_table(const struct bootinfo *bi, const char *sig)
{
    const uint8_t *rsdp = bi->rsdp;
    if (bi->rsdp_len < 20 || memcmp(rsdp, "RSD PTR ", 8) != 0 || !acpi_checksum_ok(rsdp, 20))
        return 0;
    bool xsdt = rsdp[15] >= 2 && bi->rsdp_len >= 36 && acpi_checksum_ok(rsdp, 36);
    uint64_t root_pa = xsdt ? get_u64(rsdp + 24) : get_u32(rsdp + 16);
    uint32_t len;
    const uint8_t *root = map_table(root_pa, &len);
    if (!root)
        return 0;
    unsigned width = xsdt ? 8 : 4;
    for (uint32_t off = ACPI_SDT_HEADER; off + width <= len; off += width) {
        uint64_t pa = xsdt ? get_u64(root + off) : get_u32(root + off);
        const uint8_t *h = vm_map_phys(pa, ACPI_SDT_HEADER);
        if (h && memcmp(h, sig, 4) == 0)
            return pa;
    }
    return 0;
}

void acpi_init(const struct bootinfo *bi, struct madt_info *m)
{
    uint32_t len;
    uint64_t pa = find_table(bi, "APIC");
    const uint8_t *madt = pa ? map_table(pa, &len) : NULL;
    if (!madt || madt_parse(madt, len, m) < 0 || m->nioapics == 0) {
        log_warn("acpi: no usable MADT; assuming a standard PC (IOAPIC at 0xfec00000)");
        madt_defaults(m);
        m->nioapics = 1;
        m->ioapic[0].pa = 0xFEC00000;
        m->ncpus = 1;
        return;
    }
    log_info("acpi: MADT: %u CPU(s), %u IOAPIC(s), local APIC at %#lx", m->ncpus, m->nioapics,
             (unsigned long)m->lapic_pa);
}

static struct acpi_power power;

void acpi_power_init(const struct bootinfo *bi)
{
    uint32_t len;
    uint64_t pa = find_table(bi, "FACP");
    const uint8_t *fadt = pa ? map_table(pa, &len) : NULL;
    if (!fadt || fadt_parse(fadt, len, &power) < 0) {
        memset(&power, 0, sizeof(power));
        log_warn("acpi: no usable FADT: no ACPI power-off or reset");
        return;
    }
    const uint8_t *dsdt = power.dsdt_pa ? map_table(power.dsdt_pa, &len) : NULL;
    int err = dsdt ? acpi_find_s5(dsdt, len, &power) : CLK_EINVAL;
    power.s5_valid = err == 0 && power.pm1a_cnt;
    if (power.s5_valid)
        log_info("acpi: FADT: power-off through PM1a control port %#x (PM1b %#x), \\_S5 sleep "
                 "types %u/%u",
                 power.pm1a_cnt, power.pm1b_cnt, power.slp_typa, power.slp_typb);
    else
        log_warn("acpi: no ACPI power-off: %s", !power.pm1a_cnt     ? "no PM1a control port"
                                                : !dsdt             ? "no usable DSDT"
                                                : err == CLK_ENOENT ? "the DSDT has no \\_S5"
                                                                    : "a malformed \\_S5");
    static const char *const space[] = { "memory", "I/O port", "PCI configuration" };
    if (power.reset_valid)
        log_info("acpi: FADT: reset register %s %#lx <- %#x", space[power.reset_space],
                 (unsigned long)power.reset_addr, power.reset_value);
    else
        log_info("acpi: FADT: no reset register");
}

void arch_bootinfo_power(struct clk_bootinfo *bi)
{
    bi->acpi_pm1a_cnt = power.pm1a_cnt;
    bi->acpi_pm1b_cnt = power.pm1b_cnt;
    bi->acpi_slp_typa = power.slp_typa;
    bi->acpi_slp_typb = power.slp_typb;
    bi->acpi_s5_valid = power.s5_valid;
    bi->acpi_reset_valid = power.reset_valid;
    bi->acpi_reset_space = power.reset_space;
    bi->acpi_reset_value = power.reset_value;
    bi->acpi_reset_addr = power.reset_addr;
}
