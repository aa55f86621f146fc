/*
 * actor/ring.h: a lock-free ring channel between two actors: one
 * producer, one consumer, fixed-size messages, in a memory object both have
 * mapped (MEMORY_CREATE, MAP). Putting and getting a message are plain
 * loads and stores, no syscall; the two sides only enter the kernel to
 * sleep and wake each other (a notification), once per batch.
 *
 * The head (next message to take) belongs to the consumer and the tail
 * (next free slot) to the producer; each lives in its own cache line and
 * is published with a release store after the slot is written or read, so
 * the other side never sees a half-written message.
 */
#ifndef ACTOR_RING_H
#define ACTOR_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct clk_ring_msg {
    uint64_t tag;
    uint64_t w[3];
};

struct clk_ring {
    uint32_t head; /* the consumer's */
    uint32_t pad0[15];
    uint32_t tail; /* the producer's */
    uint32_t pad1[15];
    uint32_t size; /* slots, a power of two */
    uint32_t pad2[15];
    struct clk_ring_msg slot[];
};

/* Lay out a ring in BYTES of zeroed shared memory (one side does this
 * before the other starts). Returns its number of slots (0: too small). */
static inline uint32_t clk_ring_init(struct clk_ring *r, size_t bytes)
{
    size_t n = bytes > sizeof(*r) ? (bytes - sizeof(*r)) / sizeof(struct clk_ring_msg) : 0;
    uint32_t size = 1;
    while ((size_t)size * 2 <= n && size < (1u << 30))
        size *= 2;
    r->head = r->tail = 0;
    __atomic_store_n(&r->size, n ? size : 0, __ATOMIC_RELEASE);
    return r->size;
}

/* Producer: append M; false when the ring is full. *WAS_EMPTY (if not NULL)
 * tells whether the consumer may have gone to sleep on an empty ring. */
static inline bool clk_ring_put(struct clk_ring *r, const struct clk_ring_msg *m, bool *was_empty)
{
    uint32_t t = r->tail, h = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
    if (t - h == r->size)
        return false;
    r->slot[t & (r->size - 1)] = *m;
    __atomic_store_n(&r->tail, t + 1, __ATOMIC_RELEASE);
    if (was_empty)
        *was_empty = t == h;
    return true;
}

/* Consumer: take the oldest message into *M; false when the ring is empty. */
static inline bool clk_ring_get(struct clk_ring *r, struct clk_ring_msg *m)
{
    uint32_t h = r->head;
    if (h == __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE))
        return false;
    *m = r->slot[h & (r->size - 1)];
    __atomic_store_n(&r->head, h + 1, __ATOMIC_RELEASE);
    return true;
}

/*
 * In batches, without copies: the producer writes messages straight into
 * the ring and publishes them all with one store; the consumer reads them
 * where they lie and frees them with one store.
 */

/* Producer: free slots from the tail, contiguous (the ring may wrap after
 * them); *N gets their number, 0 when the ring is full. */
static inline struct clk_ring_msg *clk_ring_reserve(struct clk_ring *r, uint32_t *n)
{
    uint32_t t = r->tail, h = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
    uint32_t at = t & (r->size - 1), free = r->size - (t - h), upto_end = r->size - at;
    *n = free < upto_end ? free : upto_end;
    return &r->slot[at];
}

/* Producer: publish the first N reserved slots. Returns true when the ring
 * was empty before, so the consumer may be asleep and need a signal. */
static inline bool clk_ring_commit(struct clk_ring *r, uint32_t n)
{
    uint32_t t = r->tail;
    bool was_empty = t == __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
    __atomic_store_n(&r->tail, t + n, __ATOMIC_RELEASE);
    return was_empty && n;
}

/* Consumer: the oldest messages, contiguous; *N gets their number (0: the
 * ring is empty). They stay valid until clk_ring_release. */
static inline const struct clk_ring_msg *clk_ring_peek(struct clk_ring *r, uint32_t *n)
{
    uint32_t h = r->head, t = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
    uint32_t at = h & (r->size - 1), used = t - h, upto_end = r->size - at;
    *n = used < upto_end ? used : upto_end;
    return &r->slot[at];
}

/* Consumer: free the first N messages that clk_ring_peek gave. */
static inline void clk_ring_release(struct clk_ring *r, uint32_t n)
{
    __atomic_store_n(&r->head, r->head + n, __ATOMIC_RELEASE);
}

#endif
