/*
 * test_cmdline.c: the kernel command line parser (kernel/cmdline.c):
 * loglevel=, test=, the kernel path, separators, and malformed words.
 */
#include <cmdline.h>
#include <unit.h>

static struct cmdline parse(const char *s)
{
    struct cmdline cl;
    memset(&cl, 0xA5, sizeof(cl)); /* parse must set every field */
    cmdline_parse(s, &cl);
    return cl;
}

static void test_empty(void)
{
    static const char *const blank[] = { "", " ", "\t", "  \t \t  " };
    for (unsigned i = 0; i < ARRAY_SIZE(blank); i++) {
        struct cmdline cl = parse(blank[i]);
        CHECK_EQ(cl.loglevel, -1);
        CHECK_STR(cl.test, "");
        CHECK_EQ(cl.nbad, 0);
        CHECK_STR(cl.bad, "");
    }
}

static void test_typical(void)
{
    struct cmdline cl = parse("/boot/clkernel.elf loglevel=6 test=all");
    CHECK_EQ(cl.loglevel, 6);
    CHECK_STR(cl.test, "all");
    CHECK_EQ(cl.nbad, 0);

    cl = parse("\tloglevel=0\t\ttest=Mem_2,buddy-3 ");
    CHECK_EQ(cl.loglevel, 0);
    CHECK_STR(cl.test, "Mem_2,buddy-3");
    CHECK_EQ(cl.nbad, 0);

    cl = parse("loglevel=1 loglevel=7 test=a test=b"); /* the last one wins */
    CHECK_EQ(cl.loglevel, 7);
    CHECK_STR(cl.test, "b");

    cl = parse("/x /y/z //"); /* every word starting with '/' is skipped */
    CHECK_EQ(cl.nbad, 0);
    CHECK_EQ(cl.loglevel, -1);
}

static void test_bad_loglevel(void)
{
    static const char *const bad[] = {
        "loglevel=8", "loglevel=9",  "loglevel=-1", "loglevel=77",  "loglevel=",   "loglevel",
        "loglevel=a", "loglevel=3x", "LOGLEVEL=3",  "loglevel=3\n", "loglevel==3",
    };
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        struct cmdline cl = parse(bad[i]);
        CHECK_EQ(cl.loglevel, -1);
        CHECK_EQ(cl.nbad, 1);
        CHECK_STR(cl.bad, bad[i]);
    }
    struct cmdline cl = parse("loglevel=5 loglevel=9"); /* a bad one keeps the good one */
    CHECK_EQ(cl.loglevel, 5);
    CHECK_EQ(cl.nbad, 1);
}

static void test_test_names(void)
{
    char word[64], name[TESTNAME_MAX + 1];
    memset(name, 'n', sizeof(name));

    /* TESTNAME_MAX - 1 characters fit (with the NUL); TESTNAME_MAX do not. */
    name[TESTNAME_MAX - 1] = '\0';
    snprintf(word, sizeof(word), "test=%s", name);
    struct cmdline cl = parse(word);
    CHECK_STR(cl.test, name);
    CHECK_EQ(cl.nbad, 0);

    name[TESTNAME_MAX - 1] = 'n';
    name[TESTNAME_MAX] = '\0';
    snprintf(word, sizeof(word), "test=%s", name);
    cl = parse(word);
    CHECK_STR(cl.test, "");
    CHECK_EQ(cl.nbad, 1);

    static const char *const bad[] = { "test=",  "test",     "test=a.b", "test=a/b",
                                       "test=é", "test=a=b", "TEST=a",   "test=a\n" };
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        cl = parse(bad[i]);
        CHECK_STR(cl.test, "");
        CHECK_EQ(cl.nbad, 1);
        CHECK_STR(cl.bad, bad[i]);
    }
}

static void test_bad_words(void)
{
    struct cmdline cl = parse("quiet loglevel=4 splash nosmp");
    CHECK_EQ(cl.nbad, 3);
    CHECK_STR(cl.bad, "quiet"); /* the first one */
    CHECK_EQ(cl.loglevel, 4);

    char longword[200];
    memset(longword, 'w', sizeof(longword) - 1);
    longword[sizeof(longword) - 1] = '\0';
    cl = parse(longword);
    CHECK_EQ(cl.nbad, 1);
    CHECK_EQ(strlen(cl.bad), sizeof(cl.bad) - 1); /* truncated, NUL-terminated */
    CHECK(strncmp(cl.bad, longword, sizeof(cl.bad) - 1) == 0);

    cl = parse("a\nb c"); /* only spaces and tabs separate words */
    CHECK_EQ(cl.nbad, 2);
    CHECK_STR(cl.bad, "a\nb");
}

/* A line of CMDLINE_MAX - 1 bytes, the most the boot information holds. */
static void test_long_line(void)
{
    char line[CMDLINE_MAX];
    size_t n = 0;
    while (n + 12 < sizeof(line))
        n += sprintf(line + n, "loglevel=%u ", (unsigned)(n % 8));
    while (n < sizeof(line) - 1)
        line[n++] = 'x';
    line[n] = '\0';
    struct cmdline cl = parse(line);
    CHECK(cl.loglevel >= 0 && cl.loglevel <= 7);
    CHECK_EQ(cl.nbad, 1);
}

int main(void)
{
    RUN(test_empty);
    RUN(test_typical);
    RUN(test_bad_loglevel);
    RUN(test_test_names);
    RUN(test_bad_words);
    RUN(test_long_line);
    return 0;
}
