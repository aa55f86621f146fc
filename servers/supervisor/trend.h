/*
 * trend.h: failure prediction by resource trend (docs/supervisor.md,
 * "Failure prediction"). The supervisor adds a service instance's pages
 * every METRICS_PERIOD_MS; a least-squares line through the last
 * TREND_SAMPLES says whether they grow steadily (a leak) and when they
 * will reach the quota. It makes no system calls, so it is unit-tested on
 * the host (tests/unit/test_trend.c).
 *
 * A trend is an instance's, not a service's: reset it when a new instance
 * starts, as a restart frees the pages.
 */
#ifndef SUPERVISOR_TREND_H
#define SUPERVISOR_TREND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TREND_SAMPLES     32        /* kept: 3.2 s at 100 ms */
#define TREND_MIN_SAMPLES 8         /* fewer cannot tell a leak from a burst */
#define TREND_MIN_SPAN_NS 700000000 /* nor can a shorter span: 0.7 s */
#define TREND_MIN_SLOPE   16.0      /* pages/s: less is no leak (64 KiB a second) */
#define TREND_MIN_R2      0.9       /* the line explains 90 % of the variance */
#define TREND_MIN_STEADY  0.75      /* the newer half grows at least 3/4 as fast as the older */

/*
 * Rejuvenate (restart or live-update the service) when the quota is
 * predicted to run out within this. A restart takes milliseconds, so 3 s
 * leaves a wide margin while the forecast, 3.2 s of history projected at
 * most 3 s ahead, is still close to what it has seen: a heap that is
 * merely filling a cache stops growing before a longer projection's end.
 */
#define TREND_HORIZON_NS 3000000000ULL

/* The last TREND_SAMPLES (time, pages) of one instance; all zeroes: none.
 * The oldest is at (head + TREND_SAMPLES - count) % TREND_SAMPLES. */
struct trend {
    unsigned head, count;
    uint64_t time_ns[TREND_SAMPLES];
    uint64_t pages[TREND_SAMPLES];
};

/* What trend_predict saw. */
struct trend_forecast {
    double slope;         /* pages per second */
    double r2;            /* the fit, 0..1 */
    uint64_t pages;       /* the newest sample */
    uint64_t quota_pages; /* as given */
    uint64_t exhaust_ns;  /* from the newest sample to the quota; 0: reached */
};

/* Forget all samples (a new instance). */
void trend_reset(struct trend *t);

/* Add PAGES at TIME_NS (monotonic). A time before the newest sample's is
 * ignored; an equal one replaces it. */
void trend_add(struct trend *t, uint64_t time_ns, uint64_t pages);

/* True when the pages grow steadily: TREND_MIN_SAMPLES over
 * TREND_MIN_SPAN_NS, more than TREND_MIN_SLOPE pages/s with R^2 at least
 * TREND_MIN_R2, and the newer half of the samples growing more than
 * TREND_MIN_SLOPE and at least TREND_MIN_STEADY times as fast as the
 * older half. *F then says when QUOTA_PAGES will be reached at the newer
 * half's rate (rejuvenate when before TREND_HORIZON_NS); it is filled in
 * either way, with the newer half's slope. */
bool trend_predict(const struct trend *t, uint64_t quota_pages, struct trend_forecast *f);

/* F in one line into BUF (SIZE bytes, NUL-terminated), e.g.
 * "pages +1600/s (r2 0.99): 8192-page quota in 3.1 s". */
void trend_explain(const struct trend_forecast *f, char *buf, size_t size);

#endif
