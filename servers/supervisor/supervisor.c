/*
 * supervisor.c: the first actor. It starts the services of the boot
 * manifest in dependency order, is the fault handler of all of them,
 * restarts them by their policies, detects hangs, updates them live with
 * state transfer, keeps an event log, and serves the name registry.
 *
 * Each service owns an endpoint that the supervisor made and keeps: every
 * instance serves the same endpoint (its slot 2), so requests sent while
 * one instance ends and the next starts wait in it instead of failing, and
 * the registry's capability for the name stays good. docs/supervisor.md
 * tells the whole story.
 */
#include "anomaly.h"
#include "manifest.h"
#include "metrics.h"
#include "policy.h"
#include "power.h"
#include "trend.h"
#include <actor/names.h>
#include <actor/supervisor.h>
#include <actor/windows.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpio.h> /* the kernel's reader, last: its kdefs.h defines short macros */

#define MS 1000000ULL

/* Registry capabilities given to services carry badge REGISTRY_BADGE + i;
 * fault-mailbox capabilities carry i + 1. */
#define REGISTRY_BADGE 0x100
#define GUEST_BADGE    0x10000 /* SUP_REGISTRY's: no service's, so no control */

#define BACKOFF_FIRST (10 * MS)
#define BACKOFF_MAX   (1000 * MS)
#define TICK_BIT      1ULL
#define CRASH_BIT     2ULL /* tests: the supervisor itself crashes (see inject) */
#define METRICS_BIT   4ULL /* sample every actor's counters */

#define SUP_EVIDENCE_MAX 96
#define GRACE_NS         (1000 * MS) /* a new instance's first second is not judged */
#define OUTCOME_NS       (2000 * MS) /* healthy this long after a recovery: it worked */
#define LEARNED_BACKOFF  (500 * MS)  /* the "backoff" action's first delay, doubled after */
#define STUCK_NS         (500 * MS)  /* a request waited this long, none taken since: a hang */
#define SPIN_STUCK_NS    (150 * MS)  /* the same, for a service spinning the CPU */
#define UPDATE_START_NS  (5000 * MS) /* an update's new instance answers its first ping in this */
#define UPDATE_SAVE_NS   (2000 * MS) /* then the old instance hands over in this, or hangs */
#define UPDATE_TAKE_NS   (2000 * MS) /* and the new one takes the state and answers in this */

struct service {
    const struct svc_spec *spec;
    unsigned idx;
    enum sup_state state;
    char bin[SVC_PATH_MAX];     /* the binary now (an update may change it) */
    char old_bin[SVC_PATH_MAX]; /* during an update: the one to go back to */
    long ep;                    /* the service's endpoint: all rights, kept */
    long actor;                 /* the running instance's actor capability, or 0 */
    uint64_t actor_id;
    unsigned generation; /* counts instances, so late answers can be told apart */
    uint64_t started_ns, restarts;
    uint64_t recent[SVC_LIMIT_MAX]; /* when its latest restarts were, for the limit */
    unsigned nrecent;
    uint64_t restart_at; /* in SUP_BACKOFF: when to start it again */
    /* heartbeats */
    uint64_t next_ping, ping_sent;
    bool ping_out;
    /* an update in flight */
    long next_actor; /* the new instance, before it takes over */
    uint64_t next_actor_id;
    long old_actor; /* the instance that handed its state over */
    uint64_t old_actor_id;
    bool saved, aborted, rolled_back;
    bool in_update;     /* live_update runs for it (which may outlast SUP_UPDATING) */
    bool save_sent;     /* the old instance was asked for its state */
    uint64_t update_ns; /* when the update began; from save_sent, when the save was asked */
    uint64_t saved_ns;  /* when the old instance handed over; CLK_FOREVER once past due */
    long update_mem;
    uint64_t update_len;
    /* the learning supervisor (docs/supervisor.md): what is normal for it,
     * its memory's trend, client reports, and the recovery being judged */
    struct anomaly_model model;
    struct trend trend;
    uint64_t trend_actor; /* the instance the trend is of */
    uint64_t reports[8];  /* when the latest client reports came */
    unsigned nreports;
    bool rejuvenating;
    struct {
        bool pending;
        enum pol_kind kind;
        enum pol_action action;
        uint64_t decided_ns, judge_ns, recovered_ns;
        unsigned id;
    } outcome;
    bool serves;                     /* an instance has answered a ping: it serves its endpoint */
    char evidence[SUP_EVIDENCE_MAX]; /* what the last detection saw */
    uint64_t evidence_ns;
    unsigned backoffs; /* learned backoffs in a row */
};

static struct manifest manifest;
static struct service services[SVC_MAX];
static const struct clk_bootinfo *bootinfo;
static long registry_ep;     /* ours: the registry and this protocol */
static bool may_inject;      /* "inject" on the command line: tests may crash us */
static bool powering_down;   /* services stopped for a power-off or reset: no restarts */
static bool learning = true; /* "policy=fixed" on the command line: plain restarts only */

/* ---- the event log ---- */

static struct sup_event events[SUP_LOG_KEPT];
static uint64_t next_seq = 1;

static const char *const kind_names[] = {
    [SUP_EV_START] = "start",       [SUP_EV_EXIT] = "exit",       [SUP_EV_FAULT] = "fault",
    [SUP_EV_HANG] = "hang",         [SUP_EV_RESTART] = "restart", [SUP_EV_UPDATE] = "update",
    [SUP_EV_ROLLBACK] = "rollback", [SUP_EV_FAILED] = "failed",   [SUP_EV_ERROR] = "error",
    [SUP_EV_POWER] = "power",       [SUP_EV_ANOMALY] = "anomaly", [SUP_EV_PREDICT] = "predict",
    [SUP_EV_DECIDE] = "decide",     [SUP_EV_OUTCOME] = "outcome",
};

/* Log an event of KIND about SERVICE, and print it on the console. */
__attribute__((format(printf, 3, 4))) static void event(enum sup_event_kind kind,
                                                        const char *service, const char *fmt, ...)
{
    struct sup_event *e = &events[next_seq % SUP_LOG_KEPT];
    *e = (struct sup_event){ .seq = next_seq++, .time_ns = clk_clock_ns(), .kind = kind };
    snprintf(e->service, sizeof(e->service), "%s", service);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof(e->text), fmt, ap);
    va_end(ap);
    printf("supervisor: [%lu.%06lu] %s %s: %s\n", (unsigned long)(e->time_ns / 1000000000),
           (unsigned long)(e->time_ns / 1000 % 1000000), e->service, kind_names[kind], e->text);
    fflush(stdout);
}

static void manifest_error(void *ctx, unsigned line, const char *what)
{
    event(SUP_EV_ERROR, "manifest", "%s line %u: %s", (const char *)ctx, line, what);
}

/* ---- instances ---- */

static struct service *find_service(const char *name)
{
    int i = manifest_find(&manifest, name);
    return i < 0 ? NULL : &services[i];
}

/* Append the string S and its NUL to the block BUF of SIZE bytes at *N. */
static void put_string(char *buf, size_t size, size_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *n, size - *n, fmt, ap);
    va_end(ap);
    if (k >= 0 && (size_t)k < size - *n)
        *n += (size_t)k + 1;
}

/* ---- binaries: the initrd's, and ones that updates brought ---- */

#define UPLOAD_VA 0x0000500000000000UL /* where a passed ELF is mapped to be copied */

static struct image {
    char key[SVC_PATH_MAX]; /* "/path@N", as services show it */
    void *data;             /* the ELF, or NULL: a free slot */
    size_t len;
} images[SUP_IMAGES];
static unsigned uploads;
static struct actor_windows upload_window;

/* BIN's ELF: a kept image ("/path@N") or a file of the initrd. 0 or
 * CLK_ENOENT. */
static long binary(const char *bin, const void **data, size_t *len)
{
    if (bin[0] == '/') {
        for (unsigned i = 0; i < SUP_IMAGES; i++)
            if (images[i].data && !strcmp(images[i].key, bin)) {
                *data = images[i].data, *len = images[i].len;
                return 0;
            }
        return CLK_ENOENT;
    }
    struct cpio_entry e;
    if (cpio_find((const void *)bootinfo->initrd, bootinfo->initrd_len, bin, &e) < 0)
        return CLK_ENOENT;
    *data = e.data, *len = e.size;
    return 0;
}

static bool image_in_use(const char *key)
{
    for (unsigned i = 0; i < manifest.nsvc; i++)
        if (!strcmp(services[i].bin, key) || !strcmp(services[i].old_bin, key))
            return true;
    return false;
}

/* Keep a copy of the ELF of LEN bytes in memory object MEM (the sender's,
 * which may lie about its size), named after PATH; its key into KEY. 0,
 * CLK_EINVAL or CLK_ENOMEM. */
static long image_add(long mem, uint64_t len, const char *path, char key[SVC_PATH_MAX])
{
    struct image *im = NULL;
    for (unsigned i = 0; i < SUP_IMAGES && !im; i++)
        if (!images[i].data || !image_in_use(images[i].key))
            im = &images[i];
    uint64_t size = (len + ACTOR_WINDOW_PAGE - 1) / ACTOR_WINDOW_PAGE * ACTOR_WINDOW_PAGE;
    if (len == 0 || len > SUP_IMAGE_MAX)
        return CLK_EINVAL;
    if (!im)
        return CLK_ENOMEM;
    void *copy = malloc(len);
    long err =
        copy ? actor_window_map(&upload_window, 0, mem, size, ACTOR_WINDOW_PAGE) : CLK_ENOMEM;
    if (err) {
        free(copy);
        return err;
    }
    memcpy(copy, (const void *)actor_window(&upload_window, 0), len);
    clk_unmap(actor_window(&upload_window, 0));
    free(im->data);
    im->data = copy;
    im->len = len;
    snprintf(im->key, sizeof(im->key), "%.*s@%u", SVC_PATH_MAX - 12, path, ++uploads);
    memcpy(key, im->key, SVC_PATH_MAX);
    return 0;
}

/* Start an instance of S from BIN, handing it STATE (a memory object of
 * LEN bytes) or HANDOVER (the receive right of an update's private
 * endpoint) when they are not 0. Returns 0 with its actor capability in
 * *OUT, or a CLK_E* code. */
static long spawn_actor(struct service *s, const char *bin, long state, uint64_t len, long handover,
                        long *out)
{
    const void *elf;
    size_t elf_len;
    if (binary(bin, &elf, &elf_len) < 0)
        return CLK_ENOENT;
    const struct svc_spec *sp = s->spec;
    char args[SVC_ARGS_MAX + 256];
    size_t n = 0;
    put_string(args, sizeof(args), &n, "%s", sp->name);
    memcpy(args + n, sp->args, sp->args_len), n += sp->args_len;
    args[n++] = '\0'; /* the environment follows */
    put_string(args, sizeof(args), &n, "CLK_SERVICE=%s", sp->name);
    put_string(args, sizeof(args), &n, "ACTOR_ENDPOINT=2");
    long caps[CLK_SPAWN_CAPS];
    unsigned ncaps = 0;
    caps[ncaps++] =
        clk_cap_mint(registry_ep, CLK_RIGHT_SEND | CLK_RIGHT_GRANT, REGISTRY_BADGE + s->idx);
    caps[ncaps++] = clk_cap_mint(s->ep, CLK_RIGHT_RECV, 0);
    if (state) {
        put_string(args, sizeof(args), &n, "ACTOR_STATE=%u,%lu", ncaps + 1, (unsigned long)len);
        caps[ncaps++] = clk_cap_mint(state, CLK_RIGHT_READ, 0);
    }
    if (handover) {
        put_string(args, sizeof(args), &n, "ACTOR_HANDOVER=%u", ncaps + 1);
        caps[ncaps++] = clk_cap_mint(handover, CLK_RIGHT_RECV, 0);
    }
    if (sp->caps & SVC_CAP_DEVICE) {
        put_string(args, sizeof(args), &n, "CLK_DEVICE=%u", ncaps + 1);
        caps[ncaps++] = clk_cap_mint((long)bootinfo->device_cap, CLK_RIGHTS_ALL, 0);
    }
    if (sp->caps & SVC_CAP_INITRD) { /* read-only: the pages stay the boot loader's */
        put_string(args, sizeof(args), &n, "CLK_INITRD=%u,%lu,%lu", ncaps + 1,
                   (unsigned long)bootinfo->initrd_offset, (unsigned long)bootinfo->initrd_len);
        caps[ncaps++] = clk_cap_mint((long)bootinfo->initrd_cap, CLK_RIGHT_READ, 0);
    }
    if (sp->caps & SVC_CAP_MONITOR) { /* READ: ACTOR_INFO is all it is for */
        put_string(args, sizeof(args), &n, "CLK_MONITOR=%u", ncaps + 1);
        caps[ncaps++] = clk_cap_mint((long)bootinfo->monitor_cap, CLK_RIGHT_READ, 0);
    }
    if (sp->inject)
        put_string(args, sizeof(args), &n, "ACTOR_INJECT=1");
    long fault = clk_cap_mint(actor_fault_mailbox(), CLK_RIGHT_SEND, s->idx + 1);
    struct clk_spawn req = {
        .elf = (uint64_t)elf,
        .len = elf_len,
        .name = (uint64_t)sp->name,
        .prio = sp->prio,
        .ncaps = ncaps,
        .fault = (uint64_t)fault,
        .quota = { .pages = sp->memory_mib * 256 }, /* 4 KiB pages */
        .args = (uint64_t)args,
        .args_len = n,
    };
    for (unsigned i = 0; i < ncaps; i++)
        req.caps[i] = (uint64_t)caps[i];
    long actor = clk_spawn(&req);
    for (unsigned i = 0; i < ncaps; i++)
        clk_cap_delete(caps[i]); /* the child has its copies */
    clk_cap_delete(fault);
    if (actor < 0)
        return actor;
    *out = actor;
    return 0;
}

/* ACTOR (an actor capability) is S's running instance from now on. */
static void adopt(struct service *s, long actor)
{
    uint64_t now = clk_clock_ns();
    s->actor = actor;
    s->actor_id = (uint64_t)clk_actor_id(actor);
    s->generation++;
    s->started_ns = now;
    s->state = SUP_RUNNING;
    s->ping_out = false;
    s->next_ping = now + s->spec->heartbeat_ms * MS;
}

static long spawn_instance(struct service *s, long state, uint64_t len)
{
    long actor, err = spawn_actor(s, s->bin, state, len, 0, &actor);
    if (!err)
        adopt(s, actor);
    return err;
}

/* Point the name at S's endpoint again: a new serial, so clients that saw
 * the last instance die find this one. */
static void publish(struct service *s)
{
    long cap = clk_cap_mint(s->ep, CLK_RIGHT_SEND | CLK_RIGHT_GRANT, ACTOR_BADGE_CLIENT);
    if (cap > 0 && names_publish(s->spec->name, cap, REGISTRY_BADGE + s->idx) < 0)
        clk_cap_delete(cap);
}

/* End S's running instance (if any) ourselves. */
static void kill_instance(struct service *s)
{
    if (s->actor) {
        clk_actor_kill(s->actor);
        clk_cap_delete(s->actor);
    }
    s->actor = 0;
    s->actor_id = 0;
    s->ping_out = false;
}

/* S has failed for good. Its endpoint is closed, so that requests waiting
 * in it and calls to come get CLK_EDEAD instead of waiting for nobody; a
 * new one waits for an operator's restart. */
static void close_endpoint(struct service *s)
{
    clk_cap_delete(s->ep);
    s->ep = clk_endpoint_create();
}

static void give_up(struct service *s)
{
    kill_instance(s);
    s->state = SUP_FAILED;
    close_endpoint(s);
}

/* Start S now; WHY says why, for the log. */
static void start(struct service *s, enum sup_event_kind kind, const char *why)
{
    uint64_t t0 = clk_clock_ns();
    long err = spawn_instance(s, 0, 0);
    if (err) {
        give_up(s);
        event(SUP_EV_FAILED, s->spec->name, "cannot start %s: %s", s->bin, actor_strerror(err));
        return;
    }
    publish(s);
    event(kind, s->spec->name, "actor %lu%s%s (%lu us)", (unsigned long)s->actor_id,
          why[0] ? ", " : "", why, (unsigned long)((clk_clock_ns() - t0) / 1000));
}

static void schedule(void);
static bool may_control(struct actor_req *req);
static void end_of_instance(struct service *s, bool abnormal, int kind);
static void observe(uint64_t now);
static struct service *named(struct actor_req *req, const char *name);
static long live_update(struct service *s, const char *bin, struct sup_update_result *out);

/* ---- dependents ---- */

struct notice {
    struct service *to;
    char name[ACTOR_NAME_MAX];
};

static void notice_fiber(void *arg)
{
    struct notice *n = arg;
    actor_call(n->to->ep, ACTOR_CTL_DEPENDENCY_FAILED, n->name, sizeof(n->name), NULL, NULL);
    free(n);
}

/* S has failed for good: tell the running services that depend on it. */
static void tell_dependents(struct service *s)
{
    for (unsigned i = 0; i < manifest.nsvc; i++) {
        struct service *d = &services[i];
        for (unsigned k = 0; k < d->spec->ndeps; k++) {
            if (d->spec->deps[k] != s->idx || d->state != SUP_RUNNING)
                continue;
            struct notice *n = calloc(1, sizeof(*n));
            if (!n)
                continue;
            n->to = d;
            snprintf(n->name, sizeof(n->name), "%s", s->spec->name);
            event(SUP_EV_FAILED, d->spec->name, "told that %s failed", s->spec->name);
            if (actor_go(notice_fiber, n) < 0)
                free(n);
        }
    }
}

/* ---- restarts ---- */

/* The learning supervisor's part in recoveries (below). */
static enum pol_action decide(struct service *s, enum pol_kind kind, bool alive);
static void begin_outcome(struct service *s, enum pol_kind kind, enum pol_action action);
static void judge(struct service *s, bool failed_again);

/* Stop the other members of S's group and start them again at AT: those
 * its strategy names (one_for_all: all; rest_for_one: those after it),
 * or, ALL (the learned restart-group), every one. */
static void restart_group(struct service *s, uint64_t at, bool all)
{
    const struct group_spec *g = &manifest.groups[s->spec->group];
    bool after = false;
    for (unsigned i = 0; i < g->nmembers; i++) {
        struct service *m = &services[g->members[i]];
        if (m == s) {
            after = true;
            continue;
        }
        if (!all && g->strategy == GROUP_REST_FOR_ONE && !after)
            continue;
        if (m->state == SUP_RUNNING) {
            kill_instance(m);
            event(SUP_EV_EXIT, m->spec->name, "stopped with its group %s", g->name);
        }
        if (m->state == SUP_RUNNING || m->state == SUP_BACKOFF) { /* not one that is done */
            m->state = SUP_BACKOFF;
            m->restart_at = at;
        }
    }
}

/* S's instance has ended (it is gone); decide what comes next. ABNORMAL:
 * a fault, a hang or a nonzero exit; KIND says which for the learning
 * supervisor (POL_CRASH or POL_HANG), -1 for a clean exit. */
static void end_of_instance(struct service *s, bool abnormal, int kind)
{
    const struct svc_spec *sp = s->spec;
    uint64_t now = clk_clock_ns();
    if (s->outcome.pending)
        judge(s, true); /* the last recovery did not hold */
    if (sp->restart == RESTART_TEMPORARY || (sp->restart == RESTART_TRANSIENT && !abnormal)) {
        s->state = SUP_DONE; /* requests waiting for it (an update's too) get CLK_EDEAD */
        close_endpoint(s);
        return;
    }
    /* the restart limit: at most LIMIT in PERIOD */
    unsigned kept = 0, room = sizeof(s->recent) / sizeof(s->recent[0]);
    for (unsigned i = 0; i < s->nrecent; i++)
        if (now - s->recent[i] < sp->period_s * 1000 * MS)
            s->recent[kept++] = s->recent[i];
    s->nrecent = kept;
    if (s->nrecent >= sp->limit) {
        give_up(s);
        event(SUP_EV_FAILED, sp->name, "%u restarts in %u s: given up", s->nrecent, sp->period_s);
        tell_dependents(s);
        return;
    }
    uint64_t delay = s->nrecent ? BACKOFF_FIRST << (s->nrecent - 1) : 0;
    if (delay > BACKOFF_MAX || s->nrecent > 16)
        delay = BACKOFF_MAX;
    enum pol_action action = POL_RESTART;
    if (learning && abnormal && kind >= 0) {
        action = decide(s, (enum pol_kind)kind, false);
        if (action == POL_ESCALATE) {
            give_up(s);
            event(SUP_EV_FAILED, sp->name, "nothing tried works: given up");
            tell_dependents(s);
            return;
        }
        s->backoffs = action == POL_BACKOFF ? s->backoffs + 1 : 0;
        if (action == POL_BACKOFF) /* a wait long enough for what lingers to go */
            delay = LEARNED_BACKOFF << (s->backoffs > 4 ? 3 : s->backoffs - 1);
    }
    if (s->nrecent == room)
        memmove(s->recent, s->recent + 1, sizeof(s->recent) - sizeof(s->recent[0])), s->nrecent--;
    s->recent[s->nrecent++] = now;
    s->state = SUP_BACKOFF;
    s->restart_at = now + delay;
    if (learning && abnormal && kind >= 0)
        begin_outcome(s, (enum pol_kind)kind, action);
    /* its group goes down with it, and comes back with it */
    if (sp->group >= 0)
        restart_group(s, s->restart_at, action == POL_RESTART_GROUP);
}

/* During an update, the new instance ended before it served: start the
 * old binary again with the same state. */
static void roll_back(struct service *s)
{
    s->rolled_back = true;
    memcpy(s->bin, s->old_bin, sizeof(s->bin));
    if (s->actor) { /* a new instance that took over, then faulted */
        clk_actor_kill(s->actor);
        clk_cap_delete(s->actor);
        s->actor = 0;
    }
    long err = spawn_instance(s, s->update_mem, s->update_len);
    event(SUP_EV_ROLLBACK, s->spec->name, "the new instance ended; back to %s: %s", s->bin,
          err ? actor_strerror(err) : "running");
    if (err)
        give_up(s);
}

/* Forget actor capability *CAP (and kill its actor first, if STOPPED:
 * a faulted actor stays until killed). */
static void let_go(long *cap, uint64_t *id, bool stopped)
{
    if (*cap && stopped)
        clk_actor_kill(*cap);
    if (*cap)
        clk_cap_delete(*cap);
    *cap = 0;
    *id = 0;
}

/* When the step of S's update now under way is due to be over (or
 * CLK_FOREVER): a new instance answers its first ping in UPDATE_START_NS,
 * the old one hands its state over in UPDATE_SAVE_NS from being asked,
 * and the new one takes it and answers in UPDATE_TAKE_NS. One that hangs
 * would hold the update, and the clients, for ever. */
static uint64_t update_due(const struct service *s)
{
    if (s->state != SUP_UPDATING)
        return CLK_FOREVER;
    if (!s->save_sent)
        return s->next_actor ? s->update_ns + UPDATE_START_NS : CLK_FOREVER;
    if (!s->saved)
        return s->update_ns + UPDATE_SAVE_NS;
    if (!s->rolled_back && s->saved_ns != CLK_FOREVER)
        return s->saved_ns + UPDATE_TAKE_NS;
    return CLK_FOREVER;
}

/* S's update is past update_due(S): kill the instance that hangs. The
 * update's waiting call then fails and it goes on as after a death. */
static void update_overdue(struct service *s)
{
    const char *name = s->spec->name;
    if (!s->save_sent) { /* the old instance serves on */
        event(SUP_EV_HANG, name, "new instance: no answer %lu ms after it started; killed",
              (unsigned long)(UPDATE_START_NS / MS));
        let_go(&s->next_actor, &s->next_actor_id, true);
    } else if (!s->saved) { /* the update stops; the service restarts as after a hang */
        event(SUP_EV_HANG, name, "actor %lu: no state handed over in %lu ms; killed",
              (unsigned long)s->actor_id, (unsigned long)(UPDATE_SAVE_NS / MS));
        s->aborted = true;
        let_go(&s->next_actor, &s->next_actor_id, true);
        kill_instance(s);
        end_of_instance(s, true, POL_HANG);
    } else { /* it goes back to the old binary, with the state */
        event(SUP_EV_HANG, name,
              "new instance: not serving %lu ms after the state was handed over; killed",
              (unsigned long)(UPDATE_TAKE_NS / MS));
        s->saved_ns = CLK_FOREVER;
        if (s->next_actor) /* in its restore: the update rolls back when the call fails */
            let_go(&s->next_actor, &s->next_actor_id, true);
        else if (s->actor) /* it took over, then hung (if neither, the update rolls back) */
            roll_back(s);
    }
}

/* What the last detection about S saw, for `why`. */
static void evidence(struct service *s, const char *text)
{
    snprintf(s->evidence, sizeof(s->evidence), "%s", text);
    s->evidence_ns = clk_clock_ns();
}

/* Actor ID of S ended: it faulted (FAULT: it is stopped), or it exited
 * (ABNORMAL: with a status other than 0). WHAT is for the log. */
static void ended(struct service *s, uint64_t id, bool fault, bool abnormal, const char *what,
                  bool ignore)
{
    if (s->state == SUP_UPDATING && id && id == s->next_actor_id) {
        /* the new instance, before it took over: the update fails over that */
        event(fault ? SUP_EV_FAULT : SUP_EV_EXIT, s->spec->name, "new instance: %s", what);
        let_go(&s->next_actor, &s->next_actor_id, fault);
        return;
    }
    if (s->state == SUP_UPDATING && s->saved && id && id == s->old_actor_id) {
        let_go(&s->old_actor, &s->old_actor_id, fault); /* it handed over: expected */
        return;
    }
    if (!id || id != s->actor_id)
        return; /* an instance we have ended already */
    char seen[SUP_EVIDENCE_MAX];
    snprintf(seen, sizeof(seen), "actor %lu%s%s", (unsigned long)id, fault ? ": " : " ", what);
    event(fault ? SUP_EV_FAULT : SUP_EV_EXIT, s->spec->name, "%s", seen);
    if (fault || abnormal)
        evidence(s, seen);
    let_go(&s->actor, &s->actor_id, fault);
    if (s->state == SUP_UPDATING && s->saved && !s->rolled_back) {
        roll_back(s); /* the new instance took over, then died */
    } else {
        if (s->state == SUP_UPDATING) { /* the old one died before it handed over */
            s->aborted = true;
            let_go(&s->next_actor, &s->next_actor_id, true);
        }
        if (ignore) {            /* SUP_EXIT_IGNORE: nothing for it to do here */
            s->state = SUP_DONE; /* its clients get CLK_EDEAD instead of waiting */
            close_endpoint(s);
        } else {
            end_of_instance(s, fault || abnormal, fault || abnormal ? POL_CRASH : -1);
        }
    }
    schedule();
}

static void faulted(const struct actor_fault *f)
{
    if (f->badge < 1 || f->badge > manifest.nsvc)
        return;
    char what[96];
    snprintf(what, sizeof(what), "vector %lu at address %#lx, rip %#lx", (unsigned long)f->vector,
             (unsigned long)f->address, (unsigned long)f->rip);
    ended(&services[f->badge - 1], f->actor, true, true, what, false);
}

static void exited(uint64_t actor, long status, uint64_t badge)
{
    if (badge < 1 || badge > manifest.nsvc)
        return;
    char what[80];
    bool ignore = status == SUP_EXIT_IGNORE && services[badge - 1].state != SUP_UPDATING;
    snprintf(what, sizeof(what), "exited with status %ld%s", status,
             ignore ? ": nothing to do here, not restarted" : "");
    ended(&services[badge - 1], actor, false, status != 0, what, ignore);
}

/* ---- hangs and the timer ---- */

static void ping_fiber(void *arg)
{
    struct service *s = arg;
    unsigned generation = s->generation;
    long r = actor_call(s->ep, ACTOR_CTL_PING, NULL, 0, NULL, NULL);
    if (generation != s->generation || r == CLK_EDEAD)
        return;          /* another instance by now, or this one died (ended() follows) */
    s->ping_out = false; /* answered; or our own call failed, which is no hang */
    s->serves |= r == 0;
    s->next_ping = clk_clock_ns() + s->spec->heartbeat_ms * MS;
    schedule();
}

static void hung(struct service *s, const char *fmt, unsigned long ms)
{
    char why[80];
    snprintf(why, sizeof(why), fmt, ms);
    event(SUP_EV_HANG, s->spec->name, "actor %lu: %s; killed", (unsigned long)s->actor_id, why);
    char seen[SUP_EVIDENCE_MAX];
    snprintf(seen, sizeof(seen), "actor %lu: %s", (unsigned long)s->actor_id, why);
    evidence(s, seen);
    kill_instance(s);
    end_of_instance(s, true, POL_HANG);
}

/* Work that is due; arm the timer for the next. */
static void schedule(void)
{
    uint64_t now = clk_clock_ns(), next = CLK_FOREVER;
    if (powering_down)
        return;
    for (unsigned k = 0; k < manifest.norder; k++) {
        struct service *s = &services[manifest.order[k]];
        const struct svc_spec *sp = s->spec;
        if (s->state == SUP_BACKOFF && now >= s->restart_at) {
            s->restarts++;
            start(s, SUP_EV_RESTART, s->nrecent > 1 ? "after a backoff" : "");
        }
        if (s->state == SUP_BACKOFF && s->restart_at < next)
            next = s->restart_at;
        uint64_t due = update_due(s);
        if (now >= due) {
            update_overdue(s);
            k = (unsigned)-1; /* start over: a restart or a heartbeat may be due at once */
            now = clk_clock_ns();
            continue;
        }
        next = due < next ? due : next;
        if (s->state != SUP_RUNNING)
            continue;
        if (sp->heartbeat_ms) {
            uint64_t period = sp->heartbeat_ms * MS;
            if (s->ping_out && now - s->ping_sent >= period) {
                hung(s, "no answer to a ping for %lu ms", (unsigned long)sp->heartbeat_ms);
                k = (unsigned)-1; /* start over: the restart may be due at once */
                now = clk_clock_ns();
                continue;
            }
            if (!s->ping_out && now >= s->next_ping && actor_go(ping_fiber, s) == 0) {
                s->ping_out = true; /* (no fiber to be had: try at the next tick) */
                s->ping_sent = now;
            }
            uint64_t due = s->ping_out ? s->ping_sent + period : s->next_ping;
            next = due < next ? due : next;
        }
        if (sp->stall_ms) {
            /* (an instance that has just started gets the time to catch up) */
            long waited = clk_endpoint_info(s->ep, CLK_EP_OLDEST_WAIT_NS);
            if (waited > 0 && (uint64_t)waited >= sp->stall_ms * MS &&
                s->started_ns + sp->stall_ms * MS <= now) {
                hung(s, "a request waited %lu ms to be taken", (unsigned long)(waited / MS));
                k = (unsigned)-1;
                now = clk_clock_ns();
                continue;
            }
            uint64_t check = now + (sp->stall_ms * MS) / 4;
            next = check < next ? check : next;
        }
    }
    if (next != CLK_FOREVER)
        actor_timer(next > now ? next - now : 1, TICK_BIT);
}

/* ---- metrics ---- */

static struct metrics metrics;

static bool is_service(uint64_t actor_id)
{
    for (unsigned i = 0; i < manifest.nsvc; i++)
        if (services[i].actor_id == actor_id)
            return true;
    return false;
}

/* One round of samples: ACTOR_INFO of every live actor (prints nothing:
 * it runs ten times a second). Then the timer for the next. */
static void sample(void)
{
    struct clk_actor_info info;
    uint64_t now = clk_clock_ns();
    metrics_begin(&metrics);
    for (uint64_t after = 0; clk_actor_info((long)bootinfo->monitor_cap, after, &info) == 0;
         after = info.id) {
        struct metrics_sample s = {
            .time_ns = now,
            .cpu_ns = info.cpu_ns,
            .msgs_sent = info.msgs_sent,
            .msgs_received = info.msgs_received,
            .syscalls = info.syscalls,
            .faults = info.faults,
            .pages = info.pages,
            .mailbox_depth = info.mailbox_depth,
        };
        info.name[CLK_NAME_MAX - 1] = '\0';
        metrics_record(&metrics, info.id, info.name, is_service(info.id), &s);
    }
    metrics_end(&metrics);
    if (learning && !powering_down)
        observe(now);
    actor_timer(METRICS_PERIOD_MS * MS, METRICS_BIT);
}

/* ---- the learning supervisor (docs/supervisor.md, "Recovery that learns") ---- */

static struct policy policy;
static long model_token; /* supstore's SUP_MODEL_GET, waiting for a newer model */
static bool model_waiting;
static uint64_t model_seen; /* the version it has */

/* Answer supstore's waiting SUP_MODEL_GET if the model is newer than what
 * it has. */
static void model_changed(void)
{
    static char buf[8 + SUP_MODEL_MAX];
    uint64_t version = policy.version;
    if (!model_waiting || version <= model_seen)
        return;
    model_waiting = false;
    memcpy(buf, &version, sizeof(version));
    size_t n = policy_save(&policy, buf + 8, SUP_MODEL_MAX);
    actor_reply_later(model_token, 0, buf, 8 + n);
}

/* Choose how to recover S from a fault of KIND. ALIVE: its instance still
 * runs (a leak, an anomaly, a bad reply), so its state can be handed on. */
static enum pol_action decide(struct service *s, enum pol_kind kind, bool alive)
{
    unsigned allowed = 1u << POL_RESTART | 1u << POL_BACKOFF | 1u << POL_ESCALATE;
    if (alive && !(kind == POL_ANOMALY && anomaly_feature(&s->model) == ANOMALY_CPU))
        allowed |= 1u << POL_RESTART_STATE; /* (one that spins may never hand over) */
    if (s->spec->group >= 0)
        allowed |= 1u << POL_RESTART_GROUP;
    struct pol_decision d;
    enum pol_action a = policy_decide(&policy, s->spec->name, kind, allowed, clk_clock_ns(), &d);
    event(SUP_EV_DECIDE, s->spec->name, "%s: %s", policy_kind_name(kind), d.reason);
    return a;
}

/* Once the instance that recovered S answers, S has recovered. */
static void probe_fiber(void *arg)
{
    struct service *s = arg;
    unsigned id = s->outcome.id;
    long r = actor_call(s->ep, ACTOR_CTL_PING, NULL, 0, NULL, NULL);
    s->serves |= r == 0;
    if (r == 0 && s->outcome.pending && s->outcome.id == id && !s->outcome.recovered_ns)
        s->outcome.recovered_ns = clk_clock_ns();
}

/* Judge ACTION, taken for a fault of KIND, OUTCOME_NS after S is back. */
static void begin_outcome(struct service *s, enum pol_kind kind, enum pol_action action)
{
    uint64_t now = clk_clock_ns();
    uint64_t back = s->state == SUP_BACKOFF && s->restart_at > now ? s->restart_at : now;
    s->outcome.pending = action != POL_ESCALATE;
    s->outcome.kind = kind;
    s->outcome.action = action;
    s->outcome.decided_ns = now;
    s->outcome.judge_ns = back + OUTCOME_NS;
    s->outcome.recovered_ns = 0;
    s->outcome.id++;
    if (!s->serves) /* a program that serves nobody (ours would wait forever): running is all */
        s->outcome.recovered_ns = back;
    else if (s->outcome.pending && action != POL_RESTART_STATE &&  /* (an update probes itself) */
             (s->state == SUP_RUNNING || s->state == SUP_BACKOFF)) /* (else nobody would answer) */
        actor_go(probe_fiber, s);
}

/* The recovery of S is judged: FAILED_AGAIN when it faulted, hung or
 * misbehaved again before OUTCOME_NS; else it is healthy if it runs and
 * has answered. (Not whether its load is still unusual: a restart cures
 * no load, and a busy service that answers is a working one.) The reward
 * teaches the policy. */
static void judge(struct service *s, bool failed_again)
{
    uint64_t rec = s->outcome.recovered_ns;
    bool healthy = !failed_again && s->state == SUP_RUNNING && rec;
    double reward =
        policy_reward(healthy, rec ? rec - s->outcome.decided_ns : 0, s->outcome.action);
    s->outcome.pending = false;
    if (healthy)
        s->backoffs = 0; /* the next backoff, for a new trouble, is a short one again */
    policy_outcome(&policy, s->spec->name, s->outcome.kind, s->outcome.action, reward);
    char took[32] = "not recovered";
    if (rec)
        snprintf(took, sizeof(took), "back in %lu ms",
                 (unsigned long)((rec - s->outcome.decided_ns) / MS));
    event(SUP_EV_OUTCOME, s->spec->name, "%s after %s: %s, %s; reward %.2f",
          policy_action_name(s->outcome.action), policy_kind_name(s->outcome.kind),
          healthy        ? "healthy"
          : failed_again ? "failed again"
                         : "not healthy",
          took, reward);
    model_changed();
}

/* A live update onto its own binary: the state moves, the leak does not.
 * Should it fail with the old instance still serving, a plain restart. */
static void rejuvenate_fiber(void *arg)
{
    struct service *s = arg;
    unsigned id = s->outcome.id;
    struct sup_update_result res = { 0 };
    char bin[SVC_PATH_MAX];
    memcpy(bin, s->bin, sizeof(bin));
    uint64_t before = s->actor_id;
    long r = live_update(s, bin, &res);
    s->rejuvenating = false;
    if (r && s->state == SUP_RUNNING &&
        s->actor_id == before) { /* (not a rollback's, with the state) */
        kill_instance(s);
        s->restarts++;
        start(s, SUP_EV_RESTART, "the update failed");
    }
    if (s->outcome.pending && s->outcome.id == id && s->state == SUP_RUNNING)
        s->outcome.recovered_ns = clk_clock_ns();
    schedule();
}

/* S misbehaves while it runs (EVIDENCE says how): recover it as the
 * policy says. */
static void recover_live(struct service *s, enum pol_kind kind)
{
    if (s->outcome.pending) /* the same trouble again: that recovery failed */
        judge(s, s->outcome.kind == kind);
    enum pol_action a = decide(s, kind, true);
    switch (a) {
    case POL_RESTART:
    case POL_RESTART_GROUP:
        kill_instance(s);
        s->restarts++;
        if (a == POL_RESTART_GROUP)
            restart_group(s, clk_clock_ns(), true);
        start(s, SUP_EV_RESTART, "to recover");
        break;
    case POL_RESTART_STATE:
        s->rejuvenating = true;
        if (actor_go(rejuvenate_fiber, s) < 0)
            s->rejuvenating = false;
        break;
    case POL_BACKOFF: /* leave it running, and watch */ break;
    case POL_ESCALATE:
        give_up(s);
        event(SUP_EV_FAILED, s->spec->name, "nothing tried works: given up");
        tell_dependents(s);
        break;
    default: break;
    }
    begin_outcome(s, kind, a);
    schedule();
}

/* Client reports about S in the last WINDOW_NS. */
static unsigned recent_reports(const struct service *s, uint64_t now, uint64_t window_ns)
{
    unsigned n = 0, kept = s->nreports < 8 ? s->nreports : 8;
    for (unsigned i = 0; i < kept; i++)
        n += now - s->reports[i] < window_ns;
    return n;
}

/* Whether S's memory grows like a leak over its last TREND_MIN_SAMPLES + 1
 * samples alone (a leak that began within the longer history, which a
 * line through all of it fits badly), with the forecast in *F. */
static bool recent_leak(const struct service *s, uint64_t quota, struct trend_forecast *f)
{
    const struct trend *t = &s->trend;
    struct trend recent;
    trend_reset(&recent);
    unsigned n = t->count < TREND_MIN_SAMPLES + 1 ? t->count : TREND_MIN_SAMPLES + 1;
    for (unsigned i = n; i > 0; i--) {
        unsigned k = (t->head + TREND_SAMPLES - i) % TREND_SAMPLES;
        trend_add(&recent, t->time_ns[k], t->pages[k]);
    }
    return trend_predict(&recent, quota, f);
}

/* After a round of samples: each running service's behaviour against its
 * normal one, and its memory's trend; judge recoveries that are due. */
static void observe(uint64_t now)
{
    for (unsigned i = 0; i < manifest.nsvc; i++) {
        struct service *s = &services[i];
        if (s->outcome.pending && now >= s->outcome.judge_ns && !s->in_update)
            judge(s, false); /* (an update is judged once it is over) */
        if (s->state != SUP_RUNNING || !s->actor_id || now - s->started_ns < GRACE_NS)
            continue;
        const struct metrics_actor *a = NULL;
        for (unsigned k = 0; k < METRICS_ACTORS && !a; k++) {
            a = metrics_slot(&metrics, k);
            a = a && a->id == s->actor_id ? a : NULL;
        }
        struct metrics_rates r;
        if (!a || !metrics_rates(a, (ANOMALY_WINDOW_MS + METRICS_PERIOD_MS / 2) * MS, &r) ||
            !r.window_ns)
            continue;
        /* A hang, without heartbeats: a request waits, and nothing is
         * taken; sooner when it spins (a CPU anomaly being watched) and
         * our own ping waits. Only for a service that serves its endpoint
         * (it has answered a ping): a program that never does would look
         * hung to its first caller. */
        long waited = clk_endpoint_info(s->ep, CLK_EP_OLDEST_WAIT_NS);
        bool spinning = s->outcome.pending && s->outcome.action == POL_BACKOFF &&
                        anomaly_feature(&s->model) == ANOMALY_CPU && !s->outcome.recovered_ns;
        if (s->serves && r.msgs_in_per_s == 0 &&
            (waited >= (long)STUCK_NS || (spinning && waited >= (long)SPIN_STUCK_NS))) {
            hung(s, "a request waited %lu ms, and it takes no messages",
                 (unsigned long)(waited / MS));
            continue;
        }
        double secs = (double)r.window_ns / 1e9;
        double x[ANOMALY_FEATURES] = {
            [ANOMALY_MAILBOX] = r.mailbox_depth,
            [ANOMALY_CPU] = r.cpu_permille,
            [ANOMALY_MSGS_IN] = r.msgs_in_per_s,
            [ANOMALY_MSGS_OUT] = r.msgs_out_per_s,
            [ANOMALY_SYSCALLS] = r.syscalls_per_s,
            [ANOMALY_ERRORS] = (r.faults + recent_reports(s, now, r.window_ns)) / secs,
        };
        if (s->trend_actor != s->actor_id) {
            trend_reset(&s->trend);
            s->trend_actor = s->actor_id;
        }
        trend_add(&s->trend, now, r.pages);
        uint64_t quota = s->spec->memory_mib * 256ULL;
        char text[SUP_EVIDENCE_MAX];
        struct trend_forecast f;
        enum anomaly_event e = anomaly_observe(&s->model, x);
        /* due to run out soon; or anomalous with its memory growing fast
         * now: a leak either way, so rejuvenation is the cure */
        bool leak = !s->rejuvenating &&
                    ((trend_predict(&s->trend, quota, &f) && f.exhaust_ns < TREND_HORIZON_NS) ||
                     (e == ANOMALY_RAISED && recent_leak(s, quota, &f)));
        if (leak) {
            trend_explain(&f, text, sizeof(text));
            evidence(s, text);
            event(SUP_EV_PREDICT, s->spec->name, "%s", text);
            recover_live(s, POL_LEAK);
        } else if (e == ANOMALY_RAISED) {
            anomaly_explain(&s->model, text, sizeof(text));
            evidence(s, text);
            event(SUP_EV_ANOMALY, s->spec->name, "%s", text);
            recover_live(s, POL_ANOMALY);
        }
    }
    schedule(); /* a restart that a hang found here may be due at once */
}

/* SUP_REPORT: a client says S misbehaved. Evidence for the error
 * feature; a malformed reply is a fault of its own kind, judged once at
 * a time. Only services of the manifest may report (CLK_EPERM for
 * programs that hold only a guest's registry capability): a report can
 * lead to a restart. */
static void report(struct actor_req *req)
{
    struct sup_report q;
    memcpy(&q, req->data, sizeof(q));
    q.name[ACTOR_NAME_MAX - 1] = '\0';
    if (!may_control(req)) /* a report can end in a restart: the same right */
        return;
    struct service *s = named(req, q.name);
    if (!s)
        return;
    actor_reply(req, 0, NULL, 0);
    if (!learning || s->state != SUP_RUNNING)
        return;
    uint64_t now = clk_clock_ns();
    s->reports[s->nreports++ % 8] = now;
    if (q.kind != SUP_REPORT_BAD_REPLY || (s->outcome.pending && s->outcome.kind == POL_BADREPLY))
        return;
    char text[SUP_EVIDENCE_MAX];
    snprintf(text, sizeof(text), "a client reported a malformed reply (%u report(s) in 1 s)",
             recent_reports(s, now, 1000 * MS));
    evidence(s, text);
    event(SUP_EV_ANOMALY, s->spec->name, "%s", text);
    recover_live(s, POL_BADREPLY);
}

/* SUP_WHY: the last decisions about a service, and the evidence. */
static void why(struct actor_req *req)
{
    struct service *s = named(req, ((const struct sup_name *)req->data)->name);
    if (!s)
        return;
    static char out[SUP_WHY_MAX];
    size_t n = 0;
    if (!learning)
        n = (size_t)snprintf(out, sizeof(out),
                             "%s: the fixed policy (policy=fixed): a crash or a hang is a "
                             "restart, after a backoff when repeated\n",
                             s->spec->name);
    else
        n = (size_t)policy_explain(&policy, s->spec->name, out, sizeof(out));
    if (n < sizeof(out) && s->evidence[0])
        n += (size_t)snprintf(out + n, sizeof(out) - n, "last seen at %lu.%03lu s: %s\n",
                              (unsigned long)(s->evidence_ns / 1000000000),
                              (unsigned long)(s->evidence_ns / MS % 1000), s->evidence);
    if (n < sizeof(out) && s->outcome.pending)
        n += (size_t)snprintf(out + n, sizeof(out) - n, "judging: %s since %lu.%03lu s\n",
                              policy_action_name(s->outcome.action),
                              (unsigned long)(s->outcome.decided_ns / 1000000000),
                              (unsigned long)(s->outcome.decided_ns / MS % 1000));
    n = n < sizeof(out) ? n : sizeof(out) - 1;
    actor_reply(req, 0, out, n + 1);
}

static bool is_supstore(const struct actor_req *req)
{
    uint64_t i = req->badge - REGISTRY_BADGE;
    return req->badge >= REGISTRY_BADGE && i < manifest.nsvc &&
           !strcmp(services[i].spec->name, "supstore");
}

/* SUP_MODEL_GET: the model, once it is newer than the version supstore has. */
static void model_get(struct actor_req *req)
{
    if (!is_supstore(req)) {
        actor_reply(req, CLK_EPERM, NULL, 0);
        return;
    }
    long token = actor_defer(req);
    if (token < 0) {
        actor_reply(req, token, NULL, 0);
        return;
    }
    if (model_waiting) /* its last instance's request: nobody waits for it */
        actor_reply_later(model_token, CLK_EAGAIN, NULL, 0);
    memcpy(&model_seen, req->data, sizeof(model_seen));
    model_token = token;
    model_waiting = true;
    model_changed();
}

/* SUP_MODEL_PUT: the model saved at the last boot. */
static void model_put(struct actor_req *req)
{
    if (!is_supstore(req)) {
        actor_reply(req, CLK_EPERM, NULL, 0);
        return;
    }
    int bad = policy_load(&policy, req->data, req->len);
    event(SUP_EV_DECIDE, "supervisor", "learned model read back: %lu bytes, %d bad line(s)",
          (unsigned long)req->len, bad);
    actor_reply(req, 0, NULL, 0);
    model_changed();
}

static void tick_fiber(void *arg)
{
    (void)arg;
    schedule();
}

static void notified(uint64_t bits)
{
    if (bits & CRASH_BIT) {
        printf("supervisor: crashing, as asked\n");
        fflush(stdout);
        *(volatile int *)0 = 1;
    }
    /* The deadlines are looked at in a fiber, after the fibers whose calls
     * came back in the same wake-up: an answer that came in time is seen
     * as such, not taken for a hang. */
    if ((bits & TICK_BIT) && actor_go(tick_fiber, NULL) < 0)
        schedule();
    if (bits & METRICS_BIT)
        sample();
    names_notified(bits);
}

/* ---- the protocol ---- */

/* Restarts, updates and injections are for the services that the
 * manifest marks control=yes (the shell, test drivers). */
static bool may_control(struct actor_req *req)
{
    uint64_t i = req->badge - REGISTRY_BADGE;
    if (req->badge >= REGISTRY_BADGE && i < manifest.nsvc && services[i].spec->control)
        return true;
    actor_reply(req, CLK_EPERM, NULL, 0);
    return false;
}

static struct service *named(struct actor_req *req, const char *name)
{
    char copy[ACTOR_NAME_MAX];
    memcpy(copy, name, sizeof(copy));
    copy[sizeof(copy) - 1] = '\0';
    struct service *s = find_service(copy);
    if (!s)
        actor_reply(req, CLK_ENOENT, NULL, 0);
    return s;
}

static void status(struct actor_req *req)
{
    uint32_t i = *(const uint32_t *)req->data;
    if (i >= manifest.nsvc) {
        actor_reply(req, CLK_ENOENT, NULL, 0);
        return;
    }
    const struct service *s = &services[i];
    struct sup_status st = {
        .state = s->state,
        .prio = s->spec->prio,
        .actor_id = s->actor_id,
        .restarts = s->restarts,
        .started_ns = s->started_ns,
    };
    snprintf(st.name, sizeof(st.name), "%s", s->spec->name);
    snprintf(st.bin, sizeof(st.bin), "%s", s->bin);
    actor_reply(req, 0, &st, sizeof(st));
}

static void restart(struct actor_req *req)
{
    struct service *s =
        may_control(req) ? named(req, ((const struct sup_name *)req->data)->name) : NULL;
    if (!s)
        return;
    if (s->state == SUP_UPDATING) {
        actor_reply(req, CLK_EAGAIN, NULL, 0);
        return;
    }
    kill_instance(s);
    s->restarts++;
    start(s, SUP_EV_RESTART, "by request");
    schedule();
    actor_reply(req, s->state == SUP_RUNNING ? 0 : CLK_EIO, NULL, 0);
}

/* SUP_KILL: as a crash, so the service's policy decides what follows. */
static void kill_request(struct actor_req *req)
{
    struct sup_kill q;
    memcpy(&q, req->data, sizeof(q));
    q.name[ACTOR_NAME_MAX - 1] = '\0';
    if (!may_control(req))
        return;
    struct service *s = NULL;
    for (unsigned i = 0; i < manifest.nsvc && !s; i++)
        if (services[i].actor && (q.name[0] ? !strcmp(services[i].spec->name, q.name)
                                            : services[i].actor_id == q.actor_id))
            s = &services[i];
    if (!s || s->state == SUP_UPDATING) {
        actor_reply(req, s ? CLK_EAGAIN : CLK_ENOENT, NULL, 0);
        return;
    }
    ended(s, s->actor_id, true, true, "killed by request", false);
    actor_reply(req, 0, NULL, 0);
}

/* SUP_REGISTRY: a capability to the registry that no service's badge is on. */
static void guest_registry(struct actor_req *req)
{
    long cap = clk_cap_mint(registry_ep, CLK_RIGHT_SEND | CLK_RIGHT_GRANT, GUEST_BADGE);
    long token = cap < 0 ? cap : actor_defer(req);
    if (token < 0) {
        if (cap > 0)
            clk_cap_delete(cap);
        actor_reply(req, token, NULL, 0);
        return;
    }
    actor_reply_later_cap(token, 0, NULL, 0, cap);
    clk_cap_delete(cap); /* the caller has its copy */
}

/* SUP_METRICS: only for callers that hold the monitor authority
 * (caps=monitor), which could read ACTOR_INFO themselves. */
static void metrics_request(struct actor_req *req)
{
    struct sup_metrics_req q;
    memcpy(&q, req->data, sizeof(q));
    uint64_t i = req->badge - REGISTRY_BADGE;
    if (req->badge < REGISTRY_BADGE || i >= manifest.nsvc ||
        !(services[i].spec->caps & SVC_CAP_MONITOR)) {
        actor_reply(req, CLK_EPERM, NULL, 0);
        return;
    }
    uint64_t window = (q.window_ms ? q.window_ms : 1000) * MS;
    static struct sup_metric out[SUP_METRICS_BATCH];
    unsigned n = 0, k = 0;
    for (unsigned slot = 0; slot < METRICS_ACTORS && n < SUP_METRICS_BATCH; slot++) {
        const struct metrics_actor *a = metrics_slot(&metrics, slot);
        struct metrics_rates r;
        if (!a || k++ < q.first || !metrics_rates(a, window, &r))
            continue;
        out[n] = (struct sup_metric){
            .actor_id = a->id,
            .service = a->service,
            .cpu_permille = r.cpu_permille,
            .msgs_in_per_s = r.msgs_in_per_s,
            .msgs_out_per_s = r.msgs_out_per_s,
            .syscalls_per_s = r.syscalls_per_s,
            .faults = r.faults,
            .mailbox_depth = r.mailbox_depth,
            .mailbox_max = r.mailbox_max,
            .pages = r.pages,
            .window_ns = r.window_ns,
        };
        memcpy(out[n].name, a->name, sizeof(out[n].name));
        n++;
    }
    actor_reply(req, 0, out, n * sizeof(out[0]));
}

/* End the update of S: forget its bookkeeping and log. Returns STATUS. */
static long update_done(struct service *s, long status, struct sup_update_result *res)
{
    let_go(&s->next_actor, &s->next_actor_id, true);
    let_go(&s->old_actor, &s->old_actor_id, true); /* it stopped serving; it may be gone */
    if (s->update_mem)
        clk_cap_delete(s->update_mem);
    s->update_mem = 0;
    s->in_update = false;
    if (s->state == SUP_UPDATING && s->actor)
        s->state = SUP_RUNNING;
    else if (s->state == SUP_UPDATING)
        give_up(s);
    if (!status)
        event(SUP_EV_UPDATE, s->spec->name,
              "actor %lu runs %s, %lu bytes of state; clients waited %lu us of %lu",
              (unsigned long)s->actor_id, s->bin, (unsigned long)res->state_bytes,
              (unsigned long)(res->duration_ns / 1000), (unsigned long)(res->total_ns / 1000));
    schedule();
    return status;
}

/* The update of S stops before any state moved: the old instance serves
 * on (or, when it died, is being restarted as after any crash). */
static long update_abandoned(struct service *s, long status, struct sup_update_result *res,
                             const char *why)
{
    if (!s->aborted)
        s->state = SUP_RUNNING;
    event(SUP_EV_ROLLBACK, s->spec->name, "the update stops: %s; %s", why,
          s->aborted ? "the service restarts as after a crash" : "the old instance serves on");
    res->rolled_back = 1;
    return update_done(s, status, res);
}

/*
 * A live update (docs/supervisor.md): the new instance starts and warms
 * up on a private endpoint while the old one serves; then the old one
 * saves its state and stops, the new one restores it and takes over the
 * service's endpoint, where the requests of the meantime wait. Should
 * either instance die, ended() sees it (the fault and exit messages) and
 * the calls below fail or are answered by a restarted instance.
 */
static long live_update(struct service *s, const char *bin, struct sup_update_result *out)
{
    const void *elf;
    size_t elf_len;
    if (binary(bin, &elf, &elf_len) < 0)
        return CLK_ENOENT;
    if (s->state != SUP_RUNNING || s->in_update) /* (a rolled-back one may still be in step 3) */
        return CLK_EAGAIN;
    struct sup_update_result res = { 0 };
    uint64_t t0 = clk_clock_ns();
    s->update_ns = t0;
    s->state = SUP_UPDATING;
    s->in_update = true;
    s->saved = s->save_sent = s->aborted = s->rolled_back = false;
    memcpy(s->old_bin, s->bin, sizeof(s->bin));
    schedule(); /* the new instance's deadline */

    /* 1. The new instance starts; it answers on the private endpoint once
     * its loop runs. Only it may receive there, so its death is CLK_EDEAD. */
    long ho = clk_endpoint_create();
    long ho_send = ho < 0 ? ho : clk_cap_mint(ho, CLK_RIGHT_SEND | CLK_RIGHT_GRANT, 0);
    long err = ho_send < 0 ? CLK_ENOMEM : spawn_actor(s, bin, 0, 0, ho, &s->next_actor);
    if (ho > 0)
        clk_cap_delete(ho); /* the child holds the receive right now */
    if (!err) {
        s->next_actor_id = (uint64_t)clk_actor_id(s->next_actor);
        err = actor_call(ho_send, ACTOR_CTL_PING, NULL, 0, NULL, NULL);
    }
    if (err || s->aborted || !s->next_actor) {
        if (ho_send > 0)
            clk_cap_delete(ho_send);
        return update_abandoned(s, CLK_EIO, out,
                                err ? actor_strerror(err) : "the new instance ended");
    }

    /* 2. The swap: from here, clients' requests wait in the endpoint. The
     * request names the old instance, so that a successor of it (after a
     * crash) does not hand over. */
    uint64_t t1 = clk_clock_ns(), len = 0, target = s->actor_id;
    size_t n = sizeof(len);
    long mem = 0;
    s->save_sent = true;
    s->update_ns = t1;
    schedule(); /* the old instance's deadline */
    long r = actor_call_cap(s->ep, ACTOR_CTL_SAVE, &target, sizeof(target), 0, &len, &n, &mem);
    if (r < 0 || s->aborted) {
        clk_cap_delete(ho_send);
        if (mem > 0)
            clk_cap_delete(mem);
        return update_abandoned(s, r < 0 ? r : CLK_EIO, out,
                                s->aborted ? "the old instance died" : actor_strerror(r));
    }
    s->saved = true; /* it takes no more requests; it goes after the swap */
    s->saved_ns = clk_clock_ns();
    schedule(); /* its deadline for taking over */
    s->old_actor = s->actor;
    s->old_actor_id = s->actor_id;
    s->actor = 0;
    s->actor_id = 0;
    s->update_mem = mem;
    s->update_len = res.state_bytes = len;
    r = actor_call_cap(ho_send, ACTOR_CTL_RESTORE, &s->update_len, sizeof(s->update_len),
                       s->update_mem, NULL, NULL, NULL);
    clk_cap_delete(ho_send);
    if (r < 0 || !s->next_actor) { /* it refused the state, or died: the old binary takes it */
        event(SUP_EV_EXIT, s->spec->name, "%s could not take the state over: %s", bin,
              actor_strerror(r < 0 ? r : CLK_EDEAD));
        let_go(&s->next_actor, &s->next_actor_id, true);
        roll_back(s);
    } else {
        adopt(s, s->next_actor);
        s->next_actor = 0;
        s->next_actor_id = 0;
        s->state = SUP_UPDATING; /* until it answers */
        memcpy(s->bin, bin, sizeof(s->bin));
    }

    /* 3. The first answer on the service's endpoint: the swap is over. */
    r = s->actor ? actor_call(s->ep, ACTOR_CTL_PING, NULL, 0, NULL, NULL) : CLK_EIO;
    uint64_t t2 = clk_clock_ns();
    res.duration_ns = t2 - t1;
    res.total_ns = t2 - t0;
    res.rolled_back = s->rolled_back;
    *out = res;
    return update_done(s, res.rolled_back ? CLK_EIO : r, out);
}

static void update(struct actor_req *req)
{
    const struct sup_update *u = req->data;
    struct service *s = may_control(req) ? named(req, u->name) : NULL;
    if (!s)
        return;
    char bin[SVC_PATH_MAX];
    memcpy(bin, u->bin, sizeof(bin));
    bin[sizeof(bin) - 1] = '\0';
    if (req->cap > 0) { /* an ELF of the sender's: kept, and named by its path */
        long err = bin[0] == '/' ? image_add(req->cap, u->elf_len, bin, bin) : CLK_EINVAL;
        if (err) {
            actor_reply(req, err, NULL, 0);
            return;
        }
    } else if (!bin[0]) {
        memcpy(bin, s->bin, sizeof(bin));
    }
    bool other = strcmp(bin, s->bin) != 0;
    struct sup_update_result res = { 0 };
    long r = live_update(s, bin, &res);
    if (!r && other) { /* another program: what was learned of the old one is moot */
        policy_forget(&policy, s->spec->name);
        anomaly_init(&s->model);
        model_changed();
        event(SUP_EV_DECIDE, s->spec->name, "new binary %s: its models start afresh", bin);
    }
    actor_reply(req, r, r == CLK_ENOENT || r == CLK_EAGAIN ? NULL : &res,
                r == CLK_ENOENT || r == CLK_EAGAIN ? 0 : sizeof(res));
}

static void log_request(struct actor_req *req)
{
    uint64_t from = *(const uint64_t *)req->data;
    static struct sup_event out[SUP_LOG_BATCH];
    unsigned n = 0;
    uint64_t oldest = next_seq > SUP_LOG_KEPT ? next_seq - SUP_LOG_KEPT : 1;
    for (uint64_t seq = from < oldest ? oldest : from; seq < next_seq && n < SUP_LOG_BATCH; seq++)
        out[n++] = events[seq % SUP_LOG_KEPT];
    actor_reply(req, n ? 0 : CLK_ENOENT, out, n * sizeof(out[0]));
}

/* A flood: 4 fibers send requests as fast as they are answered, for
 * FLOOD_NS: a storm that lasts, as a runaway client's would. (Not more:
 * each call holds one of libactor's worker threads, and heartbeats need
 * theirs.) */
#define FLOOD_NS (1000 * MS)
static unsigned flood_fibers, flood_sent, flood_answered;
static uint64_t flood_end;

static void flood_fiber(void *arg)
{
    struct service *s = arg;
    /* a type nobody serves: CLK_ENOSYS back; (not on the endpoint of a
     * service that is over, where nobody would ever answer) */
    while (clk_clock_ns() < flood_end && s->state != SUP_FAILED && s->state != SUP_DONE) {
        flood_sent++;
        flood_answered += actor_call(s->ep, 0x7FFF0000u, NULL, 0, NULL, NULL) == CLK_ENOSYS;
    }
    if (--flood_fibers == 0)
        event(SUP_EV_ERROR, s->spec->name, "the flood is over: %u of %u requests answered",
              flood_answered, flood_sent);
}

static void inject(struct actor_req *req)
{
    const struct sup_inject *q = req->data;
    if (!may_control(req))
        return;
    if (!strncmp(q->name, "supervisor", sizeof(q->name))) { /* ourselves, once the answer is out */
        long ok = may_inject && q->fault == SUP_FAULT_CRASH ? 0 : CLK_EPERM;
        if (!ok)
            actor_timer(1000000, CRASH_BIT);
        actor_reply(req, ok, NULL, 0);
        return;
    }
    struct service *s = named(req, q->name);
    if (!s)
        return;
    if (!s->spec->inject || s->state != SUP_RUNNING || q->fault < SUP_FAULT_CRASH ||
        q->fault > SUP_FAULT_BAD_REPLY) {
        actor_reply(req, !s->spec->inject ? CLK_EPERM : CLK_EINVAL, NULL, 0);
        return;
    }
    event(SUP_EV_ERROR, s->spec->name, "fault %u injected by request", (unsigned)q->fault);
    if (q->fault == SUP_FAULT_FLOOD) {
        flood_answered = flood_sent = 0;
        flood_end = clk_clock_ns() + FLOOD_NS;
        for (int i = 0; i < 4; i++)
            flood_fibers += actor_go(flood_fiber, s) == 0;
        actor_reply(req, 0, NULL, 0);
        return;
    }
    /* The service answers, then misbehaves: when the requester hears back,
     * the fault is under way. */
    uint32_t fault = q->fault;
    actor_reply(req, actor_call(s->ep, ACTOR_CTL_INJECT, &fault, sizeof(fault), NULL, NULL), NULL,
                0);
}

/* ---- power-off and reset ---- */

/* Stop every running service, dependents before what they depend on, so
 * that nothing writes while the power goes; mark them in STOPPED. */
static void stop_all(const char *why, bool stopped[SVC_MAX])
{
    for (unsigned k = manifest.norder; k-- > 0;) {
        struct service *s = &services[manifest.order[k]];
        stopped[s->idx] = s->state == SUP_RUNNING;
        if (!stopped[s->idx])
            continue; /* not running; one in backoff waits for schedule() */
        event(SUP_EV_EXIT, s->spec->name, "actor %lu stopped for the %s",
              (unsigned long)s->actor_id, why);
        kill_instance(s);
        s->state = SUP_STOPPED;
    }
}

/*
 * SUP_SHUTDOWN and SUP_REBOOT. Everything that can refuse is checked
 * first (the caller's right, an update in flight, a way to do it), so a
 * refusal stops nothing. Then the services go and the power does; the
 * caller, stopped with the rest, is not answered. Should the machine run
 * on, the services that were running start again, in dependency order.
 */
static void power(struct actor_req *req, bool reboot)
{
    if (!may_control(req))
        return;
    const char *who = services[req->badge - REGISTRY_BADGE].spec->name;
    for (unsigned i = 0; i < manifest.nsvc; i++)
        if (services[i].state == SUP_UPDATING) {
            actor_reply(req, CLK_EAGAIN, NULL, 0);
            return;
        }
    struct power_plan plan;
    long err = power_plan(bootinfo, (long)bootinfo->device_cap, reboot, &plan);
    const char *what = reboot ? "reboot" : "shutdown";
    if (err) {
        event(SUP_EV_POWER, "supervisor", "%s requested by %s: the firmware tells no way", what,
              who);
        actor_reply(req, err, NULL, 0);
        return;
    }
    event(SUP_EV_POWER, "supervisor", "%s requested by %s: %s", what, who, plan.how);
    bool stopped[SVC_MAX] = { false };
    powering_down = true;
    stop_all(what, stopped);
    printf("supervisor: %s\n", reboot ? "rebooting" : "powering off");
    fflush(stdout);
    power_act(&plan, 1000 * MS); /* returns only if the machine runs on */
    power_release(&plan);
    powering_down = false;
    event(SUP_EV_POWER, "supervisor", "the %s did not happen; the services start again", what);
    for (unsigned k = 0; k < manifest.norder; k++) {
        struct service *s = &services[manifest.order[k]];
        if (stopped[s->idx])
            start(s, SUP_EV_RESTART, "after the failed power-off");
    }
    schedule();
    actor_reply(req, CLK_ENOSYS, NULL, 0); /* (its caller was stopped: nobody hears it) */
}

static void shutdown(struct actor_req *req)
{
    power(req, false);
}

static void reboot(struct actor_req *req)
{
    power(req, true);
}

/* ---- boot ---- */

static struct actor_handler handlers[24];

static const struct actor_handler sup_handlers[] = {
    { SUP_STATUS, sizeof(uint32_t), sizeof(uint32_t), status },
    { SUP_RESTART, sizeof(struct sup_name), sizeof(struct sup_name), restart },
    { SUP_UPDATE, sizeof(struct sup_update), sizeof(struct sup_update), update },
    { SUP_LOG, sizeof(uint64_t), sizeof(uint64_t), log_request },
    { SUP_INJECT, sizeof(struct sup_inject), sizeof(struct sup_inject), inject },
    { SUP_SHUTDOWN, 0, 0, shutdown },
    { SUP_REBOOT, 0, 0, reboot },
    { SUP_KILL, sizeof(struct sup_kill), sizeof(struct sup_kill), kill_request },
    { SUP_REGISTRY, 0, 0, guest_registry },
    { SUP_METRICS, sizeof(struct sup_metrics_req), sizeof(struct sup_metrics_req),
      metrics_request },
    { SUP_REPORT, sizeof(struct sup_report), sizeof(struct sup_report), report },
    { SUP_WHY, sizeof(struct sup_name), sizeof(struct sup_name), why },
    { SUP_MODEL_GET, sizeof(uint64_t), sizeof(uint64_t), model_get },
    { SUP_MODEL_PUT, 0, SUP_MODEL_MAX, model_put },
};

/* Start the services in dependency order; one whose dependency is not
 * running is left stopped. */
static void start_all(void)
{
    for (unsigned k = 0; k < manifest.norder; k++) {
        struct service *s = &services[manifest.order[k]];
        const char *missing = NULL;
        for (unsigned d = 0; d < s->spec->ndeps && !missing; d++)
            if (services[s->spec->deps[d]].state != SUP_RUNNING)
                missing = services[s->spec->deps[d]].spec->name;
        if (missing) {
            event(SUP_EV_ERROR, s->spec->name, "not started: %s is not running", missing);
            give_up(s); /* its callers hear CLK_EDEAD instead of waiting */
            s->state = SUP_STOPPED;
            continue;
        }
        start(s, SUP_EV_START, "");
    }
}

int main(int argc, char **argv)
{
    bootinfo = clk_bootinfo;
    const char *path = "etc/services";
    for (int i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "manifest=", 9))
            path = argv[i] + 9;
        may_inject |= !strcmp(argv[i], "inject");
        if (!strcmp(argv[i], "policy=fixed"))
            learning = false;
    }
    if (!bootinfo) {
        printf("supervisor: not the first actor: no boot information\n");
        return 1;
    }
    struct cpio_entry e;
    if (cpio_find((const void *)bootinfo->initrd, bootinfo->initrd_len, path, &e) < 0) {
        event(SUP_EV_ERROR, "manifest", "no %s in the initrd: no services", path);
        e.data = "", e.size = 0;
    }
    unsigned problems = manifest_parse(e.data, e.size, &manifest, manifest_error, (void *)path);
    registry_ep = clk_endpoint_create();
    long self = clk_cap_mint(registry_ep, CLK_RIGHT_SEND | CLK_RIGHT_GRANT, ACTOR_BADGE_CLIENT);
    if (registry_ep < 0 || self < 0 || names_publish("supervisor", self, 0) < 0 ||
        actor_fault_mailbox() < 0 ||
        actor_windows_init(&upload_window, UPLOAD_VA, SUP_IMAGE_MAX, 1) < 0) {
        printf("supervisor: cannot set up its endpoints\n");
        return 1;
    }
    printf("supervisor: %s: %u service(s), %u problem(s)\n", path, manifest.nsvc, problems);
    policy_init(&policy);
    for (unsigned i = 0; i < manifest.nsvc; i++) {
        struct service *s = &services[i];
        s->spec = &manifest.svc[i];
        s->idx = i;
        s->state = SUP_STOPPED;
        memcpy(s->bin, s->spec->bin, sizeof(s->bin));
        s->ep = clk_endpoint_create();
        anomaly_init(&s->model);
        publish(s); /* every name is taken before any service runs: none can squat another's */
    }
    start_all();
    unsigned n = 0;
    for (unsigned i = 0; i < sizeof(sup_handlers) / sizeof(sup_handlers[0]); i++)
        handlers[n++] = sup_handlers[i];
    for (const struct actor_handler *h = names_handlers; h->fn; h++)
        handlers[n++] = *h;
    struct actor_def def = {
        .handlers = handlers,
        .notified = notified,
        .fault = faulted,
        .exited = exited,
    };
    schedule();
    sample(); /* and every METRICS_PERIOD_MS from now on */
    long err = actor_serve(registry_ep, &def);
    printf("supervisor: the loop ended: %s\n", actor_strerror(err));
    return 1;
}
