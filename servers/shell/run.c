/*
 * run.c: run PROGRAM [ARGS] (an ELF executable in the file system) in the
 * foreground. A name without '/' is looked for in /bin, /boot/bin,
 * /boot/sbin and /boot/test. The program gets a registry capability of its
 * own (SUP_REGISTRY: files and lookups, never the shell's control rights)
 * and the shell's mailbox for its exit message; the shell waits for that.
 * The program has the console meanwhile: the shell reads none of it, and
 * takes only ^C (CONSOLE_INTR, a signal on its notification), which kills
 * the program, as a terminal's interrupt key does (docs/shell.md).
 */
#include "shell.h"
#include <actor/supervisor.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROGRAM_MAX (16u << 20)
#define POLL_NS     20000000ULL /* how often to look at the console while waiting */

static const char *const search[] = { "/bin/", "/boot/bin/", "/boot/sbin/", "/boot/test/" };

/* Where PROGRAM is, into PATH: 0 or an errno value. */
static int find(const char *program, char *path, size_t n)
{
    struct stat st;
    if (strchr(program, '/')) {
        snprintf(path, n, "%s", program);
        return stat(path, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    }
    for (unsigned i = 0; i < sizeof(search) / sizeof(search[0]); i++) {
        snprintf(path, n, "%s%s", search[i], program);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
            return 0;
    }
    return ENOENT;
}

int load_program(const char *path, void **data, size_t *len)
{
    struct stat st;
    int fd = open(path, O_RDONLY);
    if (fd < 0 || fstat(fd, &st) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return e;
    }
    if (st.st_size <= 0 || (uint64_t)st.st_size > PROGRAM_MAX) {
        close(fd);
        return st.st_size <= 0 ? ENOEXEC : EFBIG;
    }
    char *p = malloc((size_t)st.st_size);
    ssize_t got = p ? read(fd, p, (size_t)st.st_size) : -1;
    close(fd);
    if (got != st.st_size) {
        free(p);
        return p ? EIO : ENOMEM;
    }
    *data = p;
    *len = (size_t)got;
    return 0;
}

/* The argument block (clk/abi.h): ARGV, then "", then the environment:
 * PWD, the shell's working directory, where libc starts the program. */
static size_t args_block(int argc, char **argv, char *block, size_t size)
{
    char pwd[4 + 512] = "PWD=";
    size_t n = 0;
    for (int i = 0; i < argc; i++) {
        size_t k = strlen(argv[i]) + 1;
        if (k > size - n - 1)
            break;
        memcpy(block + n, argv[i], k);
        n += k;
    }
    block[n++] = '\0';
    if (getcwd(pwd + 4, sizeof(pwd) - 4) && strlen(pwd) + 1 <= size - n) {
        memcpy(block + n, pwd, strlen(pwd) + 1);
        n += strlen(pwd) + 1;
    }
    return n;
}

static long guest_registry(void)
{
    long cap = 0;
    long r = actor_call_cap(ACTOR_NAMES_SLOT, SUP_REGISTRY, NULL, 0, 0, NULL, NULL, &cap);
    return r < 0 ? r : cap ? cap : CLK_EIO;
}

/* Before a program starts: forget exit messages of programs gone and a
 * ^C that came after the last one ended, then take ^C from the console
 * (CONSOLE_INTR). Whether ^C comes as a signal; else wait_exit reads the
 * console for it. */
static bool take_interrupt_key(struct shell *sh)
{
    struct clk_msg m;
    uint64_t badge;
    while (clk_wait(0, &m, &badge) >= 0)
        ;
    return sh->intr && clk_console_intr(sh->intr, 1) == 0;
}

/* Wait for the exit of ACTOR (a capability; ID its id); ^C kills it: a
 * signal when KEY, else seen on the console. The exit status, or -1 after
 * ^C. */
static long wait_exit(struct shell *sh, long actor, uint64_t id, bool key)
{
    for (;;) {
        struct clk_msg m;
        uint64_t badge;
        bool typed = interrupt_typed(); /* before it started */
        long r = typed ? 0 : clk_wait(key ? CLK_FOREVER : 0, &m, &badge);
        if (typed || (key && r == sh->intr)) {
            clk_actor_kill(actor);
            return -1;
        }
        if (r == sh->mailbox && CLK_TAG_LABEL(m.tag) == CLK_LABEL_EXIT && m.w[0] == id)
            return (long)m.w[1];
        if (r == sh->mailbox && CLK_TAG_LABEL(m.tag) == CLK_LABEL_FAULT && m.w[0] == id) {
            clk_actor_kill(actor);
            printf("run: it faulted: vector %lu at %#lx, rip %#lx\n", (unsigned long)m.w[1],
                   (unsigned long)m.w[2], (unsigned long)m.w[3]);
            return 128 + 11;
        }
        if (!key && interrupted(POLL_NS)) {
            clk_actor_kill(actor);
            return -1;
        }
    }
}

int cmd_run(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)out;
    char path[512], block[CLK_ARGS_MAX];
    void *elf = NULL;
    size_t len = 0;
    int err = find(argv[1], path, sizeof(path));
    if (err || (err = load_program(path, &elf, &len))) {
        complain("run", argv[1], err);
        return 1;
    }
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    char name[CLK_NAME_MAX];
    snprintf(name, sizeof(name), "%s", base);
    long registry = guest_registry();
    struct clk_spawn sp = {
        .elf = (uint64_t)elf,
        .len = len,
        .name = (uint64_t)name,
        .prio = CLK_PRIO_DEFAULT,
        .ncaps = registry > 0 ? 1 : 0,
        .caps = { registry > 0 ? (uint64_t)registry : 0 },
        .fault = (uint64_t)sh->mailbox,
        .args = (uint64_t)block,
        .args_len = args_block(argc - 1, argv + 1, block, sizeof(block)),
    };
    fflush(stdout);
    bool key = take_interrupt_key(sh);
    long actor = clk_spawn(&sp);
    free(elf);
    if (registry > 0)
        clk_cap_delete(registry);
    if (actor < 0) {
        if (key)
            clk_console_intr(CLK_CAP_NONE, 0);
        printf("run: %s: cannot start it: %s\n", argv[1], actor_strerror(actor));
        return 1;
    }
    long status = wait_exit(sh, actor, (uint64_t)clk_actor_id(actor), key);
    if (key)
        clk_console_intr(CLK_CAP_NONE, 0);
    clk_cap_delete(actor);
    if (status == -1) {
        printf("^C\nrun: %s stopped\n", name);
        return 1;
    }
    if (status)
        printf("run: %s exited with status %ld\n", name, status);
    return status != 0;
}
