/*
 * test_metrics.c: the supervisor's sample rings and rates
 * (servers/supervisor/metrics.c): CPU per mille, messages and system calls
 * per second over a window, faults in the window, mailbox depth now and
 * at most, the history wrapping, actors that die dropping out and new ones
 * taking their slots, and a full table.
 */
#include "metrics.h"
#include <unit.h>

#define MS 1000000ULL

static struct metrics m;

/* Sample of time T ms: CPU CPU_MS, IN and OUT messages, SYS calls. */
static struct metrics_sample at(uint64_t t, uint64_t cpu_ms, uint64_t in, uint64_t out,
                                uint64_t sys, uint32_t mbox)
{
    return (struct metrics_sample){ .time_ns = t * MS,
                                    .cpu_ns = cpu_ms * MS,
                                    .msgs_received = in,
                                    .msgs_sent = out,
                                    .syscalls = sys,
                                    .mailbox_depth = mbox,
                                    .pages = 10 + t / 100 };
}

/* One round in which only actor ID is alive, with sample S. */
static void round_of(uint64_t id, struct metrics_sample s)
{
    metrics_begin(&m);
    CHECK(metrics_record(&m, id, "spin", true, &s));
    metrics_end(&m);
}

static const struct metrics_actor *find(uint64_t id)
{
    for (unsigned i = 0; i < METRICS_ACTORS; i++)
        if (metrics_slot(&m, i) && metrics_slot(&m, i)->id == id)
            return metrics_slot(&m, i);
    return NULL;
}

static void test_rates(void)
{
    memset(&m, 0, sizeof(m));
    struct metrics_rates r;
    CHECK(!metrics_rates(NULL, 1000 * MS, &r));
    /* 20 samples 100 ms apart: 75 ms of CPU, 30 in, 10 out, 500 calls each */
    for (uint64_t i = 0; i < 20; i++)
        round_of(7, at(i * 100, i * 75, i * 30, i * 10, i * 500, (uint32_t)(i == 15 ? 9 : 2)));
    const struct metrics_actor *a = find(7);
    CHECK(a && a->service && !strcmp(a->name, "spin") && a->count == 20);
    CHECK(metrics_rates(a, 1000 * MS, &r));
    CHECK_EQ(r.window_ns, 1000 * MS); /* samples 9..19 */
    CHECK_EQ(r.cpu_permille, 750);
    CHECK_EQ(r.msgs_in_per_s, 300);
    CHECK_EQ(r.msgs_out_per_s, 100);
    CHECK_EQ(r.syscalls_per_s, 5000);
    CHECK_EQ(r.faults, 0);
    CHECK_EQ(r.mailbox_depth, 2);
    CHECK_EQ(r.mailbox_max, 9);
    CHECK_EQ(r.pages, 10 + 19);
    /* a window shorter than the max's age no longer sees it */
    CHECK(metrics_rates(a, 300 * MS, &r));
    CHECK_EQ(r.window_ns, 300 * MS);
    CHECK_EQ(r.mailbox_max, 2);
    CHECK_EQ(r.cpu_permille, 750);
    /* a window longer than the history: all of it */
    CHECK(metrics_rates(a, 60000 * MS, &r));
    CHECK_EQ(r.window_ns, 1900 * MS);
    CHECK_EQ(r.syscalls_per_s, 5000);
}

static void test_one_sample_and_faults(void)
{
    memset(&m, 0, sizeof(m));
    struct metrics_rates r;
    round_of(3, at(0, 5, 1, 1, 1, 4));
    CHECK(metrics_rates(find(3), 1000 * MS, &r));
    CHECK_EQ(r.window_ns, 0); /* one sample: no rate yet */
    CHECK_EQ(r.cpu_permille, 0);
    CHECK_EQ(r.mailbox_depth, 4);
    struct metrics_sample s = at(500, 505, 1, 1, 1, 0); /* a full CPU for 500 ms */
    s.faults = 2;
    round_of(3, s);
    CHECK(metrics_rates(find(3), 1000 * MS, &r));
    CHECK_EQ(r.cpu_permille, 1000);
    CHECK_EQ(r.faults, 2);
    CHECK_EQ(r.mailbox_max, 4);
}

static void test_history_wraps(void)
{
    memset(&m, 0, sizeof(m));
    struct metrics_rates r;
    for (uint64_t i = 0; i < 3 * METRICS_HISTORY + 5; i++)
        round_of(9, at(i * 100, i * 10, 0, 0, i, 0));
    const struct metrics_actor *a = find(9);
    CHECK_EQ(a->count, METRICS_HISTORY);
    CHECK(metrics_rates(a, UINT64_MAX, &r));
    CHECK_EQ(r.window_ns, (METRICS_HISTORY - 1) * 100 * MS);
    CHECK_EQ(r.cpu_permille, 100);
    CHECK_EQ(r.syscalls_per_s, 10);
}

static void test_actors_come_and_go(void)
{
    memset(&m, 0, sizeof(m));
    struct metrics_sample s = at(0, 0, 0, 0, 0, 0);
    metrics_begin(&m);
    CHECK(metrics_record(&m, 1, "supervisor", false, &s));
    CHECK(metrics_record(&m, 2, "shell", true, &s));
    CHECK(!metrics_record(&m, 0, "nobody", false, &s)); /* id 0 is no actor */
    metrics_end(&m);
    CHECK(find(1) && find(2));
    metrics_begin(&m); /* shell died; a new one came */
    CHECK(metrics_record(&m, 1, "supervisor", false, &s));
    CHECK(metrics_record(&m, 5, "a-name-much-longer-than-the-thirty-two-bytes", true, &s));
    metrics_end(&m);
    CHECK(find(1) && !find(2) && find(5));
    CHECK_EQ(find(5)->count, 1);
    CHECK_EQ(strlen(find(5)->name), METRICS_NAME_MAX - 1);
    CHECK_EQ(find(1)->count, 2);
    /* a full table: the newcomer is left out, the others kept */
    metrics_begin(&m); /* a round with none alive: all go */
    metrics_end(&m);
    CHECK(!find(1) && !find(5));
    metrics_begin(&m);
    for (uint64_t id = 100; id < 100 + METRICS_ACTORS; id++)
        metrics_record(&m, id, "many", false, &s);
    metrics_end(&m);
    CHECK(!find(1) && find(100) && find(100 + METRICS_ACTORS - 1));
    metrics_begin(&m);
    CHECK(metrics_record(&m, 100, "many", false, &s));
    CHECK(!metrics_record(&m, 99999, "late", false, &s)); /* the dead go only at the end */
    metrics_end(&m);
    CHECK(find(100) && !find(101) && !find(99999));
    metrics_begin(&m);
    CHECK(metrics_record(&m, 99999, "late", false, &s)); /* room now */
    metrics_end(&m);
    CHECK(find(99999) && !find(100));
}

static void test_counters_that_go_back_count_nothing(void)
{
    memset(&m, 0, sizeof(m));
    struct metrics_rates r;
    round_of(4, at(0, 100, 50, 50, 50, 0));
    round_of(4, at(100, 50, 10, 10, 10, 0)); /* cannot happen; must not wrap */
    CHECK(metrics_rates(find(4), 1000 * MS, &r));
    CHECK_EQ(r.cpu_permille, 0);
    CHECK_EQ(r.msgs_in_per_s, 0);
    CHECK_EQ(r.syscalls_per_s, 0);
}

int main(void)
{
    RUN(test_rates);
    RUN(test_one_sample_and_faults);
    RUN(test_history_wraps);
    RUN(test_actors_come_and_go);
    RUN(test_counters_that_go_back_count_nothing);
    return 0;
}
