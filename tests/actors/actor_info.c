/*
 * actor_info.c: boots as the root actor ("init=test/actor_info") and checks
 * ACTOR_INFO through the monitor authority that clk_bootinfo.monitor_cap
 * names: its own entry; every actor listed once, in id order; CPU time
 * that grows while a child spins (and its own while it computes);
 * messages counted on both sides of calls, replies and mailboxes (on
 * whichever IPC path the kernel takes; it prints which); the states of
 * children that sleep, wait, call and fault; pages, capabilities, threads
 * and syscalls; and the errors: a capability that is no monitor authority
 * (or a copy without READ), a bad buffer, past the last actor. A copy of
 * itself, spawned without the authority, finds none in any slot.
 *
 * Prints "actor_info: ok NAME" or "actor_info: FAIL ..." per check
 * (check.h) and last "actor_info: done, N failures".
 */
#define CHECK_WHO "actor_info"
#include "check.h"
#include <cpio.h>
#include <kstring.h>

#define MS 1000000ULL

static const struct clk_bootinfo *bi;
static long mon, faults_mb;

static const char *const state_names[] = {
    "running", "ready", "sleeping", "send", "receive", "reply", "full", "wait", "read", "stopped",
};

/* The info of actor ID (0 when it is gone). */
static struct clk_actor_info info_of(uint64_t id)
{
    struct clk_actor_info in = { 0 };
    if (clk_actor_info(mon, id - 1, &in) != 0 || in.id != id)
        memset(&in, 0, sizeof(in));
    return in;
}

/* Spawn test/NAME at PRIO with the capabilities CAPS; its faults and exit
 * come to faults_mb. Returns its actor capability; *ID gets its id. */
static long spawn(const char *name, unsigned prio, const long *caps, unsigned ncaps, long *id)
{
    char path[64] = "test/";
    struct cpio_entry e;
    strlcpy(path + 5, name, sizeof(path) - 5);
    if (cpio_find((const void *)bi->initrd, bi->initrd_len, path, &e) < 0)
        return CLK_ENOENT;
    struct clk_spawn sp = {
        .elf = (uint64_t)e.data,
        .len = e.size,
        .name = (uint64_t)name,
        .prio = prio,
        .ncaps = ncaps,
        .fault = (uint64_t)faults_mb,
    };
    for (unsigned i = 0; i < ncaps; i++)
        sp.caps[i] = (uint64_t)caps[i];
    long cap = clk_spawn(&sp);
    *id = cap > 0 ? clk_actor_id(cap) : 0;
    return cap;
}

/* Wait (up to 5 s) for a fault or exit message about actor ID; returns
 * its label, with the exit status or vector in *WHAT. */
static unsigned long wait_for(long id, long *what)
{
    struct clk_msg m = { 0 };
    uint64_t badge;
    while (clk_wait(5000 * MS, &m, &badge) == faults_mb)
        if ((long)m.w[0] == id) {
            *what = (long)m.w[1];
            return CLK_TAG_LABEL(m.tag);
        }
    return 0;
}

/* Busy for NS nanoseconds of wall-clock time. */
static void compute(uint64_t ns)
{
    uint64_t t0 = clk_clock_ns();
    while (clk_clock_ns() - t0 < ns)
        for (volatile int i = 0; i < 1000; i++)
            ;
}

static void list_all(void)
{
    struct clk_actor_info in;
    uint64_t last = 0;
    long n = 0, self = 0, ordered = 1, r;
    clk_printf("actor_info:   id name                 state     prio threads cpu(ms) pages "
               "caps sent recv syscalls\n");
    while ((r = clk_actor_info(mon, last, &in)) == 0) {
        ordered &= in.id > last;
        self += (long)in.id == clk_self();
        last = in.id;
        n++;
        clk_printf("actor_info: %4lu %-20s %-9s %4u %7u %7lu %5lu %4u %4lu %4lu %8lu\n",
                   (unsigned long)in.id, in.name, in.state < 10 ? state_names[in.state] : "?",
                   in.prio, in.threads, (unsigned long)(in.cpu_ns / MS), (unsigned long)in.pages,
                   in.caps, (unsigned long)in.msgs_sent, (unsigned long)in.msgs_received,
                   (unsigned long)in.syscalls);
    }
    check("list: ends with ENOENT", r, CLK_ENOENT);
    check("list: ids increase", ordered, 1);
    check("list: every actor once", n, clk_stats(CLK_STAT_ACTORS));
    check("list: itself among them", self, 1);
}

static void check_self(void)
{
    struct clk_actor_info a, b;
    uint64_t before = clk_clock_ns();
    long found = clk_actor_info(mon, 0, &a);
    clk_actor_info(mon, 0, &b); /* the very next syscall */
    check("self: found", found, 0);
    check("self: id", (long)a.id, clk_self());
    check("self: name", strcmp(a.name, "actor_info"), 0);
    check("self: running", a.state, CLK_ACTOR_RUNNING);
    check("self: priority 16", a.prio, 16);
    check("self: one thread", a.threads, 1);
    check("self: caps in use (device, initrd, monitor, mailbox)", a.caps, 4);
    check("self: cap quota", a.cap_quota, 4096);
    check("self: page quota", (long)a.page_quota, 0xFFFFFFFFL);
    check("self: pages", a.pages > 16 && a.pages < 1024, 1);
    check("self: started", a.started_ns > 0 && a.started_ns <= before, 1);
    check("self: no faults", (long)a.faults, 0);
    check("self: syscalls counted", a.syscalls > 10, 1);
    check("self: the next syscall counted", (long)(b.syscalls - a.syscalls), 1);
    check("self: past the last", clk_actor_info(mon, a.id, &b), CLK_ENOENT);

    long mem = clk_memory_create(10);
    clk_actor_info(mon, 0, &b);
    check("memory: 10 pages more", (long)(b.pages - a.pages), 10);
    check("memory: one cap more", (long)b.caps - (long)a.caps, 1);
    clk_cap_delete(mem);
    check("memory: given back", clk_actor_info(mon, 0, &b) == 0 && b.pages == a.pages, 1);

    check("self: cpu time counted", a.cpu_ns > 0, 1);
    clk_actor_info(mon, 0, &a);
    compute(30 * MS);
    clk_actor_info(mon, 0, &b);
    clk_printf("actor_info: computing 30 ms took %lu us of its CPU time\n",
               (unsigned long)((b.cpu_ns - a.cpu_ns) / 1000));
    check("self: computing 30 ms counts 30 ms", b.cpu_ns - a.cpu_ns >= 30 * MS, 1);
    check("self: and not much more", b.cpu_ns - a.cpu_ns < 60 * MS, 1);
}

static void check_errors(void)
{
    struct clk_actor_info in;
    check("error: device authority", clk_actor_info((long)bi->device_cap, 0, &in), CLK_EBADF);
    check("error: initrd memory", clk_actor_info((long)bi->initrd_cap, 0, &in), CLK_EBADF);
    check("error: the fault mailbox", clk_actor_info(faults_mb, 0, &in), CLK_EBADF);
    check("error: slot 0", clk_actor_info(0, 0, &in), CLK_EBADF);
    check("error: an empty slot", clk_actor_info(4000, 0, &in), CLK_EBADF);
    check("error: a slot past any table", clk_actor_info(1L << 40, 0, &in), CLK_EBADF);
    check("error: a negative slot", clk_actor_info(-1, 0, &in), CLK_EBADF);
    long none = clk_cap_mint(mon, 0, 0), ro = clk_cap_mint(mon, CLK_RIGHT_READ, 0);
    check("error: a copy without READ", clk_actor_info(none, 0, &in), CLK_EPERM);
    check("a copy with READ only works", clk_actor_info(ro, 0, &in) == 0 && in.id == 1, 1);
    check("error: more rights than the copy", clk_cap_mint(ro, CLK_RIGHTS_ALL, 0), CLK_EPERM);
    clk_cap_delete(none);
    clk_cap_delete(ro);
    check("error: a deleted copy", clk_actor_info(ro, 0, &in), CLK_EBADF);
    check("error: null buffer", clk_actor_info(mon, 0, NULL), CLK_EFAULT);
    check("error: kernel buffer",
          clk_actor_info(mon, 0, (struct clk_actor_info *)0xFFFF800000000000UL), CLK_EFAULT);
    check("error: read-only buffer",
          clk_actor_info(mon, 0, (struct clk_actor_info *)CLK_BOOTINFO_VA), CLK_EFAULT);
    /* the last 64 bytes of the stack's top page: the page above is never mapped */
    uint8_t here;
    uintptr_t top = ((uintptr_t)&here | 0xFFF) + 1;
    check("error: a buffer running off memory",
          clk_actor_info(mon, 0, (struct clk_actor_info *)(top - 64)), CLK_EFAULT);
    check("error: capability checked before buffer", clk_actor_info(0, 0, NULL), CLK_EBADF);
    check("error: buffer checked before the search", clk_actor_info(mon, ~0UL, NULL), CLK_EFAULT);
    check("error: past every id", clk_actor_info(mon, ~0UL, &in), CLK_ENOENT);
    static uint8_t odd[sizeof(in) + 1];
    check("an unaligned buffer works",
          clk_actor_info(mon, 0, (struct clk_actor_info *)(odd + 1)) == 0 && odd[1] == 1, 1);
}

static void check_cpu(void)
{
    long id, cap = spawn("forever", 1, NULL, 0, &id);
    check("cpu: spawn a spinning child", cap > 0, 1);
    struct clk_actor_info a = info_of((uint64_t)id);
    clk_sleep_ns(100 * MS); /* it has the CPU meanwhile */
    struct clk_actor_info b = info_of((uint64_t)id);
    clk_sleep_ns(50 * MS);
    struct clk_actor_info c = info_of((uint64_t)id);
    clk_printf("actor_info: forever used %lu ms, then %lu ms, then %lu ms of CPU time\n",
               (unsigned long)(a.cpu_ns / MS), (unsigned long)(b.cpu_ns / MS),
               (unsigned long)(c.cpu_ns / MS));
    check("cpu: ready (preempted by us)", b.state, CLK_ACTOR_READY);
    check("cpu: priority 1", b.prio, 1);
    check("cpu: 100 ms asleep gave it 50 ms or more", b.cpu_ns - a.cpu_ns >= 50 * MS, 1);
    check("cpu: and it grows", c.cpu_ns - b.cpu_ns >= 25 * MS, 1);
    check("cpu: no more than the time that passed", c.cpu_ns <= clk_clock_ns() - c.started_ns, 1);
    check("cpu: it made few syscalls", c.syscalls < 10, 1);
    check("cpu: kill it", clk_actor_kill(cap), 0);
    check("cpu: gone from the list", info_of((uint64_t)id).id, 0);
    clk_cap_delete(cap);
}

/* 100 calls to echo_server, whose replies (REPLY_RECV) come back: 100
 * messages each way. */
static void check_calls(void)
{
    long ep = clk_endpoint_create(), recv = clk_cap_mint(ep, CLK_RIGHT_RECV, 0), id;
    long cap = spawn("echo_server", 9, &recv, 1, &id);
    clk_cap_delete(recv);
    check("calls: spawn echo_server", cap > 0, 1);
    struct clk_msg m = { CLK_TAG(4, 16), { 1, 2 } };
    clk_call(ep, &m); /* it now waits in REPLY_RECV */
    struct clk_actor_info me0 = info_of(1), srv0 = info_of((uint64_t)id);
    long fast0 = clk_stats(CLK_STAT_IPC_FAST), slow0 = clk_stats(CLK_STAT_IPC_SLOW), bad = 0;
    for (int i = 0; i < 100; i++) {
        m.tag = CLK_TAG(4, 16);
        bad += clk_call(ep, &m) != 0;
    }
    long fast = clk_stats(CLK_STAT_IPC_FAST) - fast0, slow = clk_stats(CLK_STAT_IPC_SLOW) - slow0;
    struct clk_actor_info me1 = info_of(1), srv1 = info_of((uint64_t)id);
    clk_printf("actor_info: 100 calls: %ld fast-path and %ld slow-path IPC operations\n", fast,
               slow);
    check("calls: all answered", bad, 0);
    check("calls: sent 100", (long)(me1.msgs_sent - me0.msgs_sent), 100);
    check("calls: received 100 replies", (long)(me1.msgs_received - me0.msgs_received), 100);
    check("calls: the server received 100", (long)(srv1.msgs_received - srv0.msgs_received), 100);
    check("calls: the server sent 100 replies", (long)(srv1.msgs_sent - srv0.msgs_sent), 100);
    check("calls: the server made 100 syscalls", (long)(srv1.syscalls - srv0.syscalls), 100);
    check("calls: the server waits to receive", srv1.state, CLK_ACTOR_BLOCKED_RECV);
    clk_actor_kill(cap);
    clk_cap_delete(cap);
    clk_cap_delete(ep);
}

/* A caller whose call nobody takes yet, then one whose call we hold. */
static void check_blocked(void)
{
    long ep = clk_endpoint_create(), send = clk_cap_mint(ep, CLK_RIGHT_SEND, 0), id;
    long cap = spawn("caller", 9, &send, 1, &id);
    clk_cap_delete(send);
    clk_sleep_ns(20 * MS);
    struct clk_actor_info a = info_of((uint64_t)id);
    check("blocked: calling, nobody receives", a.state, CLK_ACTOR_BLOCKED_SEND);
    check("blocked: nothing sent yet", (long)a.msgs_sent, 0);
    struct clk_msg m = { 0 };
    uint64_t badge;
    struct clk_actor_info me0 = info_of(1);
    check("blocked: take its call", clk_recv(ep, &m, &badge), 0);
    struct clk_actor_info b = info_of((uint64_t)id), me1 = info_of(1);
    check("blocked: waiting for our reply", b.state, CLK_ACTOR_BLOCKED_REPLY);
    check("blocked: its call counts as sent now", (long)b.msgs_sent, 1);
    check("blocked: and as received by us", (long)(me1.msgs_received - me0.msgs_received), 1);
    clk_actor_kill(cap);
    clk_cap_delete(cap);
    clk_cap_delete(ep);

    long bound = clk_endpoint_create(), r = clk_cap_mint(bound, CLK_RIGHT_RECV, 0);
    cap = spawn("wait_server", 9, &r, 1, &id);
    clk_cap_delete(r);
    clk_sleep_ns(20 * MS);
    check("blocked: waiting in WAIT", info_of((uint64_t)id).state, CLK_ACTOR_WAITING);
    clk_actor_kill(cap);
    clk_cap_delete(cap);
    clk_cap_delete(bound);

    cap = spawn("sleeper", 9, NULL, 0, &id);
    clk_sleep_ns(10 * MS);
    check("blocked: sleeping", info_of((uint64_t)id).state, CLK_ACTOR_SLEEPING);
    clk_actor_kill(cap);
    clk_cap_delete(cap);
}

static void check_mailbox(void)
{
    long mb = clk_mailbox_create(8);
    struct clk_actor_info a = info_of(1), b, c;
    struct clk_msg m = { CLK_TAG(7, 8), { 42 } };
    for (int i = 0; i < 5; i++)
        clk_send(mb, &m, 0);
    b = info_of(1);
    check("mailbox: 5 waiting in ours", b.mailbox_depth - a.mailbox_depth, 5);
    check("mailbox: 5 sent", (long)(b.msgs_sent - a.msgs_sent), 5);
    clk_bind(mb);
    uint64_t badge;
    long got = 0;
    while (clk_wait(0, &m, &badge) == mb)
        got++;
    clk_unbind(mb);
    c = info_of(1);
    check("mailbox: 5 taken", got, 5);
    check("mailbox: 5 received", (long)(c.msgs_received - b.msgs_received), 5);
    check("mailbox: none waiting", c.mailbox_depth, a.mailbox_depth);
    clk_cap_delete(mb);
}

static void check_fault(void)
{
    long id, what = 0, cap = spawn("fault_null", 9, NULL, 0, &id);
    check("fault: the message came", wait_for(id, &what), CLK_LABEL_FAULT);
    struct clk_actor_info f = info_of((uint64_t)id);
    check("fault: stopped", f.state, CLK_ACTOR_STOPPED);
    check("fault: one fault", (long)f.faults, 1);
    check("fault: its handler kills it", clk_actor_kill(cap), 0);
    clk_cap_delete(cap);
    check("fault: our mailbox is empty again", info_of(1).mailbox_depth, 0);
}

/* A thread of ours makes syscalls and ends: they stay counted. */
static void thread_fn(void *arg, void *ipcbuf)
{
    (void)arg, (void)ipcbuf;
    for (int i = 0; i < 20; i++)
        clk_self();
    compute(20 * MS);
}

static void check_threads(void)
{
    struct clk_actor_info a = info_of(1), b, c;
    check("threads: start one", clk_thread_start(thread_fn, NULL, NULL, 0) > 0, 1);
    b = info_of(1);
    check("threads: two", b.threads, 2);
    for (int i = 0; i < 100 && info_of(1).threads != 1; i++)
        clk_sleep_ns(10 * MS);
    c = info_of(1);
    check("threads: one again", c.threads, 1);
    check("threads: its syscalls stay counted", c.syscalls - a.syscalls > 21, 1);
    check("threads: its CPU time stays counted", c.cpu_ns - a.cpu_ns >= 20 * MS, 1);
}

/* A copy of this program without the authority: every slot it has is
 * refused (CLK_EBADF), as are the slots it does not have. */
static int child(void)
{
    struct clk_actor_info in;
    long refused = 0;
    for (long slot = 0; slot < 64; slot++)
        refused += clk_actor_info(slot, 0, &in) == CLK_EBADF;
    clk_printf("actor_info child: %ld of 64 slots refused\n", refused);
    return refused == 64 ? 0 : 1;
}

static void check_child(void)
{
    long ep = clk_endpoint_create(), mb = clk_mailbox_create(1), id, status = -1;
    long caps[] = { ep, mb };
    long cap = spawn("actor_info", 9, caps, 2, &id);
    check("child: exits", wait_for(id, &status), CLK_LABEL_EXIT);
    check("child: found no authority in any slot", status, 0);
    clk_cap_delete(cap);
    clk_cap_delete(ep);
    clk_cap_delete(mb);
}

int main(long ncaps)
{
    if (ncaps != 1) /* the root has one; the copy it spawns two */
        return child();
    bi = (const struct clk_bootinfo *)CLK_BOOTINFO_VA;
    mon = (long)bi->monitor_cap;
    clk_printf("actor_info: actor %ld, %ld capability, device authority in slot %lu, initrd in "
               "slot %lu, monitor authority in slot %ld\n",
               clk_self(), ncaps, (unsigned long)bi->device_cap, (unsigned long)bi->initrd_cap,
               mon);
    check("boot: still one capability in rdi", ncaps, 1);
    check("boot: device authority in slot 1", (long)bi->device_cap, CLK_CAP_INIT);
    check("boot: monitor authority after the initrd's", mon, (long)bi->initrd_cap + 1);
    faults_mb = clk_mailbox_create(8);
    clk_bind(faults_mb);
    long total = clk_stats(CLK_STAT_TOTAL_FRAMES), free = clk_stats(CLK_STAT_FREE_FRAMES);
    clk_printf("actor_info: %ld frames, %ld free, %ld used\n", total, free, total - free);
    check("frames: total above free", total > free && free > 0, 1);
    check_self();
    check_errors();
    check_cpu();
    check_calls();
    check_blocked();
    check_mailbox();
    check_fault();
    check_threads();
    check_child();
    list_all();
    clk_printf("actor_info: done, %d failures\n", failures);
    return 0;
}
