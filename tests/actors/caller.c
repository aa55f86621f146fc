/*
 * caller.c: one call with a label given by its badge-free use: it asks the
 * server to die (label 3) and prints what the call returned, then calls
 * again and prints that too.
 */
#include <actor/sys.h>

int main(long cap)
{
    struct clk_msg m = { CLK_TAG(3, 0), { 0 } };
    long first = clk_call(cap, &m);
    m.tag = CLK_TAG(0, 0);
    long second = clk_call(cap, &m);
    clk_printf("caller: call to a dying server -> %ld, then -> %ld\n", first, second);
    return 0;
}
