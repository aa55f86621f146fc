/*
 * fuzz_policy.c: libFuzzer target for the recovery model's text
 * (servers/supervisor/policy.c). Loads the input, checks the table's
 * invariants (counts clamped, names that read back, no untried entry),
 * saves it, and checks that the saved text loads without a bad line into
 * the same text again. Then decides and explains for each entry, which
 * must choose an allowed action and stay within the buffers.
 */
#include "policy.h"
#include <unit.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct policy p, again;
static char text[POL_TEXT_MAX], text2[POL_TEXT_MAX], why[2048];

static void check_table(const struct policy *t)
{
    for (unsigned i = 0; i < POL_MAX; i++) {
        const struct pol_entry *e = &t->entries[i];
        if (!e->service[0])
            continue;
        CHECK(memchr(e->service, '\0', sizeof(e->service)) && e->service[0] != '#');
        CHECK((unsigned)e->kind < POL_NKINDS);
        unsigned tries = 0;
        for (int a = 0; a < POL_LEARNED; a++) {
            CHECK(e->stat[a].tries <= POL_TRIES_MAX);
            CHECK(e->stat[a].reward_milli <= e->stat[a].tries * 1000);
            tries += e->stat[a].tries;
        }
        CHECK(tries > 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    policy_init(&p);
    int bad = policy_load(&p, (const char *)data, size);
    CHECK(bad >= 0);
    check_table(&p);
    size_t n = policy_save(&p, text, sizeof(text));
    CHECK(n > 0 && n == strlen(text));
    policy_init(&again);
    CHECK_EQ(policy_load(&again, text, n), 0);
    CHECK_EQ(policy_save(&again, text2, sizeof(text2)), n);
    CHECK(!strcmp(text, text2));

    unsigned allowed = size ? data[0] & POL_ALL : POL_ALL;
    for (unsigned i = 0; i < POL_MAX; i++) {
        const struct pol_entry *e = &again.entries[i];
        if (!e->service[0])
            continue;
        struct pol_decision d;
        enum pol_action a = policy_decide(&again, e->service, e->kind, allowed, i, &d);
        CHECK(a == d.action && d.reason[0] && strlen(d.reason) < sizeof(d.reason));
        if (a == POL_ESCALATE)
            CHECK((allowed & POL_BIT(POL_ESCALATE)) || !(allowed & (POL_BIT(POL_ESCALATE) - 1)));
        else
            CHECK(allowed & POL_BIT(a));
        int w = policy_explain(&again, e->service, why, sizeof(why));
        CHECK(w > 0 && (size_t)w == strlen(why));
    }
    return 0;
}
