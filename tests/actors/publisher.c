/*
 * publisher.c: makes an endpoint, registers it with the registry (first
 * slot: send and grant rights) by passing the capability in a call, then
 * answers one call on it (m0 + 1).
 */
#include <actor/sys.h>

int main(long ncaps)
{
    struct clk_msg m = { CLK_TAG_WITH_CAP(CLK_TAG(1, 0), 99), { 0 } };
    uint64_t badge;
    if (ncaps != 1)
        return 1;
    long bad = clk_call(1, &m);
    long ep = clk_endpoint_create();
    m.tag = CLK_TAG_WITH_CAP(CLK_TAG(1, 0), ep);
    long err = clk_call(1, &m);
    clk_printf("publisher: passing slot 99 -> %ld, registering -> %ld, %ld\n", bad, err,
               (long)m.w[0]);
    err = clk_recv(ep, &m, &badge);
    m.w[0] += 1;
    clk_reply(&m);
    clk_printf("publisher: answered a call, status %ld\n", err);
    return 0;
}
