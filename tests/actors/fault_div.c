/* fault_div.c: divides by zero. */
#include <actor/sys.h>

int main(void)
{
    clk_printf("fault_div: about to divide by zero\n");
    uint64_t lo = 1, hi = 0, zero = (uint64_t)clk_syscall(CLK_SYS_YIELD, 0, 0, 0, 0, 0, 0);
    __asm__ volatile("divq %2" : "+a"(lo), "+d"(hi) : "r"(zero));
    return (int)lo;
}
