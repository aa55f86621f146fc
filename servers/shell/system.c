/*
 * system.c: ps and mem (what the kernel knows of every actor, through the
 * monitor authority the supervisor gives the shell: caps=monitor), and
 * shutdown and reboot (through the supervisor, after a sync).
 */
#include "shell.h"
#include <actor/supervisor.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ACTORS_MAX 256

static const char *const states[] = {
    [CLK_ACTOR_RUNNING] = "running",      [CLK_ACTOR_READY] = "ready",
    [CLK_ACTOR_SLEEPING] = "sleeping",    [CLK_ACTOR_BLOCKED_SEND] = "calling",
    [CLK_ACTOR_BLOCKED_RECV] = "serving", [CLK_ACTOR_BLOCKED_REPLY] = "waiting",
    [CLK_ACTOR_BLOCKED_FULL] = "sending", [CLK_ACTOR_WAITING] = "idle",
    [CLK_ACTOR_READING] = "reading",      [CLK_ACTOR_STOPPED] = "stopped",
};

/* Every live actor into A (at most ACTORS_MAX): how many, or a CLK_E* code. */
static long actors(const struct shell *sh, struct clk_actor_info *a)
{
    long n = 0, r = 0;
    if (!sh->monitor)
        return CLK_EPERM;
    for (uint64_t after = 0; n < ACTORS_MAX && (r = clk_actor_info(sh->monitor, after, &a[n])) == 0;
         n++)
        after = a[n].id;
    return r == 0 || r == CLK_ENOENT ? n : r;
}

static bool no_monitor(const char *cmd, long r)
{
    if (r >= 0)
        return false;
    if (r == CLK_EPERM)
        printf("%s: this shell has no monitor authority (manifest: caps=monitor)\n", cmd);
    else
        printf("%s: the kernel says: %s\n", cmd, actor_strerror(r));
    return true;
}

int cmd_ps(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)argc, (void)argv;
    static struct clk_actor_info a[ACTORS_MAX];
    long n = actors(sh, a);
    if (no_monitor("ps", n))
        return 1;
    fprintf(out, "%4s %-16s %-9s %4s %10s %9s %10s\n", "ID", "NAME", "STATE", "PRIO", "CPU (ms)",
            "MEM (KiB)", "MESSAGES");
    for (long i = 0; i < n; i++) {
        a[i].name[CLK_NAME_MAX - 1] = '\0';
        fprintf(out, "%4llu %-16s %-9s %4u %10.1f %9llu %10llu\n", a[i].id, a[i].name,
                a[i].state < sizeof(states) / sizeof(states[0]) ? states[a[i].state] : "?",
                a[i].prio, (double)a[i].cpu_ns / 1e6, a[i].pages * 4,
                a[i].msgs_sent + a[i].msgs_received);
    }
    return 0;
}

static int by_pages(const void *x, const void *y)
{
    const struct clk_actor_info *a = x, *b = y;
    return a->pages < b->pages ? 1 : a->pages > b->pages ? -1 : (a->id > b->id) - (a->id < b->id);
}

int cmd_mem(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)argc, (void)argv;
    long free_frames = clk_stats(CLK_STAT_FREE_FRAMES), total = clk_stats(CLK_STAT_TOTAL_FRAMES);
    fprintf(out, "frames: %ld in all (%ld KiB), %ld used, %ld free (%ld KiB)\n", total, total * 4,
            total - free_frames, free_frames, free_frames * 4);
    static struct clk_actor_info a[ACTORS_MAX];
    long n = actors(sh, a);
    if (no_monitor("mem", n))
        return 1;
    qsort(a, (size_t)n, sizeof(a[0]), by_pages);
    fprintf(out, "%4s %-16s %9s %11s\n", "ID", "NAME", "MEM (KiB)", "QUOTA (KiB)");
    for (long i = 0; i < n; i++) {
        char quota[24] = "all"; /* the root's: every page there is */
        if (a[i].page_quota <= (unsigned long long)total)
            snprintf(quota, sizeof(quota), "%llu", a[i].page_quota * 4);
        a[i].name[CLK_NAME_MAX - 1] = '\0';
        fprintf(out, "%4llu %-16s %9llu %11s\n", a[i].id, a[i].name, a[i].pages * 4, quota);
    }
    return 0;
}

/* SUP_SHUTDOWN or SUP_REBOOT, after everything written is on the disk. */
static int power(const char *cmd, unsigned type)
{
    sync();
    printf("%s: files synced; asking the supervisor\n", cmd);
    fflush(stdout);
    long r = actor_call(ACTOR_NAMES_SLOT, type, NULL, 0, NULL, NULL);
    /* When it works there is no answer: the machine goes off first. */
    if (r == CLK_ENOSYS)
        printf("%s: the firmware told no way to do it\n", cmd);
    else
        printf("%s: the supervisor says: %s\n", cmd, actor_strerror(r));
    return 1;
}

int cmd_shutdown(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh, (void)argc, (void)argv, (void)out;
    return power("shutdown", SUP_SHUTDOWN);
}

int cmd_reboot(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh, (void)argc, (void)argv, (void)out;
    return power("reboot", SUP_REBOOT);
}
