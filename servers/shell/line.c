/*
 * line.c: the line editor (see line.h). After each key it leaves in OUT
 * what the terminal must be sent: the byte itself when it was typed at the
 * end of the line (the common case), otherwise a redraw: carriage return,
 * prompt, line, erase to the end of the screen line, and the cursor moved
 * back to where it belongs. A new line is "\n" alone: the console turns it
 * into CR LF.
 */
#include "line.h"
#include <stdio.h>
#include <string.h>

#define ESC        0x1B
#define KEY_DELETE 0x100 /* a key without a byte of its own */

static void put(struct line *l, const char *s, size_t n)
{
    if (n > LINE_OUT_MAX - l->out_len)
        n = LINE_OUT_MAX - l->out_len;
    memcpy(l->out + l->out_len, s, n);
    l->out_len += n;
}

static void puts_(struct line *l, const char *s)
{
    put(l, s, strlen(s));
}

/* Draw the prompt and the line again, the cursor where it is. */
static void redraw(struct line *l)
{
    puts_(l, "\r");
    puts_(l, l->prompt);
    put(l, l->buf, l->len);
    puts_(l, "\x1b[K");
    if (l->len > l->cursor) {
        char back[16];
        snprintf(back, sizeof(back), "\x1b[%zuD", l->len - l->cursor);
        puts_(l, back);
    }
}

void line_start(struct line *l, const char *prompt)
{
    l->len = l->cursor = 0;
    l->buf[0] = '\0';
    l->in_esc = false;
    l->browse = l->nhist;
    l->prompt = prompt;
}

void line_remember(struct line *l, const char *line)
{
    if (!line[0] || (l->nhist && !strcmp(l->hist[l->nhist - 1], line)))
        return;
    if (l->nhist == LINE_HISTORY) {
        memmove(l->hist[0], l->hist[1], sizeof(l->hist[0]) * (LINE_HISTORY - 1));
        l->nhist--;
    }
    snprintf(l->hist[l->nhist++], LINE_MAX_BYTES, "%s", line);
}

static void insert(struct line *l, const char *s, size_t n)
{
    if (n > LINE_MAX_BYTES - 1 - l->len)
        n = LINE_MAX_BYTES - 1 - l->len;
    if (!n)
        return;
    bool at_end = l->cursor == l->len;
    memmove(l->buf + l->cursor + n, l->buf + l->cursor, l->len - l->cursor);
    memcpy(l->buf + l->cursor, s, n);
    l->len += n;
    l->cursor += n;
    l->buf[l->len] = '\0';
    if (at_end)
        put(l, s, n);
    else
        redraw(l);
}

/* Delete the N bytes before the cursor. */
static void erase_back(struct line *l, size_t n)
{
    if (n > l->cursor)
        n = l->cursor;
    if (!n)
        return;
    memmove(l->buf + l->cursor - n, l->buf + l->cursor, l->len - l->cursor);
    l->cursor -= n;
    l->len -= n;
    l->buf[l->len] = '\0';
    redraw(l);
}

static void erase_forward(struct line *l, size_t n)
{
    if (n > l->len - l->cursor)
        n = l->len - l->cursor;
    if (!n)
        return;
    memmove(l->buf + l->cursor, l->buf + l->cursor + n, l->len - l->cursor - n);
    l->len -= n;
    l->buf[l->len] = '\0';
    redraw(l);
}

static void move_to(struct line *l, size_t at)
{
    if (at != l->cursor) {
        l->cursor = at;
        redraw(l);
    }
}

/* ^W: the word before the cursor and the spaces after it. */
static void erase_word(struct line *l)
{
    size_t at = l->cursor;
    while (at && l->buf[at - 1] == ' ')
        at--;
    while (at && l->buf[at - 1] != ' ')
        at--;
    erase_back(l, l->cursor - at);
}

/* Show history entry I (NHIST: the line that was being typed). */
static void show(struct line *l, unsigned i)
{
    if (l->browse == l->nhist)
        memcpy(l->saved, l->buf, l->len + 1);
    l->browse = i;
    snprintf(l->buf, LINE_MAX_BYTES, "%s", i == l->nhist ? l->saved : l->hist[i]);
    l->len = l->cursor = strlen(l->buf);
    redraw(l);
}

/* ---- completion ---- */

#define CAND_MAX   64
#define CAND_BYTES 8192

struct cands {
    unsigned n;
    size_t used;
    size_t at[CAND_MAX];
    bool dir[CAND_MAX];
    char bytes[CAND_BYTES];
};

static void add_cand(void *ctx, const char *s, bool is_dir)
{
    struct cands *c = ctx;
    size_t n = strlen(s) + 1;
    if (c->n == CAND_MAX || n > CAND_BYTES - c->used)
        return;
    for (unsigned i = 0; i < c->n; i++)
        if (!strcmp(c->bytes + c->at[i], s))
            return;
    c->at[c->n] = c->used;
    c->dir[c->n++] = is_dir;
    memcpy(c->bytes + c->used, s, n);
    c->used += n;
}

/* The candidates on a line of their own (their last components), then
 * the line again. */
static void list(struct line *l, const struct cands *c)
{
    puts_(l, "\n");
    for (unsigned i = 0; i < c->n; i++) {
        const char *s = c->bytes + c->at[i], *slash = strrchr(s, '/');
        puts_(l, slash && slash[1] ? slash + 1 : s);
        puts_(l, c->dir[i] ? "/  " : "  ");
    }
    puts_(l, "\n");
    redraw(l);
}

static void complete(struct line *l)
{
    size_t start = l->cursor;
    while (start && l->buf[start - 1] != ' ')
        start--;
    bool first = true;
    for (size_t i = 0; i < start; i++)
        first &= l->buf[i] == ' ';
    static struct cands c; /* one editor at a time */
    c.n = 0;
    c.used = 0;
    if (l->complete)
        l->complete(l->complete_arg, l->buf + start, l->cursor - start, first, add_cand, &c);
    size_t have = l->cursor - start;
    if (c.n == 0) {
        puts_(l, "\a");
        return;
    }
    /* what all the candidates share beyond what is typed */
    const char *one = c.bytes + c.at[0];
    size_t common = strlen(one);
    for (unsigned i = 1; i < c.n; i++) {
        const char *s = c.bytes + c.at[i];
        size_t k = 0;
        while (k < common && s[k] == one[k])
            k++;
        common = k;
    }
    if (common > have)
        insert(l, one + have, common - have);
    if (c.n == 1)
        insert(l, c.dir[0] ? "/" : " ", 1);
    else if (common <= have)
        list(l, &c);
}

/* ---- escape sequences ---- */

/* ESC [ X, ESC O X and ESC [ N ~: the key they stand for, as a control byte. */
static int escape_key(const char *s, unsigned n)
{
    if (n == 2 && (s[0] == '[' || s[0] == 'O')) {
        switch (s[1]) {
        case 'A': return 0x10; /* Up: as ^P */
        case 'B': return 0x0E; /* Down: ^N */
        case 'C': return 0x06; /* Right: ^F */
        case 'D': return 0x02; /* Left: ^B */
        case 'H': return 0x01; /* Home: ^A */
        case 'F': return 0x05; /* End: ^E */
        }
    }
    if (n == 3 && s[0] == '[' && s[2] == '~') {
        switch (s[1]) {
        case '1':
        case '7': return 0x01; /* Home */
        case '4':
        case '8': return 0x05; /* End */
        case '3': return KEY_DELETE;
        }
    }
    return -1;
}

/* Take byte C of an escape sequence (after the ESC): the key it
 * completes, 0 while it is incomplete, -1 for one we ignore. */
static int escape_byte(struct line *l, unsigned char c)
{
    if (l->nesc == sizeof(l->esc))
        return -1;
    l->esc[l->nesc++] = (char)c;
    if (l->nesc == 1)
        return c == '[' || c == 'O' ? 0 : -1;
    if ((c >= '0' && c <= '9') || c == ';')
        return 0; /* parameters: more to come */
    return escape_key(l->esc, l->nesc);
}

/* ---- keys ---- */

static enum line_event key(struct line *l, int k)
{
    switch (k) {
    case '\r':
    case '\n': puts_(l, "\n"); return LINE_DONE;
    case 0x03: /* ^C */
        puts_(l, "^C\n");
        l->len = l->cursor = 0;
        l->buf[0] = '\0';
        return LINE_INTERRUPT;
    case 0x04: /* ^D */
        if (!l->len)
            return LINE_EOF;
        erase_forward(l, 1);
        break;
    case KEY_DELETE: erase_forward(l, 1); break;
    case 0x7F:
    case 0x08: erase_back(l, 1); break;
    case 0x01: move_to(l, 0); break;
    case 0x05: move_to(l, l->len); break;
    case 0x02: move_to(l, l->cursor ? l->cursor - 1 : 0); break;
    case 0x06: move_to(l, l->cursor < l->len ? l->cursor + 1 : l->len); break;
    case 0x15: erase_back(l, l->cursor); break;             /* ^U */
    case 0x0B: erase_forward(l, l->len - l->cursor); break; /* ^K */
    case 0x17: erase_word(l); break;                        /* ^W */
    case 0x0C:
        puts_(l, "\x1b[H\x1b[2J");
        redraw(l);
        break; /* ^L */
    case 0x10:
        if (l->browse)
            show(l, l->browse - 1);
        break; /* ^P, Up */
    case 0x0E:
        if (l->browse < l->nhist)
            show(l, l->browse + 1);
        break; /* ^N, Down */
    case '\t': complete(l); break;
    default:
        if (k >= 0x20 && k < 0x7F) {
            char ch = (char)k;
            insert(l, &ch, 1);
        } else if (k >= 0x80) {
            char ch = (char)k; /* UTF-8 and other bytes: kept as they are */
            insert(l, &ch, 1);
        }
    }
    return LINE_MORE;
}

enum line_event line_feed(struct line *l, unsigned char c)
{
    l->out_len = 0;
    bool after_cr = l->last_cr;
    l->last_cr = c == '\r';
    if (c == '\n' && after_cr)
        return LINE_MORE; /* the LF of a CR LF */
    if (l->in_esc) {
        int k = escape_byte(l, c);
        if (k == 0)
            return LINE_MORE;
        l->in_esc = false;
        return k > 0 ? key(l, k) : LINE_MORE;
    }
    if (c == ESC) {
        l->in_esc = true;
        l->nesc = 0;
        return LINE_MORE;
    }
    return key(l, c);
}
