/*
 * policy.c: the recovery bandit and its text (pure: policy.h). Rewards
 * are kept in integer thousandths, so the text round-trips exactly and
 * nothing here prints or parses a floating-point number.
 */
#include "policy.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SECOND 1000000000ULL

static const char *const kind_names[POL_NKINDS] = { "crash", "hang", "leak", "anomaly",
                                                    "badreply" };
static const char *const action_names[POL_NACTIONS] = { "restart", "restart-state", "restart-group",
                                                        "backoff", "escalate" };

/* What each action costs on top of downtime: disruption (policy_reward). */
static const double action_cost[POL_LEARNED] = { 0.05, 0.0, 0.15, 0.0 };

/*
 * Priors: pseudo-tries and their reward sum per kind and action (restart,
 * restart-state, restart-group, backoff). The conventional first choice
 * has 3 tries at 0.80 or so and the others 2 at 0.50 or less, so it takes
 * two poor results before another action is tried, and exploring an
 * action that is worse than one that works is rare (UCB1 still does, ever
 * more seldom). A crash starts with restart. A leak starts with
 * restart-state (a live update loses nothing and frees the memory), then
 * restart. An anomaly starts with backoff, which watches a live service
 * (floods pass), then restart-state. A crashed or hung service cannot
 * hand over its state, and a bad reply may come from bad state, so
 * restart-state starts low there; backoff starts low for a hang or a leak,
 * which do not pass. docs/supervisor.md has the table.
 */
static const struct {
    double tries, sum;
} priors[POL_NKINDS][POL_LEARNED] = {
    [POL_CRASH] = { { 3, 2.4 }, { 2, 0.8 }, { 2, 1.0 }, { 2, 0.8 } },
    [POL_HANG] = { { 3, 2.4 }, { 2, 0.8 }, { 2, 1.0 }, { 2, 0.6 } },
    [POL_LEAK] = { { 3, 2.4 }, { 3, 2.55 }, { 2, 1.0 }, { 2, 0.4 } },
    [POL_ANOMALY] = { { 3, 2.25 }, { 3, 2.4 }, { 2, 0.8 }, { 3, 2.55 } },
    [POL_BADREPLY] = { { 3, 2.4 }, { 2, 0.8 }, { 2, 1.0 }, { 2, 0.8 } },
};

/* ---- names ---- */

const char *policy_kind_name(enum pol_kind kind)
{
    return (unsigned)kind < POL_NKINDS ? kind_names[kind] : "?";
}

const char *policy_action_name(enum pol_action action)
{
    return (unsigned)action < POL_NACTIONS ? action_names[action] : "?";
}

/* The index of the LEN bytes at S in NAMES[N], or -1. */
static int lookup(const char *const *names, int n, const char *s, size_t len)
{
    for (int i = 0; i < n; i++)
        if (strlen(names[i]) == len && !memcmp(names[i], s, len))
            return i;
    return -1;
}

int policy_kind_parse(const char *name)
{
    return name ? lookup(kind_names, POL_NKINDS, name, strlen(name)) : -1;
}

int policy_action_parse(const char *name)
{
    return name ? lookup(action_names, POL_NACTIONS, name, strlen(name)) : -1;
}

/* ---- the table ---- */

void policy_init(struct policy *p)
{
    memset(p, 0, sizeof(*p));
}

/* NAME as kept: at most POL_NAME_MAX - 1 bytes, each printable and not a
 * space (else '_'), not starting with '#', never empty; so that a saved
 * line reads back as the same name. */
static void key(char out[POL_NAME_MAX], const char *name)
{
    size_t n = 0;
    for (; name && name[n] && n < POL_NAME_MAX - 1; n++)
        out[n] = name[n] > ' ' && name[n] <= '~' ? name[n] : '_';
    if (!n)
        out[n++] = '_';
    if (out[0] == '#')
        out[0] = '_';
    out[n] = '\0';
}

static struct pol_entry *find(const struct policy *p, const char *k, enum pol_kind kind)
{
    for (unsigned i = 0; i < POL_MAX; i++) {
        const struct pol_entry *e = &p->entries[i];
        if (e->service[0] && e->kind == kind && !strcmp(e->service, k))
            return (struct pol_entry *)e;
    }
    return NULL;
}

/* The entry of (K, KIND), made when new in a free slot or else in the
 * least recently used one (cleared); marked as just used. */
static struct pol_entry *touch(struct policy *p, const char *k, enum pol_kind kind)
{
    struct pol_entry *e = find(p, k, kind);
    if (!e) {
        e = &p->entries[0];
        for (unsigned i = 0; i < POL_MAX && e->service[0]; i++)
            if (!p->entries[i].service[0] || p->entries[i].used < e->used)
                e = &p->entries[i];
        memset(e, 0, sizeof(*e));
        memcpy(e->service, k, strlen(k) + 1);
        e->kind = kind;
    }
    e->used = ++p->clock;
    p->version++;
    return e;
}

/* True when one of the learned actions' STAT has a real try. */
static bool any_tries(const struct pol_stat stat[POL_LEARNED])
{
    for (int a = 0; a < POL_LEARNED; a++)
        if (stat[a].tries)
            return true;
    return false;
}

static bool tried(const struct pol_entry *e)
{
    return any_tries(e->stat);
}

void policy_forget(struct policy *p, const char *service)
{
    char k[POL_NAME_MAX];
    key(k, service);
    for (unsigned i = 0; i < POL_MAX; i++)
        if (p->entries[i].service[0] && !strcmp(p->entries[i].service, k)) {
            memset(&p->entries[i], 0, sizeof(p->entries[i]));
            p->version++;
        }
}

/* ---- choice ---- */

/* Append to BUF of SIZE bytes at *N. When it does not fit with its NUL,
 * the text stays as it was and *N becomes SIZE, so that later appends
 * fail too; returns false then. */
static bool put(char *buf, size_t size, size_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = *n < size ? vsnprintf(buf + *n, size - *n, fmt, ap) : -1;
    va_end(ap);
    if (k < 0 || (size_t)k >= size - *n) {
        if (*n < size)
            buf[*n] = '\0';
        *n = size;
        return false;
    }
    *n += (size_t)k;
    return true;
}

static double mean_of(const struct pol_stat *s)
{
    return s->tries ? s->reward_milli / 1000.0 / s->tries : 0.0;
}

/* Fill D's options for E's allowed learned actions: real tries and mean,
 * and the UCB1 score over real and prior tries. Returns how many. */
static int score(const struct pol_entry *e, unsigned allowed, struct pol_decision *d)
{
    double n[POL_LEARNED], total = 0;
    int count = 0;
    for (int a = 0; a < POL_LEARNED; a++) {
        n[a] = priors[e->kind][a].tries + e->stat[a].tries;
        if (allowed & POL_BIT(a))
            total += n[a], count++;
    }
    for (int a = 0; a < POL_LEARNED; a++) {
        if (!(allowed & POL_BIT(a)))
            continue;
        double sum = priors[e->kind][a].sum + e->stat[a].reward_milli / 1000.0;
        d->opt[a].tries = e->stat[a].tries;
        d->opt[a].mean = mean_of(&e->stat[a]);
        d->opt[a].score = sum / n[a] + POL_C * sqrt(log(total) / n[a]);
    }
    return count;
}

/* True when every allowed learned action has POL_ESCALATE_TRY real tries
 * and a hopeful mean (as if one more try had earned POL_HOPE) below
 * POL_ESCALATE_MIN: nothing we try works. */
static bool hopeless(const struct pol_entry *e, unsigned allowed)
{
    for (int a = 0; a < POL_LEARNED; a++) {
        const struct pol_stat *s = &e->stat[a];
        if (!(allowed & POL_BIT(a)))
            continue;
        if (s->tries < POL_ESCALATE_TRY)
            return false;
        if ((s->reward_milli / 1000.0 + POL_HOPE) / (s->tries + 1) >= POL_ESCALATE_MIN)
            return false;
    }
    return true;
}

/* Append "restart 0.00 over 3", or "backoff untried", for D's action A. */
static void record(char *buf, size_t size, size_t *n, const struct pol_decision *d, int a)
{
    const struct pol_option *o = &d->opt[a];
    unsigned h = (unsigned)(o->mean * 100 + 0.5);
    if (o->tries)
        put(buf, size, n, "%s %u.%02u over %u", action_names[a], h / 100, h % 100,
            (unsigned)o->tries);
    else
        put(buf, size, n, "%s untried", action_names[a]);
}

/* D's reason for choosing CHOSEN over RUNNER (-1: none) for KIND:
 * "restart-group: mean 0.91 over 4 (restart 0.00 over 3)". */
static void explain_choice(struct pol_decision *d, enum pol_kind kind, int chosen, int runner,
                           bool any_tried)
{
    size_t n = 0, size = sizeof(d->reason);
    const struct pol_option *o = &d->opt[chosen];
    unsigned h = (unsigned)(o->mean * 100 + 0.5);
    if (!any_tried) {
        put(d->reason, size, &n, "%s: the default for %s (nothing tried yet)", action_names[chosen],
            kind_names[kind]);
        return;
    }
    if (o->tries)
        put(d->reason, size, &n, "%s: mean %u.%02u over %u", action_names[chosen], h / 100, h % 100,
            (unsigned)o->tries);
    else
        put(d->reason, size, &n, "%s: untried", action_names[chosen]);
    if (runner >= 0) {
        put(d->reason, size, &n, " (");
        record(d->reason, size, &n, d, runner);
        put(d->reason, size, &n, ")");
    }
}

/* Choose for entry E into D (cleared by the caller). */
static void choose(const struct pol_entry *e, unsigned allowed, struct pol_decision *d)
{
    size_t n = 0;
    d->allowed = allowed;
    if (!score(e, allowed, d)) {
        d->action = POL_ESCALATE;
        put(d->reason, sizeof(d->reason), &n, "escalate: no other action allowed");
        return;
    }
    int best = -1, runner = -1, best_mean = -1;
    bool any_tried = false;
    for (int a = 0; a < POL_LEARNED; a++) {
        if (!(allowed & POL_BIT(a)))
            continue;
        if (best < 0 || d->opt[a].score > d->opt[best].score)
            runner = best, best = a;
        else if (runner < 0 || d->opt[a].score > d->opt[runner].score)
            runner = a;
        if (d->opt[a].tries && (best_mean < 0 || d->opt[a].mean > d->opt[best_mean].mean))
            best_mean = a;
        any_tried |= d->opt[a].tries > 0;
    }
    if ((allowed & POL_BIT(POL_ESCALATE)) && hopeless(e, allowed)) {
        d->action = POL_ESCALATE;
        put(d->reason, sizeof(d->reason), &n, "escalate: nothing works (best ");
        record(d->reason, sizeof(d->reason), &n, d, best_mean);
        put(d->reason, sizeof(d->reason), &n, ")");
        return;
    }
    d->action = (enum pol_action)best;
    explain_choice(d, e->kind, best, runner, any_tried);
}

enum pol_action policy_decide(struct policy *p, const char *service, enum pol_kind kind,
                              unsigned allowed, uint64_t now_ns, struct pol_decision *d)
{
    char k[POL_NAME_MAX];
    key(k, service);
    if ((unsigned)kind >= POL_NKINDS)
        kind = POL_CRASH;
    struct pol_entry *e = touch(p, k, kind);
    memset(&e->last, 0, sizeof(e->last));
    choose(e, allowed & POL_ALL, &e->last);
    e->decided = true;
    e->last_ns = now_ns;
    if (d)
        *d = e->last;
    return e->last.action;
}

/* S with one more reward of MILLI thousandths; a full count is halved
 * first, which keeps the mean and lets newer results weigh more. */
static void add(struct pol_stat *s, uint32_t milli)
{
    if (s->tries >= POL_TRIES_MAX) {
        s->tries /= 2;
        s->reward_milli /= 2;
        if (s->reward_milli > s->tries * 1000)
            s->reward_milli = s->tries * 1000;
    }
    s->tries++;
    s->reward_milli += milli;
}

bool policy_outcome(struct policy *p, const char *service, enum pol_kind kind,
                    enum pol_action action, double reward)
{
    if ((unsigned)kind >= POL_NKINDS || (unsigned)action >= POL_LEARNED)
        return false;
    if (!(reward > 0)) /* NaN too */
        reward = 0;
    if (reward > 1)
        reward = 1;
    char k[POL_NAME_MAX];
    key(k, service);
    add(&touch(p, k, kind)->stat[action], (uint32_t)(reward * 1000 + 0.5));
    return true;
}

double policy_reward(bool healthy, uint64_t recover_ns, enum pol_action action)
{
    if (!healthy || (unsigned)action >= POL_LEARNED)
        return 0;
    double downtime = recover_ns >= SECOND ? 0.5 : 0.5 * (double)recover_ns / SECOND;
    double r = 1 - downtime - action_cost[action];
    return r < 0 ? 0 : r > 1 ? 1 : r;
}

/* ---- text ---- */

/* The next entry with a real try used after AFTER, oldest first, or NULL. */
static const struct pol_entry *next_saved(const struct policy *p, uint64_t after)
{
    const struct pol_entry *next = NULL;
    for (unsigned i = 0; i < POL_MAX; i++) {
        const struct pol_entry *e = &p->entries[i];
        if (e->service[0] && tried(e) && e->used > after && (!next || e->used < next->used))
            next = e;
    }
    return next;
}

size_t policy_save(const struct policy *p, char *buf, size_t size)
{
    size_t n = 0;
    bool ok = put(buf, size, &n, "%s", POL_HEADER);
    for (const struct pol_entry *e = next_saved(p, 0); e && ok; e = next_saved(p, e->used)) {
        ok = put(buf, size, &n, "%s %s", e->service, kind_names[e->kind]);
        for (int a = 0; a < POL_LEARNED && ok; a++) {
            uint32_t m = e->stat[a].reward_milli;
            ok = put(buf, size, &n, " %u/%u.%03u", (unsigned)e->stat[a].tries, (unsigned)(m / 1000),
                     (unsigned)(m % 1000));
        }
        ok = ok && put(buf, size, &n, "\n");
    }
    if (!ok && size)
        buf[0] = '\0';
    return ok ? n : 0;
}

/* A cursor over one line of text. */
struct cursor {
    const char *s, *end;
};

/* The next word (bytes up to a space or tab) at *WORD, its length
 * returned; 0 at the line's end. */
static size_t word(struct cursor *c, const char **w)
{
    while (c->s < c->end && (*c->s == ' ' || *c->s == '\t'))
        c->s++;
    *w = c->s;
    while (c->s < c->end && *c->s != ' ' && *c->s != '\t')
        c->s++;
    return (size_t)(c->s - *w);
}

/* Decimal digits at *S (before END) into *V, saturating at CAP. False
 * when there are none. */
static bool digits(const char **s, const char *end, uint64_t cap, uint64_t *v)
{
    const char *start = *s;
    *v = 0;
    for (; *s < end && **s >= '0' && **s <= '9'; (*s)++)
        *v = *v >= cap ? cap : *v * 10 + (uint64_t)(**s - '0');
    if (*v > cap)
        *v = cap;
    return *s > start;
}

/* "TRIES/SUM" (SUM with up to 3 decimals) of LEN bytes at W into *S,
 * clamped: tries to POL_TRIES_MAX, the sum to 1 a try. */
static bool parse_stat(const char *w, size_t len, struct pol_stat *s)
{
    const char *end = w + len;
    uint64_t tries, whole, frac = 0;
    if (!digits(&w, end, POL_TRIES_MAX, &tries) || w == end || *w++ != '/')
        return false;
    if (!digits(&w, end, POL_TRIES_MAX, &whole))
        return false;
    if (w < end && *w == '.') {
        const char *f = ++w;
        if (!digits(&w, end, 1000, &frac) || w - f > 3)
            return false;
        for (long i = w - f; i < 3; i++)
            frac *= 10;
    }
    if (w != end)
        return false;
    uint64_t milli = whole * 1000 + frac;
    s->tries = (uint32_t)tries;
    s->reward_milli = (uint32_t)(milli > tries * 1000 ? tries * 1000 : milli);
    return true;
}

/* Apply one line (no newline). False when it is malformed. */
static bool load_line(struct policy *p, struct cursor c)
{
    const char *w;
    size_t len = word(&c, &w);
    char name[POL_NAME_MAX], k[POL_NAME_MAX];
    if (!len || len >= POL_NAME_MAX)
        return false;
    memcpy(name, w, len);
    name[len] = '\0';
    key(k, name);
    if (strlen(name) != len || strcmp(k, name))
        return false;
    len = word(&c, &w);
    int kind = lookup(kind_names, POL_NKINDS, w, len);
    if (kind < 0)
        return false;
    struct pol_stat stat[POL_LEARNED];
    for (int a = 0; a < POL_LEARNED; a++) {
        len = word(&c, &w);
        if (!parse_stat(w, len, &stat[a]))
            return false;
    }
    if (word(&c, &w))
        return false;
    if (any_tries(stat))
        memcpy(touch(p, k, (enum pol_kind)kind)->stat, stat, sizeof(stat));
    return true;
}

int policy_load(struct policy *p, const char *buf, size_t len)
{
    const char *s = buf, *end = buf + len;
    bool header = false;
    int bad = 0;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        struct cursor c = { s, nl ? nl : end };
        s = nl ? nl + 1 : end;
        if (c.end > c.s && c.end[-1] == '\r')
            c.end--;
        const char *w;
        struct cursor probe = c;
        if (!word(&probe, &w) || *w == '#')
            continue;
        if (!header) {
            size_t n = sizeof(POL_HEADER) - 2;
            header = (size_t)(c.end - c.s) == n && !memcmp(c.s, POL_HEADER, n);
            bad += !header;
        } else if (!load_line(p, c)) {
            bad++;
        }
    }
    return bad;
}

/* ---- why ---- */

/* One kind's record: "restart 3 tries mean 0.00; restart-group 4 tries
 * mean 0.91", or "nothing tried yet". */
static void explain_stats(const struct pol_entry *e, char *out, size_t size, size_t *n)
{
    const char *sep = "  ";
    for (int a = 0; a < POL_LEARNED; a++) {
        const struct pol_stat *s = &e->stat[a];
        if (!s->tries)
            continue;
        unsigned h = (unsigned)(mean_of(s) * 100 + 0.5);
        put(out, size, n, "%s%s %u tries mean %u.%02u", sep, action_names[a], (unsigned)s->tries,
            h / 100, h % 100);
        sep = "; ";
    }
    put(out, size, n, "%s\n", tried(e) ? "" : "  nothing tried yet");
}

int policy_explain(const struct policy *p, const char *service, char *out, size_t size)
{
    char k[POL_NAME_MAX];
    size_t n = 0;
    bool seen = false;
    key(k, service);
    if (size)
        out[0] = '\0';
    for (int kind = 0; kind < POL_NKINDS; kind++) {
        const struct pol_entry *e = find(p, k, (enum pol_kind)kind);
        if (!e)
            continue;
        seen = true;
        if (e->decided)
            put(out, size, &n, "%s at %llu.%03llu s: %s\n", kind_names[kind],
                (unsigned long long)(e->last_ns / SECOND),
                (unsigned long long)(e->last_ns % SECOND / 1000000), e->last.reason);
        else
            put(out, size, &n, "%s: no decision since boot\n", kind_names[kind]);
        explain_stats(e, out, size, &n);
    }
    if (!seen)
        put(out, size, &n, "%s: no faults seen: the default is restart\n", k);
    return size ? (int)strlen(out) : 0;
}
