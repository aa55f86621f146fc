/*
 * fuzz_nlu.c: libFuzzer target for the shell's natural-language
 * understanding (servers/shell/nlu.c). The input is a line (cut at its
 * first NUL, longer than NLU_LINE_MAX at times); its first bytes also name
 * an extra service. Checks the result: a known verdict; a command that is
 * one line, starts with its intent's name and comes with the destructive
 * flag exactly when its command is destructive; for NLU_UNKNOWN no intent
 * and no command but a one-line suggestion; a probability in [0, 1]; the
 * same result a second time.
 */
#include "nlu.h"
#include <stdlib.h>
#include <unit.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_line(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    CHECK(n < cap);
    for (size_t i = 0; i < n; i++)
        CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char line[2 * NLU_LINE_MAX + 1], extra[9];
    size_t n = size < sizeof(line) - 1 ? size : sizeof(line) - 1;
    memcpy(line, data, n);
    line[n] = '\0';
    size_t e = n < 8 ? n : 8;
    memcpy(extra, data, e);
    extra[e] = '\0';
    const char *services[] = { "supervisor", "block", "vfs", "net", "shell", "httpd", extra };
    struct nlu_context ctx = { services, 7 };

    struct nlu_result r, again;
    memset(&r, 0x5A, sizeof(r));
    nlu_interpret(line, &ctx, &r);
    CHECK(r.verdict == NLU_COMMAND || r.verdict == NLU_ASK || r.verdict == NLU_UNKNOWN);
    CHECK(r.confidence >= 0 && r.confidence <= 1);
    check_line(r.command, sizeof(r.command));
    check_line(r.suggestion, sizeof(r.suggestion));
    if (r.verdict == NLU_UNKNOWN) {
        CHECK(r.intent == NULL && r.command[0] == '\0' && !r.destructive);
        CHECK(r.suggestion[0] != '\0');
    } else {
        size_t len = strlen(r.intent);
        CHECK(r.intent && strncmp(r.command, r.intent, len) == 0);
        CHECK(r.command[len] == '\0' || r.command[len] == ' ');
        CHECK(r.destructive == nlu_is_destructive(r.intent));
        CHECK(r.destructive == nlu_is_destructive(r.command));
        CHECK(r.suggestion[0] == '\0');
    }
    nlu_interpret(line, &ctx, &again);
    CHECK(again.verdict == r.verdict && strcmp(again.command, r.command) == 0);
    CHECK(strcmp(again.suggestion, r.suggestion) == 0);
    return 0;
}
