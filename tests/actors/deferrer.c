/*
 * deferrer.c: a server (endpoint in slot 1) that answers later. It takes
 * four calls without answering any (REPLY_DEFER), then answers three in the
 * reverse order they came, with m0 * 10; the fourth it drops, so its
 * caller gets CLK_EDEAD. It reports REPLY_DEFER with nothing owed and a
 * second REPLY_TO through a used-up capability.
 */
#include <actor/sys.h>

int main(long ncaps)
{
    struct clk_msg m = { 0 };
    uint64_t badge;
    long replies[4], nothing = clk_reply_defer();
    uint64_t callers[4];
    if (ncaps != 1)
        return 1;
    for (int i = 0; i < 4; i++) {
        if (clk_recv(1, &m, &badge) != 0)
            return 2;
        callers[i] = m.w[0]; /* the caller's actor id */
        replies[i] = clk_reply_defer();
    }
    clk_printf("deferrer: calls from actors %lu %lu %lu %lu\n", (unsigned long)callers[0],
               (unsigned long)callers[1], (unsigned long)callers[2], (unsigned long)callers[3]);
    long status[3];
    for (int i = 2; i >= 0; i--) {
        struct clk_msg r = { CLK_TAG(0, 8), { (uint64_t)(i + 1) * 10 } };
        status[i] = clk_reply_to(replies[i], &r);
    }
    long again = clk_reply_to(replies[0], &m);
    clk_cap_delete(replies[3]);
    clk_printf("deferrer: nothing owed -> %ld; answered %ld %ld %ld; used-up capability -> %ld\n",
               nothing, status[0], status[1], status[2], again);
    return 0;
}
