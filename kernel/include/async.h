/*
 * async.h: asynchronous IPC: bounded mailboxes, notifications, and WAIT on
 * every object bound to a thread (see clk/abi.h for the user's view).
 *
 * A mailbox is a ring of short messages (tag, badge, CLK_MSG_REGS words).
 * SEND copies a message in and never blocks unless the sender asks to;
 * senders waiting for room queue on the mailbox in FIFO order, and each
 * message taken out lets the first of them in. A mailbox is "dead" once no
 * capability with the RECV right remains: sends fail with CLK_EDEAD.
 *
 * A notification is a word of pending bits. SIGNAL ORs bits in; WAIT takes
 * them all at once. It can carry a one-shot timer that signals it later.
 *
 * Endpoints, mailboxes and notifications all begin with a struct source: a
 * thread BINDs sources, and WAIT returns from the first that has something,
 * going round them in turn so that none starves the others.
 */
#ifndef CLK_ASYNC_H
#define CLK_ASYNC_H

#include <cap.h>
#include <clk/abi.h>
#include <kdefs.h>
#include <tqueue.h>

struct thread;

enum source_kind { SRC_ENDPOINT, SRC_MAILBOX, SRC_NOTIFICATION };

struct source {
    uint8_t kind;         /* enum source_kind */
    uint32_t slot;        /* bound: the binder's capability slot, which WAIT returns */
    struct thread *bound; /* the thread it is bound to, or NULL */
    struct source *next;  /* in that thread's list */
};

struct mbox_msg {
    uint64_t tag, badge;
    uint64_t w[CLK_MSG_REGS];
};

struct mailbox {
    struct source src; /* first: a capability's object is its source */
    uint32_t refs, recv_caps;
    uint32_t size, head, count;           /* the ring: COUNT messages from HEAD */
    uint32_t owner;                       /* the id of the actor whose quota it uses */
    struct tqueue senders;                /* BLOCKED_FULL, waiting for room */
    struct mailbox *all_next, **all_prev; /* in the list of every mailbox */
    struct mbox_msg msg[];
};

struct notification {
    struct source src;
    uint32_t refs;
    uint64_t bits;
    uint64_t timer_at, timer_bits;   /* an armed timer: signal TIMER_BITS at TIMER_AT ns */
    struct notification *timer_next; /* in the list of armed timers, soonest first */
    bool armed;
};

/* New objects, with all rights, in A's table. Return the slot, CLK_EINVAL
 * (size out of range) or CLK_ENOMEM (no memory, no slot, or a mailbox over
 * A's quota of mailbox slots). */
int mailbox_create(struct actor *a, uint64_t size);
int notification_create(struct actor *a);

/* Capabilities were made or dropped (cap.c). */
void mailbox_retain(struct mailbox *mb, unsigned rights);
void mailbox_release(struct mailbox *mb, unsigned rights);
void notification_release(struct notification *n);

/* Messages waiting in the mailboxes that the actor with ID created. */
uint64_t mailbox_depth(uint32_t id);

/* SEND on the current thread T, through the checked CAP: 0, or
 * SYSCALL_NO_RESULT when T waits for room; errors as in clk/abi.h. */
int64_t mailbox_send(struct thread *t, const struct cap *cap, uint64_t timeout);

/* If T waits in SEND for room, take it off the mailbox's queue (its
 * deadline passed). */
void mailbox_send_cancel(struct thread *t);

/* A message from the kernel (a fault message): 0, CLK_EFULL or CLK_EDEAD. */
int mailbox_post(struct mailbox *mb, uint64_t tag, uint64_t badge, const uint64_t w[CLK_MSG_REGS]);

/* OR BITS into N and wake its waiter. */
void notification_signal(struct notification *n, uint64_t bits);

/* Arm N's one-shot timer to signal BITS in NS nanoseconds, replacing any
 * armed before; CLK_FOREVER disarms it. */
void notification_timer(struct notification *n, uint64_t ns, uint64_t bits);

/* Timer interrupt: signal the timers that are due. */
void async_tick(uint64_t now);

/* BIND and UNBIND source S, named by slot SLOT, to thread T. */
int source_bind(struct thread *t, struct source *s, uint32_t slot);
int source_unbind(struct thread *t, struct source *s);

/* S got something: if its thread waits, hand it over and wake it. */
void source_ready(struct source *s);

/* The capability in SLOT of A, of source type, is going away: unbind it. */
void source_cap_gone(struct actor *a, uint64_t slot, struct source *s);

/* True when a WAIT of T would return at once. */
bool wait_would_take(const struct thread *t);

/* WAIT on the current thread T for at most TIMEOUT ns. */
int64_t wait_any(struct thread *t, uint64_t timeout);

/* T's actor is being destroyed: undo its waits and bindings. */
void async_thread_dies(struct thread *t);

#endif
