/*
 * main.c: the shell, the service "shell". It reads the console raw
 * (CONSOLE_READ), edits lines with line.c after the prompt "clk> ", and
 * runs each: a command of the table in cmds.c, or else plain English,
 * which nlu.c turns into a command that is shown ("→ ls /etc") and run,
 * after asking when the model is unsure or the command is destructive.
 *
 * Input typed while a command runs waits for the next prompt, but for ^C,
 * which stops sleep and run. If the shell crashes, the supervisor starts
 * it again, and a new prompt appears.
 */
#include "shell.h"
#include <actor/supervisor.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Bytes read from the console and not used yet (typed ahead). */
static struct {
    unsigned char buf[512];
    size_t len, at;
} input;

static void keep(const unsigned char *p, size_t n)
{
    if (input.at == input.len)
        input.at = input.len = 0;
    if (n > sizeof(input.buf) - input.len)
        n = sizeof(input.buf) - input.len;
    memcpy(input.buf + input.len, p, n);
    input.len += n;
}

/* The next byte typed, waiting as long as it takes. */
static unsigned char next_byte(void)
{
    while (input.at == input.len) {
        unsigned char b[256];
        long n = clk_console_read(b, sizeof(b), CLK_FOREVER);
        if (n > 0)
            keep(b, (size_t)n);
    }
    return input.buf[input.at++];
}

bool interrupt_typed(void)
{
    unsigned char *typed = memchr(input.buf + input.at, 0x03, input.len - input.at);
    if (typed) /* drop it and what came before */
        input.at = (size_t)(typed + 1 - input.buf);
    return typed != NULL;
}

bool interrupted(uint64_t ns)
{
    if (interrupt_typed())
        return true;
    uint64_t deadline = clk_clock_ns() + ns;
    for (;;) { /* one look at least, even for NS 0 */
        uint64_t now = clk_clock_ns();
        unsigned char b[256];
        long n = clk_console_read(b, sizeof(b), now < deadline ? deadline - now : 0);
        if (n <= 0 && now >= deadline)
            return false;
        if (n <= 0)
            continue;
        unsigned char *c = memchr(b, 0x03, (size_t)n);
        if (c) {
            keep(c + 1, (size_t)(b + n - c - 1)); /* what came after ^C waits */
            return true;
        }
        keep(b, (size_t)n);
    }
}

static void draw(const struct line *l)
{
    if (l->out_len)
        clk_debug_write(l->out, l->out_len);
}

/* Edit a line after PROMPT into L->buf: the event that ended it. */
static enum line_event read_line(struct line *l, const char *prompt)
{
    line_start(l, prompt);
    fputs(prompt, stdout);
    fflush(stdout);
    for (;;) {
        enum line_event e = line_feed(l, next_byte());
        draw(l);
        if (e != LINE_MORE)
            return e;
    }
}

bool ask(struct shell *sh, const char *question)
{
    static struct line answer; /* its own: the shell's history is not for answers */
    answer.complete = NULL;
    (void)sh;
    if (read_line(&answer, question) != LINE_DONE)
        return false;
    const char *a = answer.buf;
    while (*a == ' ')
        a++;
    return !strcasecmp(a, "y") || !strcasecmp(a, "yes");
}

/* Run LINE as a command line: 0, 1 or CMD_ENGLISH; -1 when its first word
 * is no command. */
static int command(struct shell *sh, const char *line)
{
    static struct cmdline cl;
    const char *bad = parse_line(line, &cl);
    if (bad) {
        printf("clk: %s\n", bad);
        return 1;
    }
    if (!cl.argc)
        return 0;
    if (!command_find(cl.argv[0]))
        return -1;
    return run_cmdline(sh, &cl);
}

/* A move whose target exists: destructive. */
static bool moves_over(const char *cmd)
{
    static struct cmdline cl;
    struct stat st;
    if (parse_line(cmd, &cl) || cl.argc != 3 || strcmp(cl.argv[0], "mv"))
        return false;
    if (stat(cl.argv[2], &st) == 0 && S_ISDIR(st.st_mode)) {
        char into[LINE_MAX_BYTES];
        const char *base = strrchr(cl.argv[1], '/');
        snprintf(into, sizeof(into), "%s/%s", cl.argv[2], base ? base + 1 : cl.argv[1]);
        return lstat(into, &st) == 0;
    }
    return lstat(cl.argv[2], &st) == 0;
}

static const struct command *first_command(const char *line);

/* Plain English: understood, shown, confirmed when needed, run. */
static void understand(struct shell *sh, const char *line)
{
    static char store[16][ACTOR_NAME_MAX];
    const char *names[16];
    struct nlu_context ctx = { names, sup_names(names, store, 16) };
    static struct nlu_result r;
    nlu_interpret(line, &ctx, &r);
    if (r.verdict == NLU_UNKNOWN && first_command(line)) {
        print_usage(first_command(line)); /* a command with too many words */
        return;
    }
    if (r.verdict == NLU_UNKNOWN) {
        r.suggestion[0] = (char)toupper((unsigned char)r.suggestion[0]);
        printf("I don't understand \"%s\". %s\n", line, r.suggestion);
        return;
    }
    char question[NLU_LINE_MAX + 64];
    bool destructive = r.destructive || moves_over(r.command);
    if (r.verdict == NLU_ASK) {
        snprintf(question, sizeof(question), "Did you mean: %s? [y/N] ", r.command);
        if (!ask(sh, question)) {
            printf("Nothing done.\n");
            return;
        }
        printf("→ %s\n", r.command);
    } else {
        printf("→ %s\n", r.command);
        snprintf(question, sizeof(question), "%s: are you sure? [y/N] ", r.command);
        if (destructive && !ask(sh, question)) {
            printf("Nothing done.\n");
            return;
        }
    }
    if (command(sh, r.command) < 0)
        printf("clk: %s: not a command here\n", r.command);
}

/* The command LINE starts with, or NULL: a line that starts with a
 * command's name is parsed as one (unless it has more words than the
 * command takes); anything else, quotes and all, is plain English. */
static const struct command *first_command(const char *line)
{
    char first[32];
    size_t n = strcspn(line, " \t");
    if (n >= sizeof(first))
        return NULL;
    memcpy(first, line, n);
    first[n] = '\0';
    return command_find(first);
}

static void execute(struct shell *sh, const char *line)
{
    while (isspace((unsigned char)*line))
        line++;
    if (!*line)
        return;
    if (!first_command(line) || command(sh, line) == CMD_ENGLISH)
        understand(sh, line);
    fflush(stdout);
}

static struct shell sh;

int main(void)
{
    sh.intr = clk_notification_create();
    if (sh.intr < 0 || clk_bind(sh.intr) < 0)
        sh.intr = 0; /* run then watches the console for ^C itself */
    sh.mailbox = clk_mailbox_create(8);
    if (sh.mailbox < 0 || clk_bind(sh.mailbox) < 0) {
        printf("shell: no mailbox for the programs it runs: %s\n", actor_strerror(sh.mailbox));
        return 1;
    }
    const char *monitor = getenv("CLK_MONITOR");
    sh.monitor = monitor ? strtol(monitor, NULL, 10) : 0;
    long err = actor_serve_control(); /* pings, updates, injected faults */
    if (err < 0)
        printf("shell: no thread for the supervisor's requests: %s\n", actor_strerror(err));
    sh.line.complete = shell_complete;
    /* The first line of each kind pays for QEMU translating the code that
     * reads it (about 2 ms under TCG); read a few of each kind now. */
    static const char *const warm_up[] = {
        "show me the files in /etc",      "please restart the file server", "ping 10.0.2.2 3 times",
        "make a folder called x in /tmp", "what's using the most memory?",  "frobnicate widgets",
    };
    static struct nlu_result warm;
    for (size_t i = 0; i < sizeof(warm_up) / sizeof(warm_up[0]); i++)
        nlu_interpret(warm_up[i], &(struct nlu_context){ NULL, 0 }, &warm);
    printf("shell: CLKernel's shell. Type help, or say what you want in plain English.\n");
    for (;;) {
        enum line_event e = read_line(&sh.line, SHELL_PROMPT);
        if (e == LINE_EOF)
            printf("\n(to power off: shutdown)\n");
        if (e != LINE_DONE)
            continue;
        line_remember(&sh.line, sh.line.buf);
        static char line[LINE_MAX_BYTES];
        memcpy(line, sh.line.buf, sizeof(line));
        execute(&sh, line);
    }
}
