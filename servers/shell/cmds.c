/*
 * cmds.c: the command table, help, and the commands on files and on the
 * system. Each prints to OUT (the console, or the file of a redirection)
 * and says what went wrong in one line: "cat: /nope: no such file".
 */
#include "shell.h"
#include <actor/vfs.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- errors ---- */

static const char *why(int err)
{
    switch (err) {
    case ENOENT: return "no such file";
    case EEXIST: return "already exists";
    case ENOTDIR: return "not a directory";
    case EISDIR: return "is a directory";
    case ENOTEMPTY: return "directory not empty";
    case ENOSPC: return "no space left";
    case EROFS: return "read-only file system";
    case ENAMETOOLONG: return "name too long";
    case EXDEV: return "on another file system";
    case EBUSY: return "busy (a mount point)";
    case EINVAL: return "invalid argument";
    case EBADF: return "bad file";
    case ELOOP: return "too many symbolic links";
    case EIO: return "input/output error";
    case ENOSYS: return "no file service";
    case ENETDOWN: return "network is down";
    case ENETUNREACH: return "network unreachable";
    case EHOSTUNREACH: return "host unreachable";
    case ECONNREFUSED: return "connection refused";
    case ECONNRESET: return "connection reset";
    case ETIMEDOUT: return "timed out";
    default: return strerror(err);
    }
}

void complain(const char *cmd, const char *what, int err)
{
    if (what)
        printf("%s: %s: %s\n", cmd, what, why(err));
    else
        printf("%s: %s\n", cmd, why(err));
}

/* ---- files ---- */

static char type_char(mode_t m)
{
    return S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' : '-';
}

static void mode_string(mode_t m, char s[11])
{
    static const char rwx[] = "rwxrwxrwx";
    s[0] = type_char(m);
    for (int i = 0; i < 9; i++)
        s[i + 1] = m & (1u << (8 - i)) ? rwx[i] : '-';
    s[10] = '\0';
}

static void date(time_t t, char *buf, size_t n)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%d %H:%M", &tm);
}

static void ls_line(FILE *out, const char *dir, const char *name, bool lng)
{
    if (!lng) {
        fprintf(out, "%s\n", name);
        return;
    }
    char path[VFS_PATH_MAX], mode[11], when[32];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (lstat(dir ? path : name, &st) < 0) {
        fprintf(out, "?????????? %s\n", name);
        return;
    }
    mode_string(st.st_mode, mode);
    date(st.st_mtime, when, sizeof(when));
    fprintf(out, "%s %3lu %10lld %s %s%s\n", mode, (unsigned long)st.st_nlink,
            (long long)st.st_size, when, name, S_ISDIR(st.st_mode) ? "/" : "");
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of directory PATH, sorted, one a line. */
static int ls_dir(const char *path, bool lng, FILE *out)
{
    DIR *d = opendir(path);
    if (!d) {
        complain("ls", path, errno);
        return 1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **more = realloc(names, cap * sizeof(*names));
            if (!more)
                break;
            names = more;
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), by_name);
    for (size_t i = 0; i < n; i++) {
        ls_line(out, path, names[i], lng);
        free(names[i]);
    }
    free(names);
    return 0;
}

static int cmd_ls(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh;
    bool lng = argc > 1 && !strcmp(argv[1], "-l");
    int first = lng ? 2 : 1, err = 0;
    if (first == argc)
        return ls_dir(".", lng, out);
    for (int i = first; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) < 0) {
            complain("ls", argv[i], errno);
            err = 1;
        } else if (S_ISDIR(st.st_mode)) {
            if (argc - first > 1)
                fprintf(out, "%s:\n", argv[i]);
            err |= ls_dir(argv[i], lng, out);
        } else {
            ls_line(out, NULL, argv[i], lng);
        }
    }
    return err;
}

/* Copy file descriptor FD to OUT (or to descriptor TO): 0, or errno. */
static int copy_fd(int fd, FILE *out, int to)
{
    static char buf[32 * 1024];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        if (out && fwrite(buf, 1, (size_t)n, out) != (size_t)n)
            return EIO;
        if (to >= 0 && write(to, buf, (size_t)n) != n)
            return errno ? errno : ENOSPC;
    }
    return n < 0 ? errno : 0;
}

static int cmd_cat(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh;
    int status = 0;
    for (int i = 1; i < argc; i++) {
        int fd = open(argv[i], O_RDONLY), err = fd < 0 ? errno : copy_fd(fd, out, -1);
        if (fd >= 0)
            close(fd);
        if (err) {
            complain("cat", argv[i], err);
            status = 1;
        }
    }
    return status;
}

static int cmd_echo(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh;
    for (int i = 1; i < argc; i++)
        fprintf(out, "%s%s", argv[i], i + 1 < argc ? " " : "");
    fputc('\n', out);
    return 0;
}

/* A command that calls FN on each of its paths. */
static int each(const char *cmd, int argc, char **argv, int (*fn)(const char *))
{
    int status = 0;
    for (int i = 1; i < argc; i++)
        if (fn(argv[i]) < 0) {
            complain(cmd, argv[i], errno);
            status = 1;
        }
    return status;
}

static int make_dir(const char *path)
{
    return mkdir(path, 0755);
}

static int cmd_mkdir(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh, (void)out;
    return each("mkdir", argc, argv, make_dir);
}

static int cmd_rm(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh, (void)out;
    return each("rm", argc, argv, unlink);
}

static int cmd_rmdir(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh, (void)out;
    return each("rmdir", argc, argv, rmdir);
}

/* TO, or TO/basename(FROM) when TO is a directory, into BUF. */
static const char *target(const char *from, const char *to, char *buf, size_t n)
{
    struct stat st;
    if (stat(to, &st) < 0 || !S_ISDIR(st.st_mode))
        return to;
    const char *base = strrchr(from, '/');
    snprintf(buf, n, "%s/%s", to, base ? base + 1 : from);
    return buf;
}

static int cmd_mv(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh, (void)argc, (void)out;
    char buf[VFS_PATH_MAX];
    const char *to = target(argv[1], argv[2], buf, sizeof(buf));
    if (rename(argv[1], to) < 0) {
        complain("mv", argv[1], errno);
        return 1;
    }
    return 0;
}

static int cmd_cp(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh, (void)argc, (void)out;
    char buf[VFS_PATH_MAX];
    const char *to = target(argv[1], argv[2], buf, sizeof(buf));
    int in = open(argv[1], O_RDONLY);
    if (in < 0) {
        complain("cp", argv[1], errno);
        return 1;
    }
    int o = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = o < 0 ? errno : copy_fd(in, NULL, o);
    close(in);
    if (o >= 0 && close(o) < 0 && !err)
        err = errno;
    if (err)
        complain("cp", o < 0 ? to : argv[2], err);
    return err != 0;
}

static const char *kind(mode_t m)
{
    return S_ISDIR(m)   ? "directory"
           : S_ISLNK(m) ? "symbolic link"
           : S_ISREG(m) ? "regular file"
                        : "other";
}

static int cmd_stat(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh;
    int status = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        char mode[11], when[32];
        if (lstat(argv[i], &st) < 0) {
            complain("stat", argv[i], errno);
            status = 1;
            continue;
        }
        mode_string(st.st_mode, mode);
        date(st.st_mtime, when, sizeof(when));
        fprintf(out, "  File: %s\n  Type: %s  Size: %lld  Blocks: %lld\n", argv[i],
                kind(st.st_mode), (long long)st.st_size, (long long)st.st_blocks);
        fprintf(out, "  Inode: %lu  Links: %lu  Mode: %s (%04o)  Device: %lu\n",
                (unsigned long)st.st_ino, (unsigned long)st.st_nlink, mode,
                (unsigned)(st.st_mode & 07777), (unsigned long)st.st_dev);
        fprintf(out, "  Modified: %s UTC\n", when);
    }
    return status;
}

static int cmd_pwd(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh, (void)argc, (void)argv;
    char buf[VFS_PATH_MAX];
    if (!getcwd(buf, sizeof(buf))) {
        complain("pwd", NULL, errno);
        return 1;
    }
    fprintf(out, "%s\n", buf);
    return 0;
}

static int cmd_cd(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh, (void)out;
    const char *to = argc > 1 ? argv[1] : "/";
    if (chdir(to) < 0) {
        complain("cd", to, errno);
        return 1;
    }
    return 0;
}

static int cmd_df(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh, (void)argc, (void)argv;
    struct vfs_mount m[8];
    int n = vfs_mounts(m, 8);
    if (n < 0) {
        complain("df", NULL, errno);
        return 1;
    }
    fprintf(out, "%-10s %-6s %10s %10s %10s %4s  %s\n", "Source", "Type", "KiB", "Used", "Free",
            "Use%", "Mounted on");
    for (int i = 0; i < n; i++) {
        uint64_t kib = m[i].blocks * m[i].block_size / 1024,
                 free_kib = m[i].free_blocks * m[i].block_size / 1024;
        uint64_t used = kib - free_kib;
        fprintf(out, "%-10s %-6s %10llu %10llu %10llu %3llu%%  %s%s\n", m[i].source, m[i].type,
                (unsigned long long)kib, (unsigned long long)used, (unsigned long long)free_kib,
                (unsigned long long)(kib ? used * 100 / kib : 0), m[i].path,
                m[i].flags & VFS_MOUNT_RDONLY ? " (read-only)" : "");
    }
    return 0;
}

/* ---- the system ---- */

static int cmd_uptime(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh, (void)argc, (void)argv;
    uint64_t s = clk_clock_ns() / 1000000000;
    time_t now = time(NULL);
    char when[32];
    date(now, when, sizeof(when));
    fprintf(out, "up %llu:%02llu:%02llu, %s UTC\n", (unsigned long long)(s / 3600),
            (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60), when);
    return 0;
}

static int cmd_sleep(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh, (void)argc, (void)out;
    char *end;
    double s = strtod(argv[1], &end);
    if (end == argv[1] || *end || s < 0 || s > 86400) {
        printf("sleep: %s: not a number of seconds (0 to 86400)\n", argv[1]);
        return 1;
    }
    if (interrupted((uint64_t)(s * 1e9))) {
        printf("sleep: interrupted\n");
        return 1;
    }
    return 0;
}

/* The lines typed, oldest first, numbered (the line editor keeps the last
 * LINE_HISTORY; "history" itself is the last). */
static int cmd_history(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)argc, (void)argv;
    for (unsigned i = 0; i < sh->line.nhist; i++)
        fprintf(out, "%5u  %s\n", i + 1, sh->line.hist[i]);
    return 0;
}

static int cmd_help(struct shell *sh, int argc, char **argv, FILE *out);

const struct command commands[] = {
    { "help", 0, 1, "help [COMMAND]", "what the commands are, or what one does", cmd_help },
    { "ls", 0, -1, "ls [-l] [PATH...]", "list a directory (-l: with type, size and date)", cmd_ls },
    { "cat", 1, -1, "cat PATH...", "print files", cmd_cat },
    { "echo", 0, -1, "echo TEXT... [> FILE | >> FILE]", "print TEXT (> writes a file, >> appends)",
      cmd_echo },
    { "mkdir", 1, -1, "mkdir PATH...", "make directories", cmd_mkdir },
    { "rm", 1, -1, "rm PATH...", "remove files", cmd_rm },
    { "rmdir", 1, -1, "rmdir PATH...", "remove empty directories", cmd_rmdir },
    { "mv", 2, 2, "mv FROM TO", "move or rename (into TO when it is a directory)", cmd_mv },
    { "cp", 2, 2, "cp FROM TO", "copy a file (into TO when it is a directory)", cmd_cp },
    { "stat", 1, -1, "stat PATH...", "what a file is: type, size, inode, links, mode, date",
      cmd_stat },
    { "pwd", 0, 0, "pwd", "print the working directory", cmd_pwd },
    { "cd", 0, 1, "cd [PATH]", "change the working directory (to / without PATH)", cmd_cd },
    { "df", 0, 0, "df", "mounted file systems and their space", cmd_df },
    { "services", 0, 1, "services [NAME]", "the supervisor's services and their state",
      cmd_services },
    { "log", 0, 0, "log", "the supervisor's events: starts, exits, faults, restarts", cmd_log },
    { "why", 1, -1, "why NAME",
      "why the supervisor recovered a service as it did: its last decision, the evidence, "
      "and what each recovery has earned",
      cmd_why },
    { "restart", 1, 1, "restart NAME", "stop a service and start it again", cmd_restart },
    { "kill", 1, 1, "kill ID|NAME", "kill a service's actor (its restart policy decides what next)",
      cmd_kill },
    { "update", 1, 2, "update NAME [BINARY]", "replace a service live, handing its state over",
      cmd_update },
    { "run", 1, -1, "run PROGRAM [ARGS...]", "run a program in the foreground (^C stops it)",
      cmd_run },
    { "ps", 0, 0, "ps", "every actor: id, name, state, priority, CPU time, memory, messages",
      cmd_ps },
    { "mem", 0, 0, "mem", "memory: frames free and used, and each actor's, the most first",
      cmd_mem },
    { "top", 0, 1, "top [SECONDS]",
      "every actor's CPU %, memory, messages, syscalls per second, the busiest first; "
      "refreshed each second, SECONDS times (^C stops it)",
      cmd_top },
    { "uptime", 0, 0, "uptime", "time since boot, and the date", cmd_uptime },
    { "history", 0, 0, "history", "the lines typed so far, oldest first", cmd_history },
    { "sleep", 1, 1, "sleep SECONDS", "wait (^C stops it)", cmd_sleep },
    { "ifconfig", 0, -1, "ifconfig", "the network interface: addresses, link, counters",
      cmd_ifconfig },
    { "net", 0, -1, "net", "the same as ifconfig", cmd_ifconfig },
    { "ping", 1, -1, "ping HOST [COUNT]",
      "send COUNT (4; at most 100) echo requests to HOST, a second apart (^C stops it)", cmd_ping },
    { "fetch", 1, -1, "fetch URL [> FILE]",
      "get http://HOST[:PORT]/PATH and print the body (> FILE saves it; ^C stops it)", cmd_fetch },
    { "shutdown", 0, 0, "shutdown", "write everything back and power off (ACPI)", cmd_shutdown },
    { "reboot", 0, 0, "reboot", "write everything back and reset the machine", cmd_reboot },
    { NULL, 0, 0, NULL, NULL, NULL },
};

const struct command *command_find(const char *name)
{
    for (const struct command *c = commands; c->name; c++)
        if (!strcmp(c->name, name))
            return c;
    return NULL;
}

static int cmd_help(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh;
    if (argc > 1) {
        const struct command *c = command_find(argv[1]);
        if (!c) {
            printf("help: %s: no such command\n", argv[1]);
            return 1;
        }
        fprintf(out, "%s\n    %s\n", c->usage, c->summary);
        return 0;
    }
    fprintf(out, "Commands (help COMMAND says more); anything else is read as plain "
                 "English:\n");
    for (const struct command *c = commands; c->name; c++)
        fprintf(out, "  %-32s %s\n", c->usage, c->summary);
    return 0;
}

void print_usage(const struct command *c)
{
    printf("%s: usage: %s\n", c->name, c->usage);
}

int run_cmdline(struct shell *sh, struct cmdline *cl)
{
    const struct command *c = command_find(cl->argv[0]);
    if (c->max >= 0 && cl->argc - 1 > c->max && !cl->redirect)
        return CMD_ENGLISH; /* "kill the network server": words, not arguments */
    if (cl->argc - 1 < c->min || (c->max >= 0 && cl->argc - 1 > c->max)) {
        print_usage(c);
        return 1;
    }
    FILE *out = stdout;
    if (cl->redirect && !(out = fopen(cl->redirect, cl->append ? "a" : "w"))) {
        complain(c->name, cl->redirect, errno);
        return 1;
    }
    int r = c->fn(sh, cl->argc, cl->argv, out);
    if (out != stdout && fclose(out) != 0) {
        complain(c->name, cl->redirect, errno);
        r = 1;
    }
    fflush(stdout);
    return r;
}
