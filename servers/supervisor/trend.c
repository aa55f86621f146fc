/*
 * trend.c: a least-squares line through an instance's recent pages, and
 * when it reaches the quota (pure: trend.h).
 *
 * A leak grows at a steady rate; a heap that grows and shrinks fits a
 * line badly (low R^2), and a cache filling up grows ever more slowly: the
 * newer half of the samples grows slower than the older half. The newer
 * half's slope is the one projected, as a leak may have begun within the
 * samples.
 */
#include "trend.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

#define SECOND 1e9

void trend_reset(struct trend *t)
{
    memset(t, 0, sizeof(*t));
}

/* The index of T's K-th sample back from the newest (0: the newest). */
static unsigned back(const struct trend *t, unsigned k)
{
    return (t->head + 2 * TREND_SAMPLES - 1 - k) % TREND_SAMPLES;
}

void trend_add(struct trend *t, uint64_t time_ns, uint64_t pages)
{
    if (t->count) {
        unsigned n = back(t, 0);
        if (time_ns < t->time_ns[n])
            return;
        if (time_ns == t->time_ns[n]) {
            t->pages[n] = pages;
            return;
        }
    }
    t->time_ns[t->head] = time_ns;
    t->pages[t->head] = pages;
    t->head = (t->head + 1) % TREND_SAMPLES;
    if (t->count < TREND_SAMPLES)
        t->count++;
}

/* B - A as a double, exact for any two uint64_t less than 2^53 apart. */
static double diff(uint64_t a, uint64_t b)
{
    return b >= a ? (double)(b - a) : -(double)(a - b);
}

/* The line through T's samples FROM to FROM + N - 1 back from the newest
 * (N >= 2): *SLOPE in pages per second and *R2. False when their times
 * are all the same. Times and pages are taken relative to the newest
 * sample's, so that huge values lose no precision. */
static bool fit(const struct trend *t, unsigned from, unsigned n, double *slope, double *r2)
{
    unsigned newest = back(t, 0);
    double sx = 0, sy = 0;
    for (unsigned k = from; k < from + n; k++) {
        unsigned i = back(t, k);
        sx += diff(t->time_ns[newest], t->time_ns[i]) / SECOND;
        sy += diff(t->pages[newest], t->pages[i]);
    }
    double mx = sx / n, my = sy / n, sxx = 0, sxy = 0, syy = 0;
    for (unsigned k = from; k < from + n; k++) {
        unsigned i = back(t, k);
        double dx = diff(t->time_ns[newest], t->time_ns[i]) / SECOND - mx;
        double dy = diff(t->pages[newest], t->pages[i]) - my;
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if (sxx <= 0)
        return false;
    *slope = sxy / sxx;
    *r2 = syy > 0 ? sxy * sxy / (sxx * syy) : 0;
    return true;
}

/* Nanoseconds until PAGES reach QUOTA at SLOPE (> 0) pages per second. */
static uint64_t time_to(uint64_t pages, uint64_t quota, double slope)
{
    if (pages >= quota)
        return 0;
    double ns = (double)(quota - pages) / slope * SECOND;
    return ns >= 18e18 ? UINT64_MAX : (uint64_t)ns;
}

bool trend_predict(const struct trend *t, uint64_t quota_pages, struct trend_forecast *f)
{
    memset(f, 0, sizeof(*f));
    f->quota_pages = quota_pages;
    f->exhaust_ns = UINT64_MAX;
    if (t->count < TREND_MIN_SAMPLES)
        return false;
    unsigned n = t->count, half = n / 2;
    f->pages = t->pages[back(t, 0)];
    uint64_t span = t->time_ns[back(t, 0)] - t->time_ns[back(t, n - 1)];
    double slope, r2, newer, older, unused;
    if (span < TREND_MIN_SPAN_NS || !fit(t, 0, n, &slope, &r2) ||
        !fit(t, 0, half, &newer, &unused) || !fit(t, half, n - half, &older, &unused))
        return false;
    f->slope = newer; /* the growth now: a leak may have begun within the samples */
    f->r2 = r2;
    if (slope <= TREND_MIN_SLOPE || r2 < TREND_MIN_R2 || newer <= TREND_MIN_SLOPE ||
        newer < TREND_MIN_STEADY * older)
        return false;
    f->exhaust_ns = time_to(f->pages, quota_pages, newer);
    return true;
}

void trend_explain(const struct trend_forecast *f, char *buf, size_t size)
{
    if (!size)
        return;
    int n = snprintf(buf, size, "pages %+.0f/s (r2 %.2f): %llu-page quota ", f->slope, f->r2,
                     (unsigned long long)f->quota_pages);
    if (n < 0 || (size_t)n >= size)
        return;
    uint64_t ms = f->exhaust_ns / 1000000;
    if (f->exhaust_ns == UINT64_MAX)
        snprintf(buf + n, size - n, "not in sight");
    else if (f->exhaust_ns == 0)
        snprintf(buf + n, size - n, "reached");
    else
        snprintf(buf + n, size - n, "in %llu.%llu s", (unsigned long long)(ms / 1000),
                 (unsigned long long)(ms % 1000 / 100));
}
