/*
 * nlu.h: the shell's natural-language understanding, pure code (it builds
 * for the shell against newlib, and on the host for unit tests, fuzzing
 * and the accuracy tool).
 *
 * A line that is not a command goes to nlu_interpret, which
 *   1. classifies its intent (one of the shell's commands) with a
 *      statistical model over words and character n-grams, trained at
 *      build time from a phrase corpus in the tree (tools/nlu-train); the
 *      weights are compiled in;
 *   2. extracts the slots the command needs: paths, service names (with
 *      typos and aliases: "netwrok", "the file server"), numbers, hosts;
 *   3. builds the command line it understood.
 * The shell prints that line after "→ ", asks "Did you mean: CMD? [y/N]"
 * when the verdict is NLU_ASK, and asks "[y/N]" before running a
 * destructive command that came from natural language.
 *
 * The shell's commands, as NLU builds them:
 *   help [CMD], ps, kill ID|NAME, restart NAME, update NAME [BINARY], log,
 *   services [NAME], ls [-l] [PATH], cat PATH, echo TEXT > FILE,
 *   echo TEXT >> FILE, mkdir PATH, rm PATH, rmdir PATH, mv FROM TO,
 *   cp FROM TO, stat PATH, pwd, cd [PATH], df, mem, uptime,
 *   run PROGRAM [ARGS], sleep SECONDS, shutdown, reboot, ifconfig,
 *   ping HOST [COUNT], fetch URL
 * Destructive (nlu_is_destructive): kill, restart, update, rm, rmdir,
 * shutdown, reboot; mv is destructive when its target exists, which the
 * shell checks.
 */
#ifndef SHELL_NLU_H
#define SHELL_NLU_H

#include <stdbool.h>
#include <stddef.h>

#define NLU_LINE_MAX 512

/* What the shell knows that helps to understand a line. */
struct nlu_context {
    const char *const *services; /* the services' names ("vfs", "net", "block", ...) */
    unsigned nservices;
};

enum nlu_verdict {
    NLU_COMMAND, /* sure enough: print "→ COMMAND" and run it (confirming if destructive) */
    NLU_ASK,     /* unsure: ask "Did you mean: COMMAND? [y/N]" */
    NLU_UNKNOWN, /* no command fits: say so, with SUGGESTION */
};

struct nlu_result {
    enum nlu_verdict verdict;
    const char *intent;            /* the command's name (NLU_COMMAND, NLU_ASK), else NULL */
    double confidence;             /* the model's probability of INTENT, 0..1 */
    char command[NLU_LINE_MAX];    /* the command line (NLU_COMMAND, NLU_ASK) */
    bool destructive;              /* nlu_is_destructive(intent) */
    char suggestion[NLU_LINE_MAX]; /* NLU_UNKNOWN: what to try instead, one line */
};

/* Understand LINE (NUL-terminated; at most NLU_LINE_MAX bytes are looked
 * at) with CTX: fills OUT, never fails, never allocates. */
void nlu_interpret(const char *line, const struct nlu_context *ctx, struct nlu_result *out);

/* Whether a command of this name may destroy something (see above). */
bool nlu_is_destructive(const char *command);

#endif
