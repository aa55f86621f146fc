/*
 * ipc.h: synchronous IPC through endpoints, in the L4/seL4 style. A caller
 * sends a message and waits for the reply; a receiver takes the next
 * message and later replies to its caller. Short messages travel in
 * registers; longer ones (up to CLK_MSG_MAX bytes) through the threads' IPC
 * buffers.
 *
 * An endpoint lives while capabilities name it, and is "dead" once no
 * capability with the RECV right remains: waiting callers and new calls get
 * CLK_EDEAD. A caller whose receiver dies before replying gets CLK_EDEAD too.
 */
#ifndef CLK_IPC_H
#define CLK_IPC_H

#include <arch/context.h>
#include <async.h>
#include <cap.h>
#include <kdefs.h>

struct actor;
struct thread;

struct endpoint {
    struct source src;  /* first: WAIT can wait on it (async.h) */
    uint32_t refs;      /* capabilities naming it */
    uint32_t recv_caps; /* of which with the RECV right */
    struct tqueue send; /* callers waiting for a receiver */
    struct tqueue recv; /* receivers waiting for a caller */
};

/* A new endpoint, with all rights, in A's table. Returns the slot or CLK_ENOMEM. */
int endpoint_create(struct actor *a);

/* A capability with RIGHTS to EP was made, or dropped (cap.c). */
void endpoint_retain(struct endpoint *ep, unsigned rights);
void endpoint_release(struct endpoint *ep, unsigned rights);

/* The operations, on the current thread T; CAP is already checked. They
 * return a status for T, or SYSCALL_NO_RESULT when T blocked (whoever
 * wakes it sets its result). */
int64_t ipc_call(struct thread *t, const struct cap *cap);
int64_t ipc_recv(struct thread *t, const struct cap *cap);
int64_t ipc_reply(struct thread *t);

/* For WAIT: if a caller waits on EP, give its message to T (which will
 * owe the reply) and return true. */
bool ipc_take_call(struct thread *t, struct endpoint *ep);

/* T takes a new message, so the call it received before will never get a
 * reply: its caller learns that now. */
void ipc_abandon_reply(struct thread *t);

/* ENDPOINT_INFO: WHAT (enum clk_ep_info) of EP's queue of callers. */
int64_t ipc_endpoint_info(const struct endpoint *ep, unsigned what);

/* The register-only fast paths of CALL and REPLY_RECV, which their syscall
 * handlers try first (when built with CONFIG_IPC_FASTPATH). C is the frame
 * of T, the caller. They return only when the fast path does not apply. */
void ipc_fastpath_call(struct thread *t, const struct trap_frame *c);
void ipc_fastpath_reply_recv(struct thread *t, const struct trap_frame *c);
void ipc_fastpath_reply_wait(struct thread *t, const struct trap_frame *c);

/*
 * Deferred replies. REPLY_DEFER turns the reply a thread owes into a reply
 * capability, so that the thread can take other messages and answer this
 * one later with REPLY_TO (from any thread of the actor, or another actor
 * the capability was passed to). The caller waits meanwhile. If the last
 * reply capability goes unused, the caller gets CLK_EDEAD.
 */
struct reply {
    uint32_t refs;         /* capabilities naming it */
    struct thread *caller; /* waiting for the answer, or NULL once answered or gone */
};

/* Make T's owed reply a capability in its actor's table: the slot, or
 * CLK_ENOENT (no reply owed) or CLK_ENOMEM. */
int ipc_reply_defer(struct thread *t);

/* Answer through the reply capability CAP (T's message); CAP is used up. */
int64_t ipc_reply_to(struct thread *t, struct cap *cap, uint64_t slot);

void reply_release(struct reply *r);

/* T's actor is being destroyed: take T out of every IPC relation. */
void ipc_thread_dies(struct thread *t);

/* Counters for CLK_SYS_STATS. */
extern uint64_t ipc_fast_count, ipc_slow_count;

#endif
