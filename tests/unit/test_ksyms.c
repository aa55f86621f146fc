/*
 * test_ksyms.c: address-to-name lookup (kernel/ksyms.c) on fake tables:
 * before the first symbol, exact starts, inside, past a symbol's size,
 * symbols of unknown size (0), empty tables. This file also defines the
 * kernel's own table (ksym_count, ksym_addr, ...), which the second kernel
 * link normally generates, and checks ksym_lookup() and ksym_address() on it.
 */
#include <ksyms.h>
#include <unit.h>

/* The "kernel" table: three functions, the last of unknown size. */
const uint64_t ksym_count = 3;
const uint64_t ksym_addr[] = { 0xFFFFFFFF80100000, 0xFFFFFFFF80100040, 0xFFFFFFFF80100100 };
const uint32_t ksym_size[] = { 0x40, 0x80, 0 };
const uint32_t ksym_name[] = { 0, 7, 13 };
const char ksym_strtab[] = "_start\0kmain\0isr_common";

static const uint64_t addrs[] = { 0x1000, 0x1010, 0x1020, 0x2000, 0x3000 };
static const uint32_t sizes[] = { 0x10, 0x8, 0, 0x100, 0x1 };
static const uint32_t names[] = { 0, 6, 10, 15, 21 };
static const char strtab[] = "first\0two\0zero\0large\0last";
static const struct ksym_table table = { ARRAY_SIZE(addrs), addrs, sizes, names, strtab };

/* Look ADDR up in T: NAME (or NULL) with OFFSET. */
static void expect(const struct ksym_table *t, uint64_t addr, const char *name, uint64_t offset)
{
    uint64_t off = 0xBAD;
    const char *got = ksym_lookup_in(t, addr, &off);
    if (!name) {
        if (got)
            unit_fail(__FILE__, __LINE__, "%#lx: got %s+%#lx, want nothing", (unsigned long)addr,
                      got, (unsigned long)off);
        CHECK_EQ(off, 0xBAD); /* untouched */
        return;
    }
    if (!got || strcmp(got, name) != 0 || off != offset)
        unit_fail(__FILE__, __LINE__, "%#lx: got %s+%#lx, want %s+%#lx", (unsigned long)addr,
                  got ? got : "nothing", (unsigned long)off, name, (unsigned long)offset);
}

static void test_lookup(void)
{
    expect(&table, 0, NULL, 0); /* before the first symbol */
    expect(&table, 0xFFF, NULL, 0);
    expect(&table, 0x1000, "first", 0); /* exact */
    expect(&table, 0x100F, "first", 0xF);
    expect(&table, 0x1010, "two", 0); /* adjacent: the next one starts */
    expect(&table, 0x1017, "two", 7);
    expect(&table, 0x1018, NULL, 0); /* past its size, in a gap */
    expect(&table, 0x101F, NULL, 0);
    expect(&table, 0x1020, "zero", 0); /* size 0: extends to the next symbol */
    expect(&table, 0x1FFF, "zero", 0xFDF);
    expect(&table, 0x2000, "large", 0);
    expect(&table, 0x20FF, "large", 0xFF);
    expect(&table, 0x2100, NULL, 0);
    expect(&table, 0x3000, "last", 0);
    expect(&table, 0x3001, NULL, 0); /* past the last symbol */
    expect(&table, ~0ULL, NULL, 0);
}

/* Every address from below the first to past the last, against a linear scan:
 * the last symbol at or below the address, if the address is within its size. */
static void test_lookup_exhaustive(void)
{
    for (uint64_t a = 0xF00; a < 0x3100; a++) {
        const char *want = NULL;
        uint64_t want_off = 0;
        unsigned i = ARRAY_SIZE(addrs);
        while (i > 0 && addrs[i - 1] > a) /* the last symbol at or below A */
            i--;
        if (i > 0 && (sizes[i - 1] == 0 || a - addrs[i - 1] < sizes[i - 1])) {
            want = strtab + names[i - 1];
            want_off = a - addrs[i - 1];
        }
        expect(&table, a, want, want_off);
    }
}

static void test_small_tables(void)
{
    const struct ksym_table empty = { 0, addrs, sizes, names, strtab };
    expect(&empty, 0, NULL, 0);
    expect(&empty, 0x1000, NULL, 0);
    expect(&empty, ~0ULL, NULL, 0);

    const struct ksym_table one = { 1, addrs, sizes, names, strtab };
    expect(&one, 0xFFF, NULL, 0);
    expect(&one, 0x1000, "first", 0);
    expect(&one, 0x1010, NULL, 0);

    static const uint64_t a2[] = { 0, ~0ULL };
    static const uint32_t s2[] = { 0, 0 };
    static const uint32_t n2[] = { 0, 2 };
    const struct ksym_table edges = { 2, a2, s2, n2, "a\0b" };
    expect(&edges, 0, "a", 0);
    expect(&edges, ~0ULL - 1, "a", ~0ULL - 1);
    expect(&edges, ~0ULL, "b", 0);
}

static void test_kernel_table(void)
{
    uint64_t off;
    CHECK(ksym_lookup(0xFFFFFFFF800FFFFF, &off) == NULL);
    CHECK_STR(ksym_lookup(0xFFFFFFFF80100000, &off), "_start");
    CHECK_EQ(off, 0);
    CHECK_STR(ksym_lookup(0xFFFFFFFF80100041, &off), "kmain");
    CHECK_EQ(off, 1);
    CHECK(ksym_lookup(0xFFFFFFFF801000C0, &off) == NULL);
    CHECK_STR(ksym_lookup(0xFFFFFFFF80200000, &off), "isr_common");

    CHECK_EQ(ksym_address("kmain"), 0xFFFFFFFF80100040);
    CHECK_EQ(ksym_address("isr_common"), 0xFFFFFFFF80100100);
    CHECK_EQ(ksym_address("_start"), 0xFFFFFFFF80100000);
    CHECK_EQ(ksym_address("kmai"), 0);
    CHECK_EQ(ksym_address(""), 0);
}

int main(void)
{
    RUN(test_lookup);
    RUN(test_lookup_exhaustive);
    RUN(test_small_tables);
    RUN(test_kernel_table);
    return 0;
}
