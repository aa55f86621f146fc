/*
 * test_line.c: the shell's line editor (servers/shell/line.c): every key
 * of line.h, by the bytes a terminal sends, checked by the line that
 * results and by what is drawn; history; completion with a fake completer;
 * lines longer than the buffer; garbage escape sequences.
 */
#include "line.h"
#include <stdlib.h>
#include <unit.h>

static struct line l;

/* Feed S; return the last event. */
static enum line_event type(const char *s)
{
    enum line_event e = LINE_MORE;
    for (; *s; s++)
        e = line_feed(&l, (unsigned char)*s);
    return e;
}

/* A fresh line, typed S and Enter: the line entered. */
static const char *edit(const char *s)
{
    line_start(&l, "clk> ");
    CHECK_EQ(type(s), LINE_MORE);
    CHECK_EQ(type("\r"), LINE_DONE);
    return l.buf;
}

static void test_keys(void)
{
    CHECK_STR(edit("hello"), "hello");
    CHECK_STR(edit("helo\x1b[D\x1b[Dl"), "hello");                     /* Left, Left, insert */
    CHECK_STR(edit("ello\x1b[Hh"), "hello");                           /* Home */
    CHECK_STR(edit("ello\x01h\x05!"), "hello!");                       /* ^A, ^E */
    CHECK_STR(edit("hellx\x7fo"), "hello");                            /* Backspace (DEL) */
    CHECK_STR(edit("hellx\bo"), "hello");                              /* ^H */
    CHECK_STR(edit("hexllo\x1b[D\x1b[D\x1b[D\x1b[D\x1b[3~"), "hello"); /* Delete */
    CHECK_STR(edit("junk\x15hello"), "hello");                         /* ^U */
    CHECK_STR(edit("say hello world\x17there"), "say hello there");    /* ^W */
    CHECK_STR(edit("say hello   \x17x"), "say x");                     /* ^W takes the spaces too */
    CHECK_STR(edit("hello world\x01\x1b[C\x1b[C\x1b[C\x1b[C\x1b[C\x0b"), "hello"); /* ^K */
    CHECK_STR(edit("abc\x1bOD\x1bOD\x1bOH>\x1bOF<"), ">abc<");                     /* SS3 arrows */
    CHECK_STR(edit("abc\x1b[1~>\x1b[4~<"), ">abc<");        /* Home, End as ESC [N~ */
    CHECK_STR(edit("ab\x02\x02x\x06\x06y"), "xaby");        /* ^B, ^F */
    CHECK_STR(edit("a\x1b[99Zb\x1bxc\x1b[12;5Hd"), "abcd"); /* unknown sequences ignored */
    CHECK_STR(edit("a\x07\x12\x1c"
                   "b"),
              "ab");                               /* other control bytes ignored */
    CHECK_STR(edit("caf\xc3\xa9"), "caf\xc3\xa9"); /* UTF-8 kept */
}

static void test_events(void)
{
    line_start(&l, "clk> ");
    CHECK_EQ(type("abc\x03"), LINE_INTERRUPT);
    CHECK_STR(l.buf, "");
    CHECK(memcmp(l.out, "^C", 2) == 0);
    line_start(&l, "clk> ");
    CHECK_EQ(type("\x04"), LINE_EOF);
    line_start(&l, "clk> ");
    CHECK_EQ(type("ab\x01\x04"), LINE_MORE); /* ^D on a line: Delete */
    CHECK_EQ(type("\r"), LINE_DONE);
    CHECK_STR(l.buf, "b");
    /* CR LF is one Enter; a lone LF is one too */
    line_start(&l, "clk> ");
    CHECK_EQ(type("x\r"), LINE_DONE);
    line_start(&l, "clk> ");
    CHECK_EQ(type("\n"), LINE_MORE); /* the LF of that CR LF */
    CHECK_EQ(type("y\n"), LINE_DONE);
    CHECK_STR(l.buf, "y");
}

static void test_drawing(void)
{
    line_start(&l, "clk> ");
    type("ab");
    CHECK_EQ(line_feed(&l, 'c'), LINE_MORE); /* at the end: the byte itself */
    CHECK_EQ(l.out_len, 1);
    CHECK_EQ(l.out[0], 'c');
    type("\x1b[D");
    line_feed(&l, 'X'); /* in the middle: a redraw, the cursor put back */
    l.out[l.out_len] = '\0';
    CHECK(strstr(l.out, "\rclk> abXc\x1b[K\x1b[1D") == l.out);
    type("\x1b[D\x1b[D\x1b[D\x1b[D");
    CHECK_EQ(l.cursor, 0);
    CHECK_EQ(line_feed(&l, 0x7f), LINE_MORE); /* nothing before the cursor */
    CHECK_STR(l.buf, "abXc");
}

static void test_history(void)
{
    memset(&l, 0, sizeof(l));
    line_remember(&l, "one");
    line_remember(&l, "two");
    line_remember(&l, "two"); /* a repeat is kept once */
    line_remember(&l, "");
    CHECK_EQ(l.nhist, 2);
    CHECK_STR(edit("\x1b[A"), "two");
    CHECK_STR(edit("\x1b[A\x1b[A"), "one");
    CHECK_STR(edit("\x1b[A\x1b[A\x1b[A"), "one"); /* no older */
    CHECK_STR(edit("new\x1b[A\x1b[B"), "new");    /* back to what was typed */
    CHECK_STR(edit("\x1b[A\x1b[A\x1b[B!"), "two!");
    CHECK_STR(edit("\x10\x10\x0e"), "two"); /* ^P, ^N */
    for (int i = 0; i < LINE_HISTORY + 10; i++) {
        char s[16];
        snprintf(s, sizeof(s), "cmd%d", i);
        line_remember(&l, s);
    }
    CHECK_EQ(l.nhist, LINE_HISTORY);
    CHECK_STR(l.hist[LINE_HISTORY - 1], "cmd73");
    CHECK_STR(l.hist[0], "cmd10");
}

static const char *const words[] = {
    "help", "history", "ls", "/etc/", "/etc/motd", "/etc/services"
};

static void fake(void *arg, const char *word, size_t len, bool first, line_add_fn *add, void *ctx)
{
    (void)arg;
    for (unsigned i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        bool path = words[i][0] == '/';
        if (path == first || strncmp(words[i], word, len))
            continue;
        size_t n = strlen(words[i]);
        const char *rest = memchr(words[i] + len, '/', n - len);
        if (rest && rest != words[i] + n - 1)
            continue; /* in a directory below: as a real completer, one level at a time */
        if (words[i][n - 1] == '/') {
            char d[32];
            snprintf(d, sizeof(d), "%.*s", (int)n - 1, words[i]);
            add(ctx, d, true);
        } else {
            add(ctx, words[i], false);
        }
    }
}

static void test_completion(void)
{
    memset(&l, 0, sizeof(l));
    l.complete = fake;
    CHECK_STR(edit("l\t"), "ls "); /* one command */
    CHECK_STR(edit("he\t"), "help ");
    CHECK_STR(edit("h\t"), "h"); /* help and history share only "h" */
    line_start(&l, "clk> ");
    type("h\t");
    l.out[l.out_len] = '\0';
    CHECK(strstr(l.out, "help") && strstr(l.out, "history")); /* listed */
    CHECK_STR(edit("cat /et\t"), "cat /etc/");                /* a directory */
    CHECK_STR(edit("cat /etc/m\t"), "cat /etc/motd ");
    CHECK_STR(edit("cat /etc/s\t"), "cat /etc/services ");
    line_start(&l, "clk> ");
    type("cat /nope\t");
    CHECK(l.out_len == 1 && l.out[0] == '\a'); /* nothing: a bell */
    CHECK_STR(edit("xyz\t"), "xyz");
}

static void test_overflow(void)
{
    line_start(&l, "clk> ");
    for (int i = 0; i < 2 * LINE_MAX_BYTES; i++)
        line_feed(&l, 'a' + i % 26);
    CHECK_EQ(l.len, LINE_MAX_BYTES - 1);
    CHECK_EQ(type("\r"), LINE_DONE);
    CHECK_EQ(strlen(l.buf), LINE_MAX_BYTES - 1);
    /* random bytes never break the invariants */
    srand(3);
    for (int round = 0; round < 2000; round++) {
        line_start(&l, "clk> ");
        for (int i = 0; i < 300; i++) {
            line_feed(&l, (unsigned char)rand());
            CHECK(l.cursor <= l.len && l.len < LINE_MAX_BYTES && l.buf[l.len] == '\0');
            CHECK(l.out_len <= LINE_OUT_MAX);
        }
    }
}

int main(void)
{
    test_keys();
    test_events();
    test_drawing();
    test_history();
    test_completion();
    test_overflow();
    puts("test_line: ok");
    return 0;
}
