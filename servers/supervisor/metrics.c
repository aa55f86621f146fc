/*
 * metrics.c: per-actor sample rings and the rates over a window (pure:
 * metrics.h). Counters only grow while an actor lives, and a restarted
 * service is a new actor with a new id, so a difference of two samples of
 * one id is what happened between them.
 */
#include "metrics.h"
#include <string.h>

#define SECOND 1000000000ULL

void metrics_begin(struct metrics *m)
{
    m->round++;
}

/* The slot of actor ID, or a free one for it (cleared), or NULL. */
static struct metrics_actor *slot_for(struct metrics *m, uint64_t id)
{
    struct metrics_actor *free_slot = NULL;
    for (unsigned i = 0; i < METRICS_ACTORS; i++) {
        struct metrics_actor *a = &m->actors[i];
        if (a->id == id)
            return a;
        if (!a->id && !free_slot)
            free_slot = a;
    }
    if (free_slot)
        memset(free_slot, 0, sizeof(*free_slot));
    return free_slot;
}

bool metrics_record(struct metrics *m, uint64_t id, const char *name, bool service,
                    const struct metrics_sample *s)
{
    struct metrics_actor *a = id ? slot_for(m, id) : NULL;
    if (!a)
        return false;
    if (!a->id) {
        a->id = id;
        strncpy(a->name, name, sizeof(a->name) - 1);
        a->name[sizeof(a->name) - 1] = '\0';
    }
    a->service = service;
    a->round = m->round;
    a->ring[a->head] = *s;
    a->head = (a->head + 1) % METRICS_HISTORY;
    if (a->count < METRICS_HISTORY)
        a->count++;
    return true;
}

void metrics_end(struct metrics *m)
{
    for (unsigned i = 0; i < METRICS_ACTORS; i++)
        if (m->actors[i].id && m->actors[i].round != m->round)
            m->actors[i].id = 0;
}

const struct metrics_actor *metrics_slot(const struct metrics *m, unsigned i)
{
    return i < METRICS_ACTORS && m->actors[i].id ? &m->actors[i] : NULL;
}

/* A's K-th sample back from the newest (0: the newest); K < A->count. */
static const struct metrics_sample *back(const struct metrics_actor *a, unsigned k)
{
    return &a->ring[(a->head + 2 * METRICS_HISTORY - 1 - k) % METRICS_HISTORY];
}

/* B - A, or 0 should a counter ever have gone back. */
static uint64_t delta(uint64_t a, uint64_t b)
{
    return b > a ? b - a : 0;
}

/* N scaled by UNIT over DT_NS nanoseconds (N * UNIT / DT_NS), capped at
 * UINT32_MAX; 0 when DT_NS is 0. */
static uint32_t scaled(uint64_t n, uint64_t unit, uint64_t dt_ns)
{
    if (!dt_ns)
        return 0;
    unsigned __int128 r = (unsigned __int128)n * unit / dt_ns;
    return r > UINT32_MAX ? UINT32_MAX : (uint32_t)r;
}

bool metrics_rates(const struct metrics_actor *a, uint64_t window_ns, struct metrics_rates *r)
{
    memset(r, 0, sizeof(*r));
    if (!a || !a->count)
        return false;
    const struct metrics_sample *last = back(a, 0), *first = last;
    uint32_t max = last->mailbox_depth;
    for (unsigned k = 1; k < a->count; k++) {
        const struct metrics_sample *s = back(a, k);
        if (delta(s->time_ns, last->time_ns) > window_ns)
            break;
        first = s;
        max = s->mailbox_depth > max ? s->mailbox_depth : max;
    }
    uint64_t dt = delta(first->time_ns, last->time_ns);
    r->window_ns = dt;
    r->cpu_permille = scaled(delta(first->cpu_ns, last->cpu_ns), 1000, dt);
    r->msgs_in_per_s = scaled(delta(first->msgs_received, last->msgs_received), SECOND, dt);
    r->msgs_out_per_s = scaled(delta(first->msgs_sent, last->msgs_sent), SECOND, dt);
    r->syscalls_per_s = scaled(delta(first->syscalls, last->syscalls), SECOND, dt);
    uint64_t faults = delta(first->faults, last->faults);
    r->faults = faults > UINT32_MAX ? UINT32_MAX : (uint32_t)faults;
    r->mailbox_depth = last->mailbox_depth;
    r->mailbox_max = max;
    r->pages = last->pages;
    return true;
}
