/*
 * ipc.c: endpoints and the slow path of synchronous IPC (see ipc.h).
 */
#include <actor.h>
#include <clk/abi.h>
#include <clock.h>
#include <ipc.h>
#include <kmalloc.h>
#include <kstring.h>
#include <memlayout.h>
#include <panic.h>
#include <sched.h>

uint64_t ipc_fast_count, ipc_slow_count;

int endpoint_create(struct actor *a)
{
    struct endpoint *ep = kzalloc(sizeof(*ep));
    if (!ep)
        return CLK_ENOMEM;
    ep->src.kind = SRC_ENDPOINT;
    int slot = cap_insert(a, CAP_ENDPOINT, ep, CLK_RIGHTS_ALL, 0);
    if (slot < 0)
        kfree(ep);
    return slot;
}

void endpoint_retain(struct endpoint *ep, unsigned rights)
{
    ep->refs++;
    ep->recv_caps += (rights & CLK_RIGHT_RECV) != 0;
}

void endpoint_release(struct endpoint *ep, unsigned rights)
{
    if ((rights & CLK_RIGHT_RECV) && --ep->recv_caps == 0) {
        /* Nobody can receive any more: the waiting callers learn it now, and
         * so do threads still in RECV (their actor deleted the capability
         * under them, from another thread). */
        struct thread *t;
        while ((t = tq_pop(&ep->send)) || (t = tq_pop(&ep->recv))) {
            t->blocked_on = NULL;
            sched_wake(t, CLK_EDEAD);
        }
    }
    if (--ep->refs == 0) {
        KASSERT(!ep->send.head && !ep->recv.head && !ep->src.bound);
        kfree(ep);
    }
}

/* Copy the capability named in SRC's tag into DST's table; DST's tag then
 * names the new slot, or says the capability was lost (gone from SRC by
 * now, or no free slot in DST). */
static void transfer_cap(struct thread *dst, struct thread *src)
{
    uint64_t tag = ctx_tag(&src->ctx);
    struct cap *c;
    int slot = CLK_ENOENT;
    if (cap_lookup(src->actor, CLK_TAG_CAP(tag), CAP_ANY, 0, &c) == 0) {
        struct cap copy = *c; /* inserting may move a table */
        slot = cap_insert(dst->actor, copy.type, copy.obj, copy.rights, copy.badge);
    }
    tag = CLK_TAG_WITH_CAP(tag, 0) & ~CLK_TAG_CAP_LOST;
    ctx_set_tag(&dst->ctx, slot > 0 ? CLK_TAG_WITH_CAP(tag, slot) : tag | CLK_TAG_CAP_LOST);
}

/* Copy the message of SRC (its registers, its IPC buffer when the message
 * is longer, and a capability it passes) to DST, which sees BADGE, and
 * count it as sent and received. The length was checked. */
static void copy_msg(struct thread *dst, struct thread *src, uint64_t badge)
{
    uint64_t tag = ctx_tag(&src->ctx);
    unsigned len = CLK_TAG_LEN(tag);
    src->sent++;
    dst->received++;
    ctx_copy_msg(&dst->ctx, &src->ctx, badge);
    if (len > CLK_MSG_REGS * 8)
        memcpy(phys_to_virt(dst->ipcbuf_pa), phys_to_virt(src->ipcbuf_pa), len);
    if (CLK_TAG_CAP(tag))
        transfer_cap(dst, src);
    else if (tag & CLK_TAG_CAP_LOST)
        ctx_set_tag(&dst->ctx, tag & ~CLK_TAG_CAP_LOST); /* only the kernel sets it */
}

/* A capability T wants to pass must exist now; passing one through an
 * endpoint capability needs its GRANT right (VIA NULL: a reply). */
static int cap_to_pass_ok(struct thread *t, const struct cap *via)
{
    uint64_t slot = CLK_TAG_CAP(ctx_tag(&t->ctx));
    struct cap *c;
    if (!slot)
        return 0;
    if (via && !(via->rights & CLK_RIGHT_GRANT))
        return CLK_EPERM;
    return cap_lookup(t->actor, slot, CAP_ANY, 0, &c);
}

/* CALLER's message goes to RECEIVER, who will reply to it. */
static void deliver(struct thread *caller, struct thread *receiver, uint64_t badge)
{
    copy_msg(receiver, caller, badge);
    caller->state = THREAD_BLOCKED_REPLY;
    caller->blocked_on = NULL;
    caller->replier = receiver;
    receiver->reply_to = caller;
    ctx_set_ret(&receiver->ctx, 0);
}

static bool len_ok(const struct thread *t)
{
    return CLK_TAG_LEN(ctx_tag(&t->ctx)) <= CLK_MSG_MAX;
}

int64_t ipc_call(struct thread *t, const struct cap *cap)
{
    struct endpoint *ep = cap->obj;
    if (!len_ok(t))
        return CLK_EINVAL;
    int err = cap_to_pass_ok(t, cap);
    if (err)
        return err;
    if (ep->recv_caps == 0)
        return CLK_EDEAD;
    ipc_slow_count++;
    struct thread *r = tq_pop(&ep->recv);
    if (r) {
        deliver(t, r, cap->badge);
        sched_block(THREAD_BLOCKED_REPLY);
        r->blocked_on = NULL;
        sched_ready(r);
    } else {
        t->send_badge = cap->badge;
        t->send_since = clock_ns();
        t->blocked_on = ep;
        tq_push(&ep->send, t);
        sched_block(THREAD_BLOCKED_SEND);
        source_ready(&ep->src); /* a thread in WAIT may take it */
    }
    return SYSCALL_NO_RESULT;
}

int64_t ipc_endpoint_info(const struct endpoint *ep, unsigned what)
{
    uint64_t n = 0;
    switch (what) {
    case CLK_EP_QUEUED:
        for (const struct thread *t = ep->send.head; t; t = t->next)
            n++;
        return (int64_t)n;
    case CLK_EP_OLDEST_WAIT_NS:
        return ep->send.head ? (int64_t)(clock_ns() - ep->send.head->send_since) : 0;
    default: return CLK_EINVAL;
    }
}

void ipc_abandon_reply(struct thread *t)
{
    struct thread *c = t->reply_to;
    if (!c)
        return;
    t->reply_to = NULL;
    c->replier = NULL;
    sched_wake(c, CLK_EDEAD);
}

bool ipc_take_call(struct thread *t, struct endpoint *ep)
{
    struct thread *s = tq_pop(&ep->send);
    if (!s)
        return false;
    ipc_slow_count++;
    deliver(s, t, s->send_badge);
    return true;
}

int64_t ipc_recv(struct thread *t, const struct cap *cap)
{
    struct endpoint *ep = cap->obj;
    ipc_slow_count++;
    ipc_abandon_reply(t);
    struct thread *s = tq_pop(&ep->send);
    if (s) {
        deliver(s, t, s->send_badge);
        return 0;
    }
    t->blocked_on = ep;
    tq_push(&ep->recv, t);
    sched_block(THREAD_BLOCKED_RECV);
    return SYSCALL_NO_RESULT;
}

int64_t ipc_reply(struct thread *t)
{
    struct thread *c = t->reply_to;
    if (!c)
        return CLK_ENOENT;
    if (!len_ok(t))
        return CLK_EINVAL;
    int err = cap_to_pass_ok(t, NULL);
    if (err)
        return err;
    ipc_slow_count++;
    t->reply_to = NULL;
    c->replier = NULL;
    copy_msg(c, t, 0);
    sched_wake(c, 0);
    return 0;
}

int ipc_reply_defer(struct thread *t)
{
    struct thread *c = t->reply_to;
    if (!c)
        return CLK_ENOENT;
    struct reply *r = kzalloc(sizeof(*r));
    if (!r)
        return CLK_ENOMEM;
    int slot = cap_insert(t->actor, CAP_REPLY, r, CLK_RIGHT_SEND, 0);
    if (slot < 0) {
        kfree(r);
        return slot;
    }
    t->reply_to = NULL;
    c->replier = NULL;
    c->deferred = r;
    r->caller = c;
    return slot;
}

int64_t ipc_reply_to(struct thread *t, struct cap *cap, uint64_t slot)
{
    struct reply *r = cap->obj;
    struct thread *c = r->caller;
    if (!len_ok(t))
        return CLK_EINVAL;
    int err = cap_to_pass_ok(t, NULL);
    if (err)
        return err;
    if (c) {
        ipc_slow_count++;
        copy_msg(c, t, 0);
        c->deferred = NULL;
        r->caller = NULL;
        sched_wake(c, 0);
    }
    cap_delete(t->actor, slot); /* used up (after the copy: it may pass a capability) */
    return c ? 0 : CLK_EDEAD;
}

void reply_release(struct reply *r)
{
    if (--r->refs)
        return;
    if (r->caller) { /* nobody will answer it now */
        r->caller->deferred = NULL;
        sched_wake(r->caller, CLK_EDEAD);
    }
    kfree(r);
}

void ipc_thread_dies(struct thread *t)
{
    if (t->deferred) { /* its answer, when it comes, finds no one */
        t->deferred->caller = NULL;
        t->deferred = NULL;
    }
    struct endpoint *ep = t->blocked_on;
    if (ep && t->state == THREAD_BLOCKED_SEND)
        tq_remove(&ep->send, t);
    if (ep && t->state == THREAD_BLOCKED_RECV)
        tq_remove(&ep->recv, t);
    if (ep && (t->state == THREAD_BLOCKED_SEND || t->state == THREAD_BLOCKED_RECV))
        t->blocked_on = NULL;
    if (t->replier) /* its call is being served: the reply will find no one */
        t->replier->reply_to = NULL;
    t->replier = NULL;
    ipc_abandon_reply(t);
}

#if CONFIG_IPC_FASTPATH
/*
 * The fast path: a short CALL to a waiting receiver, or a REPLY_RECV whose
 * caller should run next while no other caller waits. The message stays in
 * registers and the CPU goes straight to the other thread, touching neither
 * the run queues nor the IPC buffers. Each guard falls back to the slow
 * path, which gives the same result. Returns only when not taken. Inlined
 * into one function per operation, so that CALL is a constant.
 */
static inline __attribute__((always_inline)) void fastpath(struct thread *t,
                                                           const struct trap_frame *c, bool call)
{
    struct cap *cap;
    if ((ctx_tag(c) >> 32) > CLK_MSG_REGS * 8)
        return; /* longer than the registers, or a capability to transfer */
    unsigned right = call ? CLK_RIGHT_SEND : CLK_RIGHT_RECV;
    if (cap_lookup(t->actor, ctx_arg(c, 0), CAP_ENDPOINT, right, &cap) < 0)
        return;
    struct endpoint *ep = cap->obj;
    struct thread *next = call ? ep->recv.head : t->reply_to;
    struct thread *waiter = ep->src.bound; /* in WAIT, with this endpoint last in turn */
    bool via_wait = call && !next && waiter && waiter->state == THREAD_WAITING && !waiter->timed &&
                    !ep->src.next;
    next = via_wait ? waiter : next;
    if (!next || !sched_may_switch_to(next->prio))
        return;
    if (!call && ep->send.head)
        return; /* another call waits: the slow path takes it at once */

    /* point of no return */
    ipc_fast_count++;
    ctx_set_ret(&next->ctx, via_wait ? (int64_t)ep->src.slot : 0);
    if (call) {
        if (!via_wait)
            tq_pop(&ep->recv);
        ctx_copy_msg(&next->ctx, c, cap->badge);
        next->blocked_on = NULL;
        next->reply_to = t;
        t->replier = next;
        t->state = THREAD_BLOCKED_REPLY;
    } else {
        ctx_copy_msg(&next->ctx, c, 0);
        next->replier = NULL;
        t->reply_to = NULL;
        t->blocked_on = ep;
        tq_push(&ep->recv, t);
        t->state = THREAD_BLOCKED_RECV;
    }
    t->sent++; /* ACTOR_INFO's counters: after the branches, one instruction each */
    next->received++;
    sched_switch_to(next);
}

void ipc_fastpath_call(struct thread *t, const struct trap_frame *c)
{
    fastpath(t, c, true);
}

void ipc_fastpath_reply_recv(struct thread *t, const struct trap_frame *c)
{
    fastpath(t, c, false);
}

/* REPLY_WAIT with no timeout, when none of T's bound objects has anything:
 * the reply goes straight to the caller and T waits. */
void ipc_fastpath_reply_wait(struct thread *t, const struct trap_frame *c)
{
    struct thread *next = t->reply_to;
    if ((ctx_tag(c) >> 32) > CLK_MSG_REGS * 8 || ctx_arg(c, 0) != CLK_FOREVER)
        return;
    if (!next || !t->bound || !sched_may_switch_to(next->prio) || wait_would_take(t))
        return;

    /* point of no return */
    ipc_fast_count++;
    t->sent++;
    next->received++;
    ctx_set_ret(&next->ctx, 0);
    ctx_copy_msg(&next->ctx, c, 0);
    next->replier = NULL;
    t->reply_to = NULL;
    t->state = THREAD_WAITING;
    sched_switch_to(next);
}
#endif
