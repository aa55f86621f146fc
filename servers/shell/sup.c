/*
 * sup.c: the commands that ask the supervisor (actor/supervisor.h), which
 * is also the name registry, the shell's first capability. restart and
 * update need control=yes in the manifest, which the shell has.
 */
#include "shell.h"
#include <actor/supervisor.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[] = {
    [SUP_STOPPED] = "stopped", [SUP_RUNNING] = "running",   [SUP_BACKOFF] = "restarting",
    [SUP_FAILED] = "failed",   [SUP_UPDATING] = "updating", [SUP_DONE] = "done",
};

static long status(uint32_t i, struct sup_status *st)
{
    size_t len = sizeof(*st);
    memset(st, 0, sizeof(*st));
    return actor_call(ACTOR_NAMES_SLOT, SUP_STATUS, &i, sizeof(i), st, &len);
}

unsigned sup_names(const char *names[], char store[][ACTOR_NAME_MAX], unsigned max)
{
    struct sup_status st;
    unsigned n = 0;
    for (uint32_t i = 0; n < max && status(i, &st) == 0; i++) {
        memcpy(store[n], st.name, ACTOR_NAME_MAX);
        store[n][ACTOR_NAME_MAX - 1] = '\0';
        names[n] = store[n];
        n++;
    }
    return n;
}

static const char *state_name(uint32_t s)
{
    return s < sizeof(state_names) / sizeof(state_names[0]) && state_names[s] ? state_names[s]
                                                                              : "?";
}

int cmd_services(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh;
    struct sup_status st;
    uint64_t now = clk_clock_ns();
    bool found = false;
    for (uint32_t i = 0; status(i, &st) == 0; i++) {
        if (argc > 1 && strcmp(st.name, argv[1]))
            continue;
        if (!found)
            fprintf(out, "%-12s %-10s %6s %8s %10s  %s\n", "SERVICE", "STATE", "ACTOR", "RESTARTS",
                    "UP (s)", "BINARY");
        found = true;
        char up[16] = "-";
        if (st.state == SUP_RUNNING)
            snprintf(up, sizeof(up), "%.1f", (double)(now - st.started_ns) / 1e9);
        fprintf(out, "%-12s %-10s %6llu %8llu %10s  %s\n", st.name, state_name(st.state),
                (unsigned long long)st.actor_id, (unsigned long long)st.restarts, up, st.bin);
    }
    if (argc > 1 && !found) {
        printf("services: %s: no such service\n", argv[1]);
        return 1;
    }
    return 0;
}

static const char *const kind_names[] = {
    [SUP_EV_START] = "start",       [SUP_EV_EXIT] = "exit",       [SUP_EV_FAULT] = "fault",
    [SUP_EV_HANG] = "hang",         [SUP_EV_RESTART] = "restart", [SUP_EV_UPDATE] = "update",
    [SUP_EV_ROLLBACK] = "rollback", [SUP_EV_FAILED] = "failed",   [SUP_EV_ERROR] = "error",
    [SUP_EV_POWER] = "power",       [SUP_EV_ANOMALY] = "anomaly", [SUP_EV_PREDICT] = "predict",
    [SUP_EV_DECIDE] = "decide",     [SUP_EV_OUTCOME] = "outcome",
};

int cmd_log(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh, (void)argc, (void)argv;
    static struct sup_event ev[SUP_LOG_BATCH];
    uint64_t from = 0;
    for (;;) {
        size_t len = sizeof(ev);
        long r = actor_call(ACTOR_NAMES_SLOT, SUP_LOG, &from, sizeof(from), ev, &len);
        if (r < 0) {
            printf("log: the supervisor says: %s\n", actor_strerror(r));
            return 1;
        }
        size_t n = len / sizeof(ev[0]);
        for (size_t i = 0; i < n; i++) {
            ev[i].service[ACTOR_NAME_MAX - 1] = ev[i].text[sizeof(ev[i].text) - 1] = '\0';
            fprintf(out, "[%10.6f] %s %s: %s\n", (double)ev[i].time_ns / 1e9, ev[i].service,
                    ev[i].kind <= SUP_EV_OUTCOME ? kind_names[ev[i].kind] : "?", ev[i].text);
            from = ev[i].seq + 1;
        }
        if (n < SUP_LOG_BATCH)
            return 0;
    }
}

/* What the supervisor's CLK_E* answer means for a service command. */
static void sup_error(const char *cmd, const char *name, long r)
{
    switch (r) {
    case CLK_ENOENT: printf("%s: %s: no such service\n", cmd, name); break;
    case CLK_EPERM: printf("%s: the supervisor does not let this shell do that\n", cmd); break;
    default: printf("%s: %s: %s\n", cmd, name, actor_strerror(r));
    }
}

int cmd_restart(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh, (void)argc;
    struct sup_name q = { { 0 } };
    snprintf(q.name, sizeof(q.name), "%s", argv[1]);
    uint64_t t0 = clk_clock_ns();
    long r = actor_call(ACTOR_NAMES_SLOT, SUP_RESTART, &q, sizeof(q), NULL, NULL);
    if (r) {
        sup_error("restart", argv[1], r);
        return 1;
    }
    fprintf(out, "restart: %s restarted in %.1f ms\n", argv[1],
            (double)(clk_clock_ns() - t0) / 1e6);
    return 0;
}

#define WHY_NAMES 32 /* services looked at for the name */

/* why NAME: what the supervisor decided about NAME, and on what evidence.
 * Said as a question ("why did vfs restart?"), the first word that names
 * a service is the one. */
int cmd_why(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh;
    static char store[WHY_NAMES][ACTOR_NAME_MAX];
    const char *names[WHY_NAMES], *name = argv[1];
    unsigned n = sup_names(names, store, WHY_NAMES);
    for (int i = argc - 1; i >= 1; i--) {
        char word[ACTOR_NAME_MAX];
        snprintf(word, sizeof(word), "%s", argv[i]);
        word[strcspn(word, "?.!,")] = '\0';
        for (unsigned k = 0; k < n; k++)
            if (!strcmp(word, names[k]))
                name = names[k];
    }
    struct sup_name q = { { 0 } };
    snprintf(q.name, sizeof(q.name), "%s", name);
    static char text[SUP_WHY_MAX + 1];
    size_t len = SUP_WHY_MAX;
    long r = actor_call(ACTOR_NAMES_SLOT, SUP_WHY, &q, sizeof(q), text, &len);
    if (r) {
        sup_error("why", name, r);
        return 1;
    }
    text[len < SUP_WHY_MAX ? len : SUP_WHY_MAX] = '\0';
    fputs(text, out);
    return 0;
}

int cmd_kill(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh, (void)argc;
    struct sup_kill q = { { 0 }, 0 };
    char *end;
    unsigned long long id = strtoull(argv[1], &end, 10);
    if (*end || end == argv[1])
        snprintf(q.name, sizeof(q.name), "%s", argv[1]);
    else
        q.actor_id = id;
    long r = actor_call(ACTOR_NAMES_SLOT, SUP_KILL, &q, sizeof(q), NULL, NULL);
    if (r == CLK_ENOENT) {
        printf("kill: %s: no running service is that (^C stops what run started)\n", argv[1]);
        return 1;
    }
    if (r) {
        sup_error("kill", argv[1], r);
        return 1;
    }
    fprintf(out, "kill: %s killed; the supervisor decides what follows\n", argv[1]);
    return 0;
}

static bool is_service(const char *name)
{
    struct sup_status st;
    for (uint32_t i = 0; status(i, &st) == 0; i++)
        if (!strcmp(st.name, name))
            return true;
    return false;
}

#define UPLOAD_VA 0x0000130000000000UL /* where an ELF is put for the supervisor */

/* The program at PATH in a new memory object (*MEM) for the supervisor
 * to keep, with its length in Q: 0 or an errno value. */
static int upload(const char *path, struct sup_update *q, long *mem)
{
    void *elf;
    size_t len;
    int err = load_program(path, &elf, &len);
    if (err)
        return err;
    *mem = clk_memory_create((len + 4095) / 4096);
    if (*mem < 0 || clk_map(*mem, UPLOAD_VA, CLK_MAP_WRITE) < 0) {
        free(elf);
        if (*mem >= 0)
            clk_cap_delete(*mem);
        return ENOMEM;
    }
    memcpy((void *)UPLOAD_VA, elf, len);
    clk_unmap(UPLOAD_VA);
    free(elf);
    q->elf_len = len;
    return 0;
}

int cmd_update(struct shell *sh, int argc, char **argv, FILE *out)
{
    (void)sh;
    struct sup_update q = { { 0 }, { 0 }, 0 };
    struct sup_update_result res = { 0 };
    size_t len = sizeof(res);
    long mem = 0;
    snprintf(q.name, sizeof(q.name), "%s", argv[1]);
    if (argc > 2 && argv[2][0] == '/' && strncmp(argv[2], "/boot/", 6)) {
        /* a file of the VFS: the supervisor keeps its own copy */
        int err = strlen(argv[2]) < sizeof(q.bin) ? upload(argv[2], &q, &mem) : ENAMETOOLONG;
        if (err) {
            complain("update", argv[2], err);
            return 1;
        }
        snprintf(q.bin, sizeof(q.bin), "%s", argv[2]);
    } else if (argc > 2) { /* an initrd path: /boot/X is X there */
        snprintf(q.bin, sizeof(q.bin), "%s", strncmp(argv[2], "/boot/", 6) ? argv[2] : argv[2] + 6);
    }
    long r = actor_call_cap(ACTOR_NAMES_SLOT, SUP_UPDATE, &q, sizeof(q), mem, &res, &len, NULL);
    if (mem > 0)
        clk_cap_delete(mem); /* the supervisor copied it */
    if (r == CLK_ENOENT && argc > 2 && is_service(argv[1])) {
        printf("update: %s: no such program in the initrd\n", argv[2]);
        return 1;
    }
    if (r && !res.rolled_back) {
        sup_error("update", argv[1], r);
        return 1;
    }
    if (res.rolled_back) {
        printf("update: %s: the new instance failed; the old one runs again\n", argv[1]);
        return 1;
    }
    fprintf(out, "update: %s updated: %llu bytes of state, clients waited %.1f ms\n", argv[1],
            (unsigned long long)res.state_bytes, (double)res.duration_ns / 1e6);
    return 0;
}
