/*
 * shell.h: the shell's own declarations (docs/shell.md).
 *
 *   main.c      the actor: the prompt loop on the console
 *   line.c      the line editor (pure; tests/unit/test_line.c)
 *   parse.c     a line into words, quotes and a redirection (pure)
 *   cmds.c      the command table, help, and the file and system commands
 *   sup.c       the supervisor's commands: services, log, restart, update
 *   run.c       run PROGRAM: spawn from the file system, wait, ^C
 *   system.c    ps, mem (the monitor authority), shutdown, reboot
 *   top.c       top: the supervisor's metrics of every actor
 *   net.c       ifconfig (net), ping, fetch: the network
 *   complete.c  Tab: command names and paths
 *   nlu.c       natural language (pure; nlu.h)
 */
#ifndef SHELL_SHELL_H
#define SHELL_SHELL_H

#include "line.h"
#include "nlu.h"
#include <actor/actor.h>
#include <stdio.h>

#define SHELL_PROMPT "clk> "
#define ARGS_MAX     32

/* A command line, parsed. */
struct cmdline {
    int argc;
    char *argv[ARGS_MAX + 1];
    char *redirect; /* > FILE or >> FILE, or NULL */
    bool append;
    char store[LINE_MAX_BYTES * 2]; /* the words' bytes */
};

/* parse.c: LINE into CL: 0, or a message of what is wrong ("unterminated
 * quote", "> needs a file", "too many words"). */
const char *parse_line(const char *line, struct cmdline *cl);

/* The shell's state, for the commands. */
struct shell {
    struct line line;
    long monitor; /* the monitor authority (ps, mem), or 0 */
    long mailbox; /* exit messages of the programs it runs */
    long intr;    /* a notification, bound: ^C while a program runs (0: none) */
};

/* A command: NAME, how many words it takes (MIN to MAX, -1: any), what
 * they are (USAGE), one line of help (SUMMARY), and FN, which prints to
 * OUT and returns 0 or 1 (it printed why), or CMD_ENGLISH, having printed
 * nothing, when its words are plain English rather than its arguments
 * ("ping the gateway"): the line then goes to nlu.c. */
#define CMD_ENGLISH 2
struct command {
    const char *name;
    int min, max;
    const char *usage, *summary;
    int (*fn)(struct shell *sh, int argc, char **argv, FILE *out);
};

extern const struct command commands[];
const struct command *command_find(const char *name);
/* Print "NAME: usage: USAGE". */
void print_usage(const struct command *c);

/* Run a command line (already parsed): 0, 1 or CMD_ENGLISH. */
int run_cmdline(struct shell *sh, struct cmdline *cl);

/* cmds.c: "NAME: WHAT: why" for an errno value, one line, to stdout. */
void complain(const char *cmd, const char *what, int err);

/* Ask QUESTION and wait for y or n (anything else, or ^C, is no). */
bool ask(struct shell *sh, const char *question);

/* The services the supervisor runs, by name (for NLU and completion). */
unsigned sup_names(const char *names[], char store[][ACTOR_NAME_MAX], unsigned max);

/* Wait up to NS for ^C on the console (0: only look): true if it came. */
bool interrupted(uint64_t ns);

/* run.c: the whole program file at PATH (at most 16 MiB) into a new
 * buffer (*LEN bytes): 0 or an errno value. */
int load_program(const char *path, void **data, size_t *len);

/* Whether a ^C was typed ahead (read already, not yet used): it is used up. */
bool interrupt_typed(void);

/* The commands of the other files. */
int cmd_services(struct shell *sh, int argc, char **argv, FILE *out);
int cmd_why(struct shell *sh, int argc, char **argv, FILE *out);
int cmd_log(struct shell *sh, int argc, char **argv, FILE *out);
int cmd_restart(struct shell *sh, int argc, char **argv, FILE *out);
int cmd_kill(struct shell *sh, int argc, char **argv, FILE *out);
int cmd_update(struct shell *sh, int argc, char **argv, FILE *out);
int cmd_run(struct shell *sh, int argc, char **argv, FILE *out);
int cmd_ps(struct shell *sh, int argc, char **argv, FILE *out);
int cmd_mem(struct shell *sh, int argc, char **argv, FILE *out);
int cmd_top(struct shell *sh, int argc, char **argv, FILE *out);
int cmd_shutdown(struct shell *sh, int argc, char **argv, FILE *out);
int cmd_reboot(struct shell *sh, int argc, char **argv, FILE *out);
int cmd_ifconfig(struct shell *sh, int argc, char **argv, FILE *out);
int cmd_ping(struct shell *sh, int argc, char **argv, FILE *out);
int cmd_fetch(struct shell *sh, int argc, char **argv, FILE *out);

/* complete.c */
line_complete_fn shell_complete;

#endif
