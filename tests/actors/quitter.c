/* quitter.c: asks the server for its count, then tells it to quit. */
#include <actor/sys.h>

int main(long cap)
{
    struct clk_msg m = { CLK_TAG(1, 0), { 0 } };
    long err = clk_call(cap, &m);
    uint64_t served = m.w[0];
    m.tag = CLK_TAG(2, 0);
    long err2 = clk_call(cap, &m);
    clk_printf("quitter: count -> %ld (%lu served), quit -> %ld\n", err, (unsigned long)served,
               err2);
    return 0;
}
