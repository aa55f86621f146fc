/*
 * policy.h: recovery that learns (docs/supervisor.md, "Recovery that
 * learns"). For each (service, fault kind) the supervisor has seen, this
 * part keeps how well each recovery action turned out and picks the next
 * one with a deterministic UCB1 bandit whose priors make "restart" the
 * first choice. It makes no system calls and keeps no globals, so it is
 * unit-tested and fuzzed on the host (tests/unit/test_policy.c,
 * tests/fuzz/fuzz_policy.c).
 *
 * The caller's loop: policy_decide() when a fault is found, carry out the
 * action, then some seconds later policy_outcome() with policy_reward().
 * The learned statistics travel as text (policy_save, policy_load); the
 * priors are constants and are not saved.
 */
#ifndef SUPERVISOR_POLICY_H
#define SUPERVISOR_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pol_kind {
    POL_CRASH,    /* "crash": a fault or an unexpected exit */
    POL_HANG,     /* "hang": a ping or a request left unanswered */
    POL_LEAK,     /* "leak": memory that grows towards its quota */
    POL_ANOMALY,  /* "anomaly": a flood, a backlog or a spin */
    POL_BADREPLY, /* "badreply": clients report malformed answers */
    POL_NKINDS,
};

enum pol_action {
    POL_RESTART,       /* "restart": stop it and start it again; its memory is lost */
    POL_RESTART_STATE, /* "restart-state": a live update onto the same binary */
    POL_RESTART_GROUP, /* "restart-group": it and its group or dependents */
    POL_BACKOFF,       /* "backoff": restart after a delay; a live one: watch it */
    POL_ESCALATE,      /* "escalate": mark it failed and tell its dependents */
    POL_NACTIONS,
};

#define POL_LEARNED POL_ESCALATE /* the actions before it are learned; escalate is not */
#define POL_BIT(a)  (1u << (a))
#define POL_ALL     ((1u << POL_NACTIONS) - 1)

#define POL_MAX          32    /* (service, kind) entries kept; then the least recently used goes */
#define POL_NAME_MAX     32    /* a service's name with its NUL, as ACTOR_NAME_MAX */
#define POL_REASON_MAX   80    /* a decision's reason with its NUL: fits a sup_event's text */
#define POL_TRIES_MAX    65535 /* then an action's tries and sum are halved (keeps the mean) */
#define POL_C            0.3   /* UCB1's exploration weight */
#define POL_ESCALATE_MIN 0.15  /* escalate when no allowed action's hopeful mean reaches it */
#define POL_ESCALATE_TRY 2     /* ... and each has at least this many real tries */
#define POL_HOPE         0.25  /* the reward of the one imagined try in a hopeful mean */

/* The saved text's worst case: a header, then per entry a line of a 31-byte
 * name, the longest kind and four "65535/65535.000" columns. It fits, with
 * its NUL, in the message the supervisor sends it in (SUP_MODEL_MAX). */
#define POL_HEADER     "clk-policy 1\n"
#define POL_LINE_MAX   ((POL_NAME_MAX - 1) + 1 + 8 + POL_LEARNED * 16 + 1)
#define POL_TEXT_MAX   4088 /* SUP_MODEL_MAX; tests/unit/test_policy.c checks it */
#define POL_TEXT_WORST (sizeof(POL_HEADER) - 1 + POL_MAX * POL_LINE_MAX + 1)
_Static_assert(POL_TEXT_WORST <= POL_TEXT_MAX, "the whole table must fit one message");

/* An action's real results: TRIES outcomes whose rewards add up to
 * REWARD_MILLI thousandths (never more than TRIES * 1000). */
struct pol_stat {
    uint32_t tries;
    uint32_t reward_milli;
};

/* One allowed action as a decision saw it. */
struct pol_option {
    uint32_t tries; /* real tries */
    double mean;    /* mean real reward; 0 when untried */
    double score;   /* UCB1 over real and prior tries; 0 when not allowed */
};

struct pol_decision {
    enum pol_action action;
    unsigned allowed; /* POL_BIT()s as given */
    struct pol_option opt[POL_NACTIONS];
    char reason[POL_REASON_MAX]; /* one line: "restart-group: mean 0.91 over 4 (...)" */
};

/* One (service, kind). SERVICE "": a free slot. */
struct pol_entry {
    char service[POL_NAME_MAX];
    enum pol_kind kind;
    uint64_t used; /* policy.clock when last touched: the LRU order */
    struct pol_stat stat[POL_LEARNED];
    bool decided; /* LAST and LAST_NS hold a decision (not saved) */
    uint64_t last_ns;
    struct pol_decision last;
};

struct policy {
    uint64_t version; /* bumped on every change: the caller saves when it moves */
    uint64_t clock;   /* touches so far */
    struct pol_entry entries[POL_MAX];
};

/* An empty table (version 0). */
void policy_init(struct policy *p);

/* Choose the recovery for a fault of KIND in SERVICE at NOW_NS (the
 * caller's clock), among the actions in ALLOWED (POL_BIT()s): the caller
 * knows which are possible. Escalate is never explored: it is chosen only
 * when its bit is allowed and every other allowed action has failed (see
 * docs), or when no other action is allowed (it is always possible).
 * Records the decision in the entry (which it creates, reusing the least
 * recently used one when full) and fills *D when D is not NULL. */
enum pol_action policy_decide(struct policy *p, const char *service, enum pol_kind kind,
                              unsigned allowed, uint64_t now_ns, struct pol_decision *d);

/* Record that ACTION, taken for a fault of KIND in SERVICE, earned REWARD
 * (clamped to [0, 1]; kept to 0.001). False for escalate, which is not
 * learned, or a bad kind or action. */
bool policy_outcome(struct policy *p, const char *service, enum pol_kind kind,
                    enum pol_action action, double reward);

/* The standard reward: 0 when the service was not HEALTHY when checked,
 * else 1 - min(0.5, 0.5 * RECOVER_NS / 1 s) - ACTION's cost (restart 0.05,
 * restart-state 0, restart-group 0.15, backoff 0), clamped to [0, 1].
 * RECOVER_NS: from the fault to the first good answer (for a watched live
 * service: until the anomaly passed). Escalate has none: 0. */
double policy_reward(bool healthy, uint64_t recover_ns, enum pol_action action);

/* Forget what was learned about SERVICE (its binary changed, say). */
void policy_forget(struct policy *p, const char *service);

/* The table as text into BUF of SIZE bytes, NUL-terminated: POL_HEADER,
 * then "SERVICE KIND T/S T/S T/S T/S\n" per entry with a real try, least
 * recently used first, one T/S (tries/reward sum) per learned action in
 * enum order. Returns its length without the NUL, or 0 when SIZE is too
 * small (POL_TEXT_MAX always does). */
size_t policy_save(const struct policy *p, char *buf, size_t size);

/* Read LEN bytes of text from policy_save into P: each good line sets its
 * (service, kind)'s statistics (entries not named are kept; call
 * policy_init first for only the text's). Blank lines and lines starting
 * with '#' are skipped; counts too big are clamped. Returns the number of
 * bad lines, which are left out; without the header line every line is
 * bad and nothing is read. */
int policy_load(struct policy *p, const char *buf, size_t len);

/* What was learned about SERVICE, for the shell's "why NAME": per fault
 * kind seen, the last decision, when and why, and each action's record,
 * into OUT of SIZE bytes: '\n'-ended lines, NUL-terminated, cut after the
 * last piece that fits (SUP_WHY_MAX is plenty). Returns the length written. */
int policy_explain(const struct policy *p, const char *service, char *out, size_t size);

/* Names used in text, and back: the kind or action, or -1 when unknown. */
const char *policy_kind_name(enum pol_kind kind);
const char *policy_action_name(enum pol_action action);
int policy_kind_parse(const char *name);
int policy_action_parse(const char *name);

#endif
