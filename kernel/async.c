/*
 * async.c: mailboxes, notifications, and waiting on bound objects (see
 * async.h).
 */
#include <actor.h>
#include <async.h>
#include <clock.h>
#include <ipc.h>
#include <kmalloc.h>
#include <kstring.h>
#include <panic.h>
#include <sched.h>

static struct mailbox *mailboxes; /* every one, for mailbox_depth */

uint64_t mailbox_depth(uint32_t id)
{
    uint64_t n = 0;
    for (const struct mailbox *mb = mailboxes; mb; mb = mb->all_next)
        n += mb->owner == id ? mb->count : 0;
    return n;
}

int mailbox_create(struct actor *a, uint64_t size)
{
    if (size == 0 || size > CLK_MAILBOX_MAX)
        return CLK_EINVAL;
    if (size > a->quota.mailbox_slots - a->mailbox_slots)
        return CLK_ENOMEM;
    struct mailbox *mb = kzalloc(sizeof(*mb) + size * sizeof(struct mbox_msg));
    if (!mb)
        return CLK_ENOMEM;
    mb->src.kind = SRC_MAILBOX;
    mb->size = (uint32_t)size;
    mb->owner = a->id;
    int slot = cap_insert(a, CAP_MAILBOX, mb, CLK_RIGHTS_ALL, 0);
    if (slot < 0) {
        kfree(mb);
        return slot;
    }
    a->mailbox_slots += mb->size;
    mb->all_next = mailboxes;
    mb->all_prev = &mailboxes;
    if (mailboxes)
        mailboxes->all_prev = &mb->all_next;
    mailboxes = mb;
    return slot;
}

int notification_create(struct actor *a)
{
    struct notification *n = kzalloc(sizeof(*n));
    if (!n)
        return CLK_ENOMEM;
    n->src.kind = SRC_NOTIFICATION;
    int slot = cap_insert(a, CAP_NOTIFICATION, n, CLK_RIGHTS_ALL, 0);
    if (slot < 0)
        kfree(n);
    return slot;
}

void mailbox_retain(struct mailbox *mb, unsigned rights)
{
    mb->refs++;
    mb->recv_caps += (rights & CLK_RIGHT_RECV) != 0;
}

void mailbox_release(struct mailbox *mb, unsigned rights)
{
    if ((rights & CLK_RIGHT_RECV) && --mb->recv_caps == 0) {
        /* Nobody will take the messages: senders waiting for room learn it. */
        struct thread *t;
        while ((t = tq_pop(&mb->senders))) {
            t->blocked_on = NULL;
            sched_wake(t, CLK_EDEAD);
        }
    }
    if (--mb->refs == 0) {
        KASSERT(!mb->senders.head && !mb->src.bound);
        struct actor *owner = actor_find(mb->owner); /* its slots count against its creator */
        if (owner)
            owner->mailbox_slots -= mb->size;
        *mb->all_prev = mb->all_next;
        if (mb->all_next)
            mb->all_next->all_prev = mb->all_prev;
        kfree(mb);
    }
}

static struct notification *timers; /* armed, soonest first */

static void disarm(struct notification *n)
{
    if (!n->armed)
        return;
    for (struct notification **p = &timers; *p; p = &(*p)->timer_next)
        if (*p == n) {
            *p = n->timer_next;
            break;
        }
    n->armed = false;
}

void notification_release(struct notification *n)
{
    if (--n->refs == 0) {
        KASSERT(!n->src.bound);
        disarm(n);
        kfree(n);
    }
}

void notification_timer(struct notification *n, uint64_t ns, uint64_t bits)
{
    disarm(n);
    if (ns == CLK_FOREVER)
        return;
    uint64_t now = clock_ns();
    n->timer_at = ns > UINT64_MAX - now ? UINT64_MAX : now + ns;
    n->timer_bits = bits;
    struct notification **p = &timers;
    while (*p && (*p)->timer_at <= n->timer_at)
        p = &(*p)->timer_next;
    n->timer_next = *p;
    *p = n;
    n->armed = true;
}

void async_tick(uint64_t now)
{
    while (timers && timers->timer_at <= now) {
        struct notification *n = timers;
        timers = n->timer_next;
        n->armed = false;
        notification_signal(n, n->timer_bits);
    }
}

/* Append a message (there is room). */
static void put(struct mailbox *mb, uint64_t tag, uint64_t badge, const uint64_t w[CLK_MSG_REGS])
{
    struct mbox_msg *m = &mb->msg[(mb->head + mb->count++) % mb->size];
    m->tag = tag;
    m->badge = badge;
    memcpy(m->w, w, sizeof(m->w));
}

/* Append the message in FROM's registers, sent with BADGE (there is room). */
static void mailbox_put(struct mailbox *mb, struct thread *from, uint64_t badge)
{
    uint64_t w[CLK_MSG_REGS];
    ctx_get_words(&from->ctx, w);
    put(mb, ctx_tag(&from->ctx), badge, w);
    from->sent++;
}

int mailbox_post(struct mailbox *mb, uint64_t tag, uint64_t badge, const uint64_t w[CLK_MSG_REGS])
{
    if (mb->recv_caps == 0)
        return CLK_EDEAD;
    if (mb->count == mb->size)
        return CLK_EFULL;
    put(mb, tag, badge, w);
    source_ready(&mb->src);
    return 0;
}

int64_t mailbox_send(struct thread *t, const struct cap *cap, uint64_t timeout)
{
    struct mailbox *mb = cap->obj;
    if (CLK_TAG_LEN(ctx_tag(&t->ctx)) > CLK_MSG_REGS * 8 || CLK_TAG_CAP(ctx_tag(&t->ctx)))
        return CLK_EINVAL; /* mailboxes carry no capabilities */
    if (mb->recv_caps == 0)
        return CLK_EDEAD;
    if (mb->count == mb->size) {
        if (timeout == 0)
            return CLK_EFULL;
        t->send_badge = cap->badge;
        t->blocked_on = mb;
        tq_push(&mb->senders, t);
        sched_block_timeout(THREAD_BLOCKED_FULL, timeout);
        return SYSCALL_NO_RESULT;
    }
    mailbox_put(mb, t, cap->badge);
    source_ready(&mb->src);
    return 0;
}

void notification_signal(struct notification *n, uint64_t bits)
{
    n->bits |= bits;
    if (bits)
        source_ready(&n->src);
}

/* ---- binding and WAIT ---- */

static void list_remove(struct thread *t, struct source *s)
{
    for (struct source **p = &t->bound; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            break;
        }
    s->next = NULL;
}

static void list_append(struct thread *t, struct source *s)
{
    struct source **p = &t->bound;
    while (*p)
        p = &(*p)->next;
    s->next = NULL;
    *p = s;
}

int source_bind(struct thread *t, struct source *s, uint32_t slot)
{
    if (s->bound)
        return CLK_EEXIST;
    s->bound = t;
    s->slot = slot;
    list_append(t, s);
    return 0;
}

static void unbind(struct thread *t, struct source *s)
{
    list_remove(t, s);
    s->bound = NULL;
}

int source_unbind(struct thread *t, struct source *s)
{
    if (s->bound != t)
        return CLK_ENOENT;
    unbind(t, s);
    if (t->state == THREAD_WAITING && !t->bound)
        sched_wake(t, CLK_ENOENT); /* another thread took its last source away */
    return 0;
}

void source_cap_gone(struct actor *a, uint64_t slot, struct source *s)
{
    if (s->bound && s->bound->actor == a && s->slot == slot)
        source_unbind(s->bound, s);
}

/* Hand T (in WAIT, or starting to) what S has, if anything: its registers
 * get the message and rax the slot S is bound through. */
static bool take(struct thread *t, struct source *s)
{
    struct trap_frame *c = &t->ctx;
    switch (s->kind) {
    case SRC_ENDPOINT:
        if (!ipc_take_call(t, (struct endpoint *)s))
            return false;
        break;
    case SRC_MAILBOX: {
        struct mailbox *mb = (struct mailbox *)s;
        if (!mb->count)
            return false;
        const struct mbox_msg *m = &mb->msg[mb->head];
        c->rsi = m->tag;
        c->rdi = m->badge;
        ctx_set_words(c, m->w);
        mb->head = (mb->head + 1) % mb->size;
        mb->count--;
        t->received++;
        struct thread *w = tq_pop(&mb->senders); /* the first waiting for room */
        if (w) {
            mailbox_put(mb, w, w->send_badge);
            w->blocked_on = NULL;
            sched_wake(w, 0);
        }
        break;
    }
    case SRC_NOTIFICATION: {
        struct notification *n = (struct notification *)s;
        if (!n->bits)
            return false;
        c->rsi = CLK_TAG(CLK_LABEL_NOTIFY, 8);
        c->rdi = 0;
        uint64_t w[CLK_MSG_REGS] = { n->bits };
        ctx_set_words(c, w);
        n->bits = 0;
        break;
    }
    }
    ctx_set_ret(c, s->slot);
    if (s->next) { /* round robin: it goes to the back */
        list_remove(t, s);
        list_append(t, s);
    }
    return true;
}

void source_ready(struct source *s)
{
    struct thread *t = s->bound;
    if (t && t->state == THREAD_WAITING && take(t, s)) {
        int64_t slot = (int64_t)t->ctx.rax;
        sched_wake(t, slot);
    }
}

bool wait_would_take(const struct thread *t)
{
    for (const struct source *s = t->bound; s; s = s->next)
        switch (s->kind) {
        case SRC_ENDPOINT:
            if (((const struct endpoint *)s)->send.head)
                return true;
            break;
        case SRC_MAILBOX:
            if (((const struct mailbox *)s)->count)
                return true;
            break;
        case SRC_NOTIFICATION:
            if (((const struct notification *)s)->bits)
                return true;
            break;
        }
    return false;
}

int64_t wait_any(struct thread *t, uint64_t timeout)
{
    if (!t->bound)
        return CLK_ENOENT;
    ipc_abandon_reply(t);
    for (struct source *s = t->bound; s; s = s->next)
        if (take(t, s))
            return SYSCALL_NO_RESULT; /* take set the result */
    if (timeout == 0)
        return CLK_ETIMEDOUT;
    sched_block_timeout(THREAD_WAITING, timeout);
    return SYSCALL_NO_RESULT;
}

void mailbox_send_cancel(struct thread *t)
{
    if (t->state == THREAD_BLOCKED_FULL) {
        tq_remove(&((struct mailbox *)t->blocked_on)->senders, t);
        t->blocked_on = NULL;
    }
}

void async_thread_dies(struct thread *t)
{
    mailbox_send_cancel(t);
    while (t->bound)
        unbind(t, t->bound); /* no wake-up: T is leaving */
}
