/*
 * bench_sys.c: the cost of a null system call (SELF) and of a YIELD that
 * finds no one else to run. Prints lines in the format tools/bench reads.
 */
#include <actor/sys.h>

#define ROUNDS 10000

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static void report(const char *label, uint64_t ticks, uint64_t ns)
{
    clk_printf("bench: %-28s %8lu ticks/op %8lu ps/op\n", label, (unsigned long)(ticks / ROUNDS),
               (unsigned long)(ns * 1000 / ROUNDS));
}

int main(void)
{
    uint64_t ns = clk_clock_ns(), t = rdtsc();
    for (int i = 0; i < ROUNDS; i++)
        clk_self();
    report("null syscall (SELF)", rdtsc() - t, clk_clock_ns() - ns);
    ns = clk_clock_ns(), t = rdtsc();
    for (int i = 0; i < ROUNDS; i++)
        clk_yield();
    report("yield, nobody else ready", rdtsc() - t, clk_clock_ns() - ns);
    return 0;
}
