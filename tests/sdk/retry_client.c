/*
 * retry_client.c: calls "kv" by name through actor_call_service while the
 * server dies under it. A standby takes the name over; idempotent
 * requests reach it without the client seeing the death, others report it.
 */
#include "kv.h"
#include <stdio.h>

static struct actor_service kv = KV_SERVICE;

static long get(uint64_t key, uint64_t *value)
{
    size_t len = sizeof(*value);
    *value = 0;
    return actor_call_service(&kv, KV_GET, &key, sizeof(key), value, &len);
}

int main(void)
{
    struct kv_pair p = { 42, 4242 };
    uint64_t v;
    long r = actor_call_service(&kv, KV_PUT, &p, sizeof(p), NULL, NULL);
    printf("retry_client: put 42 -> %ld (registration %lu)\n", r, (unsigned long)kv.serial);

    /* Until the standby watches the server, a death would go unanswered. */
    struct kv_stats s = { 0, 0, 0 };
    for (int i = 0; i < 5000 && !s.watchers; i++) {
        size_t len = sizeof(s);
        actor_call_service(&kv, KV_STATS, NULL, 0, &s, &len);
        if (!s.watchers)
            clk_sleep_ns(1000000);
    }
    printf("retry_client: the standby watches: %s\n", s.watchers ? "yes" : "no");

    r = get(KV_CRASH_KEY, &v);
    printf("retry_client: a get the server crashes on -> %ld, answered by registration %lu\n", r,
           (unsigned long)kv.serial);
    r = get(42, &v);
    printf("retry_client: get 42 from the new instance -> %ld (its state was lost)\n", r);
    printf("retry_client: quit, which is not idempotent -> %ld\n",
           actor_call_service(&kv, KV_QUIT, NULL, 0, NULL, NULL));
    kv.wait_ns = 100000000;
    printf("retry_client: get with no server left -> %ld\n", get(42, &v));
    return 0;
}
