/* fault_priv.c: runs a privileged instruction in ring 3. */
#include <actor/sys.h>

int main(void)
{
    clk_printf("fault_priv: about to run hlt\n");
    __asm__ volatile("hlt");
    return 0;
}
