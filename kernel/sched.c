/*
 * sched.c: priority round-robin scheduling (see sched.h).
 */
#include <arch/cpu.h>
#include <async.h>
#include <clock.h>
#include <panic.h>
#include <param.h>
#include <sched.h>

#define NPRIO (CLK_PRIO_MAX + 1)
_Static_assert(NPRIO <= 32, "ready_mask has one bit per priority");

/* Ready queues, one FIFO per priority, and a bit per non-empty queue. */
static struct thread *ready_head[NPRIO], *ready_tail[NPRIO];
static uint32_t ready_mask;
struct thread *sched_cur;
static struct thread *timed; /* threads with a deadline, by wake_ns, through tnext */
bool sched_resched;

__noreturn void idle_loop(void);

bool sched_has_ready(void)
{
    return ready_mask != 0;
}

static unsigned top_ready_prio(void)
{
    return 31 - __builtin_clz(ready_mask);
}

void sched_ready(struct thread *t)
{
    t->state = THREAD_READY;
    t->next = NULL;
    if (ready_tail[t->prio])
        ready_tail[t->prio]->next = t;
    else
        ready_head[t->prio] = t;
    ready_tail[t->prio] = t;
    ready_mask |= 1u << t->prio;
    if (sched_cur && t->prio > sched_cur->prio)
        sched_resched = true;
}

static struct thread *take_ready(unsigned prio)
{
    struct thread *t = ready_head[prio];
    ready_head[prio] = t->next;
    if (!ready_head[prio]) {
        ready_tail[prio] = NULL;
        ready_mask &= ~(1u << prio);
    }
    t->next = NULL;
    return t;
}

/* Stop running the current thread: charge its CPU time. */
static void put_current(void)
{
    sched_cur->cpu_ticks += clock_ticks() - sched_cur->ran_at;
    sched_cur = NULL;
}

uint64_t sched_cpu_ticks(const struct thread *t)
{
    return t->cpu_ticks + (t == sched_cur ? clock_ticks() - t->ran_at : 0);
}

/* Unlink T from the singly linked list at *HEAD; false when absent. */
static bool unlink(struct thread **head, struct thread *t, struct thread **prev_out)
{
    struct thread *prev = NULL;
    for (struct thread **p = head; *p; prev = *p, p = &(*p)->next)
        if (*p == t) {
            *p = t->next;
            *prev_out = prev;
            return true;
        }
    return false;
}

/* Take T off the deadline list, if it is on it. */
static void untime(struct thread *t)
{
    if (!t->timed)
        return;
    for (struct thread **p = &timed; *p; p = &(*p)->tnext)
        if (*p == t) {
            *p = t->tnext;
            break;
        }
    t->timed = false;
    t->tnext = NULL;
}

void sched_remove(struct thread *t)
{
    struct thread *prev;
    untime(t);
    if (t == sched_cur) {
        put_current(); /* its time so far is charged, as at any switch */
        return;
    }
    if (t->state == THREAD_READY && unlink(&ready_head[t->prio], t, &prev)) {
        if (ready_tail[t->prio] == t)
            ready_tail[t->prio] = prev;
        if (!ready_head[t->prio])
            ready_mask &= ~(1u << t->prio);
    }
}

void sched_yield(void)
{
    struct thread *t = sched_cur;
    put_current();
    t->slice = TIMESLICE_TICKS;
    sched_ready(t);
}

void sched_block(enum thread_state state)
{
    struct thread *t = sched_cur;
    put_current();
    t->state = state;
}

void sched_block_timeout(enum thread_state state, uint64_t ns)
{
    struct thread *t = sched_cur;
    sched_block(state);
    if (ns == CLK_FOREVER)
        return;
    uint64_t now = clock_ns();
    t->wake_ns = ns > UINT64_MAX - now ? UINT64_MAX : now + ns; /* no wrap-around */
    struct thread **p = &timed;
    while (*p && (*p)->wake_ns <= t->wake_ns)
        p = &(*p)->tnext;
    t->tnext = *p;
    *p = t;
    t->timed = true;
}

void sched_wake(struct thread *t, int64_t ret)
{
    untime(t);
    ctx_set_ret(&t->ctx, ret);
    sched_ready(t);
}

void sched_tick(void)
{
    uint64_t now = clock_ns();
    async_tick(now);
    while (timed && timed->wake_ns <= now) {
        struct thread *t = timed;
        timed = t->tnext;
        t->tnext = NULL;
        t->timed = false;
        t->slice = TIMESLICE_TICKS;
        if (t->state == THREAD_SLEEPING)
            sched_ready(t);
        else
            sched_wake(t, thread_timed_out(t)); /* a wait ran out */
    }
    if (sched_cur && sched_cur->slice && --sched_cur->slice == 0) {
        sched_cur->slice = TIMESLICE_TICKS;
        if (ready_mask && top_ready_prio() >= sched_cur->prio)
            sched_resched = true;
    }
}

static __noreturn void run(struct thread *t)
{
    sched_cur = t;
    t->state = THREAD_RUNNING;
    t->ran_at = clock_ticks();
    arch_switch_to(&t->ctx, &t->arch, t->actor->vs.root);
    arch_return_to_user(&t->ctx);
}

bool sched_may_switch_to(unsigned prio)
{
    return !sched_resched && (!ready_mask || top_ready_prio() <= prio);
}

__noreturn void sched_switch_to(struct thread *next)
{
    KASSERT(sched_cur && sched_cur != next);
    put_current();
    run(next);
}

__noreturn void sched_resume_switch(void)
{
    sched_resched = false;
    if (sched_cur) {
        if (!ready_mask || top_ready_prio() < sched_cur->prio)
            arch_return_to_user(&sched_cur->ctx); /* still the one to run; keep its clock */
        struct thread *t = sched_cur;
        put_current();
        sched_ready(t);
    }
    if (!ready_mask)
        idle_loop();
    run(take_ready(top_ready_prio()));
}
