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

_Static_assert(CLK_SYS_THREAD_EXIT == 30, "crt0.S's __clk_thread_entry ends threads with 30");
