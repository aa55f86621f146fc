/*
 * finder.c: looks up the registry's capability (first slot, send right
 * only) until there is one, calls it, and tells the registry to quit.
 * Also tries to pass a capability without the grant right.
 */
#include <actor/sys.h>

int main(long ncaps)
{
    struct clk_msg m = { 0 };
    if (ncaps != 1)
        return 1;
    m.tag = CLK_TAG_WITH_CAP(CLK_TAG(1, 0), 1);
    long nogrant = clk_call(1, &m);
    long err;
    do {
        m.tag = CLK_TAG(2, 0);
        err = clk_call(1, &m);
        if (m.w[0] == (uint64_t)CLK_ENOENT)
            clk_yield();
    } while (err == 0 && m.w[0] == (uint64_t)CLK_ENOENT);
    if (m.tag & CLK_TAG_CAP_LOST) {
        clk_printf("finder: passing without grant -> %ld; the capability was lost: no free slot\n",
                   nogrant);
        return 0;
    }
    long cap = CLK_TAG_CAP(m.tag);
    m = (struct clk_msg){ CLK_TAG(0, 8), { 41 } };
    long call = cap ? clk_call(cap, &m) : CLK_EBADF;
    clk_printf("finder: passing without grant -> %ld; got slot %ld, its call -> %ld, answer %lu\n",
               nogrant, cap, call, (unsigned long)m.w[0]);
    m.tag = CLK_TAG(3, 0);
    clk_call(1, &m);
    return 0;
}
