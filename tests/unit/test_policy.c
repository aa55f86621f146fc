/*
 * test_policy.c: the supervisor's recovery bandit
 * (servers/supervisor/policy.c): the first choices per fault kind, the
 * move away from a restart that fails, the allowed set, escalation only
 * when nothing works, the standard reward, LRU reuse of a full table, the
 * saved text (round trip, garbage, clamping, the worst case in one
 * message) and the "why" text.
 */
#include "policy.h"
#include <actor/supervisor.h>
#include <math.h>
#include <unit.h>

#define MS 1000000ULL

_Static_assert(POL_TEXT_MAX == SUP_MODEL_MAX, "the model travels in one SUP_MODEL_GET answer");

static struct policy p, q;

#define R  POL_BIT(POL_RESTART)
#define S  POL_BIT(POL_RESTART_STATE)
#define G  POL_BIT(POL_RESTART_GROUP)
#define B  POL_BIT(POL_BACKOFF)
#define E  POL_BIT(POL_ESCALATE)
#define GS (R | G | B | E) /* after a crash: no state to hand over */

static void test_names(void)
{
    for (int k = 0; k < POL_NKINDS; k++)
        CHECK_EQ(policy_kind_parse(policy_kind_name((enum pol_kind)k)), k);
    for (int a = 0; a < POL_NACTIONS; a++)
        CHECK_EQ(policy_action_parse(policy_action_name((enum pol_action)a)), a);
    CHECK_STR(policy_kind_name(POL_BADREPLY), "badreply");
    CHECK_STR(policy_action_name(POL_RESTART_STATE), "restart-state");
    CHECK_STR(policy_action_name(POL_NACTIONS), "?");
    CHECK_EQ(policy_kind_parse("crashes"), -1);
    CHECK_EQ(policy_action_parse(""), -1);
    CHECK_EQ(policy_action_parse(NULL), -1);
}

static void test_first_choice(void)
{
    struct pol_decision d;
    policy_init(&p);
    CHECK_EQ(policy_decide(&p, "fs", POL_CRASH, POL_ALL, 0, &d), POL_RESTART);
    CHECK_STR(d.reason, "restart: the default for crash (nothing tried yet)");
    CHECK(d.allowed == POL_ALL && d.opt[POL_RESTART].tries == 0);
    CHECK(d.opt[POL_RESTART].score > d.opt[POL_RESTART_GROUP].score);
    CHECK_EQ(policy_decide(&p, "fs", POL_HANG, GS, 0, NULL), POL_RESTART);
    CHECK_EQ(policy_decide(&p, "fs", POL_BADREPLY, POL_ALL, 0, NULL), POL_RESTART);
    CHECK_EQ(policy_decide(&p, "fs", POL_LEAK, POL_ALL, 0, NULL), POL_RESTART_STATE);
    CHECK_EQ(policy_decide(&p, "fs", POL_LEAK, GS, 0, NULL), POL_RESTART);
    CHECK_EQ(policy_decide(&p, "fs", POL_ANOMALY, POL_ALL, 0, NULL), POL_BACKOFF);
    CHECK_EQ(policy_decide(&p, "fs", POL_ANOMALY, R | S | G, 0, &d), POL_RESTART_STATE);
    CHECK_EQ(d.opt[POL_BACKOFF].score, 0); /* not allowed: not scored */
    CHECK(p.version == 7);
}

/* Restart fails (reward 0) and restart-group works: after 2 failures the
 * choice moves to restart-group and stays there. */
static void test_learns_group(void)
{
    static const enum pol_action expect[] = { POL_RESTART, POL_RESTART, POL_RESTART_GROUP };
    double group = policy_reward(true, 0, POL_RESTART_GROUP);
    struct pol_decision d;
    policy_init(&p);
    for (unsigned i = 0; i < 20; i++) {
        enum pol_action a = policy_decide(&p, "fs", POL_CRASH, GS, i * 1000 * MS, &d);
        CHECK_EQ(a, i < 3 ? expect[i] : POL_RESTART_GROUP);
        CHECK(policy_outcome(&p, "fs", POL_CRASH, a, a == POL_RESTART_GROUP ? group : 0));
        if (i == 1)
            CHECK_STR(d.reason, "restart: mean 0.00 over 1 (restart-group untried)");
        if (i == 3)
            CHECK_STR(d.reason, "restart-group: mean 0.85 over 1 (backoff untried)");
    }
    CHECK_EQ(d.opt[POL_RESTART].tries, 2);
    CHECK_EQ(d.opt[POL_RESTART_GROUP].tries, 17); /* the last decision saw 17 */
    CHECK(fabs(d.opt[POL_RESTART_GROUP].mean - 0.85) < 1e-9);
    CHECK_EQ(d.opt[POL_BACKOFF].tries, 0);
    /* another service has learned nothing */
    CHECK_EQ(policy_decide(&p, "net", POL_CRASH, GS, 0, NULL), POL_RESTART);
}

/* Restart works: no other action is tried in 100 crashes. */
static void test_keeps_what_works(void)
{
    policy_init(&p);
    for (unsigned i = 0; i < 100; i++) {
        enum pol_action a = policy_decide(&p, "fs", POL_CRASH, GS, 0, NULL);
        CHECK_EQ(a, POL_RESTART);
        policy_outcome(&p, "fs", POL_CRASH, a, policy_reward(true, 50 * MS, a));
    }
}

/* Random rewards and allowed sets: only an allowed action is chosen, and
 * escalate only when its bit is allowed or nothing else is. */
static void test_allowed(void)
{
    policy_init(&p);
    for (unsigned i = 0; i < 5000; i++) {
        unsigned allowed = (unsigned)unit_rand_below(POL_ALL + 1);
        enum pol_kind kind = (enum pol_kind)unit_rand_below(POL_NKINDS);
        struct pol_decision d;
        enum pol_action a = policy_decide(&p, "x", kind, allowed, i, &d);
        CHECK(d.action == a && d.reason[0]);
        if (a == POL_ESCALATE)
            CHECK((allowed & E) || !(allowed & (R | S | G | B)));
        else
            CHECK(allowed & POL_BIT(a));
        double reward = (double)unit_rand_below(1001) / 1000;
        CHECK_EQ(policy_outcome(&p, "x", kind, a, reward), a != POL_ESCALATE);
    }
}

/* Everything fails: escalate once each allowed action has 2 real tries,
 * not before; never without its bit; never while something works a little. */
static void test_escalate(void)
{
    struct pol_decision d;
    policy_init(&p);
    unsigned faults = 0;
    enum pol_action a;
    while ((a = policy_decide(&p, "fs", POL_CRASH, GS, 0, &d)) != POL_ESCALATE) {
        policy_outcome(&p, "fs", POL_CRASH, a, 0);
        CHECK(++faults < 50);
    }
    CHECK_EQ(faults, 8);
    CHECK_STR(d.reason, "escalate: nothing works (best restart 0.00 over 4)");
    CHECK(d.opt[POL_RESTART_GROUP].tries >= 2 && d.opt[POL_BACKOFF].tries >= 2);
    CHECK(policy_decide(&p, "fs", POL_CRASH, GS & ~E, 0, NULL) != POL_ESCALATE);
    CHECK(!policy_outcome(&p, "fs", POL_CRASH, POL_ESCALATE, 1));

    policy_init(&p);
    for (unsigned i = 0; i < 60; i++) {
        a = policy_decide(&p, "fs", POL_HANG, GS, 0, NULL);
        CHECK(a != POL_ESCALATE);
        policy_outcome(&p, "fs", POL_HANG, a, a == POL_BACKOFF ? 0.3 : 0);
    }
    CHECK_EQ(policy_decide(&p, "fs", POL_HANG, E, 0, &d), POL_ESCALATE);
    CHECK_STR(d.reason, "escalate: no other action allowed");
    CHECK_EQ(policy_decide(&p, "fs", POL_HANG, 0, 0, NULL), POL_ESCALATE);
}

static void test_reward(void)
{
    CHECK(policy_reward(false, 0, POL_RESTART_STATE) == 0);
    CHECK(policy_reward(true, 0, POL_RESTART_STATE) == 1);
    CHECK(policy_reward(true, 0, POL_RESTART) == 0.95);
    CHECK(policy_reward(true, 500 * MS, POL_RESTART_GROUP) == 1 - 0.25 - 0.15);
    CHECK(policy_reward(true, 3000 * MS, POL_BACKOFF) == 0.5);
    CHECK(policy_reward(true, UINT64_MAX, POL_RESTART_GROUP) == 1 - 0.5 - 0.15);
    CHECK(policy_reward(true, 0, POL_ESCALATE) == 0);
    /* out-of-range rewards are clamped; NaN counts as 0 */
    policy_init(&p);
    policy_outcome(&p, "fs", POL_CRASH, POL_RESTART, 7);
    policy_outcome(&p, "fs", POL_CRASH, POL_RESTART, -1);
    policy_outcome(&p, "fs", POL_CRASH, POL_RESTART, __builtin_nan(""));
    CHECK_EQ(p.entries[0].stat[POL_RESTART].tries, 3);
    CHECK_EQ(p.entries[0].stat[POL_RESTART].reward_milli, 1000);
    CHECK(!policy_outcome(&p, "fs", POL_NKINDS, POL_RESTART, 1));
}

static const struct pol_entry *entry(const struct policy *t, const char *service,
                                     enum pol_kind kind)
{
    for (unsigned i = 0; i < POL_MAX; i++)
        if (!strcmp(t->entries[i].service, service) && t->entries[i].kind == kind)
            return &t->entries[i];
    return NULL;
}

/* A full table reuses the least recently used entry. */
static void test_lru(void)
{
    char name[16];
    policy_init(&p);
    for (unsigned i = 0; i < POL_MAX; i++) {
        snprintf(name, sizeof(name), "s%u", i);
        policy_outcome(&p, name, POL_CRASH, POL_RESTART, 1);
    }
    policy_decide(&p, "s0", POL_CRASH, GS, 0, NULL); /* s1 is now the oldest */
    policy_outcome(&p, "new", POL_LEAK, POL_RESTART_STATE, 1);
    CHECK(entry(&p, "s0", POL_CRASH) && entry(&p, "new", POL_LEAK));
    CHECK(!entry(&p, "s1", POL_CRASH) && entry(&p, "s2", POL_CRASH));
    policy_outcome(&p, "s1", POL_CRASH, POL_RESTART, 1); /* back, in s2's place */
    CHECK(entry(&p, "s1", POL_CRASH) && !entry(&p, "s2", POL_CRASH));
    CHECK_EQ(entry(&p, "s1", POL_CRASH)->stat[POL_RESTART].tries, 1);
}

/* A table with a few entries, one of them never tried. */
static void sample_table(struct policy *t)
{
    policy_init(t);
    for (unsigned i = 0; i < 5; i++) {
        enum pol_action a = policy_decide(t, "fs", POL_CRASH, GS, i * MS, NULL);
        policy_outcome(t, "fs", POL_CRASH, a, a == POL_RESTART_GROUP ? 0.853 : 0);
    }
    policy_outcome(t, "net", POL_LEAK, POL_RESTART_STATE, 1.0 / 3);
    policy_outcome(t, "net", POL_ANOMALY, POL_BACKOFF, 0.9996);
    policy_decide(t, "shell", POL_HANG, GS, 0, NULL);
}

static void test_save_load(void)
{
    char a[POL_TEXT_MAX], b[POL_TEXT_MAX];
    sample_table(&p);
    size_t n = policy_save(&p, a, sizeof(a));
    CHECK_EQ(n, strlen(a));
    CHECK_STR(a, "clk-policy 1\n"
                 "fs crash 2/0.000 0/0.000 3/2.559 0/0.000\n"
                 "net leak 0/0.000 1/0.333 0/0.000 0/0.000\n"
                 "net anomaly 0/0.000 0/0.000 0/0.000 1/1.000\n");
    policy_init(&q);
    CHECK_EQ(policy_load(&q, a, n), 0);
    CHECK(q.version > 0);
    CHECK_EQ(policy_save(&q, b, sizeof(b)), n);
    CHECK_STR(a, b);
    for (unsigned i = 0; i < POL_MAX; i++) {
        const struct pol_entry *e = &p.entries[i], *f = entry(&q, e->service, e->kind);
        if (!e->service[0] || !strcmp(e->service, "shell"))
            continue;
        CHECK(f && !memcmp(e->stat, f->stat, sizeof(e->stat)) && !f->decided);
    }
    CHECK(!entry(&q, "shell", POL_HANG)); /* never tried: not saved */
    /* what was learned goes on after a load */
    CHECK_EQ(policy_decide(&q, "fs", POL_CRASH, GS, 0, NULL), POL_RESTART_GROUP);
    /* too small a buffer: 0 and an empty string, never an overrun */
    CHECK_EQ(policy_save(&p, b, 20), 0);
    CHECK_STR(b, "");
    CHECK_EQ(policy_save(&p, b, n), 0);
    CHECK_EQ(policy_save(&p, b, n + 1), n);
    /* loading merges: other entries stay, named ones are replaced */
    const char more[] = "clk-policy 1\nfs crash 9/9 0/0 0/0 0/0\n";
    CHECK_EQ(policy_load(&q, more, sizeof(more) - 1), 0);
    CHECK_EQ(entry(&q, "fs", POL_CRASH)->stat[POL_RESTART].tries, 9);
    CHECK_EQ(entry(&q, "fs", POL_CRASH)->stat[POL_RESTART_GROUP].tries, 0);
    CHECK(entry(&q, "net", POL_LEAK));
}

/* Load LINE (after the header) into a fresh table: its bad lines. */
static int load_one(const char *line)
{
    char text[512];
    snprintf(text, sizeof(text), "clk-policy 1\n%s", line);
    policy_init(&q);
    return policy_load(&q, text, strlen(text));
}

static void test_load_garbage(void)
{
    CHECK_EQ(load_one(""), 0);
    CHECK_EQ(load_one("# a comment\n\n   \nfs crash 1/1 0/0 0/0 0/0\r\n"), 0);
    CHECK_EQ(entry(&q, "fs", POL_CRASH)->stat[POL_RESTART].reward_milli, 1000);
    CHECK_EQ(load_one("fs crash 0/0 0/0 0/0 0/0\n"), 0); /* no real try: left out */
    CHECK(!entry(&q, "fs", POL_CRASH));
    CHECK_EQ(load_one("fs crash\tbad 0/0 0/0 0/0\n"
                      "fs crash 1/1 0/0 0/0\n"
                      "fs crash 1/1 0/0 0/0 0/0 0/0\n"
                      "fs boom 1/1 0/0 0/0 0/0\n"
                      "fs crash 1/0.1234 0/0 0/0 0/0\n"
                      "fs crash 1/.5 0/0 0/0 0/0\n"
                      "fs crash 1/1. 0/0 0/0 0/0\n"
                      "fs crash -1/0 0/0 0/0 0/0\n"
                      "fs crash 1/0x1 0/0 0/0 0/0\n"
                      "0123456789abcdef0123456789abcdef crash 1/1 0/0 0/0 0/0\n"
                      "clk-policy 1\n"
                      "\x01\xff crash 1/1 0/0 0/0 0/0\n"),
             12);
    for (unsigned i = 0; i < POL_MAX; i++)
        CHECK(!q.entries[i].service[0]);
    /* huge numbers are clamped: tries to 65535, a sum to 1 a try */
    CHECK_EQ(load_one("fs crash 99999999999999999999999/99999999999999999999.999 "
                      "2/7.5 1/0.25 3/0.5\n"),
             0);
    const struct pol_entry *e = entry(&q, "fs", POL_CRASH);
    CHECK(e && e->stat[0].tries == POL_TRIES_MAX && e->stat[0].reward_milli == 65535000);
    CHECK(e->stat[1].tries == 2 && e->stat[1].reward_milli == 2000);
    CHECK(e->stat[2].reward_milli == 250 && e->stat[3].reward_milli == 500);
    /* no header: every line is bad and nothing is read */
    const char headless[] = "fs crash 1/1 0/0 0/0 0/0\n\nclk-policy 2\n";
    policy_init(&q);
    CHECK_EQ(policy_load(&q, headless, sizeof(headless) - 1), 2);
    CHECK(!entry(&q, "fs", POL_CRASH));
    /* pure garbage, with NULs */
    uint8_t junk[1024];
    for (unsigned round = 0; round < 200; round++) {
        for (unsigned i = 0; i < sizeof(junk); i++)
            junk[i] = (uint8_t)unit_rand();
        policy_init(&q);
        CHECK(policy_load(&q, (const char *)junk, sizeof(junk)) >= 0);
    }
    /* every prefix of a good text: at most its last line is bad */
    char a[POL_TEXT_MAX];
    sample_table(&p);
    size_t n = policy_save(&p, a, sizeof(a));
    for (size_t cut = 0; cut <= n; cut++) {
        policy_init(&q);
        int bad = policy_load(&q, a, cut);
        CHECK(bad == 0 || bad == 1);
    }
}

/* 32 entries of 31-byte names, each action tried 65535 times with every
 * reward 1: the longest text, which must fit one message. */
static void test_worst_case_fits(void)
{
    char name[POL_NAME_MAX], text[POL_TEXT_MAX], again[POL_TEXT_MAX];
    policy_init(&p);
    for (unsigned i = 0; i < POL_MAX; i++) {
        snprintf(name, sizeof(name), "%031u", i);
        policy_outcome(&p, name, POL_BADREPLY, POL_RESTART, 1);
        struct pol_entry *e = (struct pol_entry *)entry(&p, name, POL_BADREPLY);
        CHECK(e);
        for (int a = 0; a < POL_LEARNED; a++)
            e->stat[a] = (struct pol_stat){ POL_TRIES_MAX, POL_TRIES_MAX * 1000 };
    }
    size_t n = policy_save(&p, text, sizeof(text));
    printf("worst case: %zu bytes of %d\n", n, POL_TEXT_MAX);
    CHECK(n > 0 && n + 1 <= POL_TEXT_WORST && n + 1 <= SUP_MODEL_MAX);
    policy_init(&q);
    CHECK_EQ(policy_load(&q, text, n), 0);
    CHECK_EQ(policy_save(&q, again, sizeof(again)), n);
    CHECK_STR(text, again);
    /* one more try at the cap halves the count and keeps the mean */
    policy_outcome(&p, name, POL_BADREPLY, POL_RESTART, 1);
    const struct pol_entry *e = entry(&p, name, POL_BADREPLY);
    CHECK_EQ(e->stat[POL_RESTART].tries, POL_TRIES_MAX / 2 + 1);
    CHECK_EQ(e->stat[POL_RESTART].reward_milli, (POL_TRIES_MAX / 2 + 1) * 1000);
}

static void test_explain(void)
{
    char out[SUP_WHY_MAX];
    policy_init(&p);
    CHECK_EQ(policy_explain(&p, "fs", out, sizeof(out)), (int)strlen(out));
    CHECK_STR(out, "fs: no faults seen: the default is restart\n");
    for (unsigned i = 0; i < 6; i++) {
        enum pol_action a = policy_decide(&p, "fs", POL_CRASH, GS, 1500 * MS + i * 1000 * MS, NULL);
        policy_outcome(&p, "fs", POL_CRASH, a, a == POL_RESTART_GROUP ? 0.91 : 0);
    }
    policy_decide(&p, "fs", POL_LEAK, POL_ALL, 42 * MS, NULL);
    policy_outcome(&p, "other", POL_HANG, POL_RESTART, 1);
    int n = policy_explain(&p, "fs", out, sizeof(out));
    printf("%s", out);
    CHECK_EQ(n, (int)strlen(out));
    CHECK_STR(out, "crash at 6.500 s: restart-group: mean 0.91 over 3 (backoff untried)\n"
                   "  restart 2 tries mean 0.00; restart-group 4 tries mean 0.91\n"
                   "leak at 0.042 s: restart-state: the default for leak (nothing tried yet)\n"
                   "  nothing tried yet\n");
    /* loaded from disk: statistics but no decision since boot */
    char text[POL_TEXT_MAX];
    size_t len = policy_save(&p, text, sizeof(text));
    policy_init(&q);
    CHECK_EQ(policy_load(&q, text, len), 0);
    policy_explain(&q, "fs", out, sizeof(out));
    CHECK_STR(out, "crash: no decision since boot\n"
                   "  restart 2 tries mean 0.00; restart-group 4 tries mean 0.91\n");
    /* a small buffer is cut after the last piece that fits, never overrun */
    const char *two = "crash at 6.500 s: restart-group: mean 0.91 over 3 (backoff untried)\n"
                      "  restart 2 tries mean 0.00; restart-group 4 tries mean 0.91\n";
    char small[200];
    n = policy_explain(&p, "fs", small, strlen(two) + 30);
    CHECK_STR(small, two);
    CHECK_EQ(n, (int)strlen(two));
    CHECK_EQ(policy_explain(&p, "fs", small, 0), 0);
}

/* Names are kept as they read back: spaces and the like become '_'. */
static void test_names_kept(void)
{
    char text[POL_TEXT_MAX];
    policy_init(&p);
    policy_outcome(&p, "a b", POL_CRASH, POL_RESTART, 1);
    policy_outcome(&p, "#x", POL_CRASH, POL_RESTART, 1);
    policy_outcome(&p, "", POL_CRASH, POL_RESTART, 1);
    policy_outcome(&p, "0123456789abcdef0123456789abcdef-long", POL_CRASH, POL_RESTART, 1);
    size_t n = policy_save(&p, text, sizeof(text));
    CHECK_STR(text, "clk-policy 1\n"
                    "a_b crash 1/1.000 0/0.000 0/0.000 0/0.000\n"
                    "_x crash 1/1.000 0/0.000 0/0.000 0/0.000\n"
                    "_ crash 1/1.000 0/0.000 0/0.000 0/0.000\n"
                    "0123456789abcdef0123456789abcde crash 1/1.000 0/0.000 0/0.000 0/0.000\n");
    policy_init(&q);
    CHECK_EQ(policy_load(&q, text, n), 0);
    policy_forget(&p, "a b");
    CHECK(!entry(&p, "a_b", POL_CRASH) && entry(&p, "_x", POL_CRASH));
}

int main(void)
{
    RUN(test_names);
    RUN(test_first_choice);
    RUN(test_learns_group);
    RUN(test_keeps_what_works);
    RUN(test_allowed);
    RUN(test_escalate);
    RUN(test_reward);
    RUN(test_lru);
    RUN(test_save_load);
    RUN(test_load_garbage);
    RUN(test_worst_case_fits);
    RUN(test_explain);
    RUN(test_names_kept);
    return 0;
}
