/*
 * bench_sys.c: the cost of a null system call (SELF) and of a YIELD that
 * finds no one else to run. Prints lines in the format tools/bench reads.
 */
#include "bench.h"

#define ROUNDS 10000

int main(void)
{
    uint64_t ns = clk_clock_ns(), t = rdtsc();
    for (int i = 0; i < ROUNDS; i++)
        clk_self();
    bench_report("null syscall (SELF)", rdtsc() - t, clk_clock_ns() - ns, ROUNDS);
    ns = clk_clock_ns(), t = rdtsc();
    for (int i = 0; i < ROUNDS; i++)
        clk_yield();
    bench_report("yield, nobody else ready", rdtsc() - t, clk_clock_ns() - ns, ROUNDS);
    return 0;
}
