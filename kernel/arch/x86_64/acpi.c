/*
 * acpi.c: just enough ACPI to find the interrupt controllers: RSDP -> RSDT or
 * XSDT -> MADT. Every length and checksum is checked; bad tables are ignored
 * with a warning and PC defaults used instead.
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
