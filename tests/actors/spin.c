/* spin.c: counts busy rounds for 400 ms of wall-clock time, then reports;
 * two of these at one priority should get about the same count. */
#include <actor/sys.h>

int main(void)
{
    uint64_t start = clk_clock_ns(), rounds = 0;
    while (clk_clock_ns() - start < 400000000ULL) {
        for (volatile int i = 0; i < 2000; i++)
            ;
        rounds++;
    }
    clk_printf("spin: actor %ld did %lu rounds\n", clk_self(), (unsigned long)rounds);
    return 0;
}
