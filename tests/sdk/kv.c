/*
 * kv.c: a key-value server on the libactor runtime, built against the SDK,
 * speaking the protocol of kv.h. How it starts depends on its argument:
 *   (none)    serve the endpoint it was given in slot 1
 *   named     register as "kv" (the registry is slot 1) and serve
 *   standby   wait until the registered "kv" dies, then take its place
 * and, started by the supervisor (ACTOR_ENDPOINT), it serves as a service.
 * It hands its table over for a live update (save_state/restore_state).
 */
#include "kv.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 64
static struct kv_pair table[SLOTS];
static uint64_t used, watchers;
static long slow_token, gate_token;
static uint64_t slow_key, gate_key;
static int standby;

static struct kv_pair *find(uint64_t key)
{
    for (uint64_t i = 0; i < used; i++)
        if (table[i].key == key)
            return &table[i];
    return NULL;
}

static void put(struct actor_req *req)
{
    const struct kv_pair *p = req->data;
    struct kv_pair *slot = find(p->key);
    if (!slot && used == SLOTS) {
        actor_reply(req, CLK_ENOMEM, NULL, 0);
        return;
    }
    if (!slot)
        slot = &table[used++];
    *slot = *p;
    actor_reply(req, 0, NULL, 0);
}

/* Answer a get of KEY, now (REQ) or later (TOKEN). */
static void answer_get(struct actor_req *req, long token, uint64_t key)
{
    const struct kv_pair *p = find(key);
    long status = p ? 0 : CLK_ENOENT;
    if (req)
        actor_reply(req, status, p ? &p->value : NULL, p ? sizeof(p->value) : 0);
    else
        actor_reply_later(token, status, p ? &p->value : NULL, p ? sizeof(p->value) : 0);
}

static void get(struct actor_req *req)
{
    uint64_t key = *(const uint64_t *)req->data;
    if (key == KV_CRASH_KEY && !standby) {
        printf("kv: crashing in the middle of a request\n");
        fflush(stdout);
        *(volatile int *)0 = 1;
    }
    answer_get(req, 0, key);
}

static void slow_get(struct actor_req *req)
{
    slow_key = *(const uint64_t *)req->data;
    slow_token = actor_defer(req);
    actor_timer(20000000, 1);
}

static void notified(uint64_t bits)
{
    if (bits & 1)
        answer_get(NULL, slow_token, slow_key);
}

static void echo(struct actor_req *req)
{
    actor_reply(req, 0, req->data, req->len);
}

static void quit(struct actor_req *req)
{
    (void)req;
    printf("kv: told to quit\n");
    exit(0);
}

static void watch(struct actor_req *req)
{
    if (actor_defer(req) > 0) /* kept until the server dies */
        watchers++;
}

static void stats(struct actor_req *req)
{
    struct kv_stats s = { used, watchers, gate_token > 0 };
    actor_reply(req, 0, &s, sizeof(s));
}

static void gated_get(struct actor_req *req)
{
    gate_key = *(const uint64_t *)req->data;
    gate_token = actor_defer(req);
}

static void open_gate(struct actor_req *req)
{
    if (gate_token > 0)
        answer_get(NULL, gate_token, gate_key);
    gate_token = 0;
    actor_reply(req, 0, NULL, 0);
}

static void mailbox(struct actor_req *req)
{
    static long cap; /* a send capability, kept: each reply carries a copy */
    long mb = actor_mailbox(8);
    if (!cap && mb > 0)
        cap = clk_cap_mint(mb, CLK_RIGHT_SEND, 0);
    long err = mb < 0 ? mb : cap < 0 ? cap : 0;
    actor_reply_cap(req, err, NULL, 0, err ? 0 : cap);
}

static long save_state(void *buf, size_t size)
{
    size_t n = sizeof(used) + used * sizeof(table[0]);
    if (n > size)
        return CLK_ERANGE;
    memcpy(buf, &used, sizeof(used));
    memcpy((char *)buf + sizeof(used), table, used * sizeof(table[0]));
    return (long)n;
}

static long restore_state(const void *buf, size_t len)
{
    uint64_t n;
    if (len < sizeof(n))
        return CLK_EINVAL;
    memcpy(&n, buf, sizeof(n));
    if (n > SLOTS || len != sizeof(n) + n * sizeof(table[0]))
        return CLK_EINVAL;
    used = n;
    memcpy(table, (const char *)buf + sizeof(n), n * sizeof(table[0]));
    printf("kv: restored %lu keys\n", (unsigned long)used);
    return 0;
}

static const struct actor_handler handlers[] = {
    { KV_PUT, sizeof(struct kv_pair), sizeof(struct kv_pair), put },
    { KV_GET, sizeof(uint64_t), sizeof(uint64_t), get },
    { KV_SLOW_GET, sizeof(uint64_t), sizeof(uint64_t), slow_get },
    { KV_ECHO, 1, CLK_MSG_MAX, echo },
    { KV_QUIT, 0, 0, quit },
    { KV_WATCH, 0, 0, watch },
    { KV_STATS, 0, 0, stats },
    { KV_GATED_GET, sizeof(uint64_t), sizeof(uint64_t), gated_get },
    { KV_OPEN_GATE, 0, 0, open_gate },
    { KV_MAILBOX, 0, 0, mailbox },
    { 0, 0, 0, NULL },
};

static const struct actor_def def = {
    .handlers = handlers,
    .notified = notified,
    .save_state = save_state,
    .restore_state = restore_state,
};

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    long err;
    if (!strcmp(mode, "standby")) {
        standby = 1;
        long kv = actor_lookup("kv", CLK_FOREVER);
        err = kv < 0 ? kv : actor_call(kv, KV_WATCH, NULL, 0, NULL, NULL);
        printf("kv: standby: the server is gone (%ld); taking over\n", err);
        fflush(stdout);
        err = actor_serve_named("kv", &def);
    } else if (!strcmp(mode, "named")) {
        err = actor_serve_named("kv", &def);
    } else if (getenv("ACTOR_ENDPOINT")) { /* a service of the supervisor's */
        return (int)actor_main(&def, argc, argv);
    } else {
        err = clk_ncaps == 1 ? actor_serve(1, &def) : CLK_EBADF;
    }
    if (err == 0) {
        printf("kv: state handed over; exiting\n");
        return 0;
    }
    printf("kv: cannot serve: %ld\n", err);
    return 1;
}
