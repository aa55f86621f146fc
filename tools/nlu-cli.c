/*
 * nlu-cli.c: the shell's natural-language understanding (servers/shell/nlu.c)
 * on the host, for tools/nlu-eval and for trying phrases by hand.
 *
 *   nlu-cli [-s SERVICES] [-t REPEAT]     read lines from standard input
 *   nlu-cli [-s SERVICES] PHRASE ...      or take them as arguments
 *
 * SERVICES is a comma-separated list (default: supervisor,block,vfs,net,
 * shell,httpd). For each line it prints one tab-separated record:
 *   verdict, intent (or -), confidence, destructive (0/1), command (or -),
 *   suggestion (or -), nanoseconds per nlu_interpret call
 * With -t, each line is interpreted REPEAT times and the mean time taken.
 */
#include "nlu.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SERVICES_MAX 32

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void interpret(const char *line, const struct nlu_context *ctx, long repeat)
{
    static const char *const verdicts[] = { "COMMAND", "ASK", "UNKNOWN" };
    struct nlu_result r;
    double t0 = now_ns();
    for (long i = 0; i < repeat; i++)
        nlu_interpret(line, ctx, &r);
    double ns = (now_ns() - t0) / repeat;
    printf("%s\t%s\t%.4f\t%d\t%s\t%s\t%.0f\n", verdicts[r.verdict], r.intent ? r.intent : "-",
           r.confidence, r.destructive, r.command[0] ? r.command : "-",
           r.suggestion[0] ? r.suggestion : "-", ns);
}

int main(int argc, char **argv)
{
    static char list[1024] = "supervisor,block,vfs,net,shell,httpd";
    const char *services[SERVICES_MAX];
    long repeat = 1;
    int i = 1;
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (strcmp(argv[i], "-s") == 0) {
            snprintf(list, sizeof(list), "%s", argv[i + 1]);
        } else if (strcmp(argv[i], "-t") == 0 && atol(argv[i + 1]) > 0) {
            repeat = atol(argv[i + 1]);
        } else {
            fprintf(stderr, "usage: nlu-cli [-s SERVICES] [-t REPEAT] [PHRASE ...]\n");
            return 2;
        }
    }
    struct nlu_context ctx = { services, 0 };
    for (char *s = strtok(list, ","); s && ctx.nservices < SERVICES_MAX; s = strtok(NULL, ","))
        services[ctx.nservices++] = s;
    if (i < argc) {
        for (; i < argc; i++)
            interpret(argv[i], &ctx, repeat);
        return 0;
    }
    char line[4096];
    while (fgets(line, sizeof(line), stdin)) {
        line[strcspn(line, "\n")] = '\0';
        interpret(line, &ctx, repeat);
    }
    return 0;
}
