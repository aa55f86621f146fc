/*
 * cmdline.h: the kernel command line. Words are separated by spaces; a word
 * starting with '/' (the kernel's own path) is skipped.
 *   loglevel=N   show log lines up to level N (0-7) on the console
 *   test=NAME    run the in-kernel test NAME (or "all") after booting
 *   init=PATH    the root actor: PATH in the initrd (default sbin/supervisor)
 *   --           ends the kernel's words; the rest is for the root actor,
 *                which finds the whole line in its struct clk_bootinfo
 */
#ifndef CLK_CMDLINE_H
#define CLK_CMDLINE_H

#include <kdefs.h>
#include <param.h>

struct cmdline {
    int loglevel;                /* -1 when not given */
    char test[TESTNAME_MAX];     /* empty when not given */
    char init[CMDLINE_PATH_MAX]; /* empty when not given */
    unsigned nbad;               /* words not understood */
    char bad[64];                /* the first of them */
};

/* Parse S into CL. Never fails: unknown or malformed words are counted. */
void cmdline_parse(const char *s, struct cmdline *cl);

#endif
