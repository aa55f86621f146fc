/*
 * fuzz_cmdline.c: libFuzzer target for the command line parser
 * (kernel/cmdline.c). Parses a NUL-terminated copy of the input and checks
 * the result: loglevel -1..7, the test name and the bad word NUL-terminated
 * in their arrays and taken from the line, counts that fit the line.
 */
#include <cmdline.h>
#include <stdlib.h>
#include <unit.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned count_words(const char *s)
{
    unsigned n = 0;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && (s[1] == ' ' || s[1] == '\t' || !s[1]))
            n++;
    return n;
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == ',';
}

static void check_cmdline(const char *line, const struct cmdline *cl)
{
    char word[TESTNAME_MAX + 8];
    CHECK(cl->loglevel >= -1 && cl->loglevel <= 7);
    if (cl->loglevel >= 0) {
        snprintf(word, sizeof(word), "loglevel=%d", cl->loglevel);
        CHECK(strstr(line, word));
    }
    CHECK(memchr(cl->test, '\0', sizeof(cl->test)));
    for (const char *c = cl->test; *c; c++)
        CHECK(is_name_char(*c));
    if (cl->test[0]) {
        snprintf(word, sizeof(word), "test=%s", cl->test);
        CHECK(strstr(line, word));
    }
    CHECK(memchr(cl->bad, '\0', sizeof(cl->bad)));
    CHECK(cl->nbad <= count_words(line));
    if (cl->nbad == 0)
        CHECK(cl->bad[0] == '\0');
    else
        CHECK(cl->bad[0] && strstr(line, cl->bad));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cmdline cl, again;
    char *line = malloc(size + 1);
    CHECK(line);
    memcpy(line, data, size);
    line[size] = '\0';

    memset(&cl, 0x5A, sizeof(cl));
    cmdline_parse(line, &cl);
    check_cmdline(line, &cl);
    memset(&again, 0xA5, sizeof(again));
    cmdline_parse(line, &again);
    CHECK(memcmp(&cl, &again, sizeof(cl)) == 0);
    free(line);
    return 0;
}
