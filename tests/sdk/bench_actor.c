/*
 * bench_actor.c: what libactor adds to an IPC round trip (make bench).
 * Slot 1 is a kv server (kv.c, on actor_serve). It times KV_GET calls made
 * from main (a plain CALL; the server runs each on a fiber), then the same
 * calls made from a fiber of its own, which a worker thread carries out.
 */
#include "kv.h"
#include <stdio.h>
#include <stdlib.h>

#define N 20000

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* The line tools/bench reads (tests/actors/bench.h has the same format). */
static void report(const char *name, uint64_t ticks, uint64_t ns)
{
    printf("bench: %-28s %8lu ticks/op %8lu ps/op\n", name, (unsigned long)(ticks / N),
           (unsigned long)(ns * 1000 / N));
}

static void calls(const char *name)
{
    uint64_t key = 42, value;
    size_t len = sizeof(value);
    actor_call(1, KV_GET, &key, sizeof(key), &value, &len); /* warm up */
    uint64_t t0 = rdtsc(), n0 = clk_clock_ns();
    for (int i = 0; i < N; i++) {
        len = sizeof(value);
        actor_call(1, KV_GET, &key, sizeof(key), &value, &len);
    }
    report(name, rdtsc() - t0, clk_clock_ns() - n0);
}

static void from_fiber(void *arg)
{
    (void)arg;
    calls("libactor call from a fiber");
    fflush(stdout);
    exit(0);
}

int main(void)
{
    struct kv_pair p = { 42, 4242 };
    actor_call(1, KV_PUT, &p, sizeof(p), NULL, NULL);
    calls("libactor call, fiber server");
    struct actor_def def = { .handlers = NULL };
    actor_go(from_fiber, NULL);
    return (int)actor_main(&def, 0, NULL);
}
