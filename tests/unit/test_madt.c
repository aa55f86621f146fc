/*
 * test_madt.c: the ACPI MADT parser (kernel/arch/x86_64/madt.c). Tables are
 * built in memory (36-byte header with "APIC", length and checksum; local
 * APIC address and flags; then entries: local APIC, I/O APIC, interrupt
 * source override, local APIC address override) and parsed from a malloc
 * block of exactly their size, so ASan sees any read past them.
 */
#include <arch/platform.h>
#include <clk/abi.h>
#include <stdlib.h>
#include <unit.h>

struct table {
    uint8_t buf[4096];
    size_t len;
};

static void t_begin(struct table *t, uint32_t lapic)
{
    memset(t->buf, 0, sizeof(t->buf));
    memcpy(t->buf, "APIC", 4);
    t->buf[8] = 4; /* revision */
    memcpy(t->buf + 10, "CLKOEM", 6);
    put_u32(t->buf + 36, lapic);
    put_u32(t->buf + 40, 1); /* PCAT_COMPAT */
    t->len = 44;
}

static uint8_t *t_entry(struct table *t, uint8_t type, uint8_t len)
{
    uint8_t *e = t->buf + t->len;
    e[0] = type;
    e[1] = len;
    t->len += len;
    return e;
}

static void t_lapic(struct table *t, uint8_t cpu, uint8_t id, uint32_t flags)
{
    uint8_t *e = t_entry(t, 0, 8);
    e[2] = cpu;
    e[3] = id;
    put_u32(e + 4, flags);
}

static void t_ioapic(struct table *t, uint8_t id, uint32_t pa, uint32_t gsi_base)
{
    uint8_t *e = t_entry(t, 1, 12);
    e[2] = id;
    put_u32(e + 4, pa);
    put_u32(e + 8, gsi_base);
}

static void t_override(struct table *t, uint8_t bus, uint8_t irq, uint32_t gsi, uint16_t flags)
{
    uint8_t *e = t_entry(t, 2, 10);
    e[2] = bus;
    e[3] = irq;
    put_u32(e + 4, gsi);
    put_u16(e + 8, flags);
}

static void t_lapic_override(struct table *t, uint64_t pa)
{
    uint8_t *e = t_entry(t, 5, 12);
    put_u64(e + 4, pa);
}

/* Set the length field and then the checksum (byte 9) so the bytes sum to 0. */
static void t_finish(struct table *t)
{
    put_u32(t->buf + 4, t->len);
    t->buf[9] = 0;
    uint8_t sum = 0;
    for (size_t i = 0; i < t->len; i++)
        sum += t->buf[i];
    t->buf[9] = -sum;
}

/* Parse the first LEN bytes of T from an exactly sized copy. */
static int parse_len(const struct table *t, size_t len, struct madt_info *m)
{
    uint8_t *p = malloc(len ? len : 1);
    CHECK(p);
    memcpy(p, t->buf, len);
    memset(m, 0xA5, sizeof(*m));
    int r = madt_parse(p, len, m);
    free(p);
    return r;
}

static int parse(const struct table *t, struct madt_info *m)
{
    return parse_len(t, t->len, m);
}

static void check_defaults(const struct madt_info *m)
{
    CHECK_EQ(m->lapic_pa, 0xFEE00000);
    CHECK(m->ncpus == 0 && m->nioapics == 0);
    for (unsigned i = 0; i < MADT_ISA_IRQS; i++)
        CHECK(m->isa[i].gsi == i && !m->isa[i].active_low && !m->isa[i].level);
}

static struct table t;
static struct madt_info m;

/* A QEMU-like table: 2 CPUs (one disabled), an I/O APIC, the usual overrides. */
static void build_typical(void)
{
    t_begin(&t, 0xFEE00000);
    t_lapic(&t, 0, 0, 1);
    t_lapic(&t, 1, 1, 1);
    t_lapic(&t, 2, 2, 0); /* disabled */
    t_lapic(&t, 3, 3, 2); /* online capable only: not counted */
    t_ioapic(&t, 2, 0xFEC00000, 0);
    t_override(&t, 0, 0, 2, 0);   /* timer on GSI 2 */
    t_override(&t, 0, 9, 9, 0xD); /* SCI: active high (1), level (3) */
    t_override(&t, 0, 10, 10, 0xF);
    t_override(&t, 0, 11, 11, 0x3); /* active low, conforming trigger */
    t_override(&t, 0, 5, 21, 0x5);  /* active high, edge */
    t_override(&t, 0, 12, 12, 0xA); /* reserved polarity and trigger (2): neither */
    t_override(&t, 0, 14, 14, 0x7); /* active low, edge */
    t_finish(&t);
}

static void test_typical(void)
{
    build_typical();
    CHECK_EQ(parse(&t, &m), 0);
    CHECK_EQ(m.lapic_pa, 0xFEE00000);
    CHECK_EQ(m.ncpus, 2);
    CHECK_EQ(m.nioapics, 1);
    CHECK(m.ioapic[0].id == 2 && m.ioapic[0].pa == 0xFEC00000 && m.ioapic[0].gsi_base == 0);
    CHECK_EQ(m.isa[0].gsi, 2);
    CHECK(!m.isa[0].active_low && !m.isa[0].level);
    CHECK(m.isa[9].gsi == 9 && !m.isa[9].active_low && m.isa[9].level);
    CHECK(m.isa[10].gsi == 10 && m.isa[10].active_low && m.isa[10].level);
    CHECK(m.isa[11].gsi == 11 && m.isa[11].active_low && !m.isa[11].level);
    CHECK(m.isa[5].gsi == 21 && !m.isa[5].active_low && !m.isa[5].level);
    CHECK(m.isa[12].gsi == 12 && !m.isa[12].active_low && !m.isa[12].level);
    CHECK(m.isa[14].gsi == 14 && m.isa[14].active_low && !m.isa[14].level);
    for (unsigned i = 1; i < MADT_ISA_IRQS; i++)
        if (i != 5 && i != 9 && i != 10 && i != 11 && i != 12 && i != 14)
            CHECK(m.isa[i].gsi == i && !m.isa[i].active_low && !m.isa[i].level);
}

static void test_entries(void)
{
    t_begin(&t, 0xFEE00000); /* no entries at all */
    t_finish(&t);
    CHECK_EQ(parse(&t, &m), 0);
    check_defaults(&m);

    t_begin(&t, 0xFED00000); /* the address in the header, then an override */
    t_finish(&t);
    CHECK_EQ(parse(&t, &m), 0);
    CHECK_EQ(m.lapic_pa, 0xFED00000);
    t_lapic_override(&t, 0x123456789000ULL);
    t_finish(&t);
    CHECK_EQ(parse(&t, &m), 0);
    CHECK_EQ(m.lapic_pa, 0x123456789000ULL);

    t_begin(&t, 0xFEE00000);
    for (unsigned i = 0; i < MADT_MAX_IOAPICS + 2; i++) /* extra I/O APICs are ignored */
        t_ioapic(&t, i, 0xFEC00000 + i * 0x1000, i * 24);
    t_override(&t, 1, 3, 40, 0xF);             /* bus 1: not ISA, ignored */
    t_override(&t, 0, MADT_ISA_IRQS, 40, 0xF); /* IRQ 16: out of range, ignored */
    t_entry(&t, 4, 6);                         /* local APIC NMI: not needed */
    t_entry(&t, 9, 16);                        /* x2APIC: not needed */
    t_entry(&t, 0x80, 2);                      /* reserved type, smallest length */
    t_entry(&t, 0, 6);                         /* a local APIC entry too short to read */
    t_entry(&t, 1, 10);
    t_entry(&t, 2, 9);
    t_entry(&t, 5, 11);
    t_finish(&t);
    CHECK_EQ(parse(&t, &m), 0);
    CHECK_EQ(m.nioapics, MADT_MAX_IOAPICS);
    for (unsigned i = 0; i < MADT_MAX_IOAPICS; i++)
        CHECK(m.ioapic[i].id == i && m.ioapic[i].pa == 0xFEC00000 + i * 0x1000 &&
              m.ioapic[i].gsi_base == i * 24);
    CHECK_EQ(m.ncpus, 0);
    CHECK_EQ(m.lapic_pa, 0xFEE00000);
    for (unsigned i = 0; i < MADT_ISA_IRQS; i++)
        CHECK(m.isa[i].gsi == i && !m.isa[i].active_low && !m.isa[i].level);

    t_begin(&t, 0xFEE00000); /* longer entries than the minimum are fine */
    uint8_t *e = t_entry(&t, 0, 20);
    put_u32(e + 4, 1);
    t_finish(&t);
    CHECK_EQ(parse(&t, &m), 0);
    CHECK_EQ(m.ncpus, 1);
}

static void test_bad_header(void)
{
    build_typical();
    CHECK_EQ(parse(&t, &m), 0);

    t.buf[20] ^= 1; /* checksum */
    CHECK_EQ(parse(&t, &m), CLK_EINVAL);
    check_defaults(&m);
    t.buf[20] ^= 1;

    t.buf[0] = 'X'; /* signature */
    t_finish(&t);
    CHECK_EQ(parse(&t, &m), CLK_EINVAL);
    memcpy(t.buf, "APIC", 4);
    t_finish(&t);
    CHECK_EQ(parse(&t, &m), 0);

    for (size_t len = 0; len < t.len; len++) /* length field != buffer length */
        CHECK_EQ(parse_len(&t, len, &m), CLK_EINVAL);
    put_u32(t.buf + 4, t.len - 1);
    CHECK_EQ(parse(&t, &m), CLK_EINVAL);
    put_u32(t.buf + 4, t.len + 1);
    CHECK_EQ(parse(&t, &m), CLK_EINVAL);

    t_begin(&t, 0xFEE00000); /* shorter than header + LAPIC address + flags */
    t.len = 43;
    t_finish(&t);
    CHECK_EQ(parse(&t, &m), CLK_EINVAL);
}

static void test_bad_entries(void)
{
    static const uint8_t bad_len[] = { 0, 1 };
    for (unsigned i = 0; i < ARRAY_SIZE(bad_len); i++) {
        build_typical();
        t_entry(&t, 0, 8);
        t.buf[t.len - 8 + 1] = bad_len[i]; /* zero- or one-byte entry: no progress */
        t_finish(&t);
        CHECK_EQ(parse(&t, &m), CLK_EINVAL);
    }

    build_typical(); /* the last entry runs past the end */
    t_lapic(&t, 9, 9, 1);
    t.len -= 1;
    t_finish(&t);
    CHECK_EQ(parse(&t, &m), CLK_EINVAL);

    build_typical(); /* only the type and length of the next entry */
    t.buf[t.len] = 1;
    t.buf[t.len + 1] = 12;
    t.len += 2;
    t_finish(&t);
    CHECK_EQ(parse(&t, &m), CLK_EINVAL);

    build_typical(); /* a middle entry's length jumps past the end */
    t.buf[44 + 1] = 255;
    t_finish(&t);
    CHECK_EQ(parse(&t, &m), CLK_EINVAL);
}

static void test_checksum(void)
{
    uint8_t b[300];
    for (unsigned i = 0; i < sizeof(b); i++)
        b[i] = i * 7 + 3;
    uint8_t sum = 0;
    for (unsigned i = 0; i < sizeof(b) - 1; i++)
        sum += b[i];
    b[sizeof(b) - 1] = -sum;
    CHECK(acpi_checksum_ok(b, sizeof(b)));
    CHECK(!acpi_checksum_ok(b, sizeof(b) - 1));
    CHECK(acpi_checksum_ok(b, 0));
    b[100]++;
    CHECK(!acpi_checksum_ok(b, sizeof(b)));
    b[101]--;
    CHECK(acpi_checksum_ok(b, sizeof(b)));
}

int main(void)
{
    RUN(test_typical);
    RUN(test_entries);
    RUN(test_bad_header);
    RUN(test_bad_entries);
    RUN(test_checksum);
    return 0;
}
