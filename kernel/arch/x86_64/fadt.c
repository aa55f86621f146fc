/*
 * fadt.c: what powering off and resetting need from ACPI: the FADT's PM1
 * control ports and reset register, and the sleep types of \_S5 (soft
 * off) from the DSDT's AML. Pure code: host unit tests and a fuzz target
 * feed it arbitrary bytes, so every offset and value is checked against
 * the table before it is read or believed.
 */
#include <arch/platform.h>
#include <clk/abi.h>
#include <kstring.h>
#include <unaligned.h>

/* FADT fields (ACPI 6.5, table 5.9): byte offsets. */
#define FADT_DSDT        40
#define FADT_PM1A_CNT    64
#define FADT_PM1B_CNT    68
#define FADT_PM1_CNT_LEN 89
#define FADT_FLAGS       112
#define FADT_RESET_REG   116 /* a generic address structure (GAS), 12 bytes */
#define FADT_RESET_VALUE 128
#define FADT_X_DSDT      140
#define FADT_X_PM1A_CNT  172 /* GAS */
#define FADT_X_PM1B_CNT  184 /* GAS */
#define FADT_V1_LEN      116 /* the ACPI 1.0 table ends before RESET_REG */

#define FADT_RESET_REG_SUP (1u << 10)
#define GAS_LEN            12

/* AML opcodes (ACPI 6.5, section 20). */
#define AML_ZERO    0x00
#define AML_ONE     0x01
#define AML_NAME    0x08
#define AML_BYTE    0x0A
#define AML_WORD    0x0B
#define AML_DWORD   0x0C
#define AML_QWORD   0x0E
#define AML_PACKAGE 0x12
#define AML_ROOT    '\\'
#define AML_PARENT  '^'

/* A valid ACPI table of LEN bytes with signature SIG: header, length, checksum. */
static bool table_ok(const uint8_t *t, size_t len, const char *sig)
{
    return len >= ACPI_SDT_HEADER && memcmp(t, sig, 4) == 0 && get_u32(t + 4) == len &&
           acpi_checksum_ok(t, len);
}

/* The I/O port of a 16-bit register given by the GAS at G (when the table
 * holds it) or else by the 32-bit block address at LEGACY; 0 when neither
 * names a usable port. */
static uint16_t pm1_port(const uint8_t *fadt, size_t len, size_t gas, size_t legacy)
{
    if (gas + GAS_LEN <= len && get_u64(fadt + gas + 4)) {
        uint64_t port = get_u64(fadt + gas + 4);
        return fadt[gas] == ACPI_SPACE_IO && port <= 0xFFFE ? (uint16_t)port : 0;
    }
    uint32_t port = get_u32(fadt + legacy);
    return fadt[FADT_PM1_CNT_LEN] >= 2 && port <= 0xFFFE ? (uint16_t)port : 0;
}

/* The reset register, if the flags say there is one and it is sound. */
static void reset_reg(const uint8_t *fadt, size_t len, struct acpi_power *p)
{
    if (len < FADT_RESET_VALUE + 1 || !(get_u32(fadt + FADT_FLAGS) & FADT_RESET_REG_SUP))
        return;
    const uint8_t *g = fadt + FADT_RESET_REG;
    uint64_t addr = get_u64(g + 4);
    bool sound = g[0] <= ACPI_SPACE_PCI && g[1] == 8 && g[2] == 0 && addr != 0 &&
                 (g[0] != ACPI_SPACE_IO || addr <= 0xFFFF);
    if (!sound)
        return;
    p->reset_valid = true;
    p->reset_space = g[0];
    p->reset_addr = addr;
    p->reset_value = fadt[FADT_RESET_VALUE];
}

int fadt_parse(const uint8_t *fadt, size_t len, struct acpi_power *p)
{
    memset(p, 0, sizeof(*p));
    if (len < FADT_V1_LEN || !table_ok(fadt, len, "FACP"))
        return CLK_EINVAL;
    p->dsdt_pa = get_u32(fadt + FADT_DSDT);
    if (len >= FADT_X_DSDT + 8 && get_u64(fadt + FADT_X_DSDT))
        p->dsdt_pa = get_u64(fadt + FADT_X_DSDT);
    p->pm1a_cnt = pm1_port(fadt, len, FADT_X_PM1A_CNT, FADT_PM1A_CNT);
    p->pm1b_cnt = pm1_port(fadt, len, FADT_X_PM1B_CNT, FADT_PM1B_CNT);
    reset_reg(fadt, len, p);
    return 0;
}

/* Read an AML integer (ZeroOp, OneOp or a constant with a Byte, Word,
 * DWord or QWord prefix) at *AT, below END; advances *AT. Returns 0 or
 * CLK_EINVAL (another term, or one that runs past END). */
static int aml_integer(const uint8_t **at, const uint8_t *end, uint64_t *v)
{
    static const uint8_t width[] = {
        [AML_BYTE] = 1, [AML_WORD] = 2, [AML_DWORD] = 4, [AML_QWORD] = 8
    };
    const uint8_t *p = *at;
    if (p >= end)
        return CLK_EINVAL;
    uint8_t op = *p++;
    if (op == AML_ZERO || op == AML_ONE) {
        *v = op;
    } else if (op < sizeof(width) && width[op] && (size_t)(end - p) >= width[op]) {
        *v = 0;
        for (unsigned i = 0; i < width[op]; i++)
            *v |= (uint64_t)p[i] << (8 * i);
        p += width[op];
    } else {
        return CLK_EINVAL;
    }
    *at = p;
    return 0;
}

/* The package at P (a PackageOp), below END: the sleep types of its first
 * one or two integers. Returns 0 or CLK_EINVAL. */
static int s5_package(const uint8_t *p, const uint8_t *end, struct acpi_power *out)
{
    if (p >= end || *p++ != AML_PACKAGE || p >= end)
        return CLK_EINVAL;
    /* PkgLength: bits 7-6 of the lead byte count the bytes that follow;
     * with none, bits 5-0 are the length, else bits 3-0 are its low
     * nibble. It counts itself and what follows it. */
    const uint8_t *start = p;
    unsigned follow = *p >> 6;
    if ((size_t)(end - p) <= follow || (follow && (*p & 0x30)))
        return CLK_EINVAL;
    uint32_t plen = follow ? *p & 0x0F : *p & 0x3F;
    for (unsigned i = 1; i <= follow; i++)
        plen |= (uint32_t)p[i] << (4 + 8 * (i - 1));
    if (plen < follow + 2 || plen > (size_t)(end - start))
        return CLK_EINVAL; /* room for itself and NumElements, inside the table */
    const uint8_t *pkg_end = start + plen;
    p += follow + 1;
    unsigned n = *p++;
    uint64_t a, b = 0;
    if (n == 0 || aml_integer(&p, pkg_end, &a) < 0)
        return CLK_EINVAL;
    if (n == 1) { /* one integer holding both (as ACPICA accepts) */
        b = (a >> 8) & 0xFF;
        a &= 0xFF;
    } else if (aml_integer(&p, pkg_end, &b) < 0) {
        return CLK_EINVAL;
    }
    if (a > 7 || b > 7)
        return CLK_EINVAL; /* SLP_TYP is a 3-bit field */
    out->slp_typa = (uint8_t)a;
    out->slp_typb = (uint8_t)b;
    return 0;
}

int acpi_find_s5(const uint8_t *dsdt, size_t len, struct acpi_power *p)
{
    if (!table_ok(dsdt, len, "DSDT"))
        return CLK_EINVAL;
    int err = CLK_ENOENT;
    for (size_t i = ACPI_SDT_HEADER + 1; i + 4 <= len; i++) {
        if (memcmp(dsdt + i, "_S5_", 4) != 0)
            continue;
        size_t j = i; /* NameOp, then the name with a root or parent prefix or none */
        while (j > ACPI_SDT_HEADER && (dsdt[j - 1] == AML_ROOT || dsdt[j - 1] == AML_PARENT))
            j--;
        if (j == ACPI_SDT_HEADER || dsdt[j - 1] != AML_NAME)
            continue;
        err = s5_package(dsdt + i + 4, dsdt + len, p);
        if (err == 0)
            return 0;
    }
    return err;
}
