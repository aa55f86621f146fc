/*
 * test_multiboot2.c: the multiboot2 information parser
 * (kernel/arch/x86_64/multiboot2.c). Information blobs are built in memory
 * (8-aligned tags: command line, loader name, modules, memory map, ACPI
 * RSDPs, unknown tags, end tag) and parsed from a malloc block of exactly
 * their size, so ASan sees any read past them.
 */
#include <bootinfo.h>
#include <clk/abi.h>
#include <stdlib.h>
#include <unit.h>

enum {
    T_END = 0,
    T_CMDLINE = 1,
    T_LOADER = 2,
    T_MODULE = 3,
    T_MMAP = 6,
    T_ACPI_OLD = 14,
    T_ACPI_NEW = 15
};

#define INFO_PA 0x10000

struct mb {
    uint8_t buf[16384];
    size_t len;
};

static void mb_begin(struct mb *m)
{
    memset(m->buf, 0, sizeof(m->buf));
    m->len = 8;
}

/* Append a tag of SIZE bytes (header included); its payload is N bytes of P. */
static uint8_t *mb_tag(struct mb *m, uint32_t type, uint32_t size, const void *p, size_t n)
{
    uint8_t *t = m->buf + m->len;
    CHECK(m->len + 8 + n + 8 <= sizeof(m->buf));
    put_u32(t, type);
    put_u32(t + 4, size);
    if (p)
        memcpy(t + 8, p, n);
    m->len += ALIGN_UP(8 + n, 8);
    return t;
}

static void mb_string(struct mb *m, uint32_t type, const char *s)
{
    mb_tag(m, type, 8 + strlen(s) + 1, s, strlen(s) + 1);
}

static void mb_module(struct mb *m, uint32_t start, uint32_t end, const char *name)
{
    uint8_t p[256];
    put_u32(p, start);
    put_u32(p + 4, end);
    strcpy((char *)p + 8, name);
    mb_tag(m, T_MODULE, 16 + strlen(name) + 1, p, 8 + strlen(name) + 1);
}

struct region {
    uint64_t base, len;
    uint32_t type;
};

/* A memory map tag with entries of ENTSIZE bytes. */
static void mb_mmap(struct mb *m, uint32_t entsize, const struct region *r, unsigned n)
{
    uint8_t p[8192] = { 0 };
    put_u32(p, entsize);
    for (unsigned i = 0; i < n; i++) {
        put_u64(p + 8 + i * entsize, r[i].base);
        put_u64(p + 8 + i * entsize + 8, r[i].len);
        put_u32(p + 8 + i * entsize + 16, r[i].type);
    }
    mb_tag(m, T_MMAP, 16 + n * entsize, p, 8 + n * entsize);
}

static void mb_end(struct mb *m)
{
    mb_tag(m, T_END, 8, NULL, 0);
    put_u32(m->buf, m->len);
}

/* Parse the first LEN bytes of M from an exactly sized copy. */
static int parse_len(const struct mb *m, size_t len, struct bootinfo *bi)
{
    uint8_t *p = malloc(len ? len : 1);
    CHECK(p);
    memcpy(p, m->buf, len);
    memset(bi, 0xA5, sizeof(*bi));
    int r = multiboot2_parse(p, len, INFO_PA, bi);
    free(p);
    return r;
}

static int parse(const struct mb *m, struct bootinfo *bi)
{
    return parse_len(m, m->len, bi);
}

static struct bootinfo bi;
static struct mb mb;

static void test_typical(void)
{
    static const struct region mem[] = {
        { 0, 0x9FC00, 1 },         { 0x9FC00, 0x400, 2 },      { 0x100000, 0x7EE0000, 1 },
        { 0x7FE0000, 0x20000, 3 }, { 0xFFFC0000, 0x40000, 2 },
    };
    uint8_t rsdp[20] = "RSD PTR ";
    uint8_t unknown[12] = { 1, 2, 3 };

    mb_begin(&mb);
    mb_string(&mb, T_CMDLINE, "/boot/clkernel.elf loglevel=5");
    mb_tag(&mb, 21, 20, unknown, 12); /* load base address: not needed */
    mb_string(&mb, T_LOADER, "GRUB 2.06");
    mb_module(&mb, 0x200000, 0x210400, "initrd");
    mb_mmap(&mb, 24, mem, ARRAY_SIZE(mem));
    mb_tag(&mb, T_ACPI_OLD, 28, rsdp, 20);
    mb_tag(&mb, 8, 8, NULL, 0); /* framebuffer, empty */
    mb_end(&mb);

    CHECK_EQ(parse(&mb, &bi), 0);
    CHECK_STR(bi.cmdline, "/boot/clkernel.elf loglevel=5");
    CHECK_STR(bi.loader, "GRUB 2.06");
    CHECK_EQ(bi.nmods, 1);
    CHECK(bi.mods[0].start == 0x200000 && bi.mods[0].end == 0x210400);
    CHECK_STR(bi.mods[0].name, "initrd");
    CHECK_EQ(bi.nmem, ARRAY_SIZE(mem));
    for (unsigned i = 0; i < ARRAY_SIZE(mem); i++)
        CHECK(bi.mem[i].base == mem[i].base && bi.mem[i].len == mem[i].len &&
              bi.mem[i].type == mem[i].type);
    CHECK_EQ(bi.rsdp_len, 20);
    CHECK(memcmp(bi.rsdp, rsdp, 20) == 0);
    CHECK_EQ(bi.info_start, INFO_PA);
    CHECK_EQ(bi.info_end, INFO_PA + mb.len);

    mb_begin(&mb); /* the smallest valid blob: nothing but the end tag */
    mb_end(&mb);
    CHECK_EQ(parse(&mb, &bi), 0);
    CHECK(bi.nmem == 0 && bi.nmods == 0 && bi.rsdp_len == 0 && !bi.cmdline[0] && !bi.loader[0]);
}

static void test_mmap(void)
{
    static const struct region mem[] = {
        { 0x1000, 0x1000, 1 },        { 0x2000, 0, 1 },      /* empty: dropped */
        { 0x3000, 0x1000, 0 },        { 0x4000, 0x1000, 9 }, /* unknown types: reserved */
        { 0x5000, 0x1000, 4 },        { 0x6000, 0x1000, 5 },
        { ~0ULL - 0xFFF, 0x1000, 1 }, /* ends at 2^64: wraps, dropped */
        { ~0ULL - 0xFFF, 0xFFF, 1 },  /* ends just below: kept */
    };
    mb_begin(&mb);
    mb_mmap(&mb, 32, mem, ARRAY_SIZE(mem)); /* entries larger than 24 bytes */
    mb_end(&mb);
    CHECK_EQ(parse(&mb, &bi), 0);
    CHECK_EQ(bi.nmem, 6);
    static const uint32_t types[] = { 1, 2, 2, 4, 5, 1 };
    for (unsigned i = 0; i < 6; i++)
        CHECK_EQ(bi.mem[i].type, types[i]);
    CHECK(bi.mem[5].base == ~0ULL - 0xFFF && bi.mem[5].len == 0xFFF);

    struct region many[MEMMAP_MAX + 10];
    for (unsigned i = 0; i < ARRAY_SIZE(many); i++)
        many[i] = (struct region){ i * 0x10000ULL, 0x1000, 1 };
    mb_begin(&mb);
    mb_mmap(&mb, 24, many, ARRAY_SIZE(many));
    mb_end(&mb);
    CHECK_EQ(parse(&mb, &bi), 0);
    CHECK_EQ(bi.nmem, MEMMAP_MAX); /* the rest is dropped, and counted */
    CHECK_EQ(bi.dropped, 10);
    CHECK_EQ(bi.mem[MEMMAP_MAX - 1].base, (MEMMAP_MAX - 1) * 0x10000ULL);

    mb_begin(&mb); /* two map tags add up */
    mb_mmap(&mb, 24, mem, 1);
    mb_mmap(&mb, 24, mem, 1);
    mb_end(&mb);
    CHECK_EQ(parse(&mb, &bi), 0);
    CHECK_EQ(bi.nmem, 2);
}

static void test_mmap_malformed(void)
{
    static const struct region mem[] = { { 0x1000, 0x1000, 1 }, { 0x3000, 0x1000, 1 } };
    uint8_t *t;

    mb_begin(&mb); /* entry_size < 24: the tag is ignored */
    t = mb_tag(&mb, T_MMAP, 16 + 2 * 24, NULL, 8 + 2 * 24);
    put_u32(t + 8, 16);
    mb_end(&mb);
    CHECK_EQ(parse(&mb, &bi), 0);
    CHECK_EQ(bi.nmem, 0);

    mb_begin(&mb); /* a map tag too short for its own header */
    mb_tag(&mb, T_MMAP, 12, "abcd", 4);
    mb_end(&mb);
    CHECK_EQ(parse(&mb, &bi), 0);
    CHECK_EQ(bi.nmem, 0);

    mb_begin(&mb); /* a partial last entry is not read */
    mb_mmap(&mb, 24, mem, 2);
    put_u32(mb.buf + 8 + 4, 16 + 24 + 20);
    mb_end(&mb);
    CHECK_EQ(parse(&mb, &bi), 0);
    CHECK_EQ(bi.nmem, 1);

    /* An entry size near 2^32 must not wrap the walk to before the tag's end. */
    static const uint32_t huge[] = { 0xFFFFFFF0, 0xFFFFFFF8, 0xFFFFFFFF, 0x80000000 };
    for (unsigned i = 0; i < ARRAY_SIZE(huge); i++) {
        mb_begin(&mb);
        t = mb_tag(&mb, T_MMAP, 16, NULL, 8);
        put_u32(t + 8, huge[i]);
        mb_end(&mb);
        CHECK_EQ(parse(&mb, &bi), 0);
        CHECK_EQ(bi.nmem, 0);
    }
}

static void test_modules(void)
{
    char longname[100];
    memset(longname, 'm', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';

    mb_begin(&mb);
    mb_module(&mb, 0x300000, 0x200000, "backwards"); /* end < start: dropped */
    mb_module(&mb, 0x400000, 0x400000, "empty");
    mb_module(&mb, 0x500000, 0x600000, longname);
    mb_module(&mb, 0x600000, 0x700000, "");
    mb_tag(&mb, T_MODULE, 12, "abcd", 4); /* too short: dropped */
    mb_end(&mb);
    CHECK_EQ(parse(&mb, &bi), 0);
    CHECK_EQ(bi.nmods, 3);
    CHECK_STR(bi.mods[0].name, "empty");
    CHECK(bi.mods[0].start == 0x400000 && bi.mods[0].end == 0x400000);
    CHECK_EQ(strlen(bi.mods[1].name), sizeof(bi.mods[1].name) - 1);
    CHECK_STR(bi.mods[2].name, "");

    mb_begin(&mb);
    for (unsigned i = 0; i < MODULES_MAX + 3; i++)
        mb_module(&mb, i * 0x1000, i * 0x1000 + 10, "mod");
    mb_end(&mb);
    CHECK_EQ(parse(&mb, &bi), 0);
    CHECK_EQ(bi.nmods, MODULES_MAX);
    CHECK_EQ(bi.dropped, 3);
    CHECK_EQ(bi.mods[MODULES_MAX - 1].start, (MODULES_MAX - 1) * 0x1000);

    mb_begin(&mb); /* a name without its NUL stops at the tag's end */
    uint8_t p[16] = { 0, 0x10, 0, 0, 0, 0x20, 0, 0, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h' };
    mb_tag(&mb, T_MODULE, 8 + 16, p, 16);
    mb_end(&mb);
    CHECK_EQ(parse(&mb, &bi), 0);
    CHECK_EQ(bi.nmods, 1);
    CHECK_STR(bi.mods[0].name, "abcdefgh");
}

static void test_strings(void)
{
    char longline[CMDLINE_MAX + 100];
    memset(longline, 'c', sizeof(longline) - 1);
    longline[sizeof(longline) - 1] = '\0';

    mb_begin(&mb);
    mb_string(&mb, T_CMDLINE, longline);
    mb_string(&mb, T_LOADER, longline);
    mb_end(&mb);
    CHECK_EQ(parse(&mb, &bi), 0);
    CHECK_EQ(strlen(bi.cmdline), CMDLINE_MAX - 1);
    CHECK_EQ(strlen(bi.loader), sizeof(bi.loader) - 1);

    mb_begin(&mb); /* no NUL inside the tag: the string ends with the tag */
    mb_tag(&mb, T_CMDLINE, 8 + 5, "hello, world", 5);
    mb_tag(&mb, T_LOADER, 8, NULL, 0);
    mb_end(&mb);
    CHECK_EQ(parse(&mb, &bi), 0);
    CHECK_STR(bi.cmdline, "hello");
    CHECK_STR(bi.loader, "");
}

static void test_acpi(void)
{
    uint8_t v1[20], v2[40];
    memset(v1, 1, sizeof(v1));
    memset(v2, 2, sizeof(v2));

    mb_begin(&mb); /* the ACPI 2.0 RSDP wins, in either order */
    mb_tag(&mb, T_ACPI_OLD, 8 + 20, v1, 20);
    mb_tag(&mb, T_ACPI_NEW, 8 + 36, v2, 36);
    mb_tag(&mb, T_ACPI_OLD, 8 + 20, v1, 20);
    mb_end(&mb);
    CHECK_EQ(parse(&mb, &bi), 0);
    CHECK_EQ(bi.rsdp_len, 36);
    CHECK(memcmp(bi.rsdp, v2, 36) == 0);

    mb_begin(&mb); /* a longer tag: only the RSDP's 36 bytes are kept */
    mb_tag(&mb, T_ACPI_NEW, 8 + 40, v2, 40);
    mb_end(&mb);
    CHECK_EQ(parse(&mb, &bi), 0);
    CHECK_EQ(bi.rsdp_len, 36);

    mb_begin(&mb); /* too short for an RSDP: ignored */
    mb_tag(&mb, T_ACPI_OLD, 8 + 19, v1, 19);
    mb_tag(&mb, T_ACPI_NEW, 8, NULL, 0);
    mb_end(&mb);
    CHECK_EQ(parse(&mb, &bi), 0);
    CHECK_EQ(bi.rsdp_len, 0);

    mb_begin(&mb); /* two old ones: the first is kept */
    mb_tag(&mb, T_ACPI_OLD, 8 + 20, v1, 20);
    mb_tag(&mb, T_ACPI_OLD, 8 + 20, v2, 20);
    mb_end(&mb);
    CHECK_EQ(parse(&mb, &bi), 0);
    CHECK(bi.rsdp_len == 20 && bi.rsdp[0] == 1);
}

static void test_malformed(void)
{
    mb_begin(&mb);
    mb_string(&mb, T_CMDLINE, "console");
    mb_end(&mb);
    size_t good = mb.len;
    CHECK_EQ(parse(&mb, &bi), 0);

    for (size_t len = 0; len < good; len++) /* total > buffer length */
        CHECK_EQ(parse_len(&mb, len, &bi), CLK_EINVAL);
    CHECK_EQ(bi.nmem + bi.nmods + bi.rsdp_len, 0); /* BI is cleared even then */

    static const uint32_t totals[] = { 0, 7, 8, 15 }; /* below the smallest blob */
    for (unsigned i = 0; i < ARRAY_SIZE(totals); i++) {
        put_u32(mb.buf, totals[i]);
        CHECK_EQ(parse(&mb, &bi), CLK_EINVAL);
    }

    put_u32(mb.buf, good - 8); /* the end tag lies outside TOTAL */
    CHECK_EQ(parse(&mb, &bi), CLK_EINVAL);
    put_u32(mb.buf, good);

    static const uint32_t sizes[] = { 0, 4, 7 }; /* tag size < 8 */
    for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
        put_u32(mb.buf + 12, sizes[i]);
        CHECK_EQ(parse(&mb, &bi), CLK_EINVAL);
    }
    put_u32(mb.buf + 12, good - 8 + 1); /* runs past TOTAL */
    CHECK_EQ(parse(&mb, &bi), CLK_EINVAL);
    put_u32(mb.buf + 12, 0xFFFFFFFF);
    CHECK_EQ(parse(&mb, &bi), CLK_EINVAL);
    put_u32(mb.buf + 12, 8 + 8);
    CHECK_EQ(parse(&mb, &bi), 0);

    put_u32(mb.buf + good - 4, 4); /* end tag of size 4 */
    CHECK_EQ(parse(&mb, &bi), CLK_EINVAL);
    put_u32(mb.buf + good - 4, 16); /* end tag running past TOTAL */
    CHECK_EQ(parse(&mb, &bi), CLK_EINVAL);
    put_u32(mb.buf + good - 8, 99); /* no end tag: an unknown one instead */
    put_u32(mb.buf + good - 4, 8);
    CHECK_EQ(parse(&mb, &bi), CLK_EINVAL);

    mb_begin(&mb); /* bytes after the end tag are not read */
    mb_end(&mb);
    put_u32(mb.buf, 64);
    CHECK_EQ(parse_len(&mb, 64, &bi), 0);
    CHECK_EQ(bi.info_end, INFO_PA + 64);
}

int main(void)
{
    RUN(test_typical);
    RUN(test_mmap);
    RUN(test_mmap_malformed);
    RUN(test_modules);
    RUN(test_strings);
    RUN(test_acpi);
    RUN(test_malformed);
    return 0;
}
