/*
 * tty.c: standard input's line discipline, a terminal's cooked mode in user
 * space. The kernel hands over raw bytes (CONSOLE_READ); here they are
 * echoed and edited into a line, and read() gets the line once Enter ends
 * it:
 *
 *   printable bytes, tab    echoed and added (a full line takes only Enter)
 *   Backspace, DEL          erase the last byte ("\b \b")
 *   Ctrl-U                  erase the whole line
 *   CR or LF                end the line: echo "\n", deliver it with '\n'
 *   Ctrl-D                  on an empty line, end of file (read returns 0);
 *                           else deliver the line as it is, without '\n'
 *
 * Other control bytes are ignored. A line the caller's buffer cannot hold
 * is delivered over several reads. Programs that edit for themselves (the
 * shell) read raw bytes with clk_console_read instead.
 *
 * poll() asks __clk_tty_ready, which edits as bytes come and says whether a
 * line (or the end of the input) is there to read; nothing typed is lost
 * between the two.
 */
#include "tty.h"
#include <actor/sys.h>
#include <stdbool.h>

#define TTY_LINE_MAX 1024 /* bytes of a line, its '\n' included */

#define CTRL_D 0x04
#define CTRL_U 0x15
#define DEL    0x7F

static char line[TTY_LINE_MAX];
static size_t line_len;  /* bytes in LINE (typed so far, or of the finished line) */
static size_t line_read; /* of a finished line, the bytes read() took already */
static bool finished;    /* LINE is complete and being read (poll may have
                            finished it before read() comes) */

static void echo(const char *s, size_t n)
{
    clk_debug_write(s, n);
}

static void erase(size_t n)
{
    for (; n && line_len; n--, line_len--)
        echo("\b \b", 3);
}

/* Edit the line with byte C. Returns true when C ends it (or, Ctrl-D on an
 * empty line, ends the input: then LINE_LEN stays 0). */
static bool edit(char c)
{
    switch (c) {
    case '\r':
    case '\n':
        line[line_len++] = '\n'; /* there is always room for it */
        echo("\n", 1);
        return true;
    case CTRL_D: return true;
    case '\b':
    case DEL: erase(1); return false;
    case CTRL_U: erase(line_len); return false;
    default:
        if (((unsigned char)c >= ' ' || c == '\t') && line_len < TTY_LINE_MAX - 1) {
            line[line_len++] = c;
            echo(&c, 1);
        }
        return false;
    }
}

/* Edit the line with the bytes typed until it is finished, waiting up to
 * TIMEOUT ns in all (raw bytes one at a time: what the line does not take
 * stays in the kernel for the next). 0 once it is finished (LINE_LEN 0:
 * the end of the input), or a CLK_E* code (CLK_ETIMEDOUT: not yet; what
 * was typed stays in LINE). */
static long edit_line(uint64_t timeout)
{
    uint64_t start = clk_clock_ns();
    while (!finished) {
        uint64_t spent = clk_clock_ns() - start, wait = CLK_FOREVER;
        if (timeout != CLK_FOREVER)
            wait = spent < timeout ? timeout - spent : 0;
        char c;
        long n = clk_console_read(&c, 1, wait);
        if (n < 0)
            return n;
        if (edit(c)) {
            finished = true;
            line_read = 0;
        }
    }
    return 0;
}

long __clk_tty_read(void *buf, size_t len)
{
    if (len == 0)
        return 0;
    long err = edit_line(CLK_FOREVER);
    if (err < 0)
        return err;
    size_t n = line_len - line_read < len ? line_len - line_read : len;
    for (size_t i = 0; i < n; i++)
        ((char *)buf)[i] = line[line_read + i];
    line_read += n;
    if (line_read == line_len) /* all of it (or the end of the input) read: the next line */
        finished = false, line_len = line_read = 0;
    return (long)n;
}

bool __clk_tty_ready(uint64_t timeout)
{
    return edit_line(timeout) == 0;
}
