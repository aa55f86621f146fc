/*
 * counter.h: the protocol of counter.c, the supervisor's test service.
 */
#ifndef COUNTER_H
#define COUNTER_H

#include <actor/actor.h>

enum counter_type {
    COUNTER_ADD = 1,     /* uint64_t n -> uint64_t the new total */
    COUNTER_GET = 2,     /* -> uint64_t the total */
    COUNTER_READ = 3,    /* struct counter_read -> LEN bytes of the file at OFFSET */
    COUNTER_VERSION = 4, /* -> uint32_t the binary's version */
};

struct counter_read {
    uint64_t offset, len; /* LEN at most 4096 */
};

/* Byte I of the file that COUNTER_READ reads: the same in every instance. */
static inline uint8_t counter_file_byte(uint64_t i)
{
    return (uint8_t)(i * 7 + i / 251);
}

/* ADD is not idempotent: sent twice, it adds twice. */
#define COUNTER_SERVICE(name)                                                                      \
    ACTOR_SERVICE(name, ACTOR_IDEMPOTENT(COUNTER_GET) | ACTOR_IDEMPOTENT(COUNTER_READ) |           \
                            ACTOR_IDEMPOTENT(COUNTER_VERSION))

#endif
