/*
 * anomaly.h: an online anomaly detector per service (docs/supervisor.md,
 * "Anomaly detection"). Every METRICS_PERIOD_MS the supervisor gives each
 * service one observation of ANOMALY_FEATURES numbers; the model learns
 * what is normal for that service and says when an observation has stayed
 * well above normal for a while. It makes no system calls and allocates
 * nothing, so it is unit-tested on the host (tests/unit/test_anomaly.c).
 *
 * The model is the service's, not an instance's: it survives restarts.
 * The supervisor skips the first second of each new instance (start-up is
 * not normal behaviour) and gives no observation while none is running.
 */
#ifndef SUPERVISOR_ANOMALY_H
#define SUPERVISOR_ANOMALY_H

#include "metrics.h"
#include <stdbool.h>
#include <stddef.h>

/* What is observed, in this order. The rates are over the last
 * ANOMALY_WINDOW_MS, so consecutive observations overlap. */
enum anomaly_feature {
    ANOMALY_MAILBOX,  /* messages waiting now */
    ANOMALY_CPU,      /* CPU time used, per mille of one CPU */
    ANOMALY_MSGS_IN,  /* messages received per second */
    ANOMALY_MSGS_OUT, /* messages sent per second */
    ANOMALY_SYSCALLS, /* system calls per second */
    ANOMALY_ERRORS,   /* errors per second: client reports (SUP_REPORT) and faults */
    ANOMALY_FEATURES
};

/*
 * The window of the rates: three periods. Longer smooths more noise but
 * smears a 100 ms spike over more observations; with 300 ms no spike of
 * 200 ms or less stays above for ANOMALY_SUSTAIN observations. Pass
 * ANOMALY_WINDOW_MS + METRICS_PERIOD_MS / 2 to metrics_rates so that a
 * late sample does not shorten the window to two periods.
 */
#define ANOMALY_WINDOW_MS 300

#define ANOMALY_WARMUP  50  /* observations learned before any alarm: 5 s */
#define ANOMALY_SUSTAIN 6   /* consecutive observations to raise or clear: 0.6 s */
#define ANOMALY_Z_HIGH  5.0 /* raise: z above this ANOMALY_SUSTAIN times in a row */
#define ANOMALY_Z_LOW   2.0 /* clear: z below this ANOMALY_SUSTAIN times in a row */

/* One feature's statistics: exponentially weighted mean and variance. */
struct anomaly_stat {
    double mean, var;
    double x, z;   /* the last observation and its score */
    unsigned high; /* consecutive observations with z > ANOMALY_Z_HIGH */
};

/* A service's model: plain data; all zeroes is a model that knows nothing. */
struct anomaly_model {
    unsigned learned; /* observations learned, counted up to ANOMALY_WARMUP */
    bool raised;      /* an anomaly is raised */
    int feature;      /* while raised: the feature */
    unsigned age;     /* while raised: observations since its feature went above */
    unsigned low;     /* while raised: consecutive observations below ANOMALY_Z_LOW */
    struct anomaly_stat f[ANOMALY_FEATURES];
};

enum anomaly_event { ANOMALY_NONE, ANOMALY_RAISED, ANOMALY_CLEARED };

/* Forget everything: as all zeroes. */
void anomaly_init(struct anomaly_model *m);

/* Score observation X against M, then learn from it. Returns ANOMALY_RAISED
 * when a feature has been above normal for ANOMALY_SUSTAIN observations,
 * ANOMALY_CLEARED when the raised one has been back for as many. */
enum anomaly_event anomaly_observe(struct anomaly_model *m, const double x[ANOMALY_FEATURES]);

/* The raised feature (enum anomaly_feature), or -1 when none is. */
int anomaly_feature(const struct anomaly_model *m);

/* One line into BUF (SIZE bytes, NUL-terminated) on the raised feature, e.g.
 * "mailbox 37 vs normal 0.4 +- 2.1 (z 17.7) for 0.6 s"; "normal" when none. */
void anomaly_explain(const struct anomaly_model *m, char *buf, size_t size);

/* Feature F's short name ("mailbox", "cpu", ...); "?" when out of range. */
const char *anomaly_feature_name(int f);

#endif
