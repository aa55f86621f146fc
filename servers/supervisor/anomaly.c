/*
 * anomaly.c: per-feature exponentially weighted mean and variance, a
 * one-sided z-score with a noise floor, and hysteresis over consecutive
 * observations (pure: anomaly.h).
 *
 * z = (x - mean) / sqrt(var + floor^2). The floor is the change that is
 * noise whatever the history: an idle service has no variance, and one
 * message more must not be thousands of standard deviations. Only
 * increases count: a service doing less than usual is not in trouble.
 */
#include "anomaly.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Learning rates after the warm-up: the mean follows a change of load in
 * about 10 s (1 / ALPHA observations), the variance remembers about 60 s,
 * longer than the on and off phases of bursty load. Before, both are
 * plain averages of what was seen, so the warm-up is a fair sample. */
#define ALPHA (1.0 / 100)
#define BETA  (1.0 / 600)

/* While raised, learning is this much slower: a lasting change of load
 * becomes normal in minutes, an anomaly of seconds is not learned. */
#define RAISED_SLOWDOWN 16

/* Learn at most this many floored deviations above the mean, so that the
 * observations before an anomaly is raised do not teach it as normal. */
#define CLIP 3.0

/* Each feature's name, unit and noise floor: a change that is noise
 * even for a service that never varied. */
static const struct {
    const char *name, *unit;
    double floor;
} features[ANOMALY_FEATURES] = {
    [ANOMALY_MAILBOX] = { "mailbox", "", 2 },      /* a couple of requests */
    [ANOMALY_CPU] = { "cpu", " permille", 30 },    /* 3 % of a CPU */
    [ANOMALY_MSGS_IN] = { "msgs in", "/s", 20 },   /* 6 messages in a window */
    [ANOMALY_MSGS_OUT] = { "msgs out", "/s", 20 }, /* the same */
    [ANOMALY_SYSCALLS] = { "syscalls", "/s", 50 }, /* a few per message */
    [ANOMALY_ERRORS] = { "errors", "/s", 1 },      /* one in a window is 3.3/s */
};

void anomaly_init(struct anomaly_model *m)
{
    memset(m, 0, sizeof(*m));
}

/* Feature F's standard deviation with its noise floor. */
static double spread(const struct anomaly_stat *s, int f)
{
    return sqrt(s->var + features[f].floor * features[f].floor);
}

/* Score X against S (feature F) and count the run above ANOMALY_Z_HIGH;
 * WARM: past the warm-up (before it, no run counts). */
static void score(struct anomaly_stat *s, int f, double x, bool warm)
{
    s->x = x;
    s->z = (x - s->mean) / spread(s, f);
    s->high = warm && s->z > ANOMALY_Z_HIGH ? s->high + 1 : 0;
}

/* Learn X into S (feature F), the N-th observation learned, at 1/SLOW of
 * the usual rates. Welford's update, weighted (Finch 2009). */
static void learn(struct anomaly_stat *s, int f, double x, unsigned n, double slow)
{
    double a = ALPHA, b = BETA;
    if (n < ANOMALY_WARMUP) {
        a = b = 1.0 / (n + 1);
    } else {
        double top = s->mean + CLIP * spread(s, f);
        x = x > top ? top : x;
    }
    double d = x - s->mean;
    s->mean += a / slow * d;
    s->var = (1 - b / slow) * s->var + b / slow * d * (x - s->mean);
    if (s->var < 0)
        s->var = 0;
}

/* While raised: count the raised feature's run below ANOMALY_Z_LOW. */
static enum anomaly_event check_clear(struct anomaly_model *m)
{
    m->age++;
    m->low = m->f[m->feature].z < ANOMALY_Z_LOW ? m->low + 1 : 0;
    if (m->low < ANOMALY_SUSTAIN)
        return ANOMALY_NONE;
    m->raised = false;
    return ANOMALY_CLEARED;
}

/* The features from cause to effect: more messages arriving explain a
 * fuller mailbox, more CPU, system calls and answers; errors come last. */
static const int causes[ANOMALY_FEATURES] = {
    ANOMALY_MSGS_IN,  ANOMALY_MAILBOX,  ANOMALY_CPU,
    ANOMALY_SYSCALLS, ANOMALY_MSGS_OUT, ANOMALY_ERRORS,
};

/* Raise the feature above for ANOMALY_SUSTAIN in a row or more that went
 * above first; of those that went together, the cause of the others. */
static enum anomaly_event check_raise(struct anomaly_model *m)
{
    int best = -1;
    for (int i = 0; i < ANOMALY_FEATURES; i++) {
        int f = causes[i];
        if (m->f[f].high >= ANOMALY_SUSTAIN && (best < 0 || m->f[f].high > m->f[best].high))
            best = f;
    }
    if (best < 0)
        return ANOMALY_NONE;
    m->raised = true;
    m->feature = best;
    m->age = m->f[best].high;
    m->low = 0;
    return ANOMALY_RAISED;
}

enum anomaly_event anomaly_observe(struct anomaly_model *m, const double x[ANOMALY_FEATURES])
{
    bool warm = m->learned >= ANOMALY_WARMUP;
    double slow = m->raised ? RAISED_SLOWDOWN : 1;
    for (int f = 0; f < ANOMALY_FEATURES; f++) {
        double v = isfinite(x[f]) && x[f] > 0 ? x[f] : 0;
        score(&m->f[f], f, v, warm);
        learn(&m->f[f], f, v, m->learned, slow);
    }
    if (!warm)
        m->learned++;
    if (m->raised)
        return check_clear(m);
    return check_raise(m);
}

int anomaly_feature(const struct anomaly_model *m)
{
    return m->raised ? m->feature : -1;
}

/* The decimals to print V with: none for whole numbers and from 100 up
 * (37, 2000), else one (0.4). */
static int decimals(double v)
{
    return v == floor(v) || fabs(v) >= 100 ? 0 : 1;
}

void anomaly_explain(const struct anomaly_model *m, char *buf, size_t size)
{
    if (!size)
        return;
    if (!m->raised) {
        snprintf(buf, size, "normal");
        return;
    }
    int f = m->feature;
    const struct anomaly_stat *s = &m->f[f];
    unsigned ms = m->age * METRICS_PERIOD_MS;
    snprintf(buf, size, "%s %.*f%s vs normal %.*f +- %.*f (z %.1f) for %u.%u s", features[f].name,
             decimals(s->x), s->x, features[f].unit, decimals(s->mean), s->mean,
             decimals(spread(s, f)), spread(s, f), s->z, ms / 1000, ms % 1000 / 100);
}

const char *anomaly_feature_name(int f)
{
    return f >= 0 && f < ANOMALY_FEATURES ? features[f].name : "?";
}
