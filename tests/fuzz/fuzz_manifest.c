/*
 * fuzz_manifest.c: libFuzzer target for the supervisor's manifest parser
 * (servers/supervisor/manifest.c). Checks what it returns: counts within
 * bounds, NUL-terminated names, dependencies and the start order that
 * refer to services, every dependency before its dependent, only known
 * capabilities, and the same result from a second parse.
 */
#include "manifest.h"
#include <stdlib.h>
#include <unit.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned problems;

static void count(void *ctx, unsigned line, const char *what)
{
    (void)ctx, (void)line;
    CHECK(what && *what);
    problems++;
}

static struct manifest m, again;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    problems = 0;
    unsigned n = manifest_parse((const char *)data, size, &m, count, NULL);
    CHECK_EQ(n, problems);
    CHECK(m.nsvc <= SVC_MAX && m.ngroups <= GROUP_MAX && m.norder <= m.nsvc);
    int position[SVC_MAX];
    for (unsigned i = 0; i < SVC_MAX; i++)
        position[i] = -1;
    for (unsigned i = 0; i < m.norder; i++) {
        CHECK(m.order[i] < m.nsvc);
        CHECK(position[m.order[i]] < 0);
        position[m.order[i]] = (int)i;
    }
    for (unsigned i = 0; i < m.nsvc; i++) {
        const struct svc_spec *s = &m.svc[i];
        CHECK(memchr(s->name, '\0', sizeof(s->name)) && memchr(s->bin, '\0', sizeof(s->bin)));
        CHECK(manifest_find(&m, s->name) == (int)i);
        CHECK(s->ndeps <= SVC_DEPS_MAX && s->args_len <= SVC_ARGS_MAX);
        CHECK(s->prio >= 1 && s->prio <= 15 && s->limit >= 1 && s->limit <= SVC_LIMIT_MAX);
        CHECK(s->group < (int)m.ngroups);
        CHECK((s->caps & ~(SVC_CAP_DEVICE | SVC_CAP_INITRD | SVC_CAP_MONITOR)) == 0);
        if (position[i] >= 0)
            for (unsigned d = 0; d < s->ndeps; d++)
                CHECK(s->deps[d] < m.nsvc && position[s->deps[d]] >= 0 &&
                      position[s->deps[d]] < position[i]);
    }
    for (unsigned g = 0; g < m.ngroups; g++)
        for (unsigned i = 0; i < m.groups[g].nmembers; i++)
            CHECK(m.svc[m.groups[g].members[i]].group == (int)g);
    CHECK_EQ(manifest_parse((const char *)data, size, &again, NULL, NULL), n);
    CHECK(again.nsvc == m.nsvc && again.norder == m.norder);
    CHECK(memcmp(again.order, m.order, sizeof(m.order[0]) * m.norder) == 0);
    return 0;
}
