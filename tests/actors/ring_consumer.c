/*
 * ring_consumer.c: takes ring_producer's messages from the ring channel in
 * the memory object of its first capability slot, all it finds at a time,
 * sleeping on the
 * notification in slot 2 while the ring is empty. Checks every message
 * and reports guest instructions per message in tools/bench's format.
 */
#include "bench.h"
#include <actor/ring.h>

#define RING_MSGS 100000
#define RING_VA   0x20000000UL

int main(long ncaps)
{
    struct clk_ring *r = (struct clk_ring *)RING_VA;
    struct clk_msg note = { 0 };
    uint64_t badge, t0 = 0, ns0 = 0, good = 0, sleeps = 0;
    long err = ncaps == 2 ? clk_map(1, RING_VA, CLK_MAP_WRITE) : CLK_EINVAL;
    if (!err)
        err = clk_bind(2);
    if (err) {
        clk_printf("ring_consumer: cannot map the ring or bind: %ld\n", err);
        return 1;
    }
    for (uint64_t i = 0; i < RING_MSGS;) {
        uint32_t n = 0;
        const struct clk_ring_msg *m = NULL;
        if (__atomic_load_n(&r->size, __ATOMIC_ACQUIRE))
            m = clk_ring_peek(r, &n);
        if (!n) {
            sleeps++;
            clk_wait(CLK_FOREVER, &note, &badge);
            continue;
        }
        if (i == 0)
            t0 = rdtsc(), ns0 = clk_clock_ns();
        for (uint32_t k = 0; k < n; k++, i++)
            good += m[k].tag == 7 && m[k].w[0] == i && m[k].w[1] == i * 3 && m[k].w[2] == ~i;
        clk_ring_release(r, n);
    }
    uint64_t t = rdtsc() - t0, ns = clk_clock_ns() - ns0;
    bench_report("ring channel message", t, ns, RING_MSGS - 1);
    clk_printf("ring_consumer: %lu of %d messages intact and in order, slept %lu times\n",
               (unsigned long)good, RING_MSGS, (unsigned long)sleeps);
    return 0;
}
