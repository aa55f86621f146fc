/*
 * madt.c: parse the ACPI MADT (interrupt controller table). Pure code: host
 * unit tests and a fuzz target feed it arbitrary bytes.
 */
#include <arch/platform.h>
#include <clk/abi.h>
#include <kstring.h>
#include <unaligned.h>

bool acpi_checksum_ok(const uint8_t *p, size_t n)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += p[i];
    return sum == 0;
}

void madt_defaults(struct madt_info *m)
{
    memset(m, 0, sizeof(*m));
    m->lapic_pa = 0xFEE00000;
    for (unsigned i = 0; i < MADT_ISA_IRQS; i++)
        m->isa[i].gsi = i;
}

static void madt_entry(const uint8_t *e, uint8_t type, uint8_t len, struct madt_info *m)
{
    if (type == 0 && len >= 8 && (get_u32(e + 4) & 1)) {
        m->ncpus++;
    } else if (type == 1 && len >= 12 && m->nioapics < MADT_MAX_IOAPICS) {
        m->ioapic[m->nioapics].id = e[2];
        m->ioapic[m->nioapics].pa = get_u32(e + 4);
        m->ioapic[m->nioapics].gsi_base = get_u32(e + 8);
        m->nioapics++;
    } else if (type == 2 && len >= 10 && e[2] == 0 && e[3] < MADT_ISA_IRQS) {
        uint16_t flags = e[8] | (e[9] << 8);
        m->isa[e[3]].gsi = get_u32(e + 4);
        m->isa[e[3]].active_low = (flags & 3) == 3;
        m->isa[e[3]].level = ((flags >> 2) & 3) == 3;
    } else if (type == 5 && len >= 12) {
        m->lapic_pa = get_u64(e + 4);
    }
}

int madt_parse(const uint8_t *madt, size_t len, struct madt_info *m)
{
    madt_defaults(m);
    if (len < ACPI_SDT_HEADER + 8 || memcmp(madt, "APIC", 4) != 0 || get_u32(madt + 4) != len ||
        !acpi_checksum_ok(madt, len))
        return CLK_EINVAL;
    m->lapic_pa = get_u32(madt + ACPI_SDT_HEADER);
    for (size_t off = ACPI_SDT_HEADER + 8; off + 2 <= len;) {
        uint8_t type = madt[off], elen = madt[off + 1];
        if (elen < 2 || off + elen > len)
            return CLK_EINVAL;
        madt_entry(madt + off, type, elen, m);
        off += elen;
    }
    return 0;
}
