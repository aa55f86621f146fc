/*
 * bench_ipc.c: IPC round trips (call + reply between two address spaces)
 * to echo_server's null operation, with a short message in registers.
 * Reports in the format tools/bench reads, and which path the kernel took.
 */
#include "bench.h"

#define ROUNDS 10000

int main(long cap)
{
    struct clk_msg m = { CLK_TAG(4, 16), { 1, 2 } };
    clk_call(cap, &m); /* warm up: the server is now waiting */
    long fast0 = clk_stats(CLK_STAT_IPC_FAST), slow0 = clk_stats(CLK_STAT_IPC_SLOW);
    uint64_t ns = clk_clock_ns(), t = rdtsc();
    for (int i = 0; i < ROUNDS; i++) {
        m.tag = CLK_TAG(4, 16);
        if (clk_call(cap, &m) != 0)
            return 1;
    }
    t = rdtsc() - t;
    ns = clk_clock_ns() - ns;
    long fast = clk_stats(CLK_STAT_IPC_FAST) - fast0, slow = clk_stats(CLK_STAT_IPC_SLOW) - slow0;
    bench_report("IPC round trip (call+reply)", t, ns, ROUNDS);
    clk_printf("bench_ipc: %d round trips: %ld fast-path and %ld slow-path IPC operations\n",
               ROUNDS, fast, slow);
    return 0;
}
