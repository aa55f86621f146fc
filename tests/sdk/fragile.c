/*
 * fragile.c: a test service for the learning supervisor. While it runs it
 * holds a lease in the kv server, renewed every 50 ms and good for 400 ms,
 * as a lock file or a port in TIME_WAIT would be; and it will not run
 * while the lease of an instance before it is still good: it crashes as it
 * starts. So a restart at once after a crash fails, and a restart that
 * waits for the lease to lapse works. The supervisor has to learn that
 * (tests/test_learning.py).
 */
#include "kv.h"
#include <stdio.h>

#define LEASE_KEY 0x1EA5EULL
#define LEASE_NS  400000000ULL
#define RENEW_NS  50000000ULL
#define RENEW_BIT 1ULL

static struct actor_service kv = KV_SERVICE;

static void renew(void)
{
    struct kv_pair p = { LEASE_KEY, clk_clock_ns() };
    actor_call_service(&kv, KV_PUT, &p, sizeof(p), NULL, NULL);
    actor_timer(RENEW_NS, RENEW_BIT);
}

static long init(int argc, char **argv)
{
    (void)argc, (void)argv;
    uint64_t key = LEASE_KEY, held = 0;
    size_t len = sizeof(held);
    long r = actor_call_service(&kv, KV_GET, &key, sizeof(key), &held, &len);
    uint64_t now = clk_clock_ns();
    if (r == 0 && held && now - held < LEASE_NS) {
        printf("fragile: the last instance's lease is still held (%lu ms old): crashing\n",
               (unsigned long)((now - held) / 1000000));
        fflush(stdout);
        *(volatile int *)0 = 1;
    }
    renew();
    printf("fragile: running; lease taken\n");
    fflush(stdout);
    return 0;
}

static void notified(uint64_t bits)
{
    if (bits & RENEW_BIT)
        renew();
}

const struct actor_def actor = { .init = init, .notified = notified };
