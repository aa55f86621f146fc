/*
 * ring_producer.c: lays out a ring channel (actor/ring.h) in the memory
 * object of its first capability slot and writes RING_MSGS numbered
 * messages straight into it, as many at a time as there is room for,
 * signalling the notification in slot 2 when the consumer may be asleep and
 * yielding to it when the ring is full.
 */
#include <actor/ring.h>
#include <actor/sys.h>

#define RING_MSGS 100000
#define RING_VA   0x10000000UL

int main(long ncaps)
{
    struct clk_ring *r = (struct clk_ring *)RING_VA;
    long err = ncaps == 2 ? clk_map(1, RING_VA, CLK_MAP_WRITE) : CLK_EINVAL;
    if (err) {
        clk_printf("ring_producer: cannot map the ring: %ld\n", err);
        return 1;
    }
    uint32_t slots = clk_ring_init(r, 4 * 4096);
    clk_signal(2, 1);
    long full = 0;
    for (uint64_t i = 0; i < RING_MSGS;) {
        uint32_t n;
        struct clk_ring_msg *m = clk_ring_reserve(r, &n);
        if (!n) {
            full++;
            clk_yield(); /* the consumer runs and empties it */
            continue;
        }
        n = RING_MSGS - i < n ? (uint32_t)(RING_MSGS - i) : n;
        for (uint32_t k = 0; k < n; k++, i++)
            m[k] = (struct clk_ring_msg){ 7, { i, i * 3, ~i } };
        if (clk_ring_commit(r, n))
            clk_signal(2, 1);
    }
    clk_printf("ring_producer: %d messages through %u slots, found it full %ld times\n", RING_MSGS,
               slots, full);
    return 0;
}
