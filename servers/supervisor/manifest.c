/*
 * manifest.c: the boot manifest's parser (see manifest.h). Pure code: it
 * runs in the supervisor and, under ASan and libFuzzer, on the host.
 */
#include "manifest.h"

#define LINE_MAX  512
#define WORDS_MAX 40

/* Names a line gives before every service is known. */
struct pending {
    char deps[SVC_MAX][SVC_DEPS_MAX][SVC_NAME_MAX];
    char members[GROUP_MAX][SVC_MAX][SVC_NAME_MAX];
};

struct parser {
    struct manifest *m;
    manifest_error_fn *err;
    void *ctx;
    unsigned line, problems;
    struct pending names;
};

static void problem(struct parser *p, unsigned line, const char *what)
{
    p->problems++;
    if (p->err)
        p->err(p->ctx, line, what);
}

static size_t length(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static bool same(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static bool starts(const char *s, const char *prefix)
{
    while (*prefix && *s == *prefix)
        s++, prefix++;
    return !*prefix;
}

/* Copy S into DST of SIZE bytes; false when it does not fit. */
static bool copy(char *dst, size_t size, const char *s)
{
    size_t n = length(s);
    if (n >= size)
        return false;
    for (size_t i = 0; i <= n; i++)
        dst[i] = s[i];
    return true;
}

static bool good_name(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_' ||
              s[n] == '-'))
            return false;
    return n > 0 && n < SVC_NAME_MAX && s[0] >= 'a' && s[0] <= 'z';
}

/* A decimal number in [LO, HI] that ends at END (or at *END_AT, if given). */
static bool number(const char *s, unsigned lo, unsigned hi, unsigned *out, const char **end_at)
{
    unsigned long v = 0;
    const char *d = s;
    while (*d >= '0' && *d <= '9' && v <= hi)
        v = v * 10 + (unsigned long)(*d++ - '0');
    if (d == s || v < lo || v > hi || (end_at ? 0 : *d))
        return false;
    if (end_at)
        *end_at = d;
    *out = (unsigned)v;
    return true;
}

int manifest_find(const struct manifest *m, const char *name)
{
    for (unsigned i = 0; i < m->nsvc; i++)
        if (same(m->svc[i].name, name))
            return (int)i;
    return -1;
}

/* Split comma list V into up to MAX names of SVC_NAME_MAX bytes in OUT. */
static int name_list(const char *v, char (*out)[SVC_NAME_MAX], unsigned max)
{
    unsigned n = 0;
    while (*v) {
        char name[SVC_NAME_MAX];
        size_t k = 0;
        while (*v && *v != ',' && k < SVC_NAME_MAX)
            name[k++] = *v++;
        if (k == SVC_NAME_MAX || n == max)
            return -1;
        name[k] = '\0';
        if (!good_name(name))
            return -1;
        copy(out[n++], SVC_NAME_MAX, name);
        if (*v == ',' && !*++v)
            return -1; /* a trailing comma */
    }
    return (int)n;
}

/* Whether [S, END) is the word WORD. */
static bool is_word(const char *s, const char *end, const char *word)
{
    while (s < end && *s == *word)
        s++, word++;
    return s == end && !*word;
}

/* caps=A,B,...: device, initrd and monitor, in any order (empty: none),
 * ORed into *CAPS as SVC_CAP_*; returns what is wrong, or NULL. */
static const char *cap_list(const char *v, unsigned *caps)
{
    static const char bad[] = "caps: not a list of device, initrd and monitor";
    unsigned found = 0;
    while (*v) {
        const char *end = v;
        while (*end && *end != ',')
            end++;
        if (is_word(v, end, "device"))
            found |= SVC_CAP_DEVICE;
        else if (is_word(v, end, "initrd"))
            found |= SVC_CAP_INITRD;
        else if (is_word(v, end, "monitor"))
            found |= SVC_CAP_MONITOR;
        else
            return bad;
        v = end;
        if (*v == ',' && !*++v)
            return bad; /* a trailing comma */
    }
    *caps |= found;
    return NULL;
}

/* One KEY=VALUE word W of service S; returns what is wrong, or NULL. */
static const char *service_key(struct parser *p, struct svc_spec *s, unsigned idx, const char *w)
{
    const char *v = w;
    while (*v && *v != '=')
        v++;
    if (!*v)
        return "expected KEY=VALUE";
    v++;
    if (starts(w, "bin="))
        return *v && copy(s->bin, sizeof(s->bin), v) ? NULL : "bin: empty or too long";
    if (starts(w, "args=")) {
        unsigned n = 0, k = 0;
        if (!*v) {
            s->args_len = s->nargs = 0;
            return NULL;
        }
        for (; *v; v++, k++) {
            if (k + 2 > SVC_ARGS_MAX)
                return "args: too long";
            s->args[k] = *v == ',' ? '\0' : *v;
            n += *v == ',';
        }
        s->args[k++] = '\0';
        s->args_len = k, s->nargs = n + 1;
        return NULL;
    }
    if (starts(w, "after=")) {
        int n = name_list(v, p->names.deps[idx], SVC_DEPS_MAX);
        if (n < 0)
            return "after: bad names, or more than 8";
        s->ndeps = (unsigned)n;
        return NULL;
    }
    if (starts(w, "caps="))
        return cap_list(v, &s->caps);
    if (starts(w, "prio="))
        return number(v, 1, 15, &s->prio, NULL) ? NULL
                                                : "prio: not 1..15 (the supervisor runs at 16)";
    if (starts(w, "memory="))
        return number(v, 1, 65536, &s->memory_mib, NULL) ? NULL : "memory: not 1..65536 MiB";
    if (starts(w, "restart=")) {
        if (same(v, "permanent"))
            s->restart = RESTART_PERMANENT;
        else if (same(v, "transient"))
            s->restart = RESTART_TRANSIENT;
        else if (same(v, "temporary"))
            s->restart = RESTART_TEMPORARY;
        else
            return "restart: not permanent, transient or temporary";
        return NULL;
    }
    if (starts(w, "limit=")) {
        const char *slash;
        if (number(v, 1, SVC_LIMIT_MAX, &s->limit, &slash) && *slash == '/' &&
            number(slash + 1, 1, 3600, &s->period_s, NULL))
            return NULL;
        return "limit: not N/SECONDS (1..16 in 1..3600 s)";
    }
    if (starts(w, "heartbeat="))
        return number(v, 0, 600000, &s->heartbeat_ms, NULL) ? NULL : "heartbeat: not 0..600000 ms";
    if (starts(w, "stall="))
        return number(v, 0, 600000, &s->stall_ms, NULL) ? NULL : "stall: not 0..600000 ms";
    if (starts(w, "inject=") || starts(w, "control=")) {
        if (!same(v, "yes") && !same(v, "no"))
            return starts(w, "inject=") ? "inject: not yes or no" : "control: not yes or no";
        *(starts(w, "inject=") ? &s->inject : &s->control) = same(v, "yes");
        return NULL;
    }
    return "unknown key";
}

static void service_line(struct parser *p, char **w, unsigned n)
{
    struct manifest *m = p->m;
    if (n < 2 || !good_name(w[1])) {
        problem(p, p->line, "service: expected a name (a-z, 0-9, _ and -, at most 31)");
        return;
    }
    if (manifest_find(m, w[1]) >= 0) {
        problem(p, p->line, "service: a service of that name exists already");
        return;
    }
    if (m->nsvc == SVC_MAX) {
        problem(p, p->line, "service: too many services (at most 32)");
        return;
    }
    unsigned idx = m->nsvc;
    struct svc_spec *s = &m->svc[idx];
    *s = (struct svc_spec){
        .prio = 8, .memory_mib = 32, .limit = 5, .period_s = 10, .group = -1, .line = p->line
    };
    copy(s->name, sizeof(s->name), w[1]);
    copy(s->bin, sizeof(s->bin), "sbin/");
    copy(s->bin + 5, sizeof(s->bin) - 5, w[1]);
    for (unsigned i = 2; i < n; i++) {
        const char *what = service_key(p, s, idx, w[i]);
        if (what) {
            problem(p, p->line, what);
            return; /* the service is left out */
        }
    }
    if (!s->nargs)
        s->args_len = 0;
    m->nsvc++;
}

static void group_line(struct parser *p, char **w, unsigned n)
{
    struct manifest *m = p->m;
    if (n < 4 || !good_name(w[1])) {
        problem(p, p->line, "group: expected NAME STRATEGY MEMBER...");
        return;
    }
    if (m->ngroups == GROUP_MAX || n - 3 > SVC_MAX) {
        problem(p, p->line, "group: too many groups (8) or members (32)");
        return;
    }
    for (unsigned i = 0; i < m->ngroups; i++)
        if (same(m->groups[i].name, w[1])) {
            problem(p, p->line, "group: a group of that name exists already");
            return;
        }
    struct group_spec *g = &m->groups[m->ngroups];
    *g = (struct group_spec){ .line = p->line };
    if (same(w[2], "one_for_all"))
        g->strategy = GROUP_ONE_FOR_ALL;
    else if (same(w[2], "rest_for_one"))
        g->strategy = GROUP_REST_FOR_ONE;
    else {
        problem(p, p->line, "group: the strategy is one_for_all or rest_for_one");
        return;
    }
    for (unsigned i = 3; i < n; i++)
        if (!good_name(w[i])) {
            problem(p, p->line, "group: a member's name is malformed");
            return;
        }
    copy(g->name, sizeof(g->name), w[1]);
    for (unsigned i = 3; i < n; i++)
        copy(p->names.members[m->ngroups][g->nmembers++], SVC_NAME_MAX, w[i]);
    m->ngroups++;
}

/* One line of LEN bytes at S (no newline). */
static void line(struct parser *p, const char *s, size_t len)
{
    char buf[LINE_MAX];
    char *w[WORDS_MAX];
    unsigned n = 0;
    if (len >= LINE_MAX) {
        problem(p, p->line, "the line is too long (at most 511 bytes)");
        return;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '#')
            len = i;
        else if (s[i] == '\0') {
            problem(p, p->line, "a NUL byte in the line");
            return;
        }
    }
    for (size_t i = 0; i < len; i++)
        buf[i] = s[i] == '\t' || s[i] == '\r' ? ' ' : s[i];
    buf[len] = '\0';
    for (char *c = buf; *c;) {
        while (*c == ' ')
            *c++ = '\0';
        if (!*c)
            break;
        if (n == WORDS_MAX) {
            problem(p, p->line, "too many words");
            return;
        }
        w[n++] = c;
        while (*c && *c != ' ')
            c++;
    }
    if (n == 0)
        return;
    if (same(w[0], "service"))
        service_line(p, w, n);
    else if (same(w[0], "group"))
        group_line(p, w, n);
    else
        problem(p, p->line, "expected service or group");
}

/* Dependencies and group members by index; the start order. */
static void resolve(struct parser *p)
{
    struct manifest *m = p->m;
    bool startable[SVC_MAX], placed[SVC_MAX] = { false };
    for (unsigned i = 0; i < m->nsvc; i++) {
        struct svc_spec *s = &m->svc[i];
        startable[i] = true;
        for (unsigned d = 0; d < s->ndeps; d++) {
            int k = manifest_find(m, p->names.deps[i][d]);
            if (k < 0 || (unsigned)k == i) {
                problem(p, s->line, k < 0 ? "after: no such service" : "after: itself");
                startable[i] = false;
                break;
            }
            s->deps[d] = (unsigned)k;
        }
    }
    for (unsigned g = 0; g < m->ngroups; g++) {
        struct group_spec *gr = &m->groups[g];
        for (unsigned i = 0; i < gr->nmembers; i++) {
            int k = manifest_find(m, p->names.members[g][i]);
            if (k < 0 || m->svc[k].group >= 0) {
                problem(p, gr->line,
                        k < 0 ? "group: no such service" : "group: a service in two groups");
                gr->nmembers = i; /* the members so far stay */
                break;
            }
            m->svc[k].group = (int)g;
            gr->members[i] = (unsigned)k;
        }
    }
    /* Kahn's algorithm, in manifest order among those ready. */
    for (bool progress = true; progress;) {
        progress = false;
        for (unsigned i = 0; i < m->nsvc; i++) {
            if (placed[i] || !startable[i])
                continue;
            bool ready = true;
            for (unsigned d = 0; d < m->svc[i].ndeps && ready; d++)
                ready = placed[m->svc[i].deps[d]];
            if (ready) {
                placed[i] = progress = true;
                m->order[m->norder++] = i;
                break; /* from the top: earlier lines go first */
            }
        }
    }
    for (unsigned i = 0; i < m->nsvc; i++)
        if (startable[i] && !placed[i])
            problem(p, m->svc[i].line, "after: a dependency cycle, or a dependency left out");
}

unsigned manifest_parse(const char *text, size_t len, struct manifest *m, manifest_error_fn *err,
                        void *ctx)
{
    static struct parser p; /* the pending names are big for a stack */
    p = (struct parser){ .m = m, .err = err, .ctx = ctx };
    m->nsvc = m->ngroups = m->norder = 0;
    for (size_t i = 0; i < len;) {
        size_t n = 0;
        while (i + n < len && text[i + n] != '\n')
            n++;
        p.line++;
        line(&p, text + i, n);
        i += n + 1;
    }
    resolve(&p);
    return p.problems;
}
