/*
 * bench.h: what the benchmark actors share. Under QEMU's -icount shift=0,
 * rdtsc counts guest instructions exactly (see docs/performance.md);
 * bench_report prints the line tools/bench reads.
 */
#ifndef TEST_BENCH_H
#define TEST_BENCH_H

#include <actor/sys.h>

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* OPS operations of NAME took TICKS of rdtsc and NS nanoseconds. */
static inline void bench_report(const char *name, uint64_t ticks, uint64_t ns, uint64_t ops)
{
    clk_printf("bench: %-28s %8lu ticks/op %8lu ps/op\n", name, (unsigned long)(ticks / ops),
               (unsigned long)(ns * 1000 / ops));
}

#endif
