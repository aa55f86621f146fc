/*
 * fuzz_fadt.c: libFuzzer target for the FADT parser and the \_S5 search
 * (kernel/arch/x86_64/fadt.c). Each input is parsed as a FADT and as a
 * DSDT, as it is and again with its signature, length field and checksum
 * fixed up so that the fuzzer gets past them; whatever comes out must be
 * within the ranges the kernel promises user space.
 */
#include <arch/platform.h>
#include <clk/abi.h>
#include <stdlib.h>
#include <unit.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_power(int r, const struct acpi_power *p)
{
    CHECK(r == 0 || r == CLK_EINVAL);
    if (r < 0) {
        CHECK(p->pm1a_cnt == 0 && p->pm1b_cnt == 0 && !p->reset_valid && p->dsdt_pa == 0);
        return;
    }
    CHECK(p->pm1a_cnt <= 0xFFFE && p->pm1b_cnt <= 0xFFFE);
    CHECK(!p->s5_valid);
    if (p->reset_valid) {
        CHECK(p->reset_space <= ACPI_SPACE_PCI && p->reset_addr != 0);
        CHECK(p->reset_space != ACPI_SPACE_IO || p->reset_addr <= 0xFFFF);
    } else {
        CHECK(p->reset_addr == 0 && p->reset_value == 0);
    }
}

static void check_s5(int r, const struct acpi_power *p)
{
    CHECK(r == 0 || r == CLK_EINVAL || r == CLK_ENOENT);
    if (r == 0)
        CHECK(p->slp_typa <= 7 && p->slp_typb <= 7);
    else
        CHECK(p->slp_typa == 0xEE && p->slp_typb == 0xEE); /* untouched */
}

/* A copy of DATA with signature SIG, the right length and checksum. */
static uint8_t *fixed(const uint8_t *data, size_t size, const char *sig)
{
    uint8_t *p = malloc(size);
    CHECK(p);
    memcpy(p, data, size);
    memcpy(p, sig, 4);
    uint32_t len = (uint32_t)size;
    memcpy(p + 4, &len, 4);
    p[9] = 0;
    uint8_t sum = 0;
    for (size_t i = 0; i < size; i++)
        sum += p[i];
    p[9] = (uint8_t)-sum;
    CHECK(acpi_checksum_ok(p, size));
    return p;
}

static void parse_both(const uint8_t *b, size_t size)
{
    struct acpi_power p;
    check_power(fadt_parse(b, size, &p), &p);
    memset(&p, 0, sizeof(p));
    p.slp_typa = p.slp_typb = 0xEE;
    int r = acpi_find_s5(b, size, &p);
    if (r < 0) /* a failed candidate may have set nothing: see check_s5 */
        CHECK(p.slp_typa == 0xEE && p.slp_typb == 0xEE);
    check_s5(r, &p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *b = malloc(size ? size : 1);
    CHECK(b);
    memcpy(b, data, size);
    parse_both(b, size);
    free(b);
    if (size >= ACPI_SDT_HEADER) {
        b = fixed(data, size, "FACP");
        struct acpi_power p;
        int r = fadt_parse(b, size, &p);
        CHECK_EQ(r, size >= 116 ? 0 : CLK_EINVAL);
        check_power(r, &p);
        free(b);
        b = fixed(data, size, "DSDT");
        parse_both(b, size);
        free(b);
    }
    return 0;
}
