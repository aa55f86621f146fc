/*
 * cmdline.c: parse the kernel command line (see cmdline.h). Pure code.
 */
#include <cmdline.h>
#include <kstring.h>

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == ',';
}

/* Copy the value of KEY= from word W (N bytes) into DST if every character
 * is a name character (or '/' and '.' when PATH). False when it is not. */
static bool take_value(const char *w, size_t n, size_t keylen, char *dst, size_t size, bool path)
{
    if (n <= keylen || n - keylen >= size)
        return false;
    for (size_t i = keylen; i < n; i++)
        if (!is_name_char(w[i]) && !(path && (w[i] == '/' || w[i] == '.')))
            return false;
    memcpy(dst, w + keylen, n - keylen);
    dst[n - keylen] = '\0';
    return true;
}

static void note_bad(struct cmdline *cl, const char *w, size_t n)
{
    if (cl->nbad++ == 0) {
        size_t k = MIN(n, sizeof(cl->bad) - 1);
        memcpy(cl->bad, w, k);
        cl->bad[k] = '\0';
    }
}

/* Handle the word W of N bytes; false when it is not understood. */
static bool parse_word(struct cmdline *cl, const char *w, size_t n)
{
    if (w[0] == '/')
        return true;
    if (n > 9 && memcmp(w, "loglevel=", 9) == 0) {
        if (n != 10 || w[9] < '0' || w[9] > '7')
            return false;
        cl->loglevel = w[9] - '0';
        return true;
    }
    if (n > 5 && memcmp(w, "test=", 5) == 0)
        return take_value(w, n, 5, cl->test, sizeof(cl->test), false);
    if (n > 5 && memcmp(w, "init=", 5) == 0)
        return take_value(w, n, 5, cl->init, sizeof(cl->init), true);
    return false;
}

void cmdline_parse(const char *s, struct cmdline *cl)
{
    memset(cl, 0, sizeof(*cl));
    cl->loglevel = -1;
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        const char *w = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
        if (s - w == 2 && w[0] == '-' && w[1] == '-')
            break; /* the rest is for the root actor */
        if (s > w && !parse_word(cl, w, s - w))
            note_bad(cl, w, s - w);
    }
}
