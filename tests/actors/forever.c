/* forever.c: spins without ever entering the kernel; only preemption stops it. */
#include <actor/sys.h>

int main(void)
{
    clk_printf("forever: actor %ld spins\n", clk_self());
    for (;;)
        __asm__ volatile("" ::: "memory");
}
