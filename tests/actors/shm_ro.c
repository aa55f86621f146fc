/*
 * shm_ro.c: maps the memory object in its first slot read-only, reads it,
 * then writes to it, which must kill it.
 */
#include <actor/sys.h>

int main(long ncaps)
{
    volatile uint64_t *p = (uint64_t *)0x30000000UL;
    long err = ncaps == 1 ? clk_map(1, (unsigned long)p, 0) : CLK_EINVAL;
    clk_printf("shm_ro: map -> %ld, write mapping -> %ld, reads %#lx\n", err,
               clk_map(1, 0x40000000UL, CLK_MAP_WRITE), err ? 0UL : (unsigned long)p[0]);
    p[0] = 1;
    clk_printf("shm_ro: the write went through\n");
    return 1;
}
