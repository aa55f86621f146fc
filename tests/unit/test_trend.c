/*
 * test_trend.c: failure prediction by resource trend
 * (servers/supervisor/trend.c). Simulated heaps are sampled every 100 ms
 * as the supervisor does: leaks of several rates must be foreseen within
 * TREND_HORIZON_NS and before they reach the quota (the lead times are
 * printed: docs/supervisor.md quotes them); heaps that grow and shrink,
 * fill a cache, stay flat or jitter must not be; and the edge cases.
 */
#include "trend.h"
#include <math.h>
#include <unit.h>

#define MS 1000000ULL

static uint64_t rng = 88172645463325252ULL;

/* xorshift64: 0..N-1. */
static uint64_t below(uint64_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng % n;
}

/* The heaps, in pages at T ms. */
static uint64_t leak_fast(uint64_t t) /* 1 s flat, then 16 pages every 10 ms */
{
    return 300 + below(4) + (t < 1000 ? 0 : 16 * ((t - 1000) / 10));
}

static uint64_t leak_at_start(uint64_t t) /* the same from the start */
{
    return 300 + below(4) + 16 * (t / 10);
}

static uint64_t leak_slow(uint64_t t) /* 1 s flat, then 4 pages every 80 ms: 50/s */
{
    return 100 + (t < 1000 ? 0 : 4 * ((t - 1000) / 80));
}

static uint64_t leak_noisy(uint64_t t) /* 200 pages/s under +-16 pages of noise */
{
    return 1000 + t / 5 + below(33) - 16;
}

static uint64_t saw_slow(uint64_t t) /* 1000 pages/s for 2 s, then all freed */
{
    return 1000 + t % 2000;
}

static uint64_t saw_fast(uint64_t t) /* 1000 pages/s for 0.5 s, then all freed */
{
    return 1000 + t % 500;
}

static uint64_t plateau(uint64_t t) /* a cache filling to 4000 pages */
{
    return 300 + (uint64_t)(3700 * (1 - exp(-(double)t / 1000)));
}

static uint64_t plateau_fast(uint64_t t) /* to 6000 pages, 11000 pages/s at first */
{
    return 500 + (uint64_t)(5500 * (1 - exp(-(double)t / 500)));
}

static uint64_t flat(uint64_t t)
{
    (void)t;
    return 500;
}

static uint64_t noisy(uint64_t t) /* 2000 pages +-200 */
{
    (void)t;
    return 1800 + below(401);
}

/* Sample HEAP every 100 ms for up to SECONDS against QUOTA. Returns the
 * time (ms) of the first forecast within TREND_HORIZON_NS, or 0; *F: its
 * forecast; *SEEN: the time of the first forecast at all (0: none); *OUT:
 * when the heap reached the quota (0: never; it stops there). */
static uint64_t first_due(uint64_t (*heap)(uint64_t), uint64_t quota, unsigned seconds,
                          struct trend_forecast *f, uint64_t *seen, uint64_t *out)
{
    struct trend t;
    struct trend_forecast now;
    uint64_t due = 0;
    trend_reset(&t);
    *seen = *out = 0;
    for (uint64_t ms = 0; ms <= seconds * 1000ULL; ms += 100) {
        uint64_t pages = heap(ms);
        trend_add(&t, ms * MS, pages);
        bool leak = trend_predict(&t, quota, &now);
        if (leak && !*seen)
            *seen = ms;
        if (leak && !due && now.exhaust_ns < TREND_HORIZON_NS) {
            due = ms;
            *f = now;
        }
        if (pages >= quota) {
            *out = ms;
            break;
        }
    }
    return due;
}

static void test_leaks_are_foreseen(void)
{
    static const struct {
        const char *name;
        uint64_t (*heap)(uint64_t);
        uint64_t quota;
    } leaks[] = {
        { "1600 pages/s after 1 s", leak_fast, 8192 },
        { "1600 pages/s from the start", leak_at_start, 8192 },
        { "50 pages/s to 512", leak_slow, 512 },
        { "200 pages/s +-16 to 8192", leak_noisy, 8192 },
    };
    for (unsigned i = 0; i < sizeof(leaks) / sizeof(leaks[0]); i++) {
        struct trend_forecast f;
        uint64_t seen, out, due = first_due(leaks[i].heap, leaks[i].quota, 120, &f, &seen, &out);
        char why[96];
        trend_explain(&f, why, sizeof(why));
        printf("  leak %s: seen %.1f s and due %.1f s before the quota (at %.1f s): %s\n",
               leaks[i].name, (out - seen) / 1000.0, (out - due) / 1000.0, out / 1000.0, why);
        CHECK(seen && due && out && seen <= due && due < out);
        CHECK(out - due >= 2000); /* room to restart */
        CHECK(f.r2 >= TREND_MIN_R2 && f.slope > TREND_MIN_SLOPE);
    }
}

static void test_no_leaks(void)
{
    static const struct {
        const char *name;
        uint64_t (*heap)(uint64_t);
    } heaps[] = {
        { "sawtooth 2 s", saw_slow },
        { "sawtooth 0.5 s", saw_fast },
        { "plateau 4000", plateau },
        { "plateau 6000", plateau_fast },
        { "flat", flat },
        { "noisy", noisy },
    };
    for (unsigned i = 0; i < sizeof(heaps) / sizeof(heaps[0]); i++) {
        struct trend_forecast f;
        uint64_t seen, out, due = first_due(heaps[i].heap, 8192, 600, &f, &seen, &out);
        printf("  %s: %s\n", heaps[i].name,
               due    ? "due"
               : seen ? "a leak, but not due"
                      : "not a leak");
        CHECK(!due && !out);
    }
}

static void test_edges(void)
{
    struct trend t;
    struct trend_forecast f;
    char why[96];
    trend_reset(&t);
    CHECK(!trend_predict(&t, 8192, &f)); /* no sample */
    CHECK(f.exhaust_ns == UINT64_MAX && f.slope == 0);
    trend_add(&t, 0, 300);
    CHECK(!trend_predict(&t, 8192, &f)); /* one */
    /* the same time again replaces; an older one is ignored */
    for (unsigned i = 0; i < 20; i++)
        trend_add(&t, 0, 300 + 100 * i);
    trend_add(&t, 5 * MS, 1);
    trend_add(&t, 1 * MS, 99999);
    CHECK_EQ(t.count, 2);
    CHECK(!trend_predict(&t, 8192, &f));
    /* enough samples, but not a long enough span */
    trend_reset(&t);
    for (uint64_t i = 0; i < 20; i++)
        trend_add(&t, i * 30 * MS, 300 + i * 100);
    CHECK(!trend_predict(&t, 8192, &f));
    /* a perfect line: 1600 pages/s, 20 samples, 2 s */
    trend_reset(&t);
    for (uint64_t i = 0; i < 20; i++)
        trend_add(&t, i * 100 * MS, 300 + i * 160);
    CHECK(trend_predict(&t, 8192, &f));
    CHECK(fabs(f.slope - 1600) < 1e-6 && fabs(f.r2 - 1) < 1e-9 && f.pages == 300 + 19 * 160);
    CHECK(f.exhaust_ns >= 30325 * MS / 10 - 1 &&
          f.exhaust_ns <= 30325 * MS / 10 + 1); /* 4852 left */
    trend_explain(&f, why, sizeof(why));
    CHECK_STR(why, "pages +1600/s (r2 1.00): 8192-page quota in 3.0 s");
    trend_explain(&f, why, 6);
    CHECK_STR(why, "pages");
    /* the quota already exceeded */
    CHECK(trend_predict(&t, 1000, &f) && f.exhaust_ns == 0);
    trend_explain(&f, why, sizeof(why));
    CHECK_STR(why, "pages +1600/s (r2 1.00): 1000-page quota reached");
    /* too slow to be a leak: 10 pages/s */
    trend_reset(&t);
    for (uint64_t i = 0; i < 30; i++)
        trend_add(&t, i * 100 * MS, 300 + i);
    CHECK(!trend_predict(&t, 8192, &f) && f.slope > 9 && f.slope < 11);
    trend_explain(&f, why, sizeof(why));
    CHECK_STR(why, "pages +10/s (r2 1.00): 8192-page quota not in sight");
    /* shrinking */
    trend_reset(&t);
    for (uint64_t i = 0; i < 30; i++)
        trend_add(&t, i * 100 * MS, 5000 - i * 100);
    CHECK(!trend_predict(&t, 8192, &f) && f.slope < 0);
    /* huge times and pages: no overflow, the same answer */
    trend_reset(&t);
    uint64_t t0 = UINT64_MAX - 10000 * MS, p0 = UINT64_MAX - 100000;
    for (uint64_t i = 0; i < 40; i++)
        trend_add(&t, t0 + i * 100 * MS, p0 + i * 160);
    CHECK_EQ(t.count, TREND_SAMPLES);
    CHECK(trend_predict(&t, UINT64_MAX, &f) && fabs(f.slope - 1600) < 1e-3);
    CHECK(f.exhaust_ns > 0 && f.exhaust_ns < 100 * 1000 * MS);
    trend_explain(&f, why, sizeof(why));
    printf("  huge: %s\n", why);
    CHECK(!trend_predict(&t, 0, &f) || f.exhaust_ns == 0);
    /* a crazy slope does not overflow the time to the quota */
    trend_reset(&t);
    for (uint64_t i = 0; i < 10; i++)
        trend_add(&t, i * 100 * MS, i * 20);
    CHECK(trend_predict(&t, UINT64_MAX, &f) && f.exhaust_ns == UINT64_MAX);
}

int main(void)
{
    RUN(test_leaks_are_foreseen);
    RUN(test_no_leaks);
    RUN(test_edges);
    return 0;
}
