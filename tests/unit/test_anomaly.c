/*
 * test_anomaly.c: the per-service anomaly detector
 * (servers/supervisor/anomaly.c) against a simulated service. Requests
 * arrive at random (Poisson) into a mailbox, the service takes up to its
 * capacity every 10 ms, answering each with one message, a few system
 * calls and some CPU; every 100 ms the test computes the observation as
 * the supervisor does, rates over the last ANOMALY_WINDOW_MS. An hour of
 * each normal load must raise at most one false alarm (the rates are
 * printed: docs/supervisor.md quotes them); a backlog, a spinning CPU, a
 * storm of messages and a burst of errors must each be raised within a
 * second, naming the right feature, and cleared after.
 */
#include "anomaly.h"
#include <math.h>
#include <unit.h>

#define TICK_MS      10
#define TICKS_PER_OB (METRICS_PERIOD_MS / TICK_MS)
#define WINDOW_TICKS (ANOMALY_WINDOW_MS / TICK_MS)
#define HOUR_OBS     36000 /* an hour of observations */
#define HOURS        4     /* simulated per profile, each with a new model */

/* What the service did in one tick. */
struct tick {
    uint32_t in, out, sys, err;
    double cpu_ms;
};

/* A simulated service and its load. */
struct sim {
    uint64_t rng;
    uint64_t now_ms;
    uint32_t queue;  /* messages waiting */
    double capacity; /* requests it can take per second */
    double credit;   /* requests it may still take this tick */
    double cost_ms;  /* CPU per request, on average */
    double rate;     /* requests per second arriving now */
    double err_rate; /* errors per second now */
    double spin;     /* share of the CPU burnt besides the work, 0..1 */
    unsigned ticks;
    struct tick ring[WINDOW_TICKS];
    /* the profiles' state */
    uint64_t phase_end_ms;
    bool on;
};

/* xorshift64*: small, fast and the same everywhere. */
static uint64_t rnd(struct sim *s)
{
    s->rng ^= s->rng >> 12;
    s->rng ^= s->rng << 25;
    s->rng ^= s->rng >> 27;
    return s->rng * 2685821657736338717ULL;
}

/* Uniform in [0, 1). */
static double uniform(struct sim *s)
{
    return (double)(rnd(s) >> 11) / (double)(1ULL << 53);
}

/* Poisson with mean LAMBDA: Knuth's product of uniforms, a normal
 * approximation for large means. */
static uint32_t poisson(struct sim *s, double lambda)
{
    if (lambda <= 0)
        return 0;
    if (lambda > 30) {
        double u1 = uniform(s) + 1e-12, u2 = uniform(s);
        double n = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
        double k = lambda + sqrt(lambda) * n + 0.5;
        return k > 0 ? (uint32_t)k : 0;
    }
    double limit = exp(-lambda), p = uniform(s);
    uint32_t k = 0;
    while (p > limit) {
        p *= uniform(s);
        k++;
    }
    return k;
}

/* A service of 200 requests a second, able to take 5000, 0.4 ms of CPU each. */
static void sim_init(struct sim *s, uint64_t seed)
{
    memset(s, 0, sizeof(*s));
    s->rng = seed;
    s->capacity = 5000;
    s->cost_ms = 0.4;
    s->rate = 200;
}

/* Run one tick at the current load: take what the capacity allows, then
 * the tick's arrivals wait (the supervisor sees them in the mailbox). */
static void sim_tick(struct sim *s)
{
    struct tick *t = &s->ring[s->ticks++ % WINDOW_TICKS];
    double per_tick = s->capacity * TICK_MS / 1000.0;
    s->credit = fmin(s->credit + per_tick, fmax(per_tick, 1));
    uint32_t n = s->queue < s->credit ? s->queue : (uint32_t)s->credit;
    s->queue -= n;
    s->credit -= n;
    s->queue += poisson(s, s->rate * TICK_MS / 1000.0);
    t->in = n;
    t->out = n;
    t->sys = 3 * n + poisson(s, 0.5); /* receive, reply, a lookup; a timer */
    double cpu = 0.02;
    for (uint32_t i = 0; i < n; i++)
        cpu += s->cost_ms * (0.5 + uniform(s));
    cpu += s->spin * TICK_MS;
    t->cpu_ms = cpu < TICK_MS ? cpu : TICK_MS;
    t->err = poisson(s, s->err_rate * TICK_MS / 1000.0);
    s->now_ms += TICK_MS;
}

/* The observation the supervisor would make now into X. */
static void sim_observe(const struct sim *s, double x[ANOMALY_FEATURES])
{
    double in = 0, out = 0, sys = 0, err = 0, cpu = 0, secs = ANOMALY_WINDOW_MS / 1000.0;
    for (unsigned i = 0; i < WINDOW_TICKS; i++) {
        in += s->ring[i].in;
        out += s->ring[i].out;
        sys += s->ring[i].sys;
        err += s->ring[i].err;
        cpu += s->ring[i].cpu_ms;
    }
    x[ANOMALY_MAILBOX] = s->queue;
    x[ANOMALY_CPU] = cpu / ANOMALY_WINDOW_MS * 1000;
    x[ANOMALY_MSGS_IN] = in / secs;
    x[ANOMALY_MSGS_OUT] = out / secs;
    x[ANOMALY_SYSCALLS] = sys / secs;
    x[ANOMALY_ERRORS] = err / secs;
}

enum profile { IDLE, STEADY, BURSTY, RAMP, SPIKES, PROFILES };
static const char *const profile_names[PROFILES] = { "idle", "steady", "bursty", "ramp", "spikes" };

/* Set the load of profile P for the next tick. */
static void load(struct sim *s, enum profile p)
{
    double t = s->now_ms / 1000.0;
    switch (p) {
    case IDLE: /* a ping a second, and an error an hour */
        s->rate = 1;
        s->err_rate = 1 / 3600.0;
        break;
    case STEADY: /* 200 a second, an error a minute */
        s->rate = 200;
        s->err_rate = 1 / 60.0;
        break;
    case BURSTY: /* 1 to 5 s of 100 a second, then 1 to 5 s of up to 300 */
        if (s->now_ms >= s->phase_end_ms) {
            s->on = !s->on;
            s->phase_end_ms = s->now_ms + 1000 + rnd(s) % 4000;
            s->rate = s->on ? 200 + 100 * uniform(s) : 100;
        }
        s->err_rate = 1 / 60.0;
        break;
    case RAMP: /* 100 to 200 a second over 20 minutes, and back */
        s->rate = 100 + 100 * fabs(fmod(t / 1200, 2) - 1);
        s->err_rate = 1 / 60.0;
        break;
    case SPIKES: /* 200 a second, and every 20 s or so 100 to 200 ms of 5x */
        if (s->now_ms >= s->phase_end_ms) {
            s->on = !s->on;
            s->phase_end_ms = s->now_ms + (s->on ? 100 + rnd(s) % 101 : 10000 + rnd(s) % 20000);
        }
        s->rate = s->on ? 1000 : 200;
        s->err_rate = 1 / 60.0;
        break;
    default: break;
    }
}

/* Run the simulation one observation (a period) under profile P; observe. */
static enum anomaly_event step(struct sim *s, struct anomaly_model *m, enum profile p)
{
    double x[ANOMALY_FEATURES];
    for (int i = 0; i < TICKS_PER_OB; i++) {
        load(s, p);
        sim_tick(s);
    }
    sim_observe(s, x);
    return anomaly_observe(m, x);
}

/* The highest z that feature F of M has held for ANOMALY_SUSTAIN
 * observations, given the last ones in LAST (a ring indexed by I). */
static double held(double last[ANOMALY_FEATURES][ANOMALY_SUSTAIN], const struct anomaly_model *m,
                   unsigned i)
{
    double top = -INFINITY;
    for (int f = 0; f < ANOMALY_FEATURES; f++) {
        last[f][i % ANOMALY_SUSTAIN] = m->f[f].z;
        double low = INFINITY;
        for (int k = 0; k < ANOMALY_SUSTAIN; k++)
            low = fmin(low, last[f][k]);
        top = fmax(top, low);
    }
    return top;
}

/* An hour of profile P from seed SEED: the false alarms; *TOP: the
 * highest z held ANOMALY_SUSTAIN times, if higher. */
static unsigned hour_of(enum profile p, uint64_t seed, double *top)
{
    struct sim s;
    struct anomaly_model m;
    double last[ANOMALY_FEATURES][ANOMALY_SUSTAIN] = { { 0 } };
    char why[128];
    unsigned alarms = 0;
    sim_init(&s, seed);
    anomaly_init(&m);
    for (unsigned i = 0; i < HOUR_OBS; i++) {
        if (step(&s, &m, p) == ANOMALY_RAISED) {
            alarms++;
            anomaly_explain(&m, why, sizeof(why));
            printf("  %s: false alarm at %.1f s: %s\n", profile_names[p], i / 10.0, why);
        }
        if (i >= ANOMALY_WARMUP)
            *top = fmax(*top, held(last, &m, i));
    }
    return alarms;
}

static void test_false_alarms(void)
{
    for (int p = 0; p < PROFILES; p++) {
        unsigned alarms = 0;
        double top = -INFINITY;
        for (uint64_t h = 0; h < HOURS; h++) {
            unsigned n =
                hour_of((enum profile)p, 0x9e3779b97f4a7c15ULL * (p * HOURS + h + 1), &top);
            CHECK(n <= 1);
            alarms += n;
        }
        printf(
            "  %-6s: %u false alarms in %u hours (%.2f an hour); highest z held %u times: %.1f\n",
            profile_names[p], alarms, HOURS, (double)alarms / HOURS, ANOMALY_SUSTAIN, top);
    }
}

/* Per injection: the change, and the feature it must raise. */
enum injection { BACKLOG, SPIN, STORM, ERRORS, INJECTIONS };
static const char *const injection_names[INJECTIONS] = { "backlog", "cpu spin", "storm", "errors" };
static const int injection_features[INJECTIONS] = { ANOMALY_MAILBOX, ANOMALY_CPU, ANOMALY_MSGS_IN,
                                                    ANOMALY_ERRORS };

/* Turn injection J on (or off) in S. */
static void inject(struct sim *s, enum injection j, bool on)
{
    switch (j) {
    case BACKLOG: /* the service slows down to 50 requests a second */
        s->capacity = on ? 50 : 5000;
        break;
    case SPIN: /* a loop burns the CPU, the requests are still served */
        s->spin = on ? 1 : 0;
        break;
    case STORM: /* ten times the messages */ s->rate = on ? 2000 : 200; break;
    case ERRORS: /* 20 errors a second */ s->err_rate = on ? 20 : 1 / 60.0; break;
    default: break;
    }
}

/* One step of steady load with injection J set as ON; the event. */
static enum anomaly_event step_injected(struct sim *s, struct anomaly_model *m, enum injection j,
                                        bool on)
{
    double x[ANOMALY_FEATURES];
    for (int k = 0; k < TICKS_PER_OB; k++) {
        load(s, STEADY);
        inject(s, j, on);
        sim_tick(s);
    }
    sim_observe(s, x);
    return anomaly_observe(m, x);
}

static void test_detection(void)
{
    for (int j = 0; j < INJECTIONS; j++) {
        struct sim s;
        struct anomaly_model m;
        sim_init(&s, 0x2545f4914f6cdd1dULL + (uint64_t)j);
        anomaly_init(&m);
        for (unsigned i = 0; i < 600; i++) /* a minute of normal load */
            CHECK(step_injected(&s, &m, (enum injection)j, false) == ANOMALY_NONE);
        /* 2 s of the injection: raised within a second, naming it */
        unsigned raised = 0;
        double peak = 0;
        char why[128];
        for (unsigned i = 1; i <= 20; i++) {
            enum anomaly_event e = step_injected(&s, &m, (enum injection)j, true);
            CHECK(e != ANOMALY_CLEARED);
            if (e == ANOMALY_RAISED) {
                CHECK(!raised);
                raised = i;
                anomaly_explain(&m, why, sizeof(why));
            }
            peak = fmax(peak, m.f[injection_features[j]].x);
        }
        printf("  %-8s: raised after %u observations (%u ms), peak %.0f: %s\n", injection_names[j],
               raised, raised * METRICS_PERIOD_MS, peak, why);
        CHECK(raised >= 1 && raised <= 10);
        CHECK_EQ(anomaly_feature(&m), injection_features[j]);
        CHECK(!strncmp(why, anomaly_feature_name(injection_features[j]),
                       strlen(anomaly_feature_name(injection_features[j]))));
        CHECK(strstr(why, " vs normal ") && strstr(why, "(z ") && strstr(why, " s"));
        if (j == BACKLOG)
            CHECK(peak >= 50);
        /* back to normal: cleared within 2 s, and nothing else raised */
        unsigned cleared = 0;
        for (unsigned i = 1; i <= 100; i++) {
            enum anomaly_event e = step_injected(&s, &m, (enum injection)j, false);
            CHECK(e != ANOMALY_RAISED);
            if (e == ANOMALY_CLEARED)
                cleared = i;
        }
        printf("  %-8s: cleared %u observations after it ended\n", injection_names[j], cleared);
        CHECK(cleared >= ANOMALY_SUSTAIN && cleared <= 20);
        CHECK_EQ(anomaly_feature(&m), -1);
    }
}

/* X with every feature V but feature F at XF. */
static void obs(double x[ANOMALY_FEATURES], double v, int f, double xf)
{
    for (int i = 0; i < ANOMALY_FEATURES; i++)
        x[i] = v;
    if (f >= 0)
        x[f] = xf;
}

static void test_warmup_and_explain(void)
{
    struct anomaly_model m;
    double x[ANOMALY_FEATURES];
    char why[128];
    anomaly_init(&m);
    anomaly_explain(&m, why, sizeof(why));
    CHECK_STR(why, "normal");
    CHECK_EQ(anomaly_feature(&m), -1);
    /* during the warm-up nothing is raised, however wild */
    for (unsigned i = 0; i < ANOMALY_WARMUP; i++) {
        obs(x, 0, ANOMALY_MAILBOX, i % 2 ? 0 : 1000);
        CHECK(anomaly_observe(&m, x) == ANOMALY_NONE);
    }
    /* that warm-up taught a huge variance: relearn a quiet service */
    anomaly_init(&m);
    for (unsigned i = 0; i < ANOMALY_WARMUP; i++) {
        obs(x, 0, -1, 0);
        CHECK(anomaly_observe(&m, x) == ANOMALY_NONE);
    }
    /* an increase within the noise floor is nothing */
    obs(x, 0, ANOMALY_MAILBOX, 9);
    for (unsigned i = 0; i < 20; i++)
        CHECK(anomaly_observe(&m, x) == ANOMALY_NONE);
    /* a decrease is nothing either (one-sided) */
    anomaly_init(&m);
    for (unsigned i = 0; i < ANOMALY_WARMUP + 10; i++) {
        obs(x, 100, -1, 0);
        CHECK(anomaly_observe(&m, x) == ANOMALY_NONE);
    }
    obs(x, 0, -1, 0);
    for (unsigned i = 0; i < 20; i++)
        CHECK(anomaly_observe(&m, x) == ANOMALY_NONE);
    /* 37 messages waiting in a quiet service: raised on the 6th */
    anomaly_init(&m);
    for (unsigned i = 0; i < ANOMALY_WARMUP; i++) {
        obs(x, 0, -1, 0);
        anomaly_observe(&m, x);
    }
    obs(x, 0, ANOMALY_MAILBOX, 37);
    for (unsigned i = 1; i < ANOMALY_SUSTAIN; i++)
        CHECK(anomaly_observe(&m, x) == ANOMALY_NONE);
    CHECK(anomaly_observe(&m, x) == ANOMALY_RAISED);
    CHECK_EQ(anomaly_feature(&m), ANOMALY_MAILBOX);
    anomaly_explain(&m, why, sizeof(why));
    printf("  %s\n", why);
    CHECK_STR(why, "mailbox 37 vs normal 0.4 +- 2.1 (z 17.7) for 0.6 s");
    anomaly_explain(&m, why, 8); /* cut short, terminated */
    CHECK_STR(why, "mailbox");
    anomaly_explain(&m, why, 0); /* nothing written */
    CHECK_STR(why, "mailbox");
    /* it is not learned while raised, then clears */
    for (unsigned i = 0; i < 600; i++)
        CHECK(anomaly_observe(&m, x) == ANOMALY_NONE);
    CHECK_EQ(anomaly_feature(&m), ANOMALY_MAILBOX);
    obs(x, 0, -1, 0);
    for (unsigned i = 1; i < ANOMALY_SUSTAIN; i++)
        CHECK(anomaly_observe(&m, x) == ANOMALY_NONE);
    CHECK(anomaly_observe(&m, x) == ANOMALY_CLEARED);
    CHECK_EQ(anomaly_feature(&m), -1);
}

static void test_lasting_change_becomes_normal(void)
{
    struct anomaly_model m;
    double x[ANOMALY_FEATURES];
    anomaly_init(&m);
    for (unsigned i = 0; i < 600; i++) {
        obs(x, 0, ANOMALY_CPU, 100 + (i % 7) * 5);
        CHECK(anomaly_observe(&m, x) == ANOMALY_NONE);
    }
    /* the load triples for good: raised, then learned within 10 minutes */
    unsigned raised = 0, cleared = 0;
    for (unsigned i = 1; i <= 6000 && !cleared; i++) {
        obs(x, 0, ANOMALY_CPU, 300 + (i % 7) * 5);
        enum anomaly_event e = anomaly_observe(&m, x);
        raised = e == ANOMALY_RAISED ? i : raised;
        cleared = e == ANOMALY_CLEARED ? i : cleared;
    }
    printf("  cpu 100 -> 300 for good: raised after %u, cleared after %.0f s\n", raised,
           cleared / 10.0);
    CHECK_EQ(raised, ANOMALY_SUSTAIN);
    CHECK(cleared > 600 && cleared <= 6000);
}

static void test_bad_input(void)
{
    struct anomaly_model m;
    double x[ANOMALY_FEATURES];
    anomaly_init(&m);
    for (unsigned i = 0; i < ANOMALY_WARMUP + 100; i++) {
        obs(x, 0, ANOMALY_SYSCALLS, i % 2 ? NAN : -5); /* as 0 */
        x[ANOMALY_CPU] = i % 3 ? INFINITY : 0;
        CHECK(anomaly_observe(&m, x) == ANOMALY_NONE);
    }
    for (int f = 0; f < ANOMALY_FEATURES; f++)
        CHECK(isfinite(m.f[f].mean) && isfinite(m.f[f].var) && m.f[f].var >= 0);
    CHECK_STR(anomaly_feature_name(ANOMALY_ERRORS), "errors");
    CHECK_STR(anomaly_feature_name(-1), "?");
    CHECK_STR(anomaly_feature_name(ANOMALY_FEATURES), "?");
}

int main(void)
{
    RUN(test_warmup_and_explain);
    RUN(test_lasting_change_becomes_normal);
    RUN(test_bad_input);
    RUN(test_false_alarms);
    RUN(test_detection);
    return 0;
}
