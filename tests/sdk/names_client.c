/*
 * names_client.c: checks the name registry (slot 1, with badge 2) against
 * "kv", which another actor registers with badge 1.
 */
#include "kv.h"
#include <actor/names.h>
#include <stdio.h>
#include <time.h>

static long ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

int main(void)
{
    long r = actor_lookup("nobody", 0);
    printf("names_client: lookup of a missing name -> %ld (%s)\n", r, actor_strerror(r));
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = actor_lookup("nobody", 50000000);
    long ms = ms_since(&t0);
    printf("names_client: waiting 50 ms for it -> %ld, after 50 ms or more: %s\n", r,
           ms >= 50 ? "yes" : "no");
    printf("names_client: an empty name -> %ld\n", actor_lookup("", 0));
    printf("names_client: a name of 40 bytes -> %ld\n",
           actor_lookup("0123456789012345678901234567890123456789", 0));

    long kv = actor_lookup("kv", CLK_FOREVER);
    struct kv_pair p = { 1, 11 };
    printf("names_client: found kv: %s; put through it -> %ld\n", kv > 0 ? "yes" : "no",
           actor_call(kv, KV_PUT, &p, sizeof(p), NULL, NULL));

    long ep = clk_endpoint_create();
    printf("names_client: registering kv, owned by another -> %ld\n", actor_register("kv", ep));
    printf("names_client: registering mine -> %ld\n", actor_register("mine", ep));
    printf("names_client: registering mine again -> %ld\n", actor_register("mine", ep));
    long mine = actor_lookup("mine", 0);
    printf("names_client: lookup of mine -> a capability: %s\n", mine > 0 ? "yes" : "no");

    /* the raw protocol: malformed requests get errors, and the registry serves on */
    struct names_req q = { 0, 0, "mine" };
    printf("names_client: unregistering without a name -> %ld\n",
           actor_call(ACTOR_NAMES_SLOT, NAMES_UNREGISTER, "x", 1, NULL, NULL));
    printf("names_client: registering without a capability -> %ld\n",
           actor_call(ACTOR_NAMES_SLOT, NAMES_REGISTER, &q, sizeof(q), NULL, NULL));
    printf("names_client: unknown request -> %ld\n",
           actor_call(ACTOR_NAMES_SLOT, 77, &q, sizeof(q), NULL, NULL));
    printf("names_client: unregistering mine -> %ld\n",
           actor_call(ACTOR_NAMES_SLOT, NAMES_UNREGISTER, &q, sizeof(q), NULL, NULL));
    printf("names_client: lookup of mine now -> %ld\n", actor_lookup("mine", 0));
    return 0;
}
