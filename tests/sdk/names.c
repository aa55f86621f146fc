/*
 * names.c: a name registry and nothing else, for tests that run without
 * the supervisor (which serves the same registry itself). It serves the
 * endpoint in slot 1.
 */
#include <actor/names.h>
#include <stdio.h>

int main(void)
{
    struct actor_def def = { .handlers = names_handlers, .notified = names_notified };
    long err = clk_ncaps >= 1 ? actor_serve(1, &def) : CLK_EBADF;
    printf("names: cannot serve: %ld\n", err);
    return 1;
}
