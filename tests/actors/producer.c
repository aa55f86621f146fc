/*
 * producer.c: sends PRODUCER_COUNT numbered messages to the mailbox in its
 * first capability slot, waiting for room whenever it is full.
 */
#include <actor/sys.h>

#define PRODUCER_COUNT 1000

int main(long cap)
{
    long full = 0, err = 0;
    uint64_t sent = 0;
    for (uint64_t i = 0; i < PRODUCER_COUNT && !err; i++) {
        struct clk_msg m = { CLK_TAG(1, 24), { i, i * i, ~i } };
        err = clk_send(cap, &m, 0);
        if (err == CLK_EFULL) {
            full++;
            err = clk_send(cap, &m, CLK_FOREVER);
        }
        sent += err == 0;
    }
    clk_printf("producer: sent %lu messages, found the mailbox full %ld times, status %ld\n",
               (unsigned long)sent, full, err);
    return 0;
}
