/*
 * proxy.c: registers as "proxy" and forwards gets to "kv". Each request is
 * handled on a fiber, so while one waits for kv the proxy answers others:
 * PROXY_PING says how many fibers wait right now.
 */
#include "kv.h"
#include <stdio.h>

enum { PROXY_GATED_GET = 1, PROXY_PING = 2 };

static struct actor_service kv = KV_SERVICE;

static void gated_get(struct actor_req *req)
{
    uint64_t value = 0;
    size_t len = sizeof(value);
    long r = actor_call_service(&kv, KV_GATED_GET, req->data, req->len, &value, &len);
    actor_reply(req, r, &value, sizeof(value));
}

static void ping(struct actor_req *req)
{
    uint64_t waiting = actor_fibers_waiting();
    actor_reply(req, 0, &waiting, sizeof(waiting));
}

static const struct actor_handler handlers[] = {
    { PROXY_GATED_GET, sizeof(uint64_t), sizeof(uint64_t), gated_get },
    { PROXY_PING, 0, 0, ping },
    { 0, 0, 0, NULL },
};

int main(void)
{
    struct actor_def def = { .handlers = handlers };
    printf("proxy: cannot serve: %ld\n", actor_serve_named("proxy", &def));
    return 1;
}
