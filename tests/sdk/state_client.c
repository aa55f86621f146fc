/*
 * state_client.c: a live update by hand. Slot 1 and slot 2 are unbadged
 * (control) capabilities, with GRANT, to two kv instances: the first gets keys, hands
 * its state over (ACTOR_CTL_SAVE) and stops; the second restores it.
 */
#include "kv.h"
#include <stdio.h>

static long get(long kv, uint64_t key, uint64_t *value)
{
    size_t len = sizeof(*value);
    *value = 0;
    return actor_call(kv, KV_GET, &key, sizeof(key), value, &len);
}

int main(void)
{
    struct kv_pair a = { 42, 4242 }, b = { 7, 77 };
    actor_call(1, KV_PUT, &a, sizeof(a), NULL, NULL);
    actor_call(1, KV_PUT, &b, sizeof(b), NULL, NULL);
    printf("state_client: ping the old instance -> %ld\n",
           actor_call(1, ACTOR_CTL_PING, NULL, 0, NULL, NULL));

    uint64_t len = 0, v;
    size_t n = sizeof(len);
    long mem = 0;
    long r = actor_call_cap(1, ACTOR_CTL_SAVE, NULL, 0, 0, &len, &n, &mem);
    printf("state_client: save -> %ld, %lu bytes, a memory object: %s\n", r, (unsigned long)len,
           mem > 0 ? "yes" : "no");
    printf("state_client: the old instance after handing over -> %ld\n", get(1, 42, &v));

    printf("state_client: restore without the object -> %ld\n",
           actor_call(2, ACTOR_CTL_RESTORE, &len, sizeof(len), NULL, NULL));
    uint64_t bad = ACTOR_STATE_MAX + 1;
    printf("state_client: restore of too many bytes -> %ld\n",
           actor_call_cap(2, ACTOR_CTL_RESTORE, &bad, sizeof(bad), mem, NULL, NULL, NULL));
    printf("state_client: restore -> %ld\n",
           actor_call_cap(2, ACTOR_CTL_RESTORE, &len, sizeof(len), mem, NULL, NULL, NULL));
    r = get(2, 42, &v);
    printf("state_client: the new instance: get 42 -> %ld, %lu\n", r, (unsigned long)v);
    r = get(2, 7, &v);
    printf("state_client: the new instance: get 7 -> %ld, %lu\n", r, (unsigned long)v);
    return 0;
}
