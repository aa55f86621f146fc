/*
 * bench_switch.c: two of these at one priority yield to each other; each
 * yield is a switch between address spaces. Over one actor's loop both
 * actors yield ROUNDS times, so the loop's time / (2 * ROUNDS) is the cost
 * of one yield-and-switch.
 */
#include "bench.h"

#define ROUNDS 10000

int main(void)
{
    clk_yield(); /* let the partner start */
    uint64_t ns = clk_clock_ns(), t = rdtsc();
    for (int i = 0; i < ROUNDS; i++)
        clk_yield();
    bench_report("yield + address-space switch", rdtsc() - t, clk_clock_ns() - ns, 2 * ROUNDS);
    return 0;
}
