/*
 * kv_client.c: uses kv.c's protocol through actor_call and prints what
 * each request got, including malformed ones and a call after the server
 * has gone.
 */
#include "kv.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

static long get(unsigned type, uint64_t key, uint64_t *value)
{
    size_t len = sizeof(*value);
    *value = 0;
    return actor_call(1, type, &key, sizeof(key), value, &len);
}

int main(void)
{
    uint64_t v;
    struct kv_pair p = { 42, 4242 };
    printf("kv_client: put -> %ld\n", actor_call(1, KV_PUT, &p, sizeof(p), NULL, NULL));
    long r = get(KV_GET, 42, &v);
    printf("kv_client: get 42 -> %ld, %lu\n", r, (unsigned long)v);
    r = get(KV_GET, 7, &v);
    printf("kv_client: get 7 -> %ld\n", r);
    printf("kv_client: unknown type -> %ld\n", actor_call(1, 99, NULL, 0, NULL, NULL));
    printf("kv_client: put of 3 bytes -> %ld\n", actor_call(1, KV_PUT, "abc", 3, NULL, NULL));
    printf("kv_client: a control request from a client -> %ld\n",
           actor_call(1, ACTOR_CTL_SAVE, NULL, 0, NULL, NULL));

    static char out[3000], back[3000];
    for (size_t i = 0; i < sizeof(out); i++)
        out[i] = (char)(i * 7);
    size_t len = sizeof(back);
    r = actor_call(1, KV_ECHO, out, sizeof(out), back, &len);
    printf("kv_client: echo of 3000 bytes -> %ld, %zu bytes, same %d\n", r, len,
           memcmp(out, back, sizeof(out)) == 0);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = get(KV_SLOW_GET, 42, &v);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    printf("kv_client: slow get 42 -> %ld, %lu, after 20 ms or more: %s\n", r, (unsigned long)v,
           ms >= 20 ? "yes" : "no");

    r = get(KV_GET, 42, &v);
    printf("kv_client: the server still serves: get 42 -> %ld, %lu\n", r, (unsigned long)v);
    long mb = 0;
    r = actor_call_cap(1, KV_MAILBOX, NULL, 0, 0, NULL, NULL, &mb);
    struct kv_pair one_way = { 9, 99 };
    long sent = actor_send(mb, KV_PUT, &one_way, sizeof(one_way));
    long bad = actor_send(mb, KV_PUT, "abc", 3); /* dropped by the loop: a bad size */
    int calls = 0;
    do /* the mailbox and the endpoint are served in turn: wait for it */
        r = get(KV_GET, 9, &v);
    while (r == CLK_ENOENT && ++calls < 1000);
    printf("kv_client: mailbox %s; one-way put -> %ld, a malformed one -> %ld; then get 9 -> %ld, "
           "%lu\n",
           mb > 0 ? "given" : "missing", sent, bad, r, (unsigned long)v);
    printf("kv_client: quit -> %ld\n", actor_call(1, KV_QUIT, NULL, 0, NULL, NULL));
    printf("kv_client: after it is gone -> %ld\n", get(KV_GET, 42, &v));
    return 0;
}
