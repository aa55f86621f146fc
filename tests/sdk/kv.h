/*
 * kv.h: the protocol of kv.c, a key-value server: the message types, their
 * payloads and replies, and which requests may be sent again after the
 * server died (libactor's actor_call_service retries those).
 */
#ifndef KV_H
#define KV_H

#include <actor/actor.h>

enum kv_type {
    KV_PUT = 1,       /* struct kv_pair -> 0 */
    KV_GET = 2,       /* uint64_t key -> uint64_t value, or CLK_ENOENT */
    KV_SLOW_GET = 3,  /* like KV_GET, answered 20 ms later */
    KV_ECHO = 4,      /* 1 to 4096 bytes -> the same bytes */
    KV_QUIT = 5,      /* the server exits without answering */
    KV_WATCH = 6,     /* never answered: the caller learns the server died (CLK_EDEAD) */
    KV_STATS = 7,     /* -> struct kv_stats */
    KV_GATED_GET = 8, /* like KV_GET, answered once KV_OPEN_GATE came */
    KV_OPEN_GATE = 9, /* -> 0 */
    KV_MAILBOX = 10,  /* -> a send capability to the server's mailbox, where
                         KV_PUT may also come, one way */
};

struct kv_pair {
    uint64_t key, value;
};

struct kv_stats {
    uint64_t keys, watchers, gated; /* gated: a KV_GATED_GET waits */
};

/* Key KV_CRASH_KEY makes KV_GET crash a server that is not a standby. */
#define KV_CRASH_KEY 0xDEADULL

#define KV_SERVICE                                                                                 \
    ACTOR_SERVICE("kv", ACTOR_IDEMPOTENT(KV_PUT) | ACTOR_IDEMPOTENT(KV_GET) |                      \
                            ACTOR_IDEMPOTENT(KV_STATS))

#endif
