/*
 * campaign.c: the driver of the fault-injection campaign (issue 9,
 * docs/faultcampaign.md), started by tests/manifests/campaign with
 * control=yes (to inject) and caps=monitor (to see a leaking service's
 * pages against its quota); tools/faultcampaign boots it once per recovery
 * policy. Its arguments (args=count=10,seed=1), then the words of the
 * file /etc/campaign when the disk has one (the host's tools/faultcampaign
 * writes it: a manifest's arguments are fixed in the initrd), each
 * overriding what came before:
 *   count=N   faults to inject (default 10)
 *   seed=S    the schedule's seed (default 1): the same seed gives the same
 *             faults in the same order, whatever the policy
 *   quiet=MS  a first phase with the workload only (default 6000: the
 *             supervisor learns what is normal in its first 5 s)
 *
 * One thread does it all, in a loop: a client request to a target (the
 * workload), a read of the supervisor's event log (SUP_LOG), and the next
 * step of the schedule. The targets and their requests:
 *   counter  the test server (counter.c): COUNTER_READ of 64 bytes, checked
 *   vfs      write 64 bytes to /tmp/campaign, close, read them back, check
 *   net      a UDP datagram over 127.0.0.1 to a socket of ours, echoed
 *            back by us (one thread: libc has one request in flight per
 *            session), checked; 300 ms without it is a lost request
 *   shell    a call on its endpoint, which its control thread answers with
 *            CLK_ENOSYS: the shell's IPC side is alive (what a crash or a
 *            hang injected into it stops)
 * A request that fails, gets wrong data or is answered after DEADLINE_MS
 * (a second: a client with a timeout has given up by then) is lost. A
 * malformed answer (a status no protocol uses, a wrong length) is reported
 * to the supervisor as SUP_REPORT_BAD_REPLY, an error that should not
 * happen as SUP_REPORT_ERROR: that is how a bad reply becomes visible to
 * it.
 *
 * Per fault: inject it (SUP_INJECT), then watch. Detection is the first
 * event of kind fault, hang, anomaly or predict about the target after the
 * injection; recovery is the first request to the target answered right
 * after the detection (for a leak, by a new instance). A leak that brings
 * its service to its quota with nothing detected a second later is ended
 * by the campaign itself (SUP_RESTART), as an operator would. A detection
 * event about a service with no fault injected in the last FOLLOW_MS is a
 * false positive. Lines, for tools/faultcampaign:
 *   campaign: target NAME pages P quota Q
 *   campaign: fault n=N target=T kind=K ... why=TEXT
 *   campaign: false-positive phase=P service=S event=E t_ms=T why=TEXT
 *   campaign: summary ...
 *   campaign: done
 */
#include "counter.h"
#include "supclient.h"
#include <actor/supervisor.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define MS        1000000ULL
#define FOLLOW_MS 3000 /* events this long after a fault's end are still its own */
#define SETTLE_MS                                                                                  \
    2500                  /* workload after each fault, before the next: the supervisor            \
                            judges a recovery 2 s after it, and the next fault must                \
                            not be taken for its failure */
#define OOM_GRACE_MS 1000 /* a leak at its quota, undetected this long: ended by us */
#define UDP_WAIT_MS  300  /* an echo not back in this time is lost */
#define DEADLINE_MS  1000 /* an answer later than this is lost: its client gave up */
#define VFS_PATH     "/tmp/campaign"
#define UDP_SERVER   7007
#define UDP_CLIENT   7008

enum outcome { OK, LOST_ERROR, LOST_BAD, LOST_TIMEOUT };

struct target;
typedef enum outcome request_fn(struct target *t, uint64_t seq);

struct fault;

struct target {
    const char *name;
    unsigned kinds; /* the faults it obeys: bit (1 << enum sup_fault) */
    request_fn *request;
    struct actor_service svc;
    uint64_t requests, lost;
    uint64_t fault_end; /* when the last fault injected into it ended, or 0 */
};

static enum outcome req_counter(struct target *t, uint64_t seq);
static enum outcome req_vfs(struct target *t, uint64_t seq);
static enum outcome req_net(struct target *t, uint64_t seq);
static enum outcome req_shell(struct target *t, uint64_t seq);

#define ALL_KINDS (0x3E) /* crash, hang, leak, flood, bad reply */
#define CTL_KINDS ((1 << SUP_FAULT_CRASH) | (1 << SUP_FAULT_HANG) | (1 << SUP_FAULT_FLOOD))

static struct target targets[] = {
    { "counter", ALL_KINDS, req_counter, COUNTER_SERVICE("counter"), 0, 0, 0 },
    { "vfs", ALL_KINDS, req_vfs, ACTOR_SERVICE("vfs", 0), 0, 0, 0 },
    { "net", ALL_KINDS, req_net, ACTOR_SERVICE("net", 0), 0, 0, 0 },
    /* libactor's control thread: crash and hang; the flood comes from the supervisor */
    { "shell", CTL_KINDS, req_shell, ACTOR_SERVICE("shell", ACTOR_IDEMPOTENT(1)), 0, 0, 0 },
};
#define NTARGETS (sizeof(targets) / sizeof(targets[0]))

static const char *const kind_names[] = { "?", "crash", "hang", "leak", "flood", "bad_reply" };
static const char *const event_names[] = { "start",   "exit",     "fault",  "hang",   "restart",
                                           "update",  "rollback", "failed", "error",  "power",
                                           "anomaly", "predict",  "decide", "outcome" };

/* The fault under way, and what has been seen of it. */
struct fault {
    unsigned n, kind;
    struct target *t;
    long injected; /* SUP_INJECT's answer */
    uint64_t t_inject, t_detect, t_recover, t_oom, t_end;
    uint32_t det_kind;
    bool detected, recovered, oom, operator_restart;
    uint64_t actor_before; /* the instance the fault went into */
    bool new_instance;
    uint64_t lost, lost_other;
    char why[84];
};

static struct fault *active;
static uint64_t log_next, seq, false_pos, quiet_false_pos, quiet_lost;
static bool quiet_phase;
static long monitor;
static int udp_srv = -1, udp_cli = -1;

/* ---- helpers ---- */

static uint64_t now(void)
{
    return clk_clock_ns();
}

/* xorshift64*: the schedule depends on the seed alone. */
static uint64_t rng_state;

static uint32_t rng(uint32_t n)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 33) % n;
}

static struct target *target_named(const char *name)
{
    for (unsigned i = 0; i < NTARGETS; i++)
        if (!strncmp(targets[i].name, name, ACTOR_NAME_MAX))
            return &targets[i];
    return NULL;
}

/* A libc call's errno: no errno is this large, so a malformed answer. */
static enum outcome from_errno(int e)
{
    return e > 0 && e < 1000 ? LOST_ERROR : LOST_BAD;
}

/* A libactor status: the CLK_E* codes are small and negative. */
static enum outcome from_status(long st)
{
    return st < 0 && st > -64 ? LOST_ERROR : LOST_BAD;
}

static void pattern(uint8_t *buf, size_t len, uint64_t seq_)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(seq_ * 31 + i * 7);
}

/* ---- the workload: one request each, OK or how it was lost ---- */

static enum outcome req_counter(struct target *t, uint64_t seq_)
{
    uint8_t buf[64];
    struct counter_read r = { (seq_ % 4096) * sizeof(buf), sizeof(buf) };
    size_t len = sizeof(buf);
    long st = actor_call_service(&t->svc, COUNTER_READ, &r, sizeof(r), buf, &len);
    if (st)
        return from_status(st);
    if (len != sizeof(buf))
        return LOST_BAD;
    for (size_t i = 0; i < len; i++)
        if (buf[i] != counter_file_byte(r.offset + i))
            return LOST_BAD;
    return OK;
}

static enum outcome req_vfs(struct target *t, uint64_t seq_)
{
    (void)t;
    uint8_t out[64], in[64];
    pattern(out, sizeof(out), seq_);
    int fd = open(VFS_PATH, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return from_errno(errno);
    ssize_t n = write(fd, out, sizeof(out));
    int e = errno;
    if (close(fd) < 0 && n == (ssize_t)sizeof(out))
        return from_errno(errno);
    if (n != (ssize_t)sizeof(out))
        return n < 0 ? from_errno(e) : LOST_BAD;
    if ((fd = open(VFS_PATH, O_RDONLY)) < 0)
        return from_errno(errno);
    n = read(fd, in, sizeof(in));
    e = errno;
    close(fd);
    if (n < 0)
        return from_errno(e);
    return n == (ssize_t)sizeof(in) && !memcmp(in, out, sizeof(in)) ? OK : LOST_BAD;
}

static struct sockaddr_in loopback(uint16_t port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

/* A UDP socket bound to PORT on 127.0.0.1, with a receive timeout: it, or -1. */
static int udp_socket(uint16_t port)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = loopback(port);
    struct timeval tv = { 0, UDP_WAIT_MS * 1000 };
    if (s < 0)
        return -1;
    if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
        close(s);
        return -1;
    }
    return s;
}

/* Receive on S until the datagram of SEQ_ comes (older ones, late, are
 * skipped): OK, or how it was lost. *FROM: where it came from. */
static enum outcome udp_recv(int s, uint64_t seq_, uint8_t *buf, struct sockaddr_in *from)
{
    for (;;) {
        socklen_t fl = sizeof(*from);
        ssize_t n = recvfrom(s, buf, 64, 0, (struct sockaddr *)from, &fl);
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK ? LOST_TIMEOUT : from_errno(errno);
        uint64_t got;
        memcpy(&got, buf, sizeof(got));
        if (n == 64 && got == seq_)
            return OK;
        if (n != 64 || got > seq_)
            return LOST_BAD;
    }
}

static enum outcome req_net(struct target *t, uint64_t seq_)
{
    (void)t;
    if (udp_srv < 0 && (udp_srv = udp_socket(UDP_SERVER)) < 0)
        return from_errno(errno);
    if (udp_cli < 0 && (udp_cli = udp_socket(UDP_CLIENT)) < 0)
        return from_errno(errno);
    uint8_t out[64], echo[64], back[64];
    pattern(out, sizeof(out), seq_);
    memcpy(out, &seq_, sizeof(seq_));
    struct sockaddr_in srv = loopback(UDP_SERVER), from;
    if (sendto(udp_cli, out, sizeof(out), 0, (struct sockaddr *)&srv, sizeof(srv)) < 0)
        return from_errno(errno);
    enum outcome o = udp_recv(udp_srv, seq_, echo, &from);
    if (o != OK)
        return o;
    if (sendto(udp_srv, echo, sizeof(echo), 0, (struct sockaddr *)&from, sizeof(from)) < 0)
        return from_errno(errno);
    if ((o = udp_recv(udp_cli, seq_, back, &from)) != OK)
        return o;
    return memcmp(back, out, sizeof(out)) ? LOST_BAD : OK;
}

static enum outcome req_shell(struct target *t, uint64_t seq_)
{
    (void)seq_;
    long st = actor_call_service(&t->svc, 1, NULL, 0, NULL, NULL);
    return st == CLK_ENOSYS ? OK : from_status(st);
}

/* ---- the supervisor's side ---- */

/* Actor ID's counters through the monitor authority: 0, or an error. */
static long info_of(uint64_t id, struct clk_actor_info *in)
{
    long r = clk_actor_info(monitor, id - 1, in);
    return r ? r : in->id == id ? 0 : CLK_ENOENT;
}

static bool detection(uint32_t kind)
{
    return kind == SUP_EV_FAULT || kind == SUP_EV_HANG || kind == SUP_EV_ANOMALY ||
           kind == SUP_EV_PREDICT;
}

/* One event of the log: a detection of the fault under way, a follow-up
 * of a recent one, or a false positive. */
static void on_event(const struct sup_event *e)
{
    if (!detection(e->kind) || !strncmp(e->service, "campaign", sizeof(e->service)))
        return;
    struct target *t = target_named(e->service);
    struct fault *f = active;
    if (f && f->t == t && e->time_ns >= f->t_inject) {
        if (!f->detected) {
            f->detected = true;
            f->t_detect = e->time_ns;
            f->det_kind = e->kind;
            snprintf(f->why, sizeof(f->why), "%s", e->text);
        }
        return;
    }
    if (t && t->fault_end && e->time_ns <= t->fault_end + FOLLOW_MS * MS)
        return; /* what the last fault left behind */
    false_pos++;
    quiet_false_pos += quiet_phase;
    printf("campaign: false-positive phase=%s service=%s event=%s t_ms=%lu why=%s\n",
           quiet_phase ? "quiet" : "campaign", e->service,
           e->kind < sizeof(event_names) / sizeof(event_names[0]) ? event_names[e->kind] : "?",
           (unsigned long)(e->time_ns / MS), e->text);
    fflush(stdout);
}

/* Read the events logged since the last call. */
static void poll_log(void)
{
    static struct sup_event ev[SUP_LOG_BATCH];
    for (;;) {
        size_t len = sizeof(ev), n;
        if (actor_call(ACTOR_NAMES_SLOT, SUP_LOG, &log_next, sizeof(log_next), ev, &len))
            return;
        n = len / sizeof(ev[0]);
        for (size_t i = 0; i < n; i++) {
            log_next = ev[i].seq + 1;
            on_event(&ev[i]);
        }
        if (n < SUP_LOG_BATCH)
            return;
    }
}

/* ---- the loop ---- */

/* One request to T, counted against the fault under way. Returns true when
 * it was answered right. */
static bool request(struct target *t)
{
    uint64_t start = now();
    enum outcome o = t->request(t, ++seq);
    uint64_t done = now();
    t->requests++;
    if (o == OK && done - start > DEADLINE_MS * MS)
        o = LOST_TIMEOUT; /* right, but too late: its client gave up */
    if (o == OK) {
        struct fault *f = active;
        if (f && f->t == t && f->detected && !f->recovered && done >= f->t_detect &&
            (f->kind != SUP_FAULT_LEAK || f->new_instance)) {
            f->recovered = true;
            f->t_recover = done;
        }
        return true;
    }
    t->lost++;
    quiet_lost += quiet_phase;
    if (active)
        *(active->t == t ? &active->lost : &active->lost_other) += 1;
    if (o == LOST_BAD)
        sup_report(t->name, SUP_REPORT_BAD_REPLY);
    else if (o == LOST_ERROR)
        sup_report(t->name, SUP_REPORT_ERROR);
    return false;
}

/* One step of the workload: the fault's target every other request, the
 * others in turn; then the log. Returns whether the target (if any) was
 * answered right. */
static bool step(void)
{
    static unsigned turn;
    bool ok = false;
    if (active)
        ok = request(active->t);
    struct target *other = &targets[turn++ % NTARGETS];
    if (!active || other != active->t)
        request(other);
    poll_log();
    return ok;
}

/* Run the workload for MS_ milliseconds. */
static void work_for(uint64_t ms)
{
    uint64_t until = now() + ms * MS;
    while (now() < until)
        step();
}

static uint64_t timeout_ms(unsigned kind)
{
    switch (kind) {
    case SUP_FAULT_CRASH:
    case SUP_FAULT_HANG: return 10000; /* two heartbeat periods of 2 s, and the restart */
    case SUP_FAULT_LEAK: return 20000; /* to the quota, or the detection */
    default: return 2500;
    }
}

/* For a leak: note when the instance changes and when it reaches its quota. */
static void watch_leak(struct fault *f)
{
    uint64_t id = sup_instance(f->t->name);
    struct clk_actor_info in;
    if (id && id != f->actor_before)
        f->new_instance = true;
    if (!f->oom && !f->new_instance && id && info_of(id, &in) == 0 &&
        in.pages + 16 > in.page_quota) {
        f->oom = true;
        f->t_oom = now();
    }
}

/* Restart T ourselves, as an operator would: 0 or the supervisor's error. */
static long operator_restart(struct target *t)
{
    struct sup_name n = { { 0 } };
    snprintf(n.name, sizeof(n.name), "%s", t->name);
    return actor_call(ACTOR_NAMES_SLOT, SUP_RESTART, &n, sizeof(n), NULL, NULL);
}

/* Watch fault F from its injection to its recovery, or its timeout. */
static void watch(struct fault *f)
{
    uint64_t deadline = f->t_inject + timeout_ms(f->kind) * MS;
    while (!f->recovered && now() < deadline) {
        step();
        if (f->kind != SUP_FAULT_LEAK)
            continue;
        watch_leak(f);
        if (f->oom && !f->detected && !f->operator_restart &&
            now() > f->t_oom + OOM_GRACE_MS * MS) {
            f->operator_restart = operator_restart(f->t) == 0;
            break;
        }
    }
    if (f->kind == SUP_FAULT_LEAK && !f->new_instance && !f->operator_restart)
        f->operator_restart = operator_restart(f->t) == 0; /* the leak must not outlive it */
}

/* Work on until T has answered right and SETTLE_MS have passed (at most
 * 10 s; then it is restarted by us, once). */
static void settle(struct fault *f)
{
    uint64_t start = now(), until = start + SETTLE_MS * MS;
    bool answered = false;
    while (now() < until || !answered) {
        answered |= step();
        if (!answered && now() > start + 10000 * MS) {
            if (f->operator_restart)
                break;
            f->operator_restart = operator_restart(f->t) == 0;
            start = now();
        }
    }
}

static void print_fault(const struct fault *f)
{
    uint64_t ttd = f->detected ? (f->t_detect - f->t_inject) / 1000 : 0;
    uint64_t ttr = f->recovered ? (f->t_recover - f->t_detect) / 1000 : 0;
    bool before_oom = f->detected && (!f->oom || f->t_detect < f->t_oom);
    printf("campaign: fault n=%u target=%s kind=%s inject=%ld detected=%d event=%s ttd_us=%lu "
           "recovered=%d ttr_us=%lu lost=%lu lost_other=%lu restarted=%d oom=%d before_oom=%d "
           "operator=%d why=%s\n",
           f->n, f->t->name, kind_names[f->kind], f->injected, f->detected,
           f->detected ? event_names[f->det_kind] : "none", (unsigned long)ttd, f->recovered,
           (unsigned long)ttr, (unsigned long)f->lost, (unsigned long)f->lost_other,
           sup_instance(f->t->name) != f->actor_before, f->oom, before_oom, f->operator_restart,
           f->detected ? f->why : "-");
    fflush(stdout);
}

/* Inject fault N of the schedule, KIND into T, and see it through. */
static void run_fault(unsigned n, unsigned kind, struct target *t)
{
    static struct fault f;
    f = (struct fault){ .n = n, .kind = kind, .t = t };
    f.actor_before = sup_instance(t->name);
    struct sup_inject q = { .fault = kind };
    snprintf(q.name, sizeof(q.name), "%s", t->name);
    active = &f;
    f.t_inject = now();
    f.injected = actor_call(ACTOR_NAMES_SLOT, SUP_INJECT, &q, sizeof(q), NULL, NULL);
    if (f.injected == 0)
        watch(&f);
    settle(&f);
    poll_log();
    active = NULL;
    t->fault_end = now();
    print_fault(&f);
}

/* The schedule: the kinds in a shuffled order in each run of five, each
 * into a target picked among those that obey it. */
static void campaign(unsigned count)
{
    unsigned order[5] = { 1, 2, 3, 4, 5 };
    for (unsigned n = 0; n < count; n++) {
        if (n % 5 == 0)
            for (unsigned i = 4; i > 0; i--) {
                unsigned j = rng(i + 1), k = order[i];
                order[i] = order[j];
                order[j] = k;
            }
        unsigned kind = order[n % 5], able = 0;
        for (unsigned i = 0; i < NTARGETS; i++)
            able += (targets[i].kinds >> kind) & 1;
        unsigned pick = rng(able);
        for (unsigned i = 0; i < NTARGETS; i++)
            if (((targets[i].kinds >> kind) & 1) && pick-- == 0)
                run_fault(n + 1, kind, &targets[i]);
    }
}

/* Wait until every target answers (at most 30 s); print their memory. */
static void warm_up(void)
{
    uint64_t until = now() + 30000 * MS;
    for (unsigned i = 0; i < NTARGETS; i++) {
        while (!request(&targets[i]) && now() < until)
            clk_sleep_ns(10 * MS); /* it is starting */
        struct clk_actor_info in = { 0 };
        info_of(sup_instance(targets[i].name), &in);
        printf("campaign: target %s pages %lu quota %lu\n", targets[i].name,
               (unsigned long)in.pages, (unsigned long)in.page_quota);
        targets[i].requests = targets[i].lost = 0;
    }
    log_next = 0;
    struct sup_event ev[SUP_LOG_BATCH];
    for (;;) { /* past what the boot logged */
        size_t len = sizeof(ev);
        if (actor_call(ACTOR_NAMES_SLOT, SUP_LOG, &log_next, sizeof(log_next), ev, &len) ||
            len < sizeof(ev[0]))
            break;
        log_next = ev[len / sizeof(ev[0]) - 1].seq + 1;
    }
}

static unsigned count = 10, quiet = 6000;
static uint64_t seed = 1;

static void setting(const char *w)
{
    if (!strncmp(w, "count=", 6))
        count = (unsigned)atoi(w + 6);
    else if (!strncmp(w, "seed=", 5))
        seed = strtoull(w + 5, NULL, 10);
    else if (!strncmp(w, "quiet=", 6))
        quiet = (unsigned)atoi(w + 6);
}

/* The words of /etc/campaign, if there is one. */
static void settings_file(void)
{
    char text[256], *save = NULL;
    int fd = open("/etc/campaign", O_RDONLY);
    if (fd < 0)
        return;
    ssize_t n = read(fd, text, sizeof(text) - 1);
    close(fd);
    text[n > 0 ? n : 0] = '\0';
    for (char *w = strtok_r(text, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
        setting(w);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        setting(argv[i]);
    settings_file();
    rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
    const char *mon = getenv("CLK_MONITOR");
    monitor = mon ? atol(mon) : 0;
    printf("campaign: count %u seed %lu quiet %u ms\n", count, (unsigned long)seed, quiet);
    fflush(stdout);
    warm_up();
    quiet_phase = true;
    work_for(quiet);
    quiet_phase = false;
    campaign(count);
    uint64_t requests = 0, lost = 0;
    for (unsigned i = 0; i < NTARGETS; i++) {
        requests += targets[i].requests;
        lost += targets[i].lost;
        printf("campaign: workload target=%s requests=%lu lost=%lu\n", targets[i].name,
               (unsigned long)targets[i].requests, (unsigned long)targets[i].lost);
    }
    printf("campaign: summary faults=%u false_positives=%lu quiet_false_positives=%lu "
           "requests=%lu lost=%lu quiet_lost=%lu\n",
           count, (unsigned long)false_pos, (unsigned long)quiet_false_pos, (unsigned long)requests,
           (unsigned long)lost, (unsigned long)quiet_lost);
    printf("campaign: done\n");
    fflush(stdout);
    return 0;
}
