/*
 * nlu.c: the shell's natural-language understanding (nlu.h).
 *
 * nlu_interpret takes a line through four steps:
 *   tokenize  words, numbers, paths, file names, hosts and "quoted text";
 *   classify  softmax regression over hashed features of the tokens (words,
 *             word pairs, character trigrams), with the weights that
 *             tools/nlu-train generates from servers/shell/nlu/corpus.txt;
 *   slots     what the intent's command needs, found by small rules over
 *             the tokens and the word classes of servers/shell/nlu/lexicon.txt;
 *   verdict   run it (NLU_COMMAND), ask (NLU_ASK), or give up with a
 *             suggestion (NLU_UNKNOWN).
 * tokenize and the features must stay the same as tools/nlu-train's; the
 * unit test checks them against vectors that the generator writes.
 *
 * Everything lives on the stack (under 6 KiB): reentrant, no allocation.
 */
#define NLU_MODEL_WEIGHTS
#include "nlu.h"
#include "nlu_impl.h"
#include "nlu_model.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The model's probability needed to run a command without asking, and to
 * offer one at all (chosen by cross-validation on the corpus, see
 * docs/shell-nlu.md). */
#define NLU_SURE   0.7
#define NLU_UNSURE 0.3

/* ---- tokens ---- */

enum tok_kind { TK_WORD, TK_NUM, TK_PATH, TK_FILE, TK_HOST, TK_TEXT, TK_URL };

struct tok {
    uint8_t kind;                 /* enum tok_kind */
    uint8_t wlen;                 /* bytes in w */
    uint16_t off, len;            /* the token in the line, as typed */
    uint32_t flags;               /* the word's NLU_F_* classes (lexicon.txt) */
    const struct nlu_lexeme *lex; /* the word's lexicon entry, or NULL */
    char w[NLU_WORD_MAX + 1];     /* TK_WORD, TK_NUM: lower case, no apostrophes */
};

struct line {
    const char *s; /* the line as typed, N bytes looked at */
    size_t n;
    const struct nlu_context *ctx;
    unsigned nt;
    struct tok t[NLU_TOKENS_MAX];
};

static bool is_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(unsigned char c)
{
    return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static bool is_word_byte(unsigned char c)
{
    return is_alnum(c) || c >= 0x80 || c == '-' || c == '_' || c == '\'';
}

static bool in_set(unsigned char c, const char *set)
{
    return c && strchr(set, c);
}

static bool is_dots(const char *c, size_t n)
{
    return (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.');
}

static const struct nlu_lexeme *lexicon_find(const char *w)
{
    size_t lo = 0, hi = sizeof(nlu_lexicon) / sizeof(nlu_lexicon[0]);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(w, nlu_lexicon[mid].word);
        if (c == 0)
            return &nlu_lexicon[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* Whether chunk C of N bytes is a URL: a scheme of letters and digits,
 * then "://". */
static bool is_url(const char *c, size_t n)
{
    size_t k = 0;
    while (k < n && is_alnum((unsigned char)c[k]))
        k++;
    return k > 0 && n - k >= 3 && memcmp(c + k, "://", 3) == 0;
}

/* The kind of a trimmed chunk that stays whole (a URL, a path, a host, a
 * dotted file name), or -1 for one that splits into words. */
static int chunk_kind(const char *c, size_t n)
{
    if (is_url(c, n))
        return TK_URL;
    if (memchr(c, '/', n) || c[0] == '~' || is_dots(c, n))
        return TK_PATH;
    unsigned dots = 0, run = 0;
    bool quad = true, name = is_alnum(c[0]) && is_alnum(c[n - 1]), dotted = false;
    for (size_t i = 0; i < n; i++) {
        if (c[i] == '.') {
            quad = quad && run > 0;
            dots++, run = 0, dotted = true;
        } else {
            quad = quad && is_digit(c[i]);
            run++;
        }
        name = name && (is_alnum(c[i]) || in_set(c[i], ".-_"));
    }
    if (quad && dots == 3 && run > 0)
        return TK_HOST;
    return dotted && name ? TK_FILE : -1;
}

static struct tok *add_tok(struct line *l, int kind, size_t off, size_t len)
{
    struct tok *t = &l->t[l->nt++];
    memset(t, 0, sizeof(*t));
    t->kind = (uint8_t)kind;
    t->off = (uint16_t)off;
    t->len = (uint16_t)len;
    return t;
}

/* The words and numbers of the chunk [A, B): runs of word bytes, lower
 * case, apostrophes dropped. */
static void split_words(struct line *l, size_t a, size_t b)
{
    const char *s = l->s;
    for (size_t k = a; k < b && l->nt < NLU_TOKENS_MAX;) {
        if (!is_word_byte((unsigned char)s[k])) {
            k++;
            continue;
        }
        size_t m = k, wl = 0;
        bool digits = true;
        char w[NLU_WORD_MAX + 1];
        for (; m < b && is_word_byte((unsigned char)s[m]); m++) {
            if (s[m] == '\'')
                continue;
            digits = digits && is_digit(s[m]);
            if (wl < NLU_WORD_MAX)
                w[wl] = s[m] >= 'A' && s[m] <= 'Z' ? (char)(s[m] + 32) : s[m];
            wl++;
        }
        if (wl) {
            struct tok *t = add_tok(l, digits ? TK_NUM : TK_WORD, k, m - k);
            t->wlen = (uint8_t)(wl < NLU_WORD_MAX ? wl : NLU_WORD_MAX);
            memcpy(t->w, w, t->wlen);
            t->w[t->wlen] = '\0';
            t->lex = digits ? NULL : lexicon_find(t->w);
            t->flags = t->lex ? t->lex->flags : 0;
        }
        k = m;
    }
}

/* If a quote opens at I and closes before the end (followed by a space,
 * punctuation or the end), the quoted text's end; else 0. */
static size_t quote_end(const char *s, size_t n, size_t i)
{
    size_t j = i + 1;
    while (j < n && !(s[j] == s[i] && (j + 1 == n || is_space((unsigned char)s[j + 1]) ||
                                       in_set(s[j + 1], "?!,;:.)"))))
        j++;
    return j < n && j > i + 1 ? j : 0;
}

/* Cut L's line into tokens (tools/nlu-train's tokenize() does the same). */
static void tokenize(struct line *l)
{
    const char *s = l->s;
    size_t i = 0, n = l->n;
    while (i < n && l->nt < NLU_TOKENS_MAX) {
        size_t q;
        if (is_space((unsigned char)s[i])) {
            i++;
        } else if ((s[i] == '"' || s[i] == '\'') && (q = quote_end(s, n, i))) {
            add_tok(l, TK_TEXT, i + 1, q - i - 1);
            i = q + 1;
        } else {
            size_t a = i, b = i;
            while (b < n && !is_space((unsigned char)s[b]))
                b++;
            i = b;
            while (a < b && in_set(s[a], "\"'([{<"))
                a++;
            while (a < b && in_set(s[b - 1], "\"'?!,;:)]}>.") && !is_dots(s + a, b - a))
                b--;
            int kind = a < b ? chunk_kind(s + a, b - a) : -1;
            if (kind >= 0)
                add_tok(l, kind, a, b - a);
            else
                split_words(l, a, b);
        }
    }
}

static void load(struct line *l, const char *line, const struct nlu_context *ctx)
{
    l->s = line ? line : "";
    l->n = 0;
    while (l->n < NLU_LINE_MAX && l->s[l->n])
        l->n++;
    l->ctx = ctx;
    l->nt = 0;
    tokenize(l);
}

/* ---- the intent model ---- */

#define FNV_BASIS 2166136261u

static uint32_t fnv(uint32_t h, const void *bytes, size_t n)
{
    const unsigned char *p = bytes;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static uint32_t mix(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    return h ^ (h >> 16);
}

uint32_t nlu_hash(const void *bytes, size_t n)
{
    return mix(fnv(FNV_BASIS, bytes, n));
}

/* Scores being added up, feature by feature. */
struct acc {
    float s[NLU_NCLASSES];
    float scale; /* nlu_token_scale[number of tokens] */
    unsigned n;
    double checksum;
};

static void add_feature(struct acc *a, uint32_t h, float v)
{
    unsigned b = h & ((1u << NLU_BUCKET_BITS) - 1);
    float x = (h >> 31 ? -v : v) * a->scale;
    const int16_t *row = nlu_weights[b];
    for (unsigned k = 0; k < NLU_NCLASSES; k++)
        a->s[k] += x * row[k];
    a->n++;
    a->checksum += (double)(b + 1) * x;
}

/* The word a token stands for in the features. */
static const char *feature_word(const struct tok *t, size_t *n)
{
    static const char *const placeholder[] = {
        [TK_NUM] = "<num>",   [TK_PATH] = "<path>", [TK_FILE] = "<path>",
        [TK_HOST] = "<host>", [TK_TEXT] = "<text>", [TK_URL] = "<url>",
    };
    const char *w = t->kind == TK_WORD ? t->w : placeholder[t->kind];
    *n = t->kind == TK_WORD ? t->wlen : strlen(w);
    return w;
}

static void add_bigram(struct acc *a, const char *x, size_t xn, const char *y, size_t yn)
{
    uint32_t h = fnv(fnv(FNV_BASIS, "b:", 2), x, xn);
    add_feature(a, mix(fnv(fnv(h, " ", 1), y, yn)), NLU_W_WORD);
}

static void add_trigrams(struct acc *a, const struct tok *t)
{
    char g[NLU_WORD_MAX + 2];
    g[0] = '<';
    memcpy(g + 1, t->w, t->wlen);
    g[t->wlen + 1] = '>';
    uint32_t h = fnv(FNV_BASIS, "c:", 2);
    for (unsigned k = 0; k < t->wlen; k++)
        add_feature(a, mix(fnv(h, g + k, 3)), NLU_W_CHAR);
}

/* Add up L's features (tools/nlu-train's feature_strings()) into A. */
static void features(const struct line *l, struct acc *a)
{
    const char *prev = "^";
    size_t prevn = 1;
    for (unsigned i = 0; i < l->nt; i++) {
        size_t n;
        const char *w = feature_word(&l->t[i], &n);
        add_feature(a, mix(fnv(fnv(FNV_BASIS, "u:", 2), w, n)), NLU_W_WORD);
        add_bigram(a, prev, prevn, w, n);
        prev = w, prevn = n;
    }
    add_bigram(a, prev, prevn, "$", 1);
    for (unsigned i = 0; i < l->nt; i++)
        if (l->t[i].kind == TK_WORD)
            add_trigrams(a, &l->t[i]);
}

/* e^x for x <= 0, to about 1e-9: 2^i * e^r by Taylor's series. */
static double nlu_exp(double x)
{
    if (x < -700)
        return 0;
    double t = x * 1.4426950408889634;
    int i = (int)t;
    i -= t < i;
    double r = (t - i) * 0.6931471805599453, term = 1, sum = 1;
    for (int k = 1; k <= 12; k++) {
        term *= r / k;
        sum += term;
    }
    union {
        double d;
        uint64_t u;
    } two = { .u = (uint64_t)(i + 1023) << 52 };
    return sum * two.d;
}

/* The probabilities of the classes for L, into P; returns the top class. */
static int classify(const struct line *l, double p[NLU_NCLASSES], struct acc *a)
{
    memset(a, 0, sizeof(*a));
    a->scale = nlu_token_scale[l->nt];
    features(l, a);
    int top = 0;
    double z = 0, s[NLU_NCLASSES];
    for (int k = 0; k < NLU_NCLASSES; k++) {
        s[k] = a->s[k] / NLU_WEIGHT_SCALE + nlu_bias[k];
        if (s[k] > s[top])
            top = k;
    }
    for (int k = 0; k < NLU_NCLASSES; k++)
        z += p[k] = nlu_exp(s[k] - s[top]);
    for (int k = 0; k < NLU_NCLASSES; k++)
        p[k] /= z;
    return top;
}

void nlu_classify(const char *line, struct nlu_scores *out)
{
    struct line l;
    struct acc a;
    load(&l, line, NULL);
    out->top = classify(&l, out->p, &a);
    out->ntokens = l.nt;
    out->nfeatures = a.n;
    out->checksum = a.checksum;
    for (int k = 0; k < NLU_NCLASSES; k++)
        out->name[k] = nlu_class_names[k];
}

bool nlu_lexicon_sorted(void)
{
    for (size_t i = 1; i < sizeof(nlu_lexicon) / sizeof(nlu_lexicon[0]); i++)
        if (strcmp(nlu_lexicon[i - 1].word, nlu_lexicon[i].word) >= 0)
            return false;
    return true;
}

/* ---- building the command ---- */

/* How sure a command's slots are: not found, guessed from a plain word,
 * or found (a path, a service, a number, "called X"). */
enum slot { SLOT_NONE, SLOT_GUESSED, SLOT_SURE };

struct out {
    char *buf;
    size_t cap, len;
    bool full; /* it did not fit */
};

/* Append N bytes; control characters become spaces, so it stays one line. */
static void put(struct out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n && !o->full; i++) {
        unsigned char c = (unsigned char)s[i];
        if (o->len + 1 >= o->cap)
            o->full = true;
        else
            o->buf[o->len++] = (char)(c < 0x20 || c == 0x7f ? ' ' : c);
    }
    o->buf[o->len] = '\0';
}

static void put_str(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

/* Tokens A..B of L as typed (B included), after a space. */
static void put_span(struct out *o, const struct line *l, unsigned a, unsigned b)
{
    put_str(o, " ");
    put(o, l->s + l->t[a].off, (size_t)(l->t[b].off + l->t[b].len - l->t[a].off));
}

static bool has(const struct line *l, uint32_t flags)
{
    for (unsigned i = 0; i < l->nt; i++)
        if (l->t[i].flags & flags)
            return true;
    return false;
}

/* The first token at or after FROM with one of FLAGS, or -1. */
static int find(const struct line *l, unsigned from, uint32_t flags)
{
    for (unsigned i = from; i < l->nt; i++)
        if (l->t[i].flags & flags)
            return (int)i;
    return -1;
}

static bool is_word(const struct tok *t, const char *w)
{
    return t->kind == TK_WORD && strcmp(t->w, w) == 0;
}

/* ---- slots: services ---- */

/* Other names of services: one word, or two ("file server"). */
static const struct alias {
    const char *w1, *w2, *service;
} aliases[] = {
    { "file", "server", "vfs" },
    { "file", "system", "vfs" },
    { "file", "service", "vfs" },
    { "file", "systems", "vfs" },
    { "block", "device", "block" },
    { "disk", "driver", "block" },
    { "storage", "driver", "block" },
    { "block", "driver", "block" },
    { "web", "server", "httpd" },
    { "http", "server", "httpd" },
    { "web", "service", "httpd" },
    { "http", "service", "httpd" },
    { "network", "stack", "net" },
    { "network", NULL, "net" },
    { "networking", NULL, "net" },
    { "internet", NULL, "net" },
    { "ethernet", NULL, "net" },
    { "filesystem", NULL, "vfs" },
    { "filesystems", NULL, "vfs" },
    { "files", NULL, "vfs" },
    { "fs", NULL, "vfs" },
    { "disk", NULL, "block" },
    { "disks", NULL, "block" },
    { "storage", NULL, "block" },
    { "web", NULL, "httpd" },
    { "http", NULL, "httpd" },
    { "webserver", NULL, "httpd" },
    { "www", NULL, "httpd" },
    { "console", NULL, "shell" },
    { "init", NULL, "supervisor" },
};

static unsigned min_u(unsigned a, unsigned b)
{
    return a < b ? a : b;
}

/* Optimal string alignment distance of A and B (at most NLU_WORD_MAX
 * bytes each): edits, with a swap of neighbours counted as one. */
static unsigned osa(const char *a, size_t n, const char *b, size_t m)
{
    uint8_t d[3][NLU_WORD_MAX + 1];
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (uint8_t)j;
    for (size_t i = 1; i <= n; i++) {
        uint8_t *cur = d[i % 3], *up = d[(i - 1) % 3], *up2 = d[(i + 1) % 3];
        cur[0] = (uint8_t)i;
        for (size_t j = 1; j <= m; j++) {
            unsigned v = up[j - 1] + (a[i - 1] != b[j - 1]);
            v = min_u(v, up[j] + 1u);
            v = min_u(v, cur[j - 1] + 1u);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                v = min_u(v, up2[j - 2] + 1u);
            cur[j] = (uint8_t)v;
        }
    }
    return d[n % 3][m];
}

/* Whether word W is NAME or, both having 4 letters or more, a typo of it
 * (one edit on short words, two on words of 6 letters or more). */
static bool like(const char *w, size_t wn, const char *name, bool fuzzy)
{
    size_t n = strlen(name);
    if (n == wn && memcmp(w, name, n) == 0)
        return true;
    if (!fuzzy || wn < 4 || n < 4 || n > NLU_WORD_MAX)
        return false;
    unsigned max = (wn < n ? wn : n) <= 5 ? 1 : 2;
    if (wn > n + max || n > wn + max)
        return false;
    return osa(w, wn, name, n) <= max;
}

/* The context's name for service NAME, or NAME if the context lists none;
 * NULL if it has no such service. */
static const char *service_named(const struct nlu_context *ctx, const char *name)
{
    if (!ctx || !ctx->services || !ctx->nservices)
        return name;
    for (unsigned i = 0; i < ctx->nservices; i++)
        if (ctx->services[i] && strcmp(ctx->services[i], name) == 0)
            return ctx->services[i];
    return NULL;
}

/* The service that token I names with an alias, or NULL; *WORDS is how
 * many tokens the alias takes. */
static const char *alias_at(const struct line *l, unsigned i, bool fuzzy, unsigned *words)
{
    const struct tok *t = &l->t[i], *u = i + 1 < l->nt ? &l->t[i + 1] : NULL;
    for (size_t k = 0; k < sizeof(aliases) / sizeof(aliases[0]); k++) {
        const struct alias *a = &aliases[k];
        if (!like(t->w, t->wlen, a->w1, fuzzy))
            continue;
        if (a->w2 && !(u && u->kind == TK_WORD && like(u->w, u->wlen, a->w2, fuzzy)))
            continue;
        const char *s = service_named(l->ctx, a->service);
        if (s) {
            *words = a->w2 ? 2 : 1;
            return s;
        }
    }
    return NULL;
}

/* The service that L names, by the first of: a service's own name, an
 * alias, a typo of either. NULL if none. */
static const char *find_service(const struct line *l)
{
    const struct nlu_context *ctx = l->ctx;
    unsigned nsvc = ctx && ctx->services ? ctx->nservices : 0;
    for (int pass = 0; pass < 2; pass++) {
        bool fuzzy = pass == 1;
        for (unsigned i = 0; i < l->nt; i++) {
            const struct tok *t = &l->t[i];
            if (t->kind != TK_WORD)
                continue;
            for (unsigned k = 0; k < nsvc; k++)
                if (ctx->services[k] && like(t->w, t->wlen, ctx->services[k], fuzzy))
                    return ctx->services[k];
        }
        const char *best = NULL;
        unsigned best_words = 0;
        for (unsigned i = 0; i < l->nt; i++) {
            unsigned words = 0;
            const char *s = l->t[i].kind == TK_WORD ? alias_at(l, i, fuzzy, &words) : NULL;
            if (s && words > best_words)
                best = s, best_words = words;
        }
        if (best)
            return best;
    }
    return NULL;
}

/* ---- slots: numbers ---- */

/* The value of the number at token I (digits, a number word, "twenty
 * five", or "a" before a unit), and in *NEXT the token after it. */
static bool number_at(const struct line *l, unsigned i, long *value, unsigned *next)
{
    const struct tok *t = &l->t[i];
    *next = i + 1;
    if (t->kind == TK_NUM) {
        *value = 0;
        for (unsigned k = 0; k < t->wlen && *value < 100000000; k++)
            *value = *value * 10 + (t->w[k] - '0');
        return true;
    }
    if (t->flags & NLU_F_NUMBER) {
        *value = t->lex->value;
        const struct tok *u = i + 1 < l->nt ? &l->t[i + 1] : NULL;
        if (*value >= 20 && u && (u->flags & NLU_F_NUMBER) && u->lex->value < 10)
            *value += u->lex->value, (*next)++;
        return true;
    }
    *value = 1;
    return (t->flags & NLU_F_ARTICLE) && i + 1 < l->nt && (l->t[i + 1].flags & NLU_F_UNIT);
}

/* "30s", "2min": digits and a unit in one word; the seconds in *VALUE. */
static bool number_with_unit(const struct tok *t, long *value)
{
    unsigned k = 0;
    long v = 0;
    for (; k < t->wlen && is_digit(t->w[k]) && v < 100000000; k++)
        v = v * 10 + (t->w[k] - '0');
    const struct nlu_lexeme *unit = k && k < t->wlen ? lexicon_find(t->w + k) : NULL;
    if (!unit || !(unit->flags & NLU_F_UNIT))
        return false;
    *value = v * unit->value;
    return true;
}

/* ---- slots: paths ---- */

/* A path: the token NAME, or the directory token DIR with NAME in it
 * ("a folder called projects in /tmp"), or a fixed one ("/", ".."). */
struct path {
    int dir, name;
    const char *fixed;
    enum slot slot;
};

static void put_path(struct out *o, const struct line *l, const struct path *p)
{
    put_str(o, " ");
    if (p->fixed) {
        put_str(o, p->fixed);
        return;
    }
    if (p->dir >= 0) {
        const struct tok *d = &l->t[p->dir];
        put(o, l->s + d->off, d->len);
        if (l->s[d->off + d->len - 1] != '/')
            put_str(o, "/");
    }
    put(o, l->s + l->t[p->name].off, l->t[p->name].len);
}

static bool path_token(const struct tok *t)
{
    return t->kind == TK_PATH || t->kind == TK_FILE || t->kind == TK_TEXT;
}

/* A word that may be a name: not a function word, a verb or a noun. */
static bool name_word(const struct tok *t)
{
    return (t->kind == TK_WORD || t->kind == TK_NUM) && !(t->flags & NLU_F_FILL);
}

/* The name before the preposition at K + 1 in "an images folder in /dir",
 * "the folder old in /dir", "notes.txt in /dir"; or -1. */
static int name_before(const struct line *l, int k)
{
    const struct tok *t = &l->t[k];
    const uint32_t noun = NLU_F_DIRNOUN | NLU_F_OBJNOUN;
    if (t->kind == TK_FILE)
        return k;
    if (t->kind != TK_WORD)
        return -1;
    if ((t->flags & noun) && k >= 1 && (name_word(&l->t[k - 1]) || l->t[k - 1].kind == TK_FILE))
        return k - 1;
    if (name_word(t) && k >= 1 && (l->t[k - 1].flags & noun))
        return k;
    return -1;
}

enum { P_COMPOSE = 1, P_GUESS = 2 };

/* The path among tokens [0, END) of L: a name given with "called" (in a
 * directory given with "in"), a name before "in /dir", the first path,
 * file name or quoted text; with P_GUESS, else the last plain word. */
static struct path find_path(const struct line *l, unsigned opts, unsigned end)
{
    struct path p = { -1, -1, NULL, SLOT_SURE };
    int name = -1, dir = -1;
    for (unsigned i = 0; i + 1 < end && name < 0; i++) {
        const struct tok *u = &l->t[i + 1];
        if ((l->t[i].flags & NLU_F_CALLED) && u->kind != TK_HOST && !(u->flags & NLU_F_ARTICLE) &&
            !is_word(u, "the"))
            name = (int)i + 1;
    }
    for (unsigned i = 1; i < end && dir < 0; i++)
        if (l->t[i].kind == TK_PATH && (l->t[i - 1].flags & NLU_F_PREP) && (int)i != name)
            dir = (int)i;
    if (name < 0 && (opts & P_COMPOSE) && dir >= 2)
        name = name_before(l, dir - 2);
    if (name >= 0) {
        const struct tok *t = &l->t[name];
        p.name = name;
        if ((opts & P_COMPOSE) && dir >= 0 && !memchr(l->s + t->off, '/', t->len))
            p.dir = dir;
        return p;
    }
    for (unsigned i = 0; i < end; i++)
        if (path_token(&l->t[i])) {
            p.name = (int)i;
            return p;
        }
    p.slot = SLOT_NONE;
    for (unsigned i = end; (opts & P_GUESS) && i-- > 1;)
        if (name_word(&l->t[i])) {
            p.name = (int)i;
            p.slot = SLOT_GUESSED;
            break;
        }
    return p;
}

/* ---- the commands ---- */

static enum slot build_plain(const struct line *l, struct out *o)
{
    (void)l, (void)o;
    return SLOT_SURE;
}

/* help [CMD]: a command's name, or a word for it ("how do I copy files"). */
static enum slot build_help(const struct line *l, struct out *o)
{
    bool commands = has(l, NLU_F_COMMANDS), dir = has(l, NLU_F_DIRNOUN);
    const char *cmd = NULL;
    for (unsigned i = 0; i < l->nt && !cmd; i++) {
        const struct nlu_lexeme *x = l->t[i].lex;
        if (x && x->cmd && !(commands && (x->flags & NLU_F_SYNONYM)))
            cmd = x->cmd;
    }
    if (!cmd && !commands && dir && has(l, NLU_F_MAKE))
        cmd = "mkdir";
    if (cmd && dir && strcmp(cmd, "rm") == 0)
        cmd = "rmdir";
    if (cmd) {
        put_str(o, " ");
        put_str(o, cmd);
    }
    return SLOT_SURE;
}

/* kill ID|NAME: an actor id, or a service. Never a guessed name. */
static enum slot build_kill(const struct line *l, struct out *o)
{
    for (unsigned i = 0; i < l->nt; i++)
        if (l->t[i].kind == TK_NUM) {
            put_span(o, l, i, i);
            return SLOT_SURE;
        }
    const char *svc = find_service(l);
    if (!svc)
        return SLOT_NONE;
    put_str(o, " ");
    put_str(o, svc);
    return SLOT_SURE;
}

/* restart NAME, services [NAME] */
static enum slot build_service(const struct line *l, struct out *o, bool required)
{
    const char *svc = find_service(l);
    if (svc) {
        put_str(o, " ");
        put_str(o, svc);
    }
    return svc || !required ? SLOT_SURE : SLOT_NONE;
}

static enum slot build_restart(const struct line *l, struct out *o)
{
    return build_service(l, o, true);
}

static enum slot build_services(const struct line *l, struct out *o)
{
    return build_service(l, o, false);
}

/* update NAME [BINARY] */
static enum slot build_update(const struct line *l, struct out *o)
{
    if (build_service(l, o, true) == SLOT_NONE)
        return SLOT_NONE;
    for (unsigned i = 0; i < l->nt; i++)
        if (l->t[i].kind == TK_PATH || l->t[i].kind == TK_FILE) {
            put_span(o, l, i, i);
            break;
        }
    return SLOT_SURE;
}

/* ls [-l] [PATH] */
static enum slot build_ls(const struct line *l, struct out *o)
{
    if (has(l, NLU_F_LONG))
        put_str(o, " -l");
    struct path p = find_path(l, 0, l->nt);
    if (p.slot == SLOT_NONE && has(l, NLU_F_ROOT))
        p = (struct path){ -1, -1, "/", SLOT_SURE };
    if (p.slot != SLOT_NONE)
        put_path(o, l, &p);
    return SLOT_SURE;
}

/* cd [PATH]: a path, "up" (..), the root (/), home (no argument). */
static enum slot build_cd(const struct line *l, struct out *o)
{
    struct path p = find_path(l, P_COMPOSE | P_GUESS, l->nt);
    if (p.slot != SLOT_SURE) {
        const char *fixed = has(l, NLU_F_PARENT) ? ".." : has(l, NLU_F_ROOT) ? "/" : NULL;
        if (fixed)
            p = (struct path){ -1, -1, fixed, SLOT_SURE };
        else if (has(l, NLU_F_HOME))
            return SLOT_SURE;
    }
    if (p.slot == SLOT_NONE)
        return SLOT_GUESSED;
    put_path(o, l, &p);
    return p.slot;
}

/* cat, stat, mkdir PATH */
static enum slot build_path(const struct line *l, struct out *o)
{
    struct path p = find_path(l, P_COMPOSE | P_GUESS, l->nt);
    if (p.slot != SLOT_NONE)
        put_path(o, l, &p);
    return p.slot;
}

/* rm, rmdir PATH: one path, never "all the files in /tmp" taken for
 * "rm /tmp". */
static enum slot build_remove(const struct line *l, struct out *o)
{
    return has(l, NLU_F_ALL) ? SLOT_NONE : build_path(l, o);
}

/* mv, cp FROM TO: two paths, or "X to Y" with plain words. */
static enum slot build_two(const struct line *l, struct out *o)
{
    int from = -1, to = -1, verb = find(l, 0, NLU_F_MVCP);
    for (unsigned i = 0; i < l->nt && to < 0; i++)
        if (path_token(&l->t[i]))
            *(from < 0 ? &from : &to) = (int)i;
    int sep = find(l, (unsigned)(verb + 1), NLU_F_SEP);
    if (to < 0 && sep >= 0) {
        if (from > sep)
            to = from, from = -1;
        for (int i = sep - 1; from < 0 && i > verb; i--)
            if (l->t[i].kind == TK_WORD || l->t[i].kind == TK_NUM)
                if (!(l->t[i].flags & (NLU_F_OBJNOUN | NLU_F_DIRNOUN)) &&
                    !is_word(&l->t[i], "the") && !is_word(&l->t[i], "it") &&
                    !is_word(&l->t[i], "this") && !is_word(&l->t[i], "my"))
                    from = i;
        for (unsigned i = (unsigned)sep + 1; to < 0 && i < l->nt; i++)
            if ((l->t[i].kind == TK_WORD || l->t[i].kind == TK_NUM) &&
                !(l->t[i].flags & (NLU_F_OBJNOUN | NLU_F_DIRNOUN | NLU_F_ARTICLE)) &&
                !is_word(&l->t[i], "the") && !is_word(&l->t[i], "my"))
                to = (int)i;
    }
    if (from < 0 || to < 0)
        return SLOT_NONE;
    put_span(o, l, (unsigned)from, (unsigned)from);
    put_span(o, l, (unsigned)to, (unsigned)to);
    return SLOT_SURE;
}

/* Tokens [*A, *B] of an echo's text without "the text", "a line saying"
 * before it and "please", "in it" after it; false if nothing is left. */
static bool trim_text(const struct line *l, int *a, int *b)
{
    while (*a <= *b && l->t[*a].kind == TK_WORD && (l->t[*a].flags & NLU_F_TEXTFILL))
        (*a)++;
    while (*a <= *b && (l->t[*b].flags & NLU_F_TRAIL))
        (*b)--;
    if (*b - *a >= 1 && is_word(&l->t[*b], "it") && is_word(&l->t[*b - 1], "in"))
        *b -= 2;
    return *a <= *b;
}

/* echo TEXT > FILE, echo TEXT >> FILE: the file is the last path (or
 * "called X in /dir"); the text is quoted, or follows the file after
 * "with", "containing", ..., or lies between the verb and "to the file". */
static enum slot build_echo(const struct line *l, struct out *o)
{
    int f = -1, q = -1, a = -1, b = -1;
    for (unsigned i = 0; i < l->nt; i++) {
        if (l->t[i].kind == TK_PATH || l->t[i].kind == TK_FILE)
            f = (int)i;
        if (l->t[i].kind == TK_TEXT && q < 0)
            q = (int)i;
    }
    struct path p = find_path(l, P_COMPOSE, l->nt);
    if (f < 0 || p.slot != SLOT_SURE || p.name == q)
        p = (struct path){ -1, f, NULL, f < 0 ? SLOT_NONE : SLOT_SURE };
    if (p.slot == SLOT_NONE)
        return SLOT_NONE;
    int mark = find(l, (unsigned)f + 1, NLU_F_TEXTMARK);
    if (q >= 0) {
        a = b = q;
    } else if (mark >= 0) {
        a = mark + 1, b = (int)l->nt - 1;
    } else {
        const uint32_t tail = NLU_F_TAIL | NLU_F_CALLED | NLU_F_OBJNOUN | NLU_F_ARTICLE;
        a = find(l, 0, NLU_F_ECHOVERB) + 1;
        b = (p.name < f ? p.name : f) - 1;
        while (b >= a && (l->t[b].flags & tail))
            b--;
    }
    if (!trim_text(l, &a, &b))
        return SLOT_NONE;
    if (q >= 0)
        put_str(o, " "), put(o, l->s + l->t[q].off, l->t[q].len);
    else
        put_span(o, l, (unsigned)a, (unsigned)b);
    put_str(o, has(l, NLU_F_APPEND) ? " >>" : " >");
    put_path(o, l, &p);
    return SLOT_SURE;
}

/* run PROGRAM [ARGS]: ARGS after "with (the arguments)". */
static enum slot build_run(const struct line *l, struct out *o)
{
    int with = find(l, 0, NLU_F_WITH);
    unsigned end = with < 0 ? l->nt : (unsigned)with;
    struct path p = find_path(l, P_COMPOSE | P_GUESS, end);
    if (p.slot == SLOT_NONE)
        return SLOT_NONE;
    put_path(o, l, &p);
    if (with >= 0) {
        unsigned a = (unsigned)with + 1;
        while (a < l->nt && (is_word(&l->t[a], "the") || (l->t[a].flags & NLU_F_ARGS)))
            a++;
        if (a < l->nt)
            put_span(o, l, a, l->nt - 1);
    }
    return p.slot;
}

/* sleep SECONDS: "5", "five seconds", "a minute", "half an hour", "30s". */
static enum slot build_sleep(const struct line *l, struct out *o)
{
    for (unsigned i = 0; i < l->nt; i++) {
        long v;
        unsigned next;
        if (number_at(l, i, &v, &next)) {
            if (next < l->nt && (l->t[next].flags & NLU_F_UNIT))
                v *= l->t[next].lex->value;
        } else if (!(l->t[i].kind == TK_WORD && number_with_unit(&l->t[i], &v))) {
            continue;
        }
        if (i > 0 && (l->t[i - 1].flags & NLU_F_HALF))
            v /= 2;
        char n[24];
        snprintf(n, sizeof(n), " %ld", v);
        put_str(o, n);
        return SLOT_SURE;
    }
    return SLOT_NONE;
}

/* ---- slots: hosts and URLs ---- */

/* Hosts that words name: one word, or two ("this machine"). QEMU's user
 * network puts the gateway at 10.0.2.2 (docs/net.md). */
static const struct named_host {
    const char *w1, *w2, *ip;
} named_hosts[] = {
    { "gateway", NULL, "10.0.2.2" },     { "router", NULL, "10.0.2.2" },
    { "localhost", NULL, "127.0.0.1" },  { "yourself", NULL, "127.0.0.1" },
    { "itself", NULL, "127.0.0.1" },     { "loopback", NULL, "127.0.0.1" },
    { "this", "machine", "127.0.0.1" },  { "this", "computer", "127.0.0.1" },
    { "this", "box", "127.0.0.1" },      { "local", "host", "127.0.0.1" },
    { "local", "machine", "127.0.0.1" },
};

/* The host that L names: the first address or dotted name, else a word
 * for one ("the gateway", "this machine"). Its token in *AT (-1 for a
 * word's host, whose address is returned in *FIXED). false if none. */
static bool find_host(const struct line *l, int *at, const char **fixed)
{
    *at = -1, *fixed = NULL;
    for (unsigned i = 0; i < l->nt; i++)
        if (l->t[i].kind == TK_HOST || l->t[i].kind == TK_FILE) {
            *at = (int)i;
            return true;
        }
    for (unsigned i = 0; i < l->nt; i++)
        for (size_t k = 0; k < sizeof(named_hosts) / sizeof(named_hosts[0]); k++) {
            const struct named_host *h = &named_hosts[k];
            if (is_word(&l->t[i], h->w1) &&
                (!h->w2 || (i + 1 < l->nt && is_word(&l->t[i + 1], h->w2)))) {
                *fixed = h->ip;
                return true;
            }
        }
    return false;
}

/* PREFIX and the host that L names (find_host) to O: false if none. Its
 * token in *AT (-1 for a word's host). */
static bool put_host(struct out *o, const struct line *l, const char *prefix, int *at)
{
    const char *fixed;
    if (!find_host(l, at, &fixed))
        return false;
    put_str(o, prefix);
    if (fixed)
        put_str(o, fixed);
    else
        put(o, l->s + l->t[*at].off, l->t[*at].len);
    return true;
}

/* How many times: a number before "times", "pings", ... ("3 times",
 * "five pings"), "once", "twice", or a number right after the host. */
static long ping_count(const struct line *l, int host)
{
    for (unsigned i = 0; i < l->nt; i++) {
        long v;
        unsigned next;
        if (number_at(l, i, &v, &next) && next < l->nt && (l->t[next].flags & NLU_F_TIMES) &&
            l->t[next].lex->value == 0)
            return v;
        if ((l->t[i].flags & NLU_F_TIMES) && l->t[i].lex->value > 0)
            return l->t[i].lex->value;
    }
    if (host >= 0 && (unsigned)host + 1 < l->nt && l->t[host + 1].kind == TK_NUM) {
        long v;
        unsigned next;
        number_at(l, (unsigned)host + 1, &v, &next);
        return v;
    }
    return 0;
}

/* ping HOST [COUNT] */
static enum slot build_ping(const struct line *l, struct out *o)
{
    int at;
    if (!put_host(o, l, " ", &at))
        return SLOT_NONE;
    long count = ping_count(l, at);
    if (count > 0 && count <= 100) {
        char n[24];
        snprintf(n, sizeof(n), " %ld", count);
        put_str(o, n);
    }
    return SLOT_SURE;
}

/* Whether token T is a URL: "http://..." (any scheme: fetch says which
 * it takes), or a path "HOST/..." with a dot or a port in HOST
 * ("example.org/news", "127.0.0.1:8080/"), which *SCHEME says it lacks. */
static bool url_token(const struct line *l, const struct tok *t, bool *scheme)
{
    const char *s = l->s + t->off;
    *scheme = t->kind == TK_URL;
    if (t->kind != TK_PATH)
        return *scheme;
    size_t host = 0;
    while (host < t->len && s[host] != '/')
        host++;
    bool dotted = false;
    for (size_t k = 0; k < host; k++)
        dotted = dotted || s[k] == '.' || s[k] == ':';
    return host > 0 && host < t->len && dotted && is_alnum((unsigned char)s[0]);
}

/* fetch URL: a URL, or http://HOST/ for a host. */
static enum slot build_fetch(const struct line *l, struct out *o)
{
    for (unsigned i = 0; i < l->nt; i++) {
        bool scheme;
        if (url_token(l, &l->t[i], &scheme)) {
            put_str(o, scheme ? " " : " http://");
            put(o, l->s + l->t[i].off, l->t[i].len);
            return SLOT_SURE;
        }
    }
    int at;
    if (!put_host(o, l, " http://", &at))
        return SLOT_NONE;
    put_str(o, "/");
    return SLOT_SURE;
}

/* Each intent: how its command is built, what a missing slot is, and an
 * example ("%s" is a service's name). */
static const struct intent {
    const char *name;
    enum slot (*build)(const struct line *l, struct out *o);
    const char *needs, *example;
} intents[] = {
    { "help", build_help, NULL, "help ls" },
    { "ps", build_plain, NULL, "ps" },
    { "kill", build_kill, "an actor id or a service", "kill 12" },
    { "restart", build_restart, "a service", "restart %s" },
    { "update", build_update, "a service", "update %s" },
    { "log", build_plain, NULL, "log" },
    { "services", build_services, NULL, "services %s" },
    { "ls", build_ls, NULL, "ls /etc" },
    { "cat", build_path, "a file", "cat /etc/motd" },
    { "echo", build_echo, "some text and a file", "echo hello > /tmp/a" },
    { "mkdir", build_path, "a path", "mkdir /tmp/projects" },
    { "rm", build_remove, "a file", "rm /tmp/a" },
    { "rmdir", build_remove, "a directory", "rmdir /tmp/projects" },
    { "mv", build_two, "a source and a target", "mv /tmp/a /tmp/b" },
    { "cp", build_two, "a source and a target", "cp /etc/motd /tmp/motd" },
    { "stat", build_path, "a path", "stat /etc/motd" },
    { "pwd", build_plain, NULL, "pwd" },
    { "cd", build_cd, NULL, "cd /home" },
    { "df", build_plain, NULL, "df" },
    { "mem", build_plain, NULL, "mem" },
    { "uptime", build_plain, NULL, "uptime" },
    { "run", build_run, "a program", "run hello" },
    { "sleep", build_sleep, "a number of seconds", "sleep 5" },
    { "ifconfig", build_plain, NULL, "ifconfig" },
    { "ping", build_ping, "a host", "ping 10.0.2.2" },
    { "fetch", build_fetch, "a URL", "fetch http://127.0.0.1/" },
    { "shutdown", build_plain, NULL, "shutdown" },
    { "reboot", build_plain, NULL, "reboot" },
};

static const struct intent *intent_named(const char *name)
{
    for (size_t i = 0; i < sizeof(intents) / sizeof(intents[0]); i++)
        if (strcmp(intents[i].name, name) == 0)
            return &intents[i];
    return NULL;
}

/* Build IN's command for L into BUF; returns how sure its slots are
 * (SLOT_NONE also when it does not fit). */
static enum slot build(const struct intent *in, const struct line *l, char *buf, size_t cap)
{
    struct out o = { buf, cap, 0, false };
    put_str(&o, in->name);
    enum slot s = in->build(l, &o);
    if (o.full)
        s = SLOT_NONE;
    if (s == SLOT_NONE)
        buf[0] = '\0';
    return s;
}

/* Whether S may be shown as a service's name: 1 to 31 of a-z, 0-9, -_. */
static bool plain_name(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (n >= 31 || !(is_alnum((unsigned char)s[n]) || in_set(s[n], "-_.")))
            return false;
    return n > 0;
}

/* IN's example, with a service of the context where it needs one. */
static void example(const struct intent *in, const struct line *l, char *buf, size_t cap)
{
    const struct nlu_context *ctx = l->ctx;
    const char *svc = ctx && ctx->services && ctx->nservices ? ctx->services[0] : NULL;
    snprintf(buf, cap, in->example, svc && plain_name(svc) ? svc : "vfs");
}

/* No command: suggest the model's closest one (with this line's slots if
 * they are there), never run. */
static void give_up(const struct line *l, const double p[NLU_NCLASSES], struct nlu_result *out)
{
    const struct intent *in = &intents[0];
    double best = -1;
    for (int k = 0; k < NLU_NCLASSES; k++) {
        const struct intent *x = intent_named(nlu_class_names[k]);
        if (x && strcmp(x->name, "help") != 0 && p[k] > best)
            in = x, best = p[k];
    }
    char cmd[NLU_LINE_MAX / 2];
    if (build(in, l, cmd, sizeof(cmd)) == SLOT_NONE || strchr(cmd, '"'))
        example(in, l, cmd, sizeof(cmd));
    snprintf(out->suggestion, sizeof(out->suggestion), "try \"help\", or a command such as \"%s\"",
             cmd);
}

/* The intent is clear but what it needs is not there. */
static void missing(const struct intent *in, const struct line *l, struct nlu_result *out)
{
    char ex[64];
    example(in, l, ex, sizeof(ex));
    snprintf(out->suggestion, sizeof(out->suggestion), "%s needs %s: try \"%s\", or \"help %s\"",
             in->name, in->needs ? in->needs : "more", ex, in->name);
}

void nlu_interpret(const char *line, const struct nlu_context *ctx, struct nlu_result *out)
{
    struct line l;
    struct acc a;
    double p[NLU_NCLASSES];
    load(&l, line, ctx);
    int top = classify(&l, p, &a);
    memset(out, 0, sizeof(*out));
    out->verdict = NLU_UNKNOWN;
    out->confidence = p[top];
    const struct intent *in = top == NLU_CLASS_UNKNOWN ? NULL : intent_named(nlu_class_names[top]);
    if (!in || p[top] < NLU_UNSURE) {
        give_up(&l, p, out);
        return;
    }
    enum slot s = build(in, &l, out->command, sizeof(out->command));
    if (s == SLOT_NONE) {
        missing(in, &l, out);
        return;
    }
    out->verdict = p[top] >= NLU_SURE && s == SLOT_SURE ? NLU_COMMAND : NLU_ASK;
    out->intent = in->name;
    out->destructive = nlu_is_destructive(in->name);
}

bool nlu_is_destructive(const char *command)
{
    static const char *const destructive[] = { "kill",  "restart",  "update", "rm",
                                               "rmdir", "shutdown", "reboot" };
    if (!command)
        return false;
    size_t n = strcspn(command, " \t");
    for (size_t i = 0; i < sizeof(destructive) / sizeof(destructive[0]); i++)
        if (strlen(destructive[i]) == n && memcmp(command, destructive[i], n) == 0)
            return true;
    return false;
}
