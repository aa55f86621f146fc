/*
 * top.c: top [SECONDS], the supervisor's metrics (SUP_METRICS, which it
 * gives to services with the monitor authority: caps=monitor), one line
 * per actor, the busiest first, refreshed every second.
 */
#include "shell.h"
#include <actor/supervisor.h>
#include <stdlib.h>
#include <string.h>

#define TOP_MAX 256 /* actors shown at most */

/* Every actor's metrics over the last second into M (at most TOP_MAX):
 * how many, or a CLK_E* code. */
static long metrics(struct sup_metric *m)
{
    long n = 0;
    for (;;) {
        struct sup_metrics_req q = { .window_ms = 1000, .first = (uint32_t)n };
        size_t len = SUP_METRICS_BATCH * sizeof(*m);
        if (n + (long)SUP_METRICS_BATCH > TOP_MAX)
            return n;
        long r = actor_call(ACTOR_NAMES_SLOT, SUP_METRICS, &q, sizeof(q), m + n, &len);
        if (r < 0)
            return r;
        n += (long)(len / sizeof(*m));
        if (len / sizeof(*m) < SUP_METRICS_BATCH)
            return n;
    }
}

/* The busiest first; by id among equals. */
static int by_cpu(const void *x, const void *y)
{
    const struct sup_metric *a = x, *b = y;
    if (a->cpu_permille != b->cpu_permille)
        return a->cpu_permille < b->cpu_permille ? 1 : -1;
    return (a->actor_id > b->actor_id) - (a->actor_id < b->actor_id);
}

/* One screen: a summary line, the header, one line per actor. */
static int show(FILE *out)
{
    static struct sup_metric m[TOP_MAX];
    long n = metrics(m);
    if (n < 0) {
        if (n == CLK_EPERM)
            printf("top: the supervisor gives metrics only to services with the monitor "
                   "authority (manifest: caps=monitor)\n");
        else
            printf("top: the supervisor says: %s\n", actor_strerror(n));
        return 1;
    }
    qsort(m, (size_t)n, sizeof(m[0]), by_cpu);
    unsigned total = 0;
    for (long i = 0; i < n; i++)
        total += m[i].cpu_permille;
    fprintf(out, "top: %ld actors, CPU %u.%u%% busy over the last second\n", n, total / 10,
            total % 10);
    fprintf(out, "%4s %-16s %5s %8s %9s %9s %9s %5s %6s\n", "ID", "NAME", "CPU%", "MEM KiB",
            "MSG/s IN", "MSG/s OUT", "SYSCALL/s", "MBOX", "FAULTS");
    for (long i = 0; i < n; i++) {
        m[i].name[ACTOR_NAME_MAX - 1] = '\0';
        fprintf(out, "%4llu %-16s %3u.%u %8llu %9u %9u %9u %5u %6u\n",
                (unsigned long long)m[i].actor_id, m[i].name, m[i].cpu_permille / 10,
                m[i].cpu_permille % 10, (unsigned long long)m[i].pages * 4, m[i].msgs_in_per_s,
                m[i].msgs_out_per_s, m[i].syscalls_per_s, m[i].mailbox_depth, m[i].faults);
    }
    fflush(out);
    return 0;
}

int cmd_top(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh;
    long times = 0; /* 0: until ^C */
    if (argc > 1) {
        char *end;
        times = strtol(argv[1], &end, 10);
        if (end == argv[1] || *end || times < 1 || times > 86400) {
            printf("top: %s: not a number of seconds (1 to 86400)\n", argv[1]);
            return 1;
        }
    }
    for (long i = 0; !times || i < times; i++) {
        if (i && interrupted(1000000000ULL))
            return 0;
        if (i)
            fputc('\n', out);
        if (show(out))
            return 1;
    }
    return 0;
}
