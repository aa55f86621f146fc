/* fault_stack.c: recurses until the stack runs into its guard page. */
#include <actor/sys.h>

static uint64_t deeper(uint64_t n)
{
    volatile uint8_t pad[512];
    pad[0] = (uint8_t)n;
    if (n == ~0ULL)
        return 0;
    return deeper(n + 1) + pad[0];
}

int main(void)
{
    clk_printf("fault_stack: recursing\n");
    return (int)deeper(0);
}
