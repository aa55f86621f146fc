/*
 * start_actor.c: actor_main, how libactor's main() (main.c) and any other
 * main start an actor: its init, the state it was handed, then serving.
 * The environment says what the supervisor gave (actor/actor.h).
 */
#include <actor/actor.h>
#include <stdlib.h>

long actor_main(const struct actor_def *def, int argc, char **argv)
{
    if (getenv("ACTOR_INJECT"))
        actor_allow_injection();
    long err = def->init ? def->init(argc, argv) : 0;
    if (err)
        return err;
    const char *state = getenv("ACTOR_STATE"), *ep = getenv("ACTOR_ENDPOINT");
    if (state) { /* SLOT,LENGTH */
        char *comma;
        long slot = strtol(state, &comma, 10);
        uint64_t len = *comma == ',' ? strtoull(comma + 1, NULL, 10) : 0;
        if ((err = actor_restore(def, slot, len)) < 0)
            return err;
    }
    const char *handover = getenv("ACTOR_HANDOVER");
    if (ep && handover)
        return actor_serve_handover(strtol(handover, NULL, 10), strtol(ep, NULL, 10), def);
    if (ep)
        return actor_serve(strtol(ep, NULL, 10), def);
    if (def->name)
        return actor_serve_named(def->name, def);
    long own = clk_endpoint_create();
    return own < 0 ? own : actor_serve(own, def);
}
