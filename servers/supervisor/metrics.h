/*
 * metrics.h: the supervisor's per-actor counters over time (docs/supervisor.md,
 * "Metrics"). Every METRICS_PERIOD_MS the supervisor reads ACTOR_INFO for
 * every live actor and records one sample each; this part keeps the
 * samples and computes rates over a window. It makes no system calls, so
 * it is unit-tested on the host (tests/unit/test_metrics.c).
 */
#ifndef SUPERVISOR_METRICS_H
#define SUPERVISOR_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#define METRICS_PERIOD_MS 100 /* how often the supervisor samples */
#define METRICS_HISTORY   64  /* samples kept per actor: 6.4 s at 100 ms */
#define METRICS_ACTORS    64  /* actors followed at once; more are left out */
#define METRICS_NAME_MAX  32  /* as CLK_NAME_MAX, the NUL included */

/* One reading of an actor's counters (struct clk_actor_info's) at TIME_NS. */
struct metrics_sample {
    uint64_t time_ns;
    uint64_t cpu_ns, msgs_sent, msgs_received, syscalls, faults, pages;
    uint32_t mailbox_depth;
};

/* An actor followed: its last METRICS_HISTORY samples, oldest at
 * ring[(head + METRICS_HISTORY - count) % METRICS_HISTORY]. ID 0: a free slot. */
struct metrics_actor {
    uint64_t id;
    char name[METRICS_NAME_MAX];
    bool service;   /* the running instance of a manifest service */
    uint64_t round; /* the round it was last seen in */
    unsigned head;  /* where the next sample goes */
    unsigned count; /* samples kept, up to METRICS_HISTORY */
    struct metrics_sample ring[METRICS_HISTORY];
};

struct metrics {
    uint64_t round; /* sampling rounds begun */
    struct metrics_actor actors[METRICS_ACTORS];
};

/* What an actor did over a window (metrics_rates). */
struct metrics_rates {
    uint64_t window_ns;      /* between the first and last sample used; 0: one sample */
    uint32_t cpu_permille;   /* CPU time used, per mille of one CPU */
    uint32_t msgs_in_per_s;  /* messages received per second */
    uint32_t msgs_out_per_s; /* messages sent per second */
    uint32_t syscalls_per_s; /* system calls per second */
    uint32_t faults;         /* faults taken in the window */
    uint32_t mailbox_depth;  /* messages waiting now */
    uint32_t mailbox_max;    /* the most that waited at a sample in the window */
    uint64_t pages;          /* pages it pays for now */
};

/* Begin a round of samples: every actor recorded before metrics_end is
 * live; the others drop out then. */
void metrics_begin(struct metrics *m);

/* Record sample S of actor ID (NAME, SERVICE) in this round. Returns false
 * when ID is new and no slot is free (it is left out). */
bool metrics_record(struct metrics *m, uint64_t id, const char *name, bool service,
                    const struct metrics_sample *s);

/* End the round: forget the actors not recorded in it (they died). */
void metrics_end(struct metrics *m);

/* The followed actors, in slot order: slot I's actor, or NULL (free). */
const struct metrics_actor *metrics_slot(const struct metrics *m, unsigned i);

/* A's rates over the last WINDOW_NS (from its newest sample back to the
 * oldest one no more than WINDOW_NS older; all of its history when that
 * is shorter) into *R. False when A has no sample. */
bool metrics_rates(const struct metrics_actor *a, uint64_t window_ns, struct metrics_rates *r);

#endif
