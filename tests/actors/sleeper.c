/* sleeper.c: takes ten 20 ms naps and reports how long they really took. */
#include <actor/sys.h>

int main(void)
{
    uint64_t longest = 0, start = clk_clock_ns();
    for (int i = 0; i < 10; i++) {
        uint64_t t0 = clk_clock_ns();
        clk_sleep_ns(20000000);
        uint64_t took = clk_clock_ns() - t0;
        longest = took > longest ? took : longest;
        if (took < 20000000) {
            clk_printf("sleeper: woke early after %lu ns\n", (unsigned long)took);
            return 1;
        }
    }
    clk_printf("sleeper: 10 naps of 20 ms in %lu ms, the longest %lu ms\n",
               (unsigned long)((clk_clock_ns() - start) / 1000000),
               (unsigned long)(longest / 1000000));
    return 0;
}
