/*
 * signaller.c: signals the notification in its first capability slot 100
 * times, yielding in between, then exits.
 */
#include <actor/sys.h>

int main(long cap)
{
    long err = 0;
    for (int i = 0; i < 100 && !err; i++) {
        err = clk_signal(cap, 1);
        clk_yield();
    }
    clk_printf("signaller: 100 signals, status %ld\n", err);
    return 0;
}
