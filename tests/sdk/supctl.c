/*
 * supctl.c: drives the supervisor in its tests (started by a test manifest
 * with restart=temporary). Its arguments are one command:
 *   crash-time NAME     inject a crash, time until NAME answers again
 *   hang-time NAME      inject a hang, time until NAME answers again
 *   crash-loop NAME N   crash NAME N times, waiting for each restart
 *   load NAME           add 1 at a time until an update has happened and
 *                       200 more were answered; check the totals
 *   update-at NAME T BIN  once NAME's total reaches T, update it to BIN
 *   bad-elves NAME      updates to binaries passed in memory objects that
 *                       lie about their size, are empty, are no ELF or are
 *                       named without a path; NAME serves on
 *   read NAME           read a 256 KiB file in 64 requests while NAME is
 *                       restarted and crashes in the middle
 *   inject NAME KIND    inject fault KIND (a number) and exit
 *   report NAME         crash-time, then print the services and the event log
 *   faults NAME         inject a leak, a flood and a malformed reply
 *   restart NAME        restart NAME
 *   blame NAME          report a malformed reply from NAME (SUP_REPORT)
 *   shutdown, reboot    ask the supervisor to power off or reset the machine
 *   ps                  list every actor through the monitor authority
 *                       (CLK_MONITOR; caps=monitor), and the frames
 *   metrics             ask the supervisor for every actor's metrics
 *                       (SUP_METRICS: only with caps=monitor)
 *   learn NAME          under a steady load of gets, each fault kind in
 *                       turn (crash, hang, leak, bad reply, flood), with a
 *                       client that reports bad replies (SUP_REPORT), for
 *                       the learning supervisor (caps=monitor: the leaking
 *                       instance's peak memory)
 */
#include "counter.h"
#include "supclient.h"
#include <actor/supervisor.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The supervisor is the registry: slot 1, whose badge tells it who calls
 * (restarts, updates and injections need control=yes in the manifest). */
static struct actor_service svc;

static double ms_since(uint64_t t0)
{
    return (double)(clk_clock_ns() - t0) / 1e6;
}

static long inject(const char *name, uint32_t fault)
{
    struct sup_inject q = { .fault = fault };
    snprintf(q.name, sizeof(q.name), "%s", name);
    return actor_call(ACTOR_NAMES_SLOT, SUP_INJECT, &q, sizeof(q), NULL, NULL);
}

static long get(uint64_t *total)
{
    size_t len = sizeof(*total);
    *total = 0;
    return actor_call_service(&svc, COUNTER_GET, NULL, 0, total, &len);
}

static uint32_t version(void)
{
    uint32_t v = 0;
    size_t len = sizeof(v);
    actor_call_service(&svc, COUNTER_VERSION, NULL, 0, &v, &len);
    return v;
}

static void timed_fault(const char *name, uint32_t fault, const char *what)
{
    uint64_t total;
    get(&total); /* it answers before */
    uint64_t t0 = clk_clock_ns();
    long r = inject(name, fault); /* answered, then the fault happens */
    long g = get(&total);
    printf("supctl: %s injected (%ld); %s answered again (%ld) within %.1f ms\n", what, r, name, g,
           ms_since(t0));
}

static void crash_loop(const char *name, int n)
{
    uint64_t total;
    long r = 0;
    for (int i = 0; i < n; i++) {
        inject(name, SUP_FAULT_CRASH);
        svc.wait_ns = 2000000000;
        r = get(&total);
        printf("supctl: crash %d of %s: get -> %ld\n", i + 1, name, r);
    }
}

static void load(void)
{
    uint64_t expect = 0, answers = 0, errors = 0, after = 0, first = 0;
    bool consecutive = true, updated = false;
    while (answers < 100000 && (!updated || after < 200)) {
        uint64_t one = 1, total = 0;
        size_t len = sizeof(total);
        long r = actor_call_service(&svc, COUNTER_ADD, &one, sizeof(one), &total, &len);
        if (r) {
            errors++;
            continue;
        }
        if (answers++ == 0)
            first = total;
        else if (total != expect)
            consecutive = false;
        expect = total + 1;
        if (updated)
            after++;
        else if (answers % 50 == 0)
            updated = version() == 2;
    }
    printf("supctl: load: %lu answers, %lu errors, totals consecutive from %lu: %s, "
           "version 2 answered %lu of them\n",
           (unsigned long)answers, (unsigned long)errors, (unsigned long)first,
           consecutive ? "yes" : "no", (unsigned long)after);
    uint64_t total;
    long r = get(&total);
    printf("supctl: load: final total %lu (%ld), version %u\n", (unsigned long)total, r, version());
}

static void update_at(const char *name, uint64_t at, const char *bin)
{
    uint64_t total = 0;
    while (get(&total) == 0 && total < at)
        clk_sleep_ns(1000000); /* the load is on its way */
    struct sup_update u = { 0 };
    snprintf(u.name, sizeof(u.name), "%s", name);
    snprintf(u.bin, sizeof(u.bin), "%s", bin);
    struct sup_update_result res = { 0 };
    size_t len = sizeof(res);
    long r = actor_call(ACTOR_NAMES_SLOT, SUP_UPDATE, &u, sizeof(u), &res, &len);
    printf("supctl: update %s to %s -> %ld: %lu bytes of state, rolled back %lu\n", name, bin, r,
           (unsigned long)res.state_bytes, (unsigned long)res.rolled_back);
    printf("supctl: the update took %.3f ms, of which clients waited %.3f ms\n",
           (double)res.total_ns / 1e6, (double)res.duration_ns / 1e6);
    long g = get(&total);
    printf("supctl: after the update: get -> %ld, version %u\n", g, version());
}

/* SUP_UPDATE of NAME to an ELF of LEN bytes said to be in a new memory
 * object of PAGES pages (zeros: no ELF), named BIN. */
static void passed_elf(const char *name, const char *what, unsigned pages, uint64_t len,
                       const char *bin)
{
    struct sup_update u = { .elf_len = len };
    snprintf(u.name, sizeof(u.name), "%s", name);
    snprintf(u.bin, sizeof(u.bin), "%s", bin);
    struct sup_update_result res = { 0 };
    size_t rlen = sizeof(res);
    long mem = clk_memory_create(pages);
    long r = actor_call_cap(ACTOR_NAMES_SLOT, SUP_UPDATE, &u, sizeof(u), mem, &res, &rlen, NULL);
    clk_cap_delete(mem);
    uint64_t total;
    long g = get(&total);
    printf("supctl: %s -> %ld, rolled back %lu; then get -> %ld\n", what, r,
           (unsigned long)res.rolled_back, g);
}

static void bad_elves(const char *name)
{
    passed_elf(name, "an object smaller than it says", 1, 3 * 4096, "/x");
    passed_elf(name, "an empty binary", 1, 0, "/x");
    passed_elf(name, "over the largest", 1, SUP_IMAGE_MAX + 1, "/x");
    passed_elf(name, "a binary named without a path", 1, 4096, "x");
    passed_elf(name, "no ELF", 2, 8000, "/zeros");
}

static void read_file(const char *name)
{
    static uint8_t buf[4096];
    unsigned errors = 0, bad = 0;
    for (uint64_t chunk = 0; chunk < 64; chunk++) {
        if (chunk == 20) {
            struct sup_name n = { { 0 } };
            snprintf(n.name, sizeof(n.name), "%s", name);
            printf("supctl: restart %s in the middle -> %ld\n", name,
                   actor_call(ACTOR_NAMES_SLOT, SUP_RESTART, &n, sizeof(n), NULL, NULL));
        }
        if (chunk == 40)
            printf("supctl: crash %s in the middle -> %ld\n", name, inject(name, SUP_FAULT_CRASH));
        struct counter_read r = { chunk * sizeof(buf), sizeof(buf) };
        size_t len = sizeof(buf);
        long st = actor_call_service(&svc, COUNTER_READ, &r, sizeof(r), buf, &len);
        errors += st != 0 || len != sizeof(buf);
        for (uint64_t i = 0; i < sizeof(buf); i++)
            bad += buf[i] != counter_file_byte(r.offset + i);
    }
    printf("supctl: read 64 chunks of %s: %u errors, %u wrong bytes\n", name, errors, bad);
}

/* The other injected faults: a leak, a flood, a malformed reply. */
static void other_faults(const char *name)
{
    uint64_t total;
    long before = clk_stats(CLK_STAT_FREE_FRAMES);
    long r = inject(name, SUP_FAULT_LEAK);
    clk_sleep_ns(300000000); /* 300 ms of 64 KiB each 10 ms */
    long gone = before - clk_stats(CLK_STAT_FREE_FRAMES);
    /* 16 frames each 10 to 20 ms (timers fire on the 10 ms tick): 240 or more */
    printf("supctl: leak injected (%ld): more than 128 frames gone after 300 ms: %s\n", r,
           gone > 128 ? "yes" : "no");
    r = inject(name, SUP_FAULT_BAD_REPLY);
    size_t len = sizeof(total);
    long bad = actor_call_service(&svc, COUNTER_GET, NULL, 0, &total, &len);
    long g = get(&total);
    printf("supctl: bad reply injected (%ld): status %#lx, %zu bytes; the next get -> %ld\n", r,
           (unsigned long)bad, len, g);
    r = inject(name, SUP_FAULT_FLOOD);
    g = get(&total);
    printf("supctl: flood injected (%ld); %s still answers: %ld\n", r, name, g);
    printf("supctl: crash plain, which does not allow it -> %ld\n",
           inject("plain", SUP_FAULT_CRASH));
    struct sup_inject q = { .fault = SUP_FAULT_CRASH };
    snprintf(q.name, sizeof(q.name), "%s", "supervisor");
    printf("supctl: crash the supervisor, which runs without inject -> %ld\n",
           actor_call(ACTOR_NAMES_SLOT, SUP_INJECT, &q, sizeof(q), NULL, NULL));
}

/* Gets every 10 ms for MS ms: the normal load. Returns the failures. */
static unsigned steady(unsigned ms)
{
    uint64_t total, end = clk_clock_ns() + ms * 1000000ULL;
    unsigned failed = 0;
    while (clk_clock_ns() < end) {
        failed += get(&total) != 0;
        clk_sleep_ns(10000000);
    }
    return failed;
}

static void learn(const char *name)
{
    const char *env = getenv("CLK_MONITOR");
    long mon = env ? atol(env) : 0;
    uint64_t total;
    unsigned failed = steady(4000); /* the supervisor learns what is normal */
    printf("supctl: learn: normal load, %u failed\n", failed);

    long r = inject(name, SUP_FAULT_CRASH);
    printf("supctl: learn: crash (%ld); get -> %ld\n", r, get(&total));
    failed = steady(3000);
    r = inject(name, SUP_FAULT_HANG);
    printf("supctl: learn: hang (%ld); get -> %ld\n", r, get(&total));
    failed += steady(3000);

    uint64_t add = 5, before;
    size_t len = sizeof(before);
    actor_call_service(&svc, COUNTER_ADD, &add, sizeof(add), &before, &len);
    uint64_t id = sup_instance(name), peak = 0, quota = 0, t0 = clk_clock_ns(), now = 0;
    r = inject(name, SUP_FAULT_LEAK);
    while (sup_instance(name) == id && (now = clk_clock_ns()) - t0 < 15000000000ULL) {
        struct clk_actor_info in;
        if (clk_actor_info(mon, id - 1, &in) == 0 && in.id == id) {
            peak = in.pages > peak ? in.pages : peak;
            quota = in.page_quota;
        }
        failed += get(&total) != 0;
        clk_sleep_ns(10000000);
    }
    get(&total);
    printf("supctl: learn: leak (%ld); a new instance after %lu ms; the leaking one peaked at %lu "
           "of %lu pages; total kept: %s\n",
           r, (unsigned long)((now - t0) / 1000000), (unsigned long)peak, (unsigned long)quota,
           total == before ? "yes" : "no");
    failed += steady(3000);

    r = inject(name, SUP_FAULT_BAD_REPLY);
    len = sizeof(total);
    long bad = actor_call_service(&svc, COUNTER_GET, NULL, 0, &total, &len);
    if (bad != 0 || len != sizeof(total)) /* malformed: tell the supervisor */
        printf("supctl: learn: bad reply (%ld): status %#lx, %zu bytes; reported -> %ld\n", r,
               (unsigned long)bad, len, sup_report(name, SUP_REPORT_BAD_REPLY));
    failed += steady(3000);
    r = inject(name, SUP_FAULT_FLOOD);
    printf("supctl: learn: flood (%ld); get -> %ld\n", r, get(&total));
    failed += steady(3000);
    printf("supctl: learn: done; %u gets failed between the faults\n", failed);
}

static const char *const states[] = {
    "stopped", "running", "backoff", "failed", "updating", "done"
};

static void status(void)
{
    for (uint32_t i = 0;; i++) {
        struct sup_status st;
        size_t len = sizeof(st);
        if (actor_call(ACTOR_NAMES_SLOT, SUP_STATUS, &i, sizeof(i), &st, &len))
            break;
        printf("supctl: service %s: %s, %s, restarts %lu\n", st.name, st.bin,
               st.state < 6 ? states[st.state] : "?", (unsigned long)st.restarts);
    }
}

static void print_log(void)
{
    static struct sup_event ev[SUP_LOG_BATCH];
    uint64_t from = 0;
    for (;;) {
        size_t len = sizeof(ev);
        if (actor_call(ACTOR_NAMES_SLOT, SUP_LOG, &from, sizeof(from), ev, &len))
            break;
        for (size_t i = 0; i < len / sizeof(ev[0]); i++) {
            printf("supctl: log %lu %s: %s\n", (unsigned long)ev[i].seq, ev[i].service, ev[i].text);
            from = ev[i].seq + 1;
        }
    }
}

static const char *const actor_states[] = {
    "running", "ready", "sleeping", "send", "receive", "reply", "full", "wait", "read", "stopped",
};

/* What the shell's ps and mem show, through the monitor authority. */
static void ps(void)
{
    const char *env = getenv("CLK_MONITOR");
    long mon = env ? atol(env) : 0;
    struct clk_actor_info in;
    uint64_t after = 0;
    long r, n = 0;
    printf("supctl: CLK_MONITOR=%s\n", env ? env : "(not set)");
    while ((r = clk_actor_info(mon, after, &in)) == 0) {
        printf("supctl: ps %lu %s %s prio %u threads %u cpu %lu us pages %lu/%lu caps %u sent %lu "
               "received %lu syscalls %lu mailbox %u faults %lu\n",
               (unsigned long)in.id, in.name, in.state < 10 ? actor_states[in.state] : "?", in.prio,
               in.threads, (unsigned long)(in.cpu_ns / 1000), (unsigned long)in.pages,
               (unsigned long)in.page_quota, in.caps, (unsigned long)in.msgs_sent,
               (unsigned long)in.msgs_received, (unsigned long)in.syscalls, in.mailbox_depth,
               (unsigned long)in.faults);
        after = in.id;
        n++;
    }
    long total = clk_stats(CLK_STAT_TOTAL_FRAMES), free = clk_stats(CLK_STAT_FREE_FRAMES);
    printf("supctl: ps: %ld actors, then %ld; %ld of %ld frames used\n", n, r, total - free, total);
}

static void metrics(void)
{
    static struct sup_metric m[SUP_METRICS_BATCH];
    struct sup_metrics_req q = { .window_ms = 1000 };
    size_t len = sizeof(m);
    long r = actor_call(ACTOR_NAMES_SLOT, SUP_METRICS, &q, sizeof(q), m, &len);
    printf("supctl: metrics -> %ld, %lu actors\n", r, (unsigned long)(r ? 0 : len / sizeof(m[0])));
}

static void power(const char *what, uint32_t type)
{
    printf("supctl: %s\n", what);
    fflush(stdout);
    long r = actor_call(ACTOR_NAMES_SLOT, type, NULL, 0, NULL, NULL);
    printf("supctl: %s -> %ld\n", what, r);
}

static long init(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "", *name = argc > 2 ? argv[2] : "counter";
    svc = (struct actor_service)COUNTER_SERVICE(name);
    if (!strcmp(cmd, "crash-time"))
        timed_fault(name, SUP_FAULT_CRASH, "crash");
    else if (!strcmp(cmd, "hang-time"))
        timed_fault(name, SUP_FAULT_HANG, "hang");
    else if (!strcmp(cmd, "crash-loop") && argc > 3)
        crash_loop(name, atoi(argv[3]));
    else if (!strcmp(cmd, "load"))
        load();
    else if (!strcmp(cmd, "update-at") && argc > 4)
        update_at(name, strtoull(argv[3], NULL, 10), argv[4]);
    else if (!strcmp(cmd, "bad-elves"))
        bad_elves(name);
    else if (!strcmp(cmd, "read"))
        read_file(name);
    else if (!strcmp(cmd, "inject") && argc > 3)
        printf("supctl: inject %s %s -> %ld\n", name, argv[3],
               inject(name, (uint32_t)atoi(argv[3])));
    else if (!strcmp(cmd, "restart")) {
        struct sup_name n = { { 0 } };
        snprintf(n.name, sizeof(n.name), "%s", name);
        printf("supctl: restart %s -> %ld\n", name,
               actor_call(ACTOR_NAMES_SLOT, SUP_RESTART, &n, sizeof(n), NULL, NULL));
    } else if (!strcmp(cmd, "blame"))
        printf("supctl: report a malformed reply from %s -> %ld\n", name,
               sup_report(name, SUP_REPORT_BAD_REPLY));
    else if (!strcmp(cmd, "shutdown"))
        power("shutdown", SUP_SHUTDOWN);
    else if (!strcmp(cmd, "reboot"))
        power("reboot", SUP_REBOOT);
    else if (!strcmp(cmd, "ps"))
        ps();
    else if (!strcmp(cmd, "metrics"))
        metrics();
    else if (!strcmp(cmd, "faults"))
        other_faults(name);
    else if (!strcmp(cmd, "learn"))
        learn(name);
    else if (!strcmp(cmd, "report")) {
        timed_fault(name, SUP_FAULT_CRASH, "crash");
        status();
        print_log();
    } else
        printf("supctl: what is \"%s\"?\n", cmd);
    fflush(stdout);
    exit(0);
}

const struct actor_def actor = { .init = init };
