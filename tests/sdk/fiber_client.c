/*
 * fiber_client.c: with the argument "get", asks the proxy for key 42,
 * which kv answers only when its gate opens; with "ping", pings the proxy
 * until it answers while that get waits, then opens the gate.
 */
#include "kv.h"
#include <stdio.h>
#include <string.h>

enum { PROXY_GATED_GET = 1, PROXY_PING = 2 };

int main(int argc, char **argv)
{
    long proxy = actor_lookup("proxy", CLK_FOREVER), kv = actor_lookup("kv", CLK_FOREVER);
    if (argc > 1 && !strcmp(argv[1], "get")) {
        struct kv_pair p = { 42, 4242 };
        actor_call(kv, KV_PUT, &p, sizeof(p), NULL, NULL);
        uint64_t key = 42, value = 0;
        size_t len = sizeof(value);
        long r = actor_call(proxy, PROXY_GATED_GET, &key, sizeof(key), &value, &len);
        printf("fiber_client: gated get through the proxy -> %ld, %lu\n", r, (unsigned long)value);
        return 0;
    }
    uint64_t waiting = 0;
    for (int i = 0; i < 5000; i++) {
        size_t len = sizeof(waiting);
        actor_call(proxy, PROXY_PING, NULL, 0, &waiting, &len);
        if (waiting)
            break;
        clk_sleep_ns(1000000); /* the get has not reached the proxy yet */
    }
    printf("fiber_client: the proxy answered a ping while %lu call(s) waited\n",
           (unsigned long)waiting);
    struct kv_stats s = { 0, 0, 0 };
    for (int i = 0; i < 5000 && !s.gated; i++) {
        size_t len = sizeof(s);
        actor_call(kv, KV_STATS, NULL, 0, &s, &len);
        if (!s.gated)
            clk_sleep_ns(1000000); /* the proxy's call is on its way */
    }
    printf("fiber_client: open the gate -> %ld\n",
           actor_call(kv, KV_OPEN_GATE, NULL, 0, NULL, NULL));
    return 0;
}
