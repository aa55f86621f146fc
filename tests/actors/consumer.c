/*
 * consumer.c: binds the mailbox in its first capability slot and takes
 * messages from producer.c until it has them all, checking their order and
 * payloads.
 */
#include <actor/sys.h>

#define PRODUCER_COUNT 1000

int main(long cap)
{
    struct clk_msg m = { 0 };
    uint64_t badge, first_badge = 0;
    long good = 0, r = clk_bind(cap);
    for (uint64_t i = 0; i < PRODUCER_COUNT && r >= 0; i++) {
        r = clk_wait(CLK_FOREVER, &m, &badge);
        if (i == 0)
            first_badge = badge;
        good += r == cap && m.w[0] == i && m.w[1] == i * i && m.w[2] == ~i && badge == first_badge;
    }
    clk_printf("consumer: %ld of %d messages in order, badge %lu, status %ld\n", good,
               PRODUCER_COUNT, (unsigned long)first_badge, r < 0 ? r : 0);
    return 0;
}
