/*
 * start.c: what runs around main(): the actor's exit status is main's
 * return value.
 */
#include <actor/sys.h>

int main(uintptr_t arg);
__attribute__((noreturn)) void __clk_start(uintptr_t arg);

void __clk_start(uintptr_t arg)
{
    clk_exit(main(arg));
}
