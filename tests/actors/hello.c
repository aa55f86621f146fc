/* hello.c: says hello and exits with status 7. */
#include <actor/sys.h>

int main(uintptr_t arg)
{
    clk_printf("hello: actor %ld says hello (arg %ld)\n", clk_self(), (long)arg);
    return 7;
}
