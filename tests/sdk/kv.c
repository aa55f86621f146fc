/*
 * kv.c: a key-value server on the libactor runtime, built against the
 * SDK. Its protocol is the table below: PUT and GET of 64-bit keys and
 * values, a SLOW_GET answered 20 ms later (a deferred reply and a timer),
 * ECHO of up to 4 KiB, and QUIT, which ends the server without answering.
 */
#include <actor/actor.h>
#include <stdio.h>
#include <stdlib.h>

enum { KV_PUT = 1, KV_GET = 2, KV_SLOW_GET = 3, KV_ECHO = 4, KV_QUIT = 5 };
struct kv_pair {
    uint64_t key, value;
};

#define SLOTS 64
static struct kv_pair table[SLOTS];
static int used;
static long slow_token;
static uint64_t slow_key;

static struct kv_pair *find(uint64_t key)
{
    for (int i = 0; i < used; i++)
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

static void get(struct actor_req *req)
{
    const struct kv_pair *p = find(*(const uint64_t *)req->data);
    if (p)
        actor_reply(req, 0, &p->value, sizeof(p->value));
    else
        actor_reply(req, CLK_ENOENT, NULL, 0);
}

static void slow_get(struct actor_req *req)
{
    slow_key = *(const uint64_t *)req->data;
    slow_token = actor_defer(req);
    actor_timer(20000000, 1);
}

static void notified(uint64_t bits)
{
    (void)bits;
    const struct kv_pair *p = find(slow_key);
    uint64_t value = p ? p->value : 0;
    actor_reply_later(slow_token, p ? 0 : CLK_ENOENT, &value, p ? sizeof(value) : 0);
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

static const struct actor_handler handlers[] = {
    { KV_PUT, sizeof(struct kv_pair), sizeof(struct kv_pair), put },
    { KV_GET, sizeof(uint64_t), sizeof(uint64_t), get },
    { KV_SLOW_GET, sizeof(uint64_t), sizeof(uint64_t), slow_get },
    { KV_ECHO, 1, CLK_MSG_MAX, echo },
    { KV_QUIT, 0, 0, quit },
    { 0, 0, 0, NULL },
};

int main(void)
{
    struct actor_def def = { handlers, notified };
    long err = clk_ncaps == 1 ? actor_serve(1, &def) : CLK_EBADF;
    printf("kv: cannot serve: %ld\n", err);
    return 1;
}
