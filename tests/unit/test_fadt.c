/*
 * test_fadt.c: the FADT parser and the \_S5 search in the DSDT
 * (kernel/arch/x86_64/fadt.c). Tables are built in memory, as QEMU and
 * other firmware lay them out, and parsed from a malloc block of exactly
 * their size, so ASan sees any read past them.
 */
#include <arch/platform.h>
#include <clk/abi.h>
#include <stdlib.h>
#include <unit.h>

struct table {
    uint8_t buf[4096];
    size_t len;
};

static struct table t;
static struct acpi_power p;

/* Set the length field and then the checksum (byte 9) so the bytes sum to 0. */
static void t_finish(struct table *tb)
{
    put_u32(tb->buf + 4, (uint32_t)tb->len);
    tb->buf[9] = 0;
    uint8_t sum = 0;
    for (size_t i = 0; i < tb->len; i++)
        sum += tb->buf[i];
    tb->buf[9] = (uint8_t)-sum;
}

static void t_header(struct table *tb, const char *sig, size_t len)
{
    memset(tb->buf, 0, sizeof(tb->buf));
    memcpy(tb->buf, sig, 4);
    tb->buf[8] = 3;
    memcpy(tb->buf + 10, "CLKOEM", 6);
    tb->len = len;
}

static void gas(uint8_t *g, uint8_t space, uint8_t width, uint64_t addr)
{
    g[0] = space;
    g[1] = width;
    g[2] = 0;
    g[3] = 0;
    put_u64(g + 4, addr);
}

/* A FADT as QEMU's q35 builds it (revision 3, 244 bytes): PM base 0x600,
 * the reset register at I/O port 0xCF9. */
static void build_q35(void)
{
    t_header(&t, "FACP", 244);
    put_u32(t.buf + 40, 0x7FE0040);     /* DSDT */
    put_u32(t.buf + 56, 0x600);         /* PM1a_EVT_BLK */
    put_u32(t.buf + 64, 0x604);         /* PM1a_CNT_BLK */
    t.buf[88] = 4;                      /* PM1_EVT_LEN */
    t.buf[89] = 2;                      /* PM1_CNT_LEN */
    put_u32(t.buf + 112, 1u << 10 | 1); /* RESET_REG_SUP, WBINVD */
    gas(t.buf + 116, 1, 8, 0xCF9);      /* RESET_REG */
    t.buf[128] = 0x0F;                  /* RESET_VALUE */
    put_u64(t.buf + 140, 0);            /* X_DSDT: unused, so DSDT counts */
    gas(t.buf + 148, 1, 32, 0x600);     /* X_PM1a_EVT_BLK */
    gas(t.buf + 172, 1, 16, 0x604);     /* X_PM1a_CNT_BLK */
    t_finish(&t);
}

static int parse_len(size_t len)
{
    uint8_t *b = malloc(len ? len : 1);
    CHECK(b);
    memcpy(b, t.buf, len);
    memset(&p, 0xA5, sizeof(p));
    int r = fadt_parse(b, len, &p);
    free(b);
    return r;
}

static int parse(void)
{
    return parse_len(t.len);
}

static void check_nothing(void)
{
    CHECK(p.dsdt_pa == 0 && p.pm1a_cnt == 0 && p.pm1b_cnt == 0 && !p.reset_valid && !p.s5_valid &&
          p.reset_addr == 0);
}

static void test_q35(void)
{
    build_q35();
    CHECK_EQ(parse(), 0);
    CHECK_EQ(p.dsdt_pa, 0x7FE0040);
    CHECK_EQ(p.pm1a_cnt, 0x604);
    CHECK_EQ(p.pm1b_cnt, 0);
    CHECK(p.reset_valid);
    CHECK_EQ(p.reset_space, ACPI_SPACE_IO);
    CHECK_EQ(p.reset_addr, 0xCF9);
    CHECK_EQ(p.reset_value, 0x0F);
    CHECK(!p.s5_valid); /* the DSDT says that */
}

static void test_versions(void)
{
    /* ACPI 1.0: 116 bytes, no reset register, no X_ fields */
    build_q35();
    t.len = 116;
    t_finish(&t);
    CHECK_EQ(parse(), 0);
    CHECK_EQ(p.pm1a_cnt, 0x604);
    CHECK(!p.reset_valid);
    CHECK_EQ(p.dsdt_pa, 0x7FE0040);

    /* a table that ends inside RESET_REG/RESET_VALUE: no reset register */
    build_q35();
    t.len = 128;
    t_finish(&t);
    CHECK_EQ(parse(), 0);
    CHECK(!p.reset_valid);
    t.len = 129;
    t_finish(&t);
    CHECK_EQ(parse(), 0);
    CHECK(p.reset_valid && p.reset_addr == 0xCF9);

    /* ACPI 6: 276 bytes, X_DSDT above 4 GiB wins over DSDT, X_PM1 ports win */
    build_q35();
    t.len = 276;
    put_u64(t.buf + 140, 0x100000000ULL);
    gas(t.buf + 172, 1, 16, 0x1004);
    gas(t.buf + 184, 1, 16, 0x2004);
    put_u32(t.buf + 68, 0x3004); /* the 32-bit PM1b block loses to X_PM1b */
    t_finish(&t);
    CHECK_EQ(parse(), 0);
    CHECK_EQ(p.dsdt_pa, 0x100000000ULL);
    CHECK_EQ(p.pm1a_cnt, 0x1004);
    CHECK_EQ(p.pm1b_cnt, 0x2004);

    /* an X_ field of zero falls back to the 32-bit block */
    gas(t.buf + 184, 0, 0, 0);
    t_finish(&t);
    CHECK_EQ(parse(), 0);
    CHECK_EQ(p.pm1b_cnt, 0x3004);

    /* a table that ends inside X_PM1a_CNT_BLK: the 32-bit block counts */
    build_q35();
    gas(t.buf + 172, 1, 16, 0x1004);
    t.len = 180;
    t_finish(&t);
    CHECK_EQ(parse(), 0);
    CHECK_EQ(p.pm1a_cnt, 0x604);
}

static void test_unusable_fields(void)
{
    /* PM1 control in memory space: no port */
    build_q35();
    gas(t.buf + 172, 0, 16, 0xFED00004);
    t_finish(&t);
    CHECK_EQ(parse(), 0);
    CHECK_EQ(p.pm1a_cnt, 0);

    /* a port too high for a 16-bit register, in either form */
    build_q35();
    gas(t.buf + 172, 1, 16, 0xFFFF);
    t_finish(&t);
    CHECK_EQ(parse(), 0);
    CHECK_EQ(p.pm1a_cnt, 0);
    build_q35();
    t.len = 116;
    put_u32(t.buf + 64, 0x10000);
    t_finish(&t);
    CHECK_EQ(parse(), 0);
    CHECK_EQ(p.pm1a_cnt, 0);

    /* PM1_CNT_LEN below 2: the 32-bit block is not a 16-bit register */
    build_q35();
    t.len = 116;
    t.buf[89] = 1;
    t_finish(&t);
    CHECK_EQ(parse(), 0);
    CHECK_EQ(p.pm1a_cnt, 0);

    /* the reset register without its flag, or malformed */
    static const struct {
        uint8_t space, width, offset;
        uint64_t addr;
        uint32_t flags;
        bool valid;
    } resets[] = {
        { 1, 8, 0, 0xCF9, 1u << 10, true },
        { 1, 8, 0, 0xCF9, 0, false },               /* RESET_REG_SUP clear */
        { 1, 16, 0, 0xCF9, 1u << 10, false },       /* not 8 bits wide */
        { 1, 8, 1, 0xCF9, 1u << 10, false },        /* a bit offset */
        { 1, 8, 0, 0, 1u << 10, false },            /* no address */
        { 1, 8, 0, 0x10000, 1u << 10, false },      /* past the I/O space */
        { 3, 8, 0, 0xCF9, 1u << 10, false },        /* embedded controller space: not supported */
        { 0, 8, 0, 0xFED00000ULL, 1u << 10, true }, /* memory */
        { 2, 8, 0, 0x0000001F00000044ULL, 1u << 10, true }, /* PCI configuration */
    };
    for (unsigned i = 0; i < ARRAY_SIZE(resets); i++) {
        build_q35();
        gas(t.buf + 116, resets[i].space, resets[i].width, resets[i].addr);
        t.buf[118] = resets[i].offset;
        put_u32(t.buf + 112, resets[i].flags);
        t_finish(&t);
        CHECK_EQ(parse(), 0);
        CHECK_EQ(p.reset_valid, resets[i].valid);
        if (resets[i].valid)
            CHECK(p.reset_space == resets[i].space && p.reset_addr == resets[i].addr);
    }
}

static void test_bad_header(void)
{
    build_q35();
    for (size_t len = 0; len < 116; len++) { /* too short, whatever the length field says */
        put_u32(t.buf + 4, (uint32_t)len);
        CHECK_EQ(parse_len(len), CLK_EINVAL);
        check_nothing();
    }
    build_q35();
    put_u32(t.buf + 4, 243); /* length field != buffer */
    CHECK_EQ(parse(), CLK_EINVAL);
    build_q35();
    t.buf[100] ^= 1; /* checksum */
    CHECK_EQ(parse(), CLK_EINVAL);
    check_nothing();
    build_q35();
    t.buf[0] = 'X'; /* signature */
    t_finish(&t);
    CHECK_EQ(parse(), CLK_EINVAL);
}

/* ---- the DSDT ---- */

/* A DSDT: header, then the AML BODY of N bytes. */
static void build_dsdt(const uint8_t *body, size_t n)
{
    t_header(&t, "DSDT", ACPI_SDT_HEADER + n);
    memcpy(t.buf + ACPI_SDT_HEADER, body, n);
    t_finish(&t);
}

static int find_len(size_t len)
{
    uint8_t *b = malloc(len ? len : 1);
    CHECK(b);
    memcpy(b, t.buf, len);
    memset(&p, 0, sizeof(p));
    p.slp_typa = p.slp_typb = 0xEE;
    int r = acpi_find_s5(b, len, &p);
    free(b);
    return r;
}

static int find(const uint8_t *body, size_t n)
{
    build_dsdt(body, n);
    return find_len(t.len);
}

#define FIND(...)                                                                                  \
    ({                                                                                             \
        static const uint8_t body_[] = { __VA_ARGS__ };                                            \
        find(body_, sizeof(body_));                                                                \
    })

static void test_s5_forms(void)
{
    /* QEMU: Scope (\) { Name (_S5, Package (4) { Zero, Zero, Zero, Zero }) } */
    CHECK_EQ(FIND(0x10, 0x0E, '\\', 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0, 0, 0, 0), 0);
    CHECK(p.slp_typa == 0 && p.slp_typb == 0);
    /* a rooted name and byte constants: Name (\_S5, Package (2) { 5, 7 }) */
    CHECK_EQ(FIND(0x08, '\\', '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0A, 0x05, 0x0A, 0x07), 0);
    CHECK(p.slp_typa == 5 && p.slp_typb == 7);
    /* a parent prefix, OneOp, and a word constant */
    CHECK_EQ(
        FIND(0x08, '^', '^', '_', 'S', '5', '_', 0x12, 0x07, 0x03, 0x01, 0x0B, 0x06, 0x00, 0x00),
        0);
    CHECK(p.slp_typa == 1 && p.slp_typb == 6);
    /* dword and qword constants */
    CHECK_EQ(FIND(0x08, '_', 'S', '5', '_', 0x12, 0x10, 0x02, 0x0C, 3, 0, 0, 0, 0x0E, 4, 0, 0, 0, 0,
                  0, 0, 0),
             0);
    CHECK(p.slp_typa == 3 && p.slp_typb == 4);
    /* one integer with both: SLP_TYPa in the low byte, SLP_TYPb in the next */
    CHECK_EQ(FIND(0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x01, 0x0B, 0x05, 0x07), 0);
    CHECK(p.slp_typa == 5 && p.slp_typb == 7);
    /* a two-byte PkgLength (lead 0x40 | low nibble, then the rest) */
    CHECK_EQ(FIND(0x08, '_', 'S', '5', '_', 0x12, 0x47, 0x00, 0x02, 0x0A, 0x02, 0x0A, 0x03), 0);
    CHECK(p.slp_typa == 2 && p.slp_typb == 3);
    /* other sleep states before it, and a reference to \_S5 in a method */
    CHECK_EQ(FIND(0x08, '_', 'S', '3', '_', 0x12, 0x06, 0x04, 0x01, 0x01, 0, 0, /* _S3 */
                  0xA4, '\\', '_', 'S', '5', '_',                               /* Return (\_S5) */
                  0x08, '_', 'S', '4', '_', 0x12, 0x06, 0x04, 0x0A, 2, 0x0A, 2, 0, 0, /* _S4 */
                  0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x00, 0, 0),
             0);
    CHECK(p.slp_typa == 0 && p.slp_typb == 0);
    /* a malformed candidate, then a good one: the good one counts */
    CHECK_EQ(FIND(0x08, '_', 'S', '5', '_', 0x13, 0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0A,
                  6, 0x01),
             0);
    CHECK(p.slp_typa == 6 && p.slp_typb == 1);
}

static void test_s5_missing_or_bad(void)
{
    CHECK_EQ(FIND(0x10, 0x05, '\\', 0x08, 0x00), CLK_ENOENT);               /* no _S5_ at all */
    CHECK_EQ(FIND(0xA4, '_', 'S', '5', '_'), CLK_ENOENT);                   /* not after a NameOp */
    CHECK_EQ(FIND('_', 'S', '5', '_', 0x12, 0x06, 0x02, 0, 0), CLK_ENOENT); /* at the start */
    CHECK(p.slp_typa == 0xEE);
    /* not a package, or a package of something else */
    CHECK_EQ(FIND(0x08, '_', 'S', '5', '_', 0x0A, 0x05), CLK_EINVAL);
    CHECK_EQ(FIND(0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 'A', 'B', 'C', 'D'), CLK_EINVAL);
    CHECK_EQ(FIND(0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0xFF, 0xFF), CLK_EINVAL); /* Ones */
    /* sleep types past 3 bits */
    CHECK_EQ(FIND(0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0A, 8, 0x00), CLK_EINVAL);
    CHECK_EQ(FIND(0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x00, 0x0A, 0x80), CLK_EINVAL);
    CHECK_EQ(FIND(0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x01, 0x0B, 0x05, 0x08), CLK_EINVAL);
    CHECK_EQ(FIND(0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0C, 0, 0, 0, 1), CLK_EINVAL);
    /* no elements */
    CHECK_EQ(FIND(0x08, '_', 'S', '5', '_', 0x12, 0x02, 0x00), CLK_EINVAL);
    /* the PkgLength: too small for itself and NumElements, past the table, reserved bits */
    CHECK_EQ(FIND(0x08, '_', 'S', '5', '_', 0x12, 0x01, 0x02, 0, 0), CLK_EINVAL);
    CHECK_EQ(FIND(0x08, '_', 'S', '5', '_', 0x12, 0x07, 0x02, 0, 0), CLK_EINVAL);
    CHECK_EQ(FIND(0x08, '_', 'S', '5', '_', 0x12, 0x76, 0x00, 0x00, 0x00, 0x02, 0, 0), CLK_EINVAL);
    CHECK_EQ(FIND(0x08, '_', 'S', '5', '_', 0x12, 0x56, 0x00, 0x02, 0, 0), CLK_EINVAL);
    /* an integer cut by the package's end, though the table goes on */
    CHECK_EQ(FIND(0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x0A, 0x05, 0x00), CLK_EINVAL);
    /* the package and the table end too soon: each cut of a good one fails */
    static const uint8_t good[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0A, 5, 0x0A, 5 };
    for (size_t n = 0; n < sizeof(good); n++) {
        int r = find(good, n);
        CHECK(r == CLK_ENOENT || r == CLK_EINVAL);
    }
    CHECK_EQ(find(good, sizeof(good)), 0);
    CHECK(p.slp_typa == 5 && p.slp_typb == 5);
}

static void test_dsdt_header(void)
{
    static const uint8_t good[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x00 };
    build_dsdt(good, sizeof(good));
    CHECK_EQ(find_len(t.len), 0);
    t.buf[ACPI_SDT_HEADER + 9] ^= 1; /* checksum */
    CHECK_EQ(find_len(t.len), CLK_EINVAL);
    build_dsdt(good, sizeof(good));
    for (size_t len = 0; len < t.len; len++) /* length field != buffer */
        CHECK_EQ(find_len(len), CLK_EINVAL);
    build_dsdt(good, sizeof(good));
    t.buf[3] = 'X';
    t_finish(&t);
    CHECK_EQ(find_len(t.len), CLK_EINVAL);
}

int main(void)
{
    RUN(test_q35);
    RUN(test_versions);
    RUN(test_unusable_fields);
    RUN(test_bad_header);
    RUN(test_s5_forms);
    RUN(test_s5_missing_or_bad);
    RUN(test_dsdt_header);
    return 0;
}
