/*
 * bench_switch.c: two of these at one priority yield to each other; each
 * yield is a switch between address spaces. Over one actor's loop both
 * actors yield ROUNDS times, so the loop's time / (2 * ROUNDS) is the cost
 * of one yield-and-switch.
 */
#include <actor/sys.h>

#define ROUNDS 10000

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

int main(void)
{
    clk_yield(); /* let the partner start */
    uint64_t ns = clk_clock_ns(), t = rdtsc();
    for (int i = 0; i < ROUNDS; i++)
        clk_yield();
    t = rdtsc() - t;
    ns = clk_clock_ns() - ns;
    clk_printf("bench: %-28s %8lu ticks/op %8lu ps/op\n", "yield + address-space switch",
               (unsigned long)(t / (2 * ROUNDS)), (unsigned long)(ns * 1000 / (2 * ROUNDS)));
    return 0;
}
