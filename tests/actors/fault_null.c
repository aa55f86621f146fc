/* fault_null.c: writes through a null pointer. */
#include <actor/sys.h>

int main(void)
{
    clk_printf("fault_null: about to write to address 0\n");
    *(volatile int *)(uintptr_t)clk_syscall(CLK_SYS_YIELD, 0, 0, 0, 0, 0, 0) = 1;
    return 0;
}
