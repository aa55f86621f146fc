/*
 * actor/names.h: the name registry's protocol, and its server side for an
 * actor that provides the registry (the supervisor, or tests' names actor).
 *
 * Clients use actor_register and actor_lookup (actor/actor.h). On the
 * wire, every request's payload is a struct names_req:
 *   NAMES_REGISTER    NAME, with a send capability to the server: the
 *                     reply's payload is the registration's serial number
 *   NAMES_LOOKUP      NAME: a copy of the capability and the serial, at
 *                     once or when a registration newer than NEWER_THAN
 *                     comes within WAIT_NS (CLK_ETIMEDOUT otherwise;
 *                     CLK_ENOENT when WAIT_NS is 0)
 *   NAMES_UNREGISTER  NAME, by the badge that owns it
 * A client that found a server dead asks for one newer than the serial it
 * had, so it waits for the next instance instead of getting the dead one.
 */
#ifndef ACTOR_NAMES_H
#define ACTOR_NAMES_H

#include <actor/actor.h>

enum names_type {
    NAMES_REGISTER = 1,
    NAMES_LOOKUP = 2,
    NAMES_UNREGISTER = 3,
};

struct names_req {
    uint64_t wait_ns;
    uint64_t newer_than;
    char name[ACTOR_NAME_MAX];
};

/* Server side: the handlers to put in a loop's table (they end with the
 * terminating entry, so a registry-only actor uses them as they are), and
 * the timer work, which the loop's notified handler calls with the bits it
 * got. The registry uses timer bit NAMES_TIMER_BIT. */
extern const struct actor_handler names_handlers[];
#define NAMES_TIMER_BIT (1ULL << 55)
void names_notified(uint64_t bits);

/* The registry's owner registers NAME itself: the entry takes CAP (a send
 * capability; it is the registry's now) and belongs to badge OWNER. The
 * lookups waiting for it are answered. Returns the new serial number, or
 * CLK_ENOMEM (the registry is full) or CLK_EINVAL (a bad name). */
long names_publish(const char *name, long cap, uint64_t owner);

#endif
