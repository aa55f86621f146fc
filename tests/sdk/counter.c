/*
 * counter.c: the supervisor's test service (protocol: counter.h), started
 * from a manifest and served by libactor's own main(). It keeps a total,
 * hands it over in a live update, and says which version it is: the build
 * makes counter (1), counter2 (2) and counter_bad (3, which cannot restore),
 * and, for updates that go wrong, counter_crashinit (crashes as it starts),
 * counter_hanginit (never gets past its start), counter_crashsave (crashes
 * as it saves), counter_hangrestore (spins forever as it restores) and
 * counter_nohooks (no state transfer at all).
 */
#include "counter.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef COUNTER_BUILD
#define COUNTER_BUILD 1 /* the version this binary says it is */
#endif

static uint64_t total;
static const char *me = "counter";

static void add(struct actor_req *req)
{
    total += *(const uint64_t *)req->data;
    actor_reply(req, 0, &total, sizeof(total));
}

static void get(struct actor_req *req)
{
    actor_reply(req, 0, &total, sizeof(total));
}

static void read_file(struct actor_req *req)
{
    const struct counter_read *r = req->data;
    static uint8_t buf[4096];
    if (r->len > sizeof(buf)) {
        actor_reply(req, CLK_EINVAL, NULL, 0);
        return;
    }
    for (uint64_t i = 0; i < r->len; i++)
        buf[i] = counter_file_byte(r->offset + i);
    actor_reply(req, 0, buf, r->len);
}

static void version(struct actor_req *req)
{
    uint32_t v = COUNTER_BUILD;
    actor_reply(req, 0, &v, sizeof(v));
}

__attribute__((unused)) static long save_state(void *buf, size_t size)
{
#ifdef COUNTER_CRASH_SAVE
    printf("%s: crashing while it saves\n", me);
    fflush(stdout);
    *(volatile int *)0 = 1;
#endif
    if (size < sizeof(total))
        return CLK_ERANGE;
    memcpy(buf, &total, sizeof(total));
    return sizeof(total);
}

__attribute__((unused)) static long restore_state(const void *buf, size_t len)
{
#ifdef COUNTER_HANG_RESTORE
    printf("%s: version %d hangs as it restores\n", me, COUNTER_BUILD);
    fflush(stdout);
    for (;;)
        __asm__ volatile("pause");
#endif
#ifdef COUNTER_BAD_RESTORE
    (void)buf, (void)len;
    printf("%s: version %d cannot restore\n", me, COUNTER_BUILD);
    return CLK_EINVAL;
#else
    if (len != sizeof(total))
        return CLK_EINVAL;
    memcpy(&total, buf, sizeof(total));
    printf("%s: version %d restored the total %lu\n", me, COUNTER_BUILD, (unsigned long)total);
    return 0;
#endif
}

static void dependency_failed(const char *name)
{
    printf("%s: told that %s failed\n", me, name);
}

static long init(int argc, char **argv)
{
    (void)argc;
    me = getenv("CLK_SERVICE") ? getenv("CLK_SERVICE") : argv[0];
    printf("%s: version %d starts\n", me, COUNTER_BUILD);
#ifdef COUNTER_CRASH_INIT
    fflush(stdout);
    *(volatile int *)0 = 1;
#endif
#ifdef COUNTER_HANG_INIT
    for (;;) /* waiting for something that never comes */
        clk_sleep_ns(1000000000ULL);
#endif
    return 0;
}

static const struct actor_handler handlers[] = {
    { COUNTER_ADD, sizeof(uint64_t), sizeof(uint64_t), add },
    { COUNTER_GET, 0, 0, get },
    { COUNTER_READ, sizeof(struct counter_read), sizeof(struct counter_read), read_file },
    { COUNTER_VERSION, 0, 0, version },
    { 0, 0, 0, NULL },
};

const struct actor_def actor = {
    .name = "counter",
    .handlers = handlers,
#ifndef COUNTER_NO_HOOKS
    .save_state = save_state,
    .restore_state = restore_state,
#endif
    .dependency_failed = dependency_failed,
    .init = init,
};
