/*
 * parse.c: a command line into words, as a Unix shell splits them, minus
 * what this shell does not have (variables, globs, pipes): words are split
 * at blanks; 'single quotes' keep everything, "double quotes" keep all but
 * \" and \\, a backslash outside quotes keeps the next byte; "> FILE" and
 * ">> FILE" (also written ">FILE") send the output to FILE.
 */
#include "shell.h"
#include <string.h>

/* Append byte C to the word being built at *AT. */
static bool push(struct cmdline *cl, size_t *at, char c)
{
    if (*at >= sizeof(cl->store) - 1)
        return false;
    cl->store[(*at)++] = c;
    return true;
}

/* Read one word from *P into the store; false on an unterminated quote. */
static bool word(const char **p, struct cmdline *cl, size_t *at, bool *ok)
{
    const char *s = *p;
    *ok = true;
    while (*s && *s != ' ' && *s != '\t' && *s != '>') {
        char q = *s;
        if (q == '\'' || q == '"') {
            s++;
            while (*s && *s != q) {
                if (q == '"' && *s == '\\' && (s[1] == '"' || s[1] == '\\'))
                    s++;
                *ok &= push(cl, at, *s++);
            }
            if (!*s)
                return false;
            s++;
        } else if (q == '\\' && s[1]) {
            *ok &= push(cl, at, s[1]);
            s += 2;
        } else {
            *ok &= push(cl, at, *s++);
        }
    }
    *ok &= push(cl, at, '\0');
    *p = s;
    return true;
}

const char *parse_line(const char *line, struct cmdline *cl)
{
    size_t at = 0;
    cl->argc = 0;
    cl->redirect = NULL;
    cl->append = false;
    const char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        if (!*p)
            break;
        bool redirect = *p == '>';
        if (redirect) {
            if (cl->redirect)
                return "only one > per line";
            cl->append = p[1] == '>';
            p += cl->append ? 2 : 1;
            while (*p == ' ' || *p == '\t')
                p++;
            if (!*p || *p == '>')
                return "> needs a file";
        }
        char *start = cl->store + at;
        bool ok;
        if (!word(&p, cl, &at, &ok))
            return "unterminated quote";
        if (!ok)
            return "the line is too long";
        if (redirect) {
            cl->redirect = start;
        } else {
            if (cl->argc == ARGS_MAX)
                return "too many words";
            cl->argv[cl->argc++] = start;
        }
    }
    cl->argv[cl->argc] = NULL;
    return NULL;
}
