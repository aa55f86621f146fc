/*
 * fuzz_madt.c: libFuzzer target for the ACPI MADT parser
 * (kernel/arch/x86_64/madt.c). Each input is parsed as it is, and again
 * with its length field and checksum fixed up so the fuzzer gets past them;
 * the result is compared with a plain walk of the entries.
 */
#include <arch/platform.h>
#include <clk/abi.h>
#include <stdlib.h>
#include <unit.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MADT_ENTRIES (ACPI_SDT_HEADER + 8)

static uint32_t u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* What a parse of P (LEN bytes, header valid) must find; false when the
 * entries are malformed (an entry shorter than 2 bytes or past the end). */
static bool expect(const uint8_t *p, size_t len, struct madt_info *m)
{
    madt_defaults(m);
    m->lapic_pa = u32(p + ACPI_SDT_HEADER);
    for (size_t off = MADT_ENTRIES; off + 2 <= len; off += p[off + 1]) {
        const uint8_t *e = p + off;
        if (e[1] < 2 || e[1] > len - off)
            return false;
        if (e[0] == 0 && e[1] >= 8 && (e[4] & 1))
            m->ncpus++;
        if (e[0] == 1 && e[1] >= 12 && m->nioapics < MADT_MAX_IOAPICS)
            m->ioapic[m->nioapics++].pa = u32(e + 4);
        if (e[0] == 5 && e[1] >= 12)
            memcpy(&m->lapic_pa, e + 4, 8);
    }
    return true;
}

static void check_info(const struct madt_info *m, size_t len)
{
    CHECK(m->nioapics <= MADT_MAX_IOAPICS);
    CHECK(m->ncpus <= len / 8);
}

static void parse_fixed(const uint8_t *data, size_t size)
{
    struct madt_info m, want;
    uint8_t *p = malloc(size);
    CHECK(p);
    memcpy(p, data, size);
    uint32_t len = size;
    memcpy(p + 4, &len, 4);
    p[9] = 0;
    uint8_t sum = 0;
    for (size_t i = 0; i < size; i++)
        sum += p[i];
    p[9] = -sum;
    CHECK(acpi_checksum_ok(p, size));

    int r = madt_parse(p, size, &m);
    check_info(&m, size);
    bool valid = size >= MADT_ENTRIES && memcmp(p, "APIC", 4) == 0;
    if (valid && expect(p, size, &want)) {
        CHECK_EQ(r, 0);
        CHECK(m.ncpus == want.ncpus && m.nioapics == want.nioapics);
        CHECK_EQ(m.lapic_pa, want.lapic_pa);
        for (unsigned i = 0; i < m.nioapics; i++)
            CHECK_EQ(m.ioapic[i].pa, want.ioapic[i].pa);
    } else {
        CHECK_EQ(r, CLK_EINVAL);
    }
    free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct madt_info m;
    uint8_t *p = malloc(size ? size : 1);
    CHECK(p);
    memcpy(p, data, size);
    int r = madt_parse(p, size, &m);
    CHECK(r == 0 || r == CLK_EINVAL);
    check_info(&m, size);
    free(p);

    if (size >= 10)
        parse_fixed(data, size);
    return 0;
}
