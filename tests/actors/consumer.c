/*
 * consumer.c: binds the mailbox in its first capability slot and takes
 * messages from producer.c until it has them all, checking their order and
 * payloads. It reports the guest instructions per message (tools/bench).
 */
#include "bench.h"

#define PRODUCER_COUNT 1000

int main(long cap)
{
    struct clk_msg m = { 0 };
    uint64_t badge, first_badge = 0, t0 = 0, ns0 = 0;
    long good = 0, r = clk_bind(cap);
    for (uint64_t i = 0; i < PRODUCER_COUNT && r >= 0; i++) {
        r = clk_wait(CLK_FOREVER, &m, &badge);
        if (i == 0)
            first_badge = badge, t0 = rdtsc(), ns0 = clk_clock_ns();
        good += r == cap && m.w[0] == i && m.w[1] == i * i && m.w[2] == ~i && badge == first_badge;
    }
    uint64_t t = rdtsc() - t0, ns = clk_clock_ns() - ns0;
    bench_report("mailbox message (send+wait)", t, ns, PRODUCER_COUNT - 1);
    clk_printf("consumer: %ld of %d messages in order, badge %lu, status %ld\n", good,
               PRODUCER_COUNT, (unsigned long)first_badge, r < 0 ? r : 0);
    return 0;
}
