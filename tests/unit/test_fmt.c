/*
 * test_fmt.c: printf-style formatting (kernel/fmt.c) against the C library.
 *
 * Random conversions (every flag, width, precision, '*', length modifier and
 * conversion that fmt.h claims) are formatted by both ksnprintf and the C
 * library's snprintf, into a large buffer and into truncating ones; output
 * and return value must agree. Combinations the C standard leaves undefined
 * or implementation-defined are not generated; the kernel's own choices for
 * them (NULL %s and %p, unknown conversions) are checked separately.
 */
#include <fmt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unit.h>

#define RANDOM_CASES 150000
#define OUT_MAX      2048
#define MAX_REPORTS  20

static unsigned long ncompared, nmismatch;
static char buf_for_p[8];

/* Print one difference: C's output (WN characters), the kernel's (GN of them
 * in its buffer; it returned R). */
static void report(const char *fmt, const char *what, const char *want, size_t wn, const char *got,
                   size_t gn, size_t r)
{
    if (++nmismatch <= MAX_REPORTS)
        fprintf(stderr, "  mismatch%s for \"%s\": C \"%.*s\" (%zu), kernel \"%.*s\" (%zu)\n", what,
                fmt, (int)MIN(wn, 200), want, wn, (int)MIN(gn, 200), got, r);
}

/* Format into a buffer of SIZE (at most OUT_MAX) with the kernel; false after
 * reporting a difference from WANT (N characters). */
static bool compare_size(const char *fmt, va_list ap, const char *want, size_t n, size_t size)
{
    char got[OUT_MAX + 16];
    memset(got, 0x5A, sizeof(got));
    va_list a;
    va_copy(a, ap);
    size_t r = kvsnprintf(size ? got : NULL, size, fmt, a);
    va_end(a);
    size_t k = size ? MIN(n, size - 1) : 0, shown = size ? MIN(r, size - 1) : 0;
    if (r != n || (size && (memcmp(got, want, k) != 0 || got[k] != '\0'))) {
        report(fmt, size == OUT_MAX ? "" : " when truncated", want, n, got, shown, r);
        return false;
    }
    for (size_t i = size; i < sizeof(got); i++)
        if (got[i] != 0x5A) {
            report(fmt, " (wrote past the buffer)", want, n, got, shown, r);
            return false;
        }
    return true;
}

/* Format FMT with the C library and the kernel into several buffer sizes. */
static void compare_v(const char *fmt, va_list ap)
{
    char want[OUT_MAX];
    va_list a;
    va_copy(a, ap);
    int n = vsnprintf(want, sizeof(want), fmt, a);
    va_end(a);
    CHECK(n >= 0 && n < OUT_MAX);
    ncompared++;

    size_t sizes[] = { OUT_MAX, 0, 1, n / 2, n, n + 1, unit_rand_below(n + 2) };
    for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++)
        if (!compare_size(fmt, ap, want, n, sizes[i]))
            return;
}

static void compare(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    compare_v(fmt, ap);
    va_end(ap);
}

/* ---- random conversions ---- */

enum kind { K_SIGNED, K_UNSIGNED, K_CHAR, K_STRING, K_POINTER };

struct conv {
    char c;
    enum kind kind;
    const char *flags; /* the flags C defines for it */
    bool precision;    /* C defines a precision for it */
    bool lengths;      /* takes length modifiers */
};

static const struct conv convs[] = {
    { 'd', K_SIGNED, "-0 +", true, true },    { 'i', K_SIGNED, "-0 +", true, true },
    { 'u', K_UNSIGNED, "-0 +", true, true },  { 'x', K_UNSIGNED, "-0 +#", true, true },
    { 'X', K_UNSIGNED, "-0 +#", true, true }, { 'o', K_UNSIGNED, "-0 +#", true, true },
    { 'c', K_CHAR, "-", false, false },       { 's', K_STRING, "-", true, false },
    { 'p', K_POINTER, "-0", true, false },
};

static const char *const lengths[] = { "", "hh", "h", "l", "ll", "z", "t", "j" };

static const char *const strings[] = { "",
                                       "a",
                                       "hello",
                                       "with space",
                                       "tab\there",
                                       "\xff\x80 high bytes",
                                       "a rather longer string of forty-odd characters" };

/* Interesting integers: 2^k - 1, 2^k and 2^k + 1 (the edges of every width),
 * small numbers of either sign, random bit patterns. */
static uint64_t random_value(void)
{
    unsigned k = unit_rand_below(65);
    switch (unit_rand_below(4)) {
    case 0: return (k == 64 ? 0 : 1ULL << k) + unit_rand_below(3) - 1;
    case 1: return unit_rand_below(1000) - 500;
    default: return unit_rand() >> unit_rand_below(64);
    }
}

/* Append a width or precision (after DOT when not empty) to F; '*' takes STAR. */
static void add_number(char **f, const char *dot, int *stars, unsigned *nstars, int lo)
{
    switch (unit_rand_below(8)) {
    case 0: /* '*' with a value that may be negative */
        *f += sprintf(*f, "%s*", dot);
        stars[(*nstars)++] = (int)unit_rand_below(50) + lo;
        break;
    case 1: *f += sprintf(*f, "%s%u", dot, 1 + (unsigned)unit_rand_below(300)); break;
    case 2:
    case 3: *f += sprintf(*f, "%s%u", dot, 1 + (unsigned)unit_rand_below(30)); break;
    case 4:
        if (*dot) /* "." alone: precision 0 */
            *f += sprintf(*f, "%s", unit_rand_below(2) ? "." : ".0");
        break;
    default: break;
    }
}

/* Call compare() with the '*' arguments, then V. */
#define COMPARE_WITH(fmt, nstars, stars, v)                                                        \
    do {                                                                                           \
        if ((nstars) == 0)                                                                         \
            compare(fmt, v);                                                                       \
        else if ((nstars) == 1)                                                                    \
            compare(fmt, (stars)[0], v);                                                           \
        else                                                                                       \
            compare(fmt, (stars)[0], (stars)[1], v);                                               \
    } while (0)

static void compare_signed(const char *fmt, const char *len, unsigned ns, const int *st, uint64_t v)
{
    if (!strcmp(len, "l") || !strcmp(len, "z") || !strcmp(len, "t"))
        COMPARE_WITH(fmt, ns, st, (long)v);
    else if (!strcmp(len, "ll"))
        COMPARE_WITH(fmt, ns, st, (long long)v);
    else if (!strcmp(len, "j"))
        COMPARE_WITH(fmt, ns, st, (intmax_t)v);
    else
        COMPARE_WITH(fmt, ns, st, (int)v);
}

static void compare_unsigned(const char *fmt, const char *len, unsigned ns, const int *st,
                             uint64_t v)
{
    if (!strcmp(len, "l") || !strcmp(len, "t"))
        COMPARE_WITH(fmt, ns, st, (unsigned long)v);
    else if (!strcmp(len, "z"))
        COMPARE_WITH(fmt, ns, st, (size_t)v);
    else if (!strcmp(len, "ll"))
        COMPARE_WITH(fmt, ns, st, (unsigned long long)v);
    else if (!strcmp(len, "j"))
        COMPARE_WITH(fmt, ns, st, (uintmax_t)v);
    else
        COMPARE_WITH(fmt, ns, st, (unsigned)v);
}

static void random_case(void)
{
    const struct conv *cv = &convs[unit_rand_below(ARRAY_SIZE(convs))];
    const char *len = cv->lengths ? lengths[unit_rand_below(ARRAY_SIZE(lengths))] : "";
    char fmt[64], *f = fmt;
    int stars[2];
    unsigned nstars = 0;

    if (unit_rand_below(3) == 0)
        *f++ = 'A';
    *f++ = '%';
    for (unsigned k = unit_rand_below(4); k > 0; k--)
        *f++ = cv->flags[unit_rand_below(strlen(cv->flags))];
    add_number(&f, "", stars, &nstars, -25);
    if (cv->precision)
        add_number(&f, ".", stars, &nstars, -5);
    f += sprintf(f, "%s%c", len, cv->c);
    if (unit_rand_below(3) == 0)
        f += sprintf(f, "|z");

    uint64_t v = random_value();
    switch (cv->kind) {
    case K_SIGNED: compare_signed(fmt, len, nstars, stars, v); break;
    case K_UNSIGNED: compare_unsigned(fmt, len, nstars, stars, v); break;
    case K_CHAR: COMPARE_WITH(fmt, nstars, stars, (int)(v & 0xFF)); break;
    case K_STRING: COMPARE_WITH(fmt, nstars, stars, strings[v % ARRAY_SIZE(strings)]); break;
    case K_POINTER: COMPARE_WITH(fmt, nstars, stars, (void *)(uintptr_t)(v | 1)); break;
    }
}

static void test_random_against_libc(void)
{
    ncompared = 0;
    for (unsigned i = 0; i < RANDOM_CASES; i++)
        random_case();
    printf("   %lu formats compared, %lu mismatches\n", ncompared, nmismatch);
    CHECK_EQ(nmismatch, 0);
}

/* ---- fixed cases ---- */

/* Every flag combination on a few values, exhaustively. */
static void test_flag_combinations(void)
{
    static const char *const convs_all[] = { "d", "i", "u", "x", "X", "o" };
    static const long long values[] = { 0, 1, -1, 42, -42, 8, 0x1F, LLONG_MIN, LLONG_MAX };
    static const char *const widths[] = { "", "1", "6", "25" };
    static const char *const precs[] = { "", ".", ".0", ".1", ".3", ".22" };
    const char *flagset = "-0 +#";
    ncompared = 0;

    for (unsigned fl = 0; fl < 32; fl++)
        for (unsigned c = 0; c < ARRAY_SIZE(convs_all); c++)
            for (unsigned w = 0; w < ARRAY_SIZE(widths); w++)
                for (unsigned p = 0; p < ARRAY_SIZE(precs); p++)
                    for (unsigned v = 0; v < ARRAY_SIZE(values); v++) {
                        bool is_signed = convs_all[c][0] == 'd' || convs_all[c][0] == 'i';
                        char fmt[40], *f = fmt;
                        *f++ = '%';
                        for (unsigned b = 0; b < 5; b++)
                            if ((fl & (1u << b)) && !(is_signed && flagset[b] == '#') &&
                                !(convs_all[c][0] == 'u' && flagset[b] == '#'))
                                *f++ = flagset[b];
                        sprintf(f, "%s%sll%s", widths[w], precs[p], convs_all[c]);
                        compare(fmt, values[v]);
                    }
    printf("   %lu formats compared, %lu mismatches\n", ncompared, nmismatch);
    CHECK_EQ(nmismatch, 0);
}

static void test_mixed(void)
{
    compare("plain text, no conversion");
    compare("");
    compare("%%");
    compare("100%% %s: %d/%u = %5.1x%c", "ratio", -7, 3u, 0xabcu, '!');
    compare("%s=%-10s|%10s|", "key", "left", "right");
    compare("%lld %llu %llx %hhd %hhu %hd %hu", LLONG_MIN, ULLONG_MAX, ULLONG_MAX, 200, 300, 40000,
            70000);
    compare("%zu %zd %td %jd %ju %zx", (size_t)SIZE_MAX, (ssize_t)-1, (ptrdiff_t)-5,
            (intmax_t)INTMAX_MIN, (uintmax_t)UINTMAX_MAX, (size_t)0xffff);
    compare("%*d|%-*d|%.*d|%*.*x", 8, 5, 8, 5, 4, 5, -10, 6, 0x1234);
    compare("%1000d|%-500s|%.300d", 1, "x", 2);
    compare("%c%c%c", 'a', 0, 'b'); /* a NUL character in the output */
    compare("%p %20p %-20p %020p %.12p", (void *)0x1234, (void *)0xffff800000001000,
            (void *)buf_for_p, (void *)0xabc, (void *)0x10);
    compare("%#x %#X %#o %#.0o %#.0x %#5o %#05x", 0u, 0u, 0u, 0u, 0u, 0u, 0u);
    compare("%#o %#.3o %#.5o %#3o %#-6o|", 8u, 8u, 8u, 8u, 8u);
    compare("%+u % u %+5u % 05u", 5u, 5u, 0u, 7u);
    CHECK_EQ(nmismatch, 0);
}

struct sink_ctx {
    char out[256];
    size_t len, calls;
};

static void sink(void *ctx, const char *s, size_t n)
{
    struct sink_ctx *c = ctx;
    CHECK(n > 0 && c->len + n < sizeof(c->out));
    memcpy(c->out + c->len, s, n);
    c->len += n;
    c->calls++;
}

static size_t vformat(struct sink_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    memset(c, 0, sizeof(*c));
    size_t n = fmt_vformat(sink, c, fmt, ap);
    va_end(ap);
    return n;
}

/* The sink sees the whole output, in runs, and the count matches. */
static void test_vformat_sink(void)
{
    struct sink_ctx c;
    CHECK_EQ(vformat(&c, "abc %d def %40s!", -12, "padded"), c.len);
    CHECK_EQ(c.len, strlen("abc -12 def ") + 40 + 1);
    CHECK(c.calls >= 4);
    CHECK_EQ(vformat(&c, ""), 0);
    CHECK_EQ(c.calls, 0);
}

/* Cases C leaves undefined or to the implementation: the kernel's choices. */
static void test_kernel_choices(void)
{
    char buf[64];
    const char *volatile nullstr = NULL;
    const char *f;

    CHECK_EQ(ksnprintf(buf, sizeof(buf), "[%s]", nullstr), 8);
    CHECK_STR(buf, "[(null)]");
    CHECK_EQ(ksnprintf(buf, sizeof(buf), "%p", (void *)0), 3);
    CHECK_STR(buf, "0x0");

    f = "%y"; /* unknown conversions print literally (through a variable: -Wformat) */
    CHECK_EQ(ksnprintf(buf, sizeof(buf), f, 1), 2);
    CHECK_STR(buf, "%y");
    f = "a%-5.3lqb";
    ksnprintf(buf, sizeof(buf), f, 1);
    CHECK_STR(buf, "a%-5.3lqb");
    f = "trailing %";
    ksnprintf(buf, sizeof(buf), f, 1);
    CHECK_STR(buf, "trailing %");
    f = "%5";
    ksnprintf(buf, sizeof(buf), f, 1);
    CHECK_STR(buf, "%5");

    CHECK_EQ(ksnprintf(NULL, 0, "%d", 12345), 5);
    CHECK_EQ(ksnprintf(buf, 1, "%d", 12345), 5);
    CHECK_STR(buf, "");
}

int main(void)
{
    printf("test_fmt: seed %#lx\n", (unsigned long)unit_seed());
    RUN(test_mixed);
    RUN(test_flag_combinations);
    RUN(test_random_against_libc);
    RUN(test_vformat_sink);
    RUN(test_kernel_choices);
    return 0;
}
