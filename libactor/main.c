/*
 * main.c: the main() of actors that define `const struct actor_def actor`
 * and no main() of their own (see actor/actor.h). Linked only when the
 * program has no main, as any archive member is.
 */
#include <actor/actor.h>
#include <stdio.h>

extern const struct actor_def actor;

int main(int argc, char **argv)
{
    long err = actor_main(&actor, argc, argv);
    if (err == 0)
        return 0; /* the state went to the next instance */
    fprintf(stderr, "%s: %s (%ld)\n", argc ? argv[0] : "actor", actor_strerror(err), err);
    return 1;
}
