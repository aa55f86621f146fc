/*
 * asker.c: calls the endpoint in slot 1 once and reports the answer.
 */
#include <actor/sys.h>

int main(long ncaps)
{
    struct clk_msg m = { CLK_TAG(0, 8), { (uint64_t)clk_self() } }; /* who calls */
    long err = ncaps == 1 ? clk_call(1, &m) : CLK_EBADF;
    clk_printf("asker %ld: call -> %ld, answer %lu\n", clk_self(), err,
               err ? 0UL : (unsigned long)m.w[0]);
    return 0;
}
