/*
 * ipc.c: endpoints and the slow path of synchronous IPC (see ipc.h).
 */
#include <actor.h>
#include <clk/abi.h>
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

/* Queues of threads, linked through thread->next. */
static void enqueue(struct thread **head, struct thread **tail, struct thread *t)
{
    t->next = NULL;
    if (*tail)
        (*tail)->next = t;
    else
        *head = t;
    *tail = t;
}

static struct thread *dequeue(struct thread **head, struct thread **tail)
{
    struct thread *t = *head;
    if (t) {
        *head = t->next;
        if (!*head)
            *tail = NULL;
        t->next = NULL;
    }
    return t;
}

static void remove(struct thread **head, struct thread **tail, struct thread *t)
{
    struct thread *prev = NULL;
    for (struct thread *p = *head; p; prev = p, p = p->next)
        if (p == t) {
            if (prev)
                prev->next = t->next;
            else
                *head = t->next;
            if (*tail == t)
                *tail = prev;
            t->next = NULL;
            return;
        }
}

/* Wake T (blocked) with the syscall result RET. */
static void wake(struct thread *t, int64_t ret)
{
    t->blocked_on = NULL;
    ctx_set_ret(&t->ctx, ret);
    sched_ready(t);
}

void endpoint_release(struct endpoint *ep, unsigned rights)
{
    if ((rights & CLK_RIGHT_RECV) && --ep->recv_caps == 0) {
        /* Nobody can receive any more: the waiting callers learn it now. */
        KASSERT(!ep->recv_head);
        struct thread *t;
        while ((t = dequeue(&ep->send_head, &ep->send_tail)))
            wake(t, CLK_EDEAD);
    }
    if (--ep->refs == 0) {
        KASSERT(!ep->send_head && !ep->recv_head);
        kfree(ep);
    }
}

/* Copy the message of SRC (its registers, and its IPC buffer when the
 * message is longer) to DST, which sees BADGE. The length was checked. */
static void copy_msg(struct thread *dst, struct thread *src, uint64_t badge)
{
    unsigned len = CLK_TAG_LEN(ctx_tag(&src->ctx));
    ctx_copy_msg(&dst->ctx, &src->ctx, badge);
    if (len > CLK_MSG_REGS * 8)
        memcpy(phys_to_virt(dst->ipcbuf_pa), phys_to_virt(src->ipcbuf_pa), len);
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
    if (ep->recv_caps == 0)
        return CLK_EDEAD;
    ipc_slow_count++;
    struct thread *r = dequeue(&ep->recv_head, &ep->recv_tail);
    if (r) {
        deliver(t, r, cap->badge);
        sched_block(THREAD_BLOCKED_REPLY);
        r->blocked_on = NULL;
        sched_ready(r);
    } else {
        t->send_badge = cap->badge;
        t->blocked_on = ep;
        enqueue(&ep->send_head, &ep->send_tail, t);
        sched_block(THREAD_BLOCKED_SEND);
    }
    return SYSCALL_NO_RESULT;
}

/* T takes a new message, so the call it received before will never get a
 * reply: its caller learns that now. */
static void abandon_reply(struct thread *t)
{
    struct thread *c = t->reply_to;
    t->reply_to = NULL;
    c->replier = NULL;
    wake(c, CLK_EDEAD);
}

int64_t ipc_recv(struct thread *t, const struct cap *cap)
{
    struct endpoint *ep = cap->obj;
    ipc_slow_count++;
    if (t->reply_to)
        abandon_reply(t);
    struct thread *s = dequeue(&ep->send_head, &ep->send_tail);
    if (s) {
        deliver(s, t, s->send_badge);
        return 0;
    }
    t->blocked_on = ep;
    enqueue(&ep->recv_head, &ep->recv_tail, t);
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
    ipc_slow_count++;
    t->reply_to = NULL;
    c->replier = NULL;
    copy_msg(c, t, 0);
    wake(c, 0);
    return 0;
}

void ipc_thread_dies(struct thread *t)
{
    struct endpoint *ep = t->blocked_on;
    if (ep && t->state == THREAD_BLOCKED_SEND)
        remove(&ep->send_head, &ep->send_tail, t);
    if (ep && t->state == THREAD_BLOCKED_RECV)
        remove(&ep->recv_head, &ep->recv_tail, t);
    t->blocked_on = NULL;
    if (t->replier) /* its call is being served: the reply will find no one */
        t->replier->reply_to = NULL;
    t->replier = NULL;
    if (t->reply_to)
        abandon_reply(t);
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
    if (CLK_TAG_LEN(ctx_tag(c)) > CLK_MSG_REGS * 8)
        return;
    unsigned right = call ? CLK_RIGHT_SEND : CLK_RIGHT_RECV;
    if (cap_lookup(t->actor, ctx_arg(c, 0), CAP_ENDPOINT, right, &cap) < 0)
        return;
    struct endpoint *ep = cap->obj;
    struct thread *next = call ? ep->recv_head : t->reply_to;
    if (!next || !sched_may_switch_to(next->prio))
        return;
    if (!call && ep->send_head)
        return; /* another call waits: the slow path takes it at once */

    /* point of no return */
    ipc_fast_count++;
    ctx_set_ret(&next->ctx, 0);
    if (call) {
        dequeue(&ep->recv_head, &ep->recv_tail);
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
        enqueue(&ep->recv_head, &ep->recv_tail, t);
        t->state = THREAD_BLOCKED_RECV;
    }
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
#endif
