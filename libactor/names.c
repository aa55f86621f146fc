/*
 * names.c: the name registry's server side (see actor/names.h). A table of
 * names, each with a capability to its server, the badge that owns it and
 * a serial number that grows with every registration; and the lookups
 * waiting for a name, answered by deferred replies.
 */
#include <actor/names.h>

#define memcpy __builtin_memcpy

#define NAMES_MAX   64
#define WAITERS_MAX 64

static struct entry {
    char name[ACTOR_NAME_MAX];
    long cap; /* 0: the entry is free */
    uint64_t owner, serial;
} entries[NAMES_MAX];
static uint64_t last_serial;

static struct waiter {
    struct names_req q;
    long token; /* 0: the waiter is free */
    uint64_t deadline;
} waiters[WAITERS_MAX];

/* REQ's payload, when its name is a proper one (not empty, NUL-ended). */
static const struct names_req *request(struct actor_req *req)
{
    const struct names_req *q = req->data;
    for (unsigned i = 0; i < ACTOR_NAME_MAX; i++)
        if (!q->name[i])
            return i ? q : NULL;
    return NULL;
}

/* Names are NUL-terminated within ACTOR_NAME_MAX bytes; what follows the
 * NUL does not count. */
static bool same_name(const char *a, const char *b)
{
    for (unsigned i = 0; i < ACTOR_NAME_MAX; i++) {
        if (a[i] != b[i])
            return false;
        if (!a[i])
            return true;
    }
    return true;
}

static struct entry *find(const char *name)
{
    for (unsigned i = 0; i < NAMES_MAX; i++)
        if (entries[i].cap && same_name(entries[i].name, name))
            return &entries[i];
    return NULL;
}

static void arm_timer(void)
{
    uint64_t first = CLK_FOREVER, now = clk_clock_ns();
    for (unsigned i = 0; i < WAITERS_MAX; i++)
        if (waiters[i].token && waiters[i].deadline < first)
            first = waiters[i].deadline;
    if (first != CLK_FOREVER)
        actor_timer(first > now ? first - now : 1, NAMES_TIMER_BIT);
}

/* Enter NAME (ACTOR_NAME_MAX bytes, NUL-terminated) for CAP, owned by
 * OWNER, and answer the lookups waiting for it. Returns the serial, or
 * CLK_EEXIST (another owner's) or CLK_ENOMEM; CAP is kept only on success. */
static long enter(const char *name, long cap, uint64_t owner)
{
    struct entry *e = find(name);
    if (e && e->owner != owner)
        return CLK_EEXIST;
    for (unsigned i = 0; !e && i < NAMES_MAX; i++)
        if (!entries[i].cap)
            e = &entries[i];
    if (!e)
        return CLK_ENOMEM;
    if (e->cap)
        clk_cap_delete(e->cap); /* the instance before: dead, or being replaced */
    memcpy(e->name, name, ACTOR_NAME_MAX);
    e->cap = cap;
    e->owner = owner;
    e->serial = ++last_serial;
    for (unsigned i = 0; i < WAITERS_MAX; i++) {
        struct waiter *w = &waiters[i];
        if (w->token && same_name(w->q.name, e->name) && e->serial > w->q.newer_than) {
            actor_reply_later_cap(w->token, 0, &e->serial, sizeof(e->serial), e->cap);
            w->token = 0;
        }
    }
    return (long)e->serial;
}

long names_publish(const char *name, long cap, uint64_t owner)
{
    char padded[ACTOR_NAME_MAX] = { 0 };
    unsigned n = 0;
    while (name[n] && n < ACTOR_NAME_MAX)
        n++;
    if (n == 0 || n == ACTOR_NAME_MAX)
        return CLK_EINVAL;
    memcpy(padded, name, n);
    return enter(padded, cap, owner);
}

static void register_name(struct actor_req *req)
{
    const struct names_req *q = request(req);
    if (!q || !req->cap) {
        actor_reply(req, CLK_EINVAL, NULL, 0);
        return;
    }
    char name[ACTOR_NAME_MAX] = { 0 };
    for (unsigned i = 0; q->name[i]; i++)
        name[i] = q->name[i]; /* the bytes after the NUL are the client's */
    long serial = enter(name, req->cap, req->badge);
    if (serial > 0)
        req->cap = 0; /* kept */
    uint64_t reply = (uint64_t)serial;
    actor_reply(req, serial < 0 ? serial : 0, &reply, serial < 0 ? 0 : sizeof(reply));
}

static void lookup_name(struct actor_req *req)
{
    const struct names_req *q = request(req);
    struct entry *e = q ? find(q->name) : NULL;
    if (!q) {
        actor_reply(req, CLK_EINVAL, NULL, 0);
    } else if (e && e->serial > q->newer_than) {
        actor_reply_cap(req, 0, &e->serial, sizeof(e->serial), e->cap);
    } else if (!q->wait_ns) {
        actor_reply(req, CLK_ENOENT, NULL, 0);
    } else {
        struct waiter *w = NULL;
        for (unsigned i = 0; !w && i < WAITERS_MAX; i++)
            if (!waiters[i].token)
                w = &waiters[i];
        long token = w ? actor_defer(req) : CLK_ENOMEM;
        if (token < 0) {
            actor_reply(req, token, NULL, 0);
            return;
        }
        uint64_t now = clk_clock_ns();
        w->q = *q;
        w->token = token;
        w->deadline = q->wait_ns >= CLK_FOREVER - now ? CLK_FOREVER : now + q->wait_ns;
        arm_timer();
    }
}

static void unregister_name(struct actor_req *req)
{
    const struct names_req *q = request(req);
    struct entry *e = q ? find(q->name) : NULL;
    if (!q)
        actor_reply(req, CLK_EINVAL, NULL, 0);
    else if (!e)
        actor_reply(req, CLK_ENOENT, NULL, 0);
    else if (e->owner != req->badge)
        actor_reply(req, CLK_EPERM, NULL, 0);
    else {
        clk_cap_delete(e->cap);
        e->cap = 0;
        actor_reply(req, 0, NULL, 0);
    }
}

void names_notified(uint64_t bits)
{
    if (!(bits & NAMES_TIMER_BIT))
        return;
    uint64_t now = clk_clock_ns();
    for (unsigned i = 0; i < WAITERS_MAX; i++) {
        struct waiter *w = &waiters[i];
        if (w->token && w->deadline <= now) {
            actor_reply_later(w->token, CLK_ETIMEDOUT, NULL, 0);
            w->token = 0;
        }
    }
    arm_timer();
}

const struct actor_handler names_handlers[] = {
    { NAMES_REGISTER, sizeof(struct names_req), sizeof(struct names_req), register_name },
    { NAMES_LOOKUP, sizeof(struct names_req), sizeof(struct names_req), lookup_name },
    { NAMES_UNREGISTER, sizeof(struct names_req), sizeof(struct names_req), unregister_name },
    { 0, 0, 0, NULL },
};
