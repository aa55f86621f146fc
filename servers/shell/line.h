/*
 * line.h: the shell's line editor, pure code (unit-tested on the host). It
 * takes the bytes a terminal sends, one at a time, keeps the line being
 * edited and the history, and says what to draw; it knows nothing of the
 * console or of commands.
 *
 * Keys (as a VT100/xterm terminal on the serial line sends them, and as
 * the PS/2 console driver translates them):
 *   printable bytes      insert at the cursor
 *   Backspace (DEL, ^H)  delete before the cursor; Delete (ESC [3~) at it
 *   Left, Right          ESC [D, ESC [C (and ESC O D/C); ^B, ^F
 *   Home, End            ESC [H, ESC [F, ESC [1~, ESC [4~, ESC O H/F; ^A, ^E
 *   ^U                   delete from the start of the line to the cursor
 *   ^W                   delete the word before the cursor
 *   ^K                   delete from the cursor to the end of the line
 *   ^C                   give up the line (LINE_INTERRUPT)
 *   ^D                   on an empty line: end of input (LINE_EOF); else Delete
 *   ^L                   clear the screen and redraw
 *   Up, Down             ESC [A, ESC [B (and ESC O A/B); ^P, ^N: history
 *   Tab                  completion, through the caller's function
 *   Enter (CR or LF)     the line is done (LINE_DONE); a CR LF pair counts once
 * Anything else (other control bytes, unknown escape sequences) is ignored.
 */
#ifndef SHELL_LINE_H
#define SHELL_LINE_H

#include <stdbool.h>
#include <stddef.h>

#define LINE_MAX_BYTES 512 /* a line, with its NUL */
#define LINE_HISTORY   64  /* lines kept */
#define LINE_OUT_MAX   4096

/* Completion: the candidates for WORD (the LEN bytes before the cursor
 * that make up the word; FIRST when it is the line's first word), each
 * passed to ADD(ctx, candidate, is_dir). */
typedef void line_add_fn(void *ctx, const char *candidate, bool is_dir);
typedef void line_complete_fn(void *arg, const char *word, size_t len, bool first, line_add_fn *add,
                              void *ctx);

struct line {
    /* the line being edited */
    char buf[LINE_MAX_BYTES];
    size_t len, cursor;
    /* what to draw: the caller writes OUT_LEN bytes of OUT after each key */
    char out[LINE_OUT_MAX];
    size_t out_len;
    /* history: HIST[0] is the oldest; BROWSE is the entry shown (NHIST: the new line) */
    char hist[LINE_HISTORY][LINE_MAX_BYTES];
    unsigned nhist, browse;
    char saved[LINE_MAX_BYTES]; /* the new line, while browsing */
    /* an escape sequence being read: the bytes after the ESC */
    bool in_esc;
    char esc[8];
    unsigned nesc;
    bool last_cr;
    const char *prompt;
    line_complete_fn *complete;
    void *complete_arg;
};

enum line_event {
    LINE_MORE,      /* keep feeding */
    LINE_DONE,      /* the line in BUF (NUL-terminated) was entered */
    LINE_INTERRUPT, /* ^C: the line was given up */
    LINE_EOF,       /* ^D on an empty line */
};

/* Start editing a new line after PROMPT (drawn by the caller). */
void line_start(struct line *l, const char *prompt);

/* Feed one byte; OUT says what to draw. */
enum line_event line_feed(struct line *l, unsigned char c);

/* Keep LINE in the history (not an empty one, nor a repeat of the last). */
void line_remember(struct line *l, const char *line);

#endif
