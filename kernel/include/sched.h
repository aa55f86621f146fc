/*
 * sched.h: the scheduler. Priorities CLK_PRIO_MIN..CLK_PRIO_MAX, higher
 * first; round robin within a priority, in slices of TIMESLICE_TICKS timer
 * ticks. A ready thread of higher priority preempts at once. With nothing to
 * run, the CPU idles in hlt.
 *
 * Every kernel entry from user mode ends in sched_resume(), which returns to
 * the thread that should run now.
 */
#ifndef CLK_SCHED_H
#define CLK_SCHED_H

#include <actor.h>

/* The running thread (NULL in the idle loop or at boot), and whether the
 * next exit to user mode must choose again (a thread that outranks it
 * became ready, or its time slice ended). Only sched.c writes them; they
 * are public for the inline functions below. */
extern struct thread *sched_cur;
extern bool sched_resched;

/* The running thread (NULL in the idle loop or at boot). */
static inline struct thread *sched_current(void)
{
    return sched_cur;
}

/* Make T (not running, not queued) ready to run. */
void sched_ready(struct thread *t);

/* Take T out of the scheduler wherever it is (ready, sleeping or running). */
void sched_remove(struct thread *t);

/* The running thread goes to the back of its priority's queue. */
void sched_yield(void);

/* The running thread stops running in STATE (a BLOCKED_* state); whoever
 * unblocks it calls sched_wake(). */
void sched_block(enum thread_state state);

/* As sched_block, but for at most NS nanoseconds (CLK_FOREVER: no limit).
 * When the time runs out, thread_timed_out() undoes the wait and gives the
 * thread's result; THREAD_SLEEPING is a wait for nothing, which ends with 0. */
void sched_block_timeout(enum thread_state state, uint64_t ns);

/* Unblock T (blocked, with or without a deadline) with syscall result RET. */
void sched_wake(struct thread *t, int64_t ret);

/* Timer interrupt: wake sleepers that are due, account the time slice. */
void sched_tick(void);

/* The CPU time T has used, in clock_ticks(): what it was charged at its
 * switches, and, while it runs, its time since it started running. */
uint64_t sched_cpu_ticks(const struct thread *t);

/* True when a thread is ready to run. */
bool sched_has_ready(void);

/* True when a thread of priority PRIO may run next with no scheduling
 * decision: nothing ready outranks it and no switch is due (the IPC fast
 * path's guard). */
bool sched_may_switch_to(unsigned prio);

/* The running thread, already blocked, hands the CPU straight to NEXT
 * (which is in no queue), bypassing the run queues. */
__noreturn void sched_switch_to(struct thread *next);

/* sched_resume() when the running thread may not simply go on. */
__noreturn void sched_resume_switch(void);

/* Leave the kernel for the thread that should run, or idle. The common case,
 * the same thread going on, is inline: it ends every null syscall. */
static inline __noreturn void sched_resume(void)
{
    if (likely(sched_cur && !sched_resched))
        arch_return_to_user(&sched_cur->ctx); /* the same thread: nothing to switch */
    sched_resume_switch();
}

#endif
