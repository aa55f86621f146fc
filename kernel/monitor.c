/*
 * monitor.c: per-actor information for ACTOR_INFO (see monitor.h). The
 * counters live where the work happens (the scheduler charges CPU time at
 * each switch; syscall entry, IPC and mailboxes count in the thread they
 * hold); this file only adds them up.
 */
#include <actor.h>
#include <async.h>
#include <clock.h>
#include <kstring.h>
#include <monitor.h>
#include <sched.h>

const struct cap monitor_authority = { CAP_MONITOR, CLK_RIGHTS_ALL, 0, NULL };

static enum clk_actor_state thread_state(enum thread_state s)
{
    switch (s) {
    case THREAD_RUNNING: return CLK_ACTOR_RUNNING;
    case THREAD_READY: return CLK_ACTOR_READY;
    case THREAD_SLEEPING: return CLK_ACTOR_SLEEPING;
    case THREAD_BLOCKED_SEND: return CLK_ACTOR_BLOCKED_SEND;
    case THREAD_BLOCKED_RECV: return CLK_ACTOR_BLOCKED_RECV;
    case THREAD_BLOCKED_REPLY: return CLK_ACTOR_BLOCKED_REPLY;
    case THREAD_BLOCKED_FULL: return CLK_ACTOR_BLOCKED_FULL;
    case THREAD_WAITING: return CLK_ACTOR_WAITING;
    case THREAD_BLOCKED_READ: return CLK_ACTOR_READING;
    case THREAD_STOPPED: return CLK_ACTOR_STOPPED;
    }
    return CLK_ACTOR_STOPPED;
}

/* A's state in one word: running or ready when any thread is, else
 * stopped when it faulted, else what its first thread (the lowest index)
 * waits for. */
static enum clk_actor_state actor_state(const struct actor *a, const struct thread *first)
{
    enum clk_actor_state st = first ? thread_state(first->state) : CLK_ACTOR_STOPPED;
    for (const struct thread *t = a->threads; t; t = t->sibling) {
        enum clk_actor_state s = thread_state(t->state);
        if (s == CLK_ACTOR_RUNNING || (s == CLK_ACTOR_READY && st != CLK_ACTOR_RUNNING) ||
            (s == CLK_ACTOR_STOPPED && st != CLK_ACTOR_RUNNING && st != CLK_ACTOR_READY))
            st = s;
    }
    return st;
}

void actor_info(const struct actor *a, struct clk_actor_info *out)
{
    const struct thread *first = a->threads;
    uint64_t ticks = a->gone_cpu_ticks;
    memset(out, 0, sizeof(*out));
    out->syscalls = a->gone_syscalls;
    out->msgs_sent = a->gone_sent;
    out->msgs_received = a->gone_received;
    for (const struct thread *t = a->threads; t; t = t->sibling) {
        first = t->index < first->index ? t : first;
        ticks += sched_cpu_ticks(t);
        out->syscalls += t->syscalls;
        out->msgs_sent += t->sent;
        out->msgs_received += t->received;
    }
    out->id = a->id;
    strlcpy(out->name, a->name, sizeof(out->name));
    out->state = actor_state(a, first);
    out->prio = first ? first->prio : 0;
    out->threads = a->nthreads;
    out->caps = a->caps->used;
    out->cap_quota = a->quota.caps;
    out->mailbox_depth = (unsigned)mailbox_depth(a->id);
    out->pages = a->vs.pages;
    out->page_quota = a->quota.pages;
    out->cpu_ns = clock_ticks_to_ns(ticks);
    out->faults = a->faults;
    out->started_ns = a->started_ns;
}
