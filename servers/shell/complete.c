/*
 * complete.c: Tab. The first word of a line completes to command names;
 * the others to paths, one directory level at a time, directories with a
 * '/' after them (line.c adds it).
 */
#include "shell.h"
#include <dirent.h>
#include <string.h>

static void commands_for(const char *word, size_t len, line_add_fn *add, void *ctx)
{
    for (const struct command *c = commands; c->name; c++)
        if (!strncmp(c->name, word, len))
            add(ctx, c->name, false);
}

static void paths_for(const char *word, size_t len, line_add_fn *add, void *ctx)
{
    char dir[LINE_MAX_BYTES], cand[LINE_MAX_BYTES];
    const char *slash = memchr(word, '/', len) ? word + len : NULL;
    while (slash && slash > word && slash[-1] != '/')
        slash--;
    size_t dlen = slash ? (size_t)(slash - word) : 0; /* "dir/" of "dir/pre" */
    snprintf(dir, sizeof(dir), "%.*s", (int)dlen, word);
    const char *prefix = word + dlen;
    size_t plen = len - dlen;
    DIR *d = opendir(dlen ? dir : ".");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strncmp(e->d_name, prefix, plen) || (e->d_name[0] == '.' && prefix[0] != '.'))
            continue;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(cand, sizeof(cand), "%s%s", dir, e->d_name);
        add(ctx, cand, e->d_type == DT_DIR);
    }
    if (d)
        closedir(d);
}

void shell_complete(void *arg, const char *word, size_t len, bool first, line_add_fn *add,
                    void *ctx)
{
    (void)arg;
    if (first)
        commands_for(word, len, add, ctx);
    else
        paths_for(word, len, add, ctx);
}
