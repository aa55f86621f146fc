/*
 * actor.c: the actor runtime's receive loop, fibers, calls, timers, the
 * registry's client side and state transfer (see actor/actor.h).
 *
 * Fibers run on the actor's first thread, which also runs the loop. A
 * fiber that calls another server hands the call to a worker thread (a
 * blocking CALL needs a thread of its own) and switches back to the loop;
 * the worker signals the loop's notification when the reply is in, and the
 * loop resumes the fiber. Workers and fibers are made on demand and kept.
 */
#include <actor/actor.h>
#include <actor/names.h>

/* Builtins, so that this file builds against newlib and without it. */
#define memcpy  __builtin_memcpy
#define memmove __builtin_memmove
#define memset  __builtin_memset

#define REG_BYTES  (8 * CLK_MSG_REGS)
#define PAGE       4096UL
#define BIT_CALLS  (1ULL << 63)          /* a worker finished a call */
#define BIT_TIMERS (1ULL << 62)          /* the earliest of actor_timer's timers is due */
#define BIT_LEAK   (1ULL << 61)          /* injected: time to leak more memory */
#define BITS_OURS  0xFF00000000000000ULL /* bits 56-63 */

/* Where the runtime maps things (see docs/architecture.md, user space). */
#define FIBER_VA    0x0000200000000000UL
#define FIBER_SPAN  (128 * 1024UL)
#define FIBER_STACK (64 * 1024UL)
#define STATE_VA    0x0000300000000000UL
#define LEAK_VA     0x0000400000000000UL

#define FIBERS_MAX  64
#define WORKERS_MAX 32 /* calls in flight at once; more wait for a worker */
#define TIMERS_MAX  16

/* ---- calls ---- */

/* One call: what to send, where the answer goes, and how it went. */
struct call {
    long server;
    unsigned type;
    const void *data;
    size_t len;
    long send_cap;
    void *resp;
    size_t *resp_len;
    long *recv_cap;
    long kernel_err; /* the kernel's: 0, or CLK_EDEAD and the like */
    long status;     /* the server's answer, when kernel_err is 0 */
};

/* Put a message of LABEL with LEN bytes of DATA into M (and into IPCBUF,
 * the sending thread's IPC buffer, when it is long). */
static void pack(struct clk_msg *m, void *ipcbuf, unsigned label, const void *data, size_t len)
{
    if (len > CLK_MSG_MAX)
        len = CLK_MSG_MAX;
    m->tag = CLK_TAG(label, len);
    if (len <= REG_BYTES)
        memcpy(m->w, data, len);
    else
        memmove(ipcbuf, data, len);
}

/* Make call C from the thread whose IPC buffer is IPCBUF. */
static void do_call(struct call *c, void *ipcbuf)
{
    struct clk_msg m;
    pack(&m, ipcbuf, c->type, c->data, c->len);
    if (c->send_cap)
        m.tag = CLK_TAG_WITH_CAP(m.tag, c->send_cap);
    if (c->recv_cap)
        *c->recv_cap = 0;
    c->kernel_err = clk_call(c->server, &m);
    if (c->kernel_err) {
        c->status = c->kernel_err;
        return;
    }
    size_t got = CLK_TAG_LEN(m.tag), room = c->resp_len ? *c->resp_len : 0;
    size_t n = got < room ? got : room;
    if (n)
        memcpy(c->resp, got <= REG_BYTES ? (const void *)m.w : ipcbuf, n);
    if (c->resp_len)
        *c->resp_len = got;
    if (CLK_TAG_CAP(m.tag) && c->recv_cap)
        *c->recv_cap = CLK_TAG_CAP(m.tag);
    else if (CLK_TAG_CAP(m.tag))
        clk_cap_delete(CLK_TAG_CAP(m.tag));
    c->status = (long)(int)CLK_TAG_LABEL(m.tag);
}

/* ---- fibers ---- */

/* fiber.S: save the callee-saved registers on this stack, put the stack
 * pointer in *SAVE and continue on stack TO. */
void actor_fiber_switch(void **save, void *to);
void actor_fiber_start(void);

enum fiber_state { FIBER_FREE, FIBER_RUNNING, FIBER_READY, FIBER_WAITING };

struct fiber {
    void *rsp;
    enum fiber_state state;
    struct fiber *next; /* on the free, ready or needs-a-worker list */
    /* its work: a request's handler, or actor_go's function */
    actor_handler_fn *handler;
    void (*fn)(void *arg);
    void *arg;
    struct call *call; /* the call it waits for */
    struct actor_req req;
    bool auto_deferred; /* the runtime deferred req when the fiber first waited */
    bool reply_sent;
    bool parked; /* it waited at least once: it answers (and cleans up) by itself */
    uint8_t payload[CLK_MSG_MAX]; /* the request's bytes, for as long as it runs */
    uint8_t reply[CLK_MSG_MAX];   /* a long answer's bytes, until it is sent */
};

/* A FIFO of fibers (ready to run, or waiting for a worker). */
struct fiber_queue {
    struct fiber *head, *tail;
};

static void fq_push(struct fiber_queue *q, struct fiber *f)
{
    f->next = NULL;
    if (q->tail)
        q->tail->next = f;
    else
        q->head = f;
    q->tail = f;
}

static struct fiber *fq_pop(struct fiber_queue *q)
{
    struct fiber *f = q->head;
    if (f && !(q->head = f->next))
        q->tail = NULL;
    return f;
}

struct worker {
    long note; /* the worker waits on it for a call */
    struct fiber *fiber;
    volatile int done;
};

static struct {
    long note;    /* the loop's notification: timers, signals, finished calls */
    long faults;  /* actor_fault_mailbox's, or 0 */
    long mailbox; /* actor_mailbox's, or 0 */
    long own_ep;  /* actor_endpoint's, or 0 */
    bool serving;
    const struct actor_def *def;
    struct fiber *cur; /* the fiber running, or NULL for the loop */
    void *loop_rsp;
    struct fiber *free;
    struct fiber_queue ready, need_worker;
    unsigned nfibers, waiting;
    struct worker workers[WORKERS_MAX];
    unsigned nworkers;
    bool workers_failed;
    struct {
        uint64_t bits, deadline;
    } timers[TIMERS_MAX];
    unsigned ntimers;
    /* fault injection (tests of supervisors) */
    bool may_inject, bad_reply;
    uint32_t doom;   /* a fault to carry out once the answer is out */
    unsigned leaked; /* 64 KiB pieces */
    /* a live update: serve this endpoint once the state is restored */
    long next_ep;
    bool restored;
    /* for requests handled on the loop's own stack (no fiber to be had) */
    uint8_t loop_payload[CLK_MSG_MAX], loop_reply[CLK_MSG_MAX];
    long drop_cap; /* a request's capability, to delete once the answer passing it is out */
} rt;

static void runtime_fiber_main(struct fiber *f);

static long runtime_init(void)
{
    if (rt.note)
        return 0;
    long note = clk_notification_create();
    if (note < 0)
        return note;
    rt.note = note;
    return 0;
}

/* A fiber out of the pool, or a new one; NULL when none can be had (then
 * the work runs on the loop's stack and its calls block the loop). */
static struct fiber *fiber_get(void)
{
    struct fiber *f = rt.free;
    if (f) {
        rt.free = f->next;
        return f;
    }
    if (rt.nfibers == FIBERS_MAX)
        return NULL;
    unsigned long base = FIBER_VA + rt.nfibers * FIBER_SPAN + PAGE; /* below: a guard page */
    unsigned long pages = (FIBER_STACK + sizeof(struct fiber) + PAGE - 1) / PAGE;
    long mem = clk_memory_create(pages);
    if (mem < 0)
        return NULL;
    if (clk_map(mem, base, CLK_MAP_WRITE) < 0) {
        clk_cap_delete(mem);
        return NULL;
    }
    clk_cap_delete(mem); /* the mapping keeps the memory */
    rt.nfibers++;
    f = (struct fiber *)(base + FIBER_STACK);
    memset(f, 0, sizeof(*f));
    /* The first switch to it "returns" into actor_fiber_start with the
     * fiber in r12 and runtime_fiber_main in r13 (see fiber.S's frame). */
    uint64_t *sp = (uint64_t *)(base + FIBER_STACK) - 9;
    memset(sp, 0, 9 * sizeof(*sp));
    sp[0] = 0x037F;                       /* x87 control word */
    sp[1] = 0x1F80;                       /* MXCSR */
    sp[4] = (uint64_t)runtime_fiber_main; /* r13 */
    sp[5] = (uint64_t)f;                  /* r12 */
    sp[8] = (uint64_t)actor_fiber_start;  /* return address */
    f->rsp = sp;
    return f;
}

static void fiber_ready(struct fiber *f)
{
    f->state = FIBER_READY;
    fq_push(&rt.ready, f);
}

/* Run F until it finishes or waits. */
static void fiber_run(struct fiber *f)
{
    f->state = FIBER_RUNNING;
    rt.cur = f;
    actor_fiber_switch(&rt.loop_rsp, f->rsp);
    rt.cur = NULL;
}

static void to_loop(struct fiber *f)
{
    actor_fiber_switch(&f->rsp, rt.loop_rsp);
}

static void finish_request(struct fiber *f);

static void runtime_fiber_main(struct fiber *f)
{
    for (;;) {
        if (f->handler) {
            f->handler(&f->req);
            if (f->auto_deferred)
                finish_request(f);
            /* Its capability goes now, unless the loop still sends the
             * answer (which may pass it): then handle() drops it after. */
            if ((f->parked || f->req.deferred || f->reply_sent) && f->req.cap) {
                clk_cap_delete(f->req.cap);
                f->req.cap = 0;
            }
        } else {
            f->fn(f->arg);
        }
        f->state = FIBER_FREE;
        to_loop(f); /* the loop puts it back in the pool */
    }
}

/* Put REQ's answer where the kernel takes it: a long one waits in the
 * request's own buffer until now, as the IPC buffer serves every message. */
static void stage(const struct actor_req *req)
{
    size_t len = CLK_TAG_LEN(req->reply_msg.tag);
    if (len > REG_BYTES)
        memmove(clk_ipc_buffer(), req->reply_buf, len);
}

/* Send REQ's answer through TOKEN (a deferred reply). When the kernel
 * refuses it (a capability gone, say), the client gets the error instead;
 * the token is used up either way. */
static void reply_through(const struct actor_req *req, long token)
{
    stage(req);
    long err = clk_reply_to(token, (struct clk_msg *)&req->reply_msg);
    if (err < 0 && err != CLK_EDEAD) {
        struct clk_msg bare = { CLK_TAG((unsigned)err, 0), { 0 } };
        if (clk_reply_to(token, &bare) < 0)
            clk_cap_delete(token);
    }
}

/* F is about to wait: a request it handles must not hold up the loop's
 * reply, so answer it now if the handler has, or else defer it. */
static void before_wait(struct fiber *f)
{
    struct actor_req *req = &f->req;
    if (!f->handler || req->oneway || f->auto_deferred || req->deferred || f->reply_sent)
        return;
    if (req->answered) {
        stage(req);
        if (clk_reply(&req->reply_msg) < 0) { /* the call owed now is this one */
            struct clk_msg bare = { CLK_TAG((unsigned)CLK_EIO, 0), { 0 } };
            clk_reply(&bare);
        }
        f->reply_sent = true;
        return;
    }
    long token = clk_reply_defer();
    if (token > 0) {
        req->deferred = token;
        f->auto_deferred = true;
    }
}

/* A handler that waited has returned: answer through the deferred reply. */
static void finish_request(struct fiber *f)
{
    struct actor_req *req = &f->req;
    if (!req->answered)
        actor_reply(req, CLK_EIO, NULL, 0); /* the handler forgot: the client must not hang */
    reply_through(req, req->deferred);
    req->deferred = 0;
}

static void worker_main(void *arg, void *ipcbuf)
{
    struct worker *w = arg;
    if (clk_bind(w->note) < 0)
        return;
    for (;;) {
        struct clk_msg m;
        uint64_t badge;
        if (clk_wait(CLK_FOREVER, &m, &badge) != w->note)
            continue;
        do_call(w->fiber->call, ipcbuf);
        __atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
        clk_signal(rt.note, BIT_CALLS);
    }
}

/* A worker with nothing to do, or a new one; NULL when there is none. */
static struct worker *worker_get(void)
{
    for (unsigned i = 0; i < rt.nworkers; i++)
        if (!rt.workers[i].fiber)
            return &rt.workers[i];
    if (rt.nworkers == WORKERS_MAX || rt.workers_failed)
        return NULL;
    struct worker *w = &rt.workers[rt.nworkers];
    w->note = clk_notification_create(); /* before the thread, which may run at once */
    if (w->note < 0 || clk_thread_start(worker_main, w, NULL, 0) < 0) {
        if (w->note > 0)
            clk_cap_delete(w->note);
        w->note = 0;
        rt.workers_failed = rt.nworkers == 0; /* no threads to be had: calls block */
        return NULL;
    }
    rt.nworkers++;
    return w;
}

static void worker_start(struct worker *w, struct fiber *f)
{
    w->fiber = f;
    w->done = 0;
    clk_signal(w->note, 1);
}

/* Make call C: on a fiber, only the fiber waits. */
static void call(struct call *c)
{
    struct fiber *f = rt.cur;
    if (!f || rt.workers_failed) {
        do_call(c, clk_ipc_buffer());
        return;
    }
    before_wait(f);
    f->parked = true;
    f->call = c;
    struct worker *w = worker_get();
    if (!w && rt.nworkers == 0) {
        do_call(c, clk_ipc_buffer()); /* no worker at all: the loop waits too */
        return;
    }
    if (w)
        worker_start(w, f);
    else
        fq_push(&rt.need_worker, f);
    f->state = FIBER_WAITING;
    rt.waiting++;
    to_loop(f);
    rt.waiting--;
}

/* Workers that are done: their fibers are ready, and they take the next calls. */
static void collect_calls(void)
{
    for (unsigned i = 0; i < rt.nworkers; i++) {
        struct worker *w = &rt.workers[i];
        if (!w->fiber || !__atomic_load_n(&w->done, __ATOMIC_ACQUIRE))
            continue;
        fiber_ready(w->fiber);
        w->fiber = NULL;
        struct fiber *next = fq_pop(&rt.need_worker);
        if (next)
            worker_start(w, next);
    }
}

static void run_ready(void)
{
    struct fiber *f;
    while ((f = fq_pop(&rt.ready))) {
        fiber_run(f);
        if (f->state == FIBER_FREE) {
            f->next = rt.free;
            rt.free = f;
        }
    }
}

long actor_go(void (*fn)(void *arg), void *arg)
{
    long err = runtime_init();
    if (err)
        return err;
    struct fiber *f = fiber_get();
    if (!f)
        return CLK_ENOMEM;
    f->handler = NULL;
    f->fn = fn;
    f->arg = arg;
    fiber_ready(f);
    return 0;
}

unsigned actor_fibers_waiting(void)
{
    return rt.waiting;
}

/* A mailbox of SLOTS in *SLOT (made once), bound to the loop. */
static long loop_mailbox(long *slot, unsigned slots)
{
    if (*slot)
        return *slot;
    long mb = clk_mailbox_create(slots);
    if (mb < 0)
        return mb;
    long err = rt.serving ? clk_bind(mb) : 0; /* else actor_serve binds it */
    if (err < 0) {
        clk_cap_delete(mb);
        return err;
    }
    return *slot = mb;
}

long actor_fault_mailbox(void)
{
    return loop_mailbox(&rt.faults, 64); /* room for a fault and an exit of 32 services */
}

long actor_mailbox(unsigned slots)
{
    return loop_mailbox(&rt.mailbox, slots);
}

long actor_endpoint(void)
{
    if (rt.own_ep)
        return rt.own_ep;
    long ep = clk_endpoint_create();
    if (ep < 0)
        return ep;
    long err = rt.serving ? clk_bind(ep) : 0; /* else actor_serve binds it */
    if (err < 0) {
        clk_cap_delete(ep);
        return err;
    }
    return rt.own_ep = ep;
}

long actor_send(long mailbox, unsigned type, const void *data, size_t len)
{
    struct clk_msg m;
    if (len > REG_BYTES)
        return CLK_EINVAL;
    pack(&m, clk_ipc_buffer(), type, data, len); /* short: the buffer is not touched */
    return clk_send(mailbox, &m, 0);
}

static void fault_message(const struct clk_msg *m, uint64_t badge)
{
    if (CLK_TAG_LABEL(m->tag) == CLK_LABEL_EXIT && rt.def->exited) {
        rt.def->exited(m->w[0], (long)m->w[1], badge);
    } else if (CLK_TAG_LABEL(m->tag) == CLK_LABEL_FAULT && rt.def->fault) {
        struct actor_fault f = { m->w[0], m->w[1], m->w[2], m->w[3], m->w[4], m->w[5], badge };
        rt.def->fault(&f);
    }
}

long actor_call_cap(long server, unsigned type, const void *data, size_t len, long send_cap,
                    void *resp, size_t *resp_len, long *recv_cap)
{
    struct call c = { server, type, data, len, send_cap, resp, resp_len, recv_cap, 0, 0 };
    call(&c);
    return c.status;
}

long actor_call_blocking(long server, unsigned type, const void *data, size_t len, long send_cap,
                         void *resp, size_t *resp_len, long *recv_cap)
{
    struct call c = { server, type, data, len, send_cap, resp, resp_len, recv_cap, 0, 0 };
    do_call(&c, clk_ipc_buffer());
    return c.status;
}

long actor_call(long server, unsigned type, const void *data, size_t len, void *resp,
                size_t *resp_len)
{
    return actor_call_cap(server, type, data, len, 0, resp, resp_len, NULL);
}

/* ---- replies ---- */

void actor_reply_cap(struct actor_req *req, long status, const void *data, size_t len, long cap)
{
    struct fiber *f = rt.cur;
    bool runtime_deferred = f && req == &f->req && f->auto_deferred;
    if (req->answered || (req->deferred && !runtime_deferred))
        return;
    if (req->oneway) { /* from a mailbox: nobody waits for an answer */
        req->answered = true;
        return;
    }
    /* the loop (or finish_request) sends it; long bytes wait in REPLY_BUF */
    pack(&req->reply_msg, req->reply_buf, (unsigned)status, data, len);
    if (cap)
        req->reply_msg.tag = CLK_TAG_WITH_CAP(req->reply_msg.tag, cap);
    req->answered = true;
}

void actor_reply(struct actor_req *req, long status, const void *data, size_t len)
{
    actor_reply_cap(req, status, data, len, 0);
}

long actor_defer(struct actor_req *req)
{
    if (req->answered || req->deferred)
        return CLK_EINVAL;
    long slot = clk_reply_defer();
    if (slot > 0)
        req->deferred = slot;
    return slot;
}

long actor_reply_later_cap(long token, long status, const void *data, size_t len, long cap)
{
    struct clk_msg m;
    pack(&m, clk_ipc_buffer(), (unsigned)status, data, len);
    if (cap)
        m.tag = CLK_TAG_WITH_CAP(m.tag, cap);
    return clk_reply_to(token, &m);
}

long actor_reply_later(long token, long status, const void *data, size_t len)
{
    return actor_reply_later_cap(token, status, data, len, 0);
}

/* ---- timers ---- */

static void timers_arm(void)
{
    if (!rt.ntimers)
        return;
    uint64_t first = rt.timers[0].deadline, now = clk_clock_ns();
    for (unsigned i = 1; i < rt.ntimers; i++)
        if (rt.timers[i].deadline < first)
            first = rt.timers[i].deadline;
    clk_timer(rt.note, first > now ? first - now : 1, BIT_TIMERS);
}

/* Make sure the loop's notification exists, for BITS of the actor's own:
 * 0, CLK_EINVAL (BITS is 0 or has the runtime's), or runtime_init's error. */
static long own_bits(uint64_t bits)
{
    long err = runtime_init();
    if (err)
        return err;
    return !bits || (bits & BITS_OURS) ? CLK_EINVAL : 0;
}

static long timer_set(uint64_t ns, uint64_t bits);

long actor_timer(uint64_t ns, uint64_t bits)
{
    long err = own_bits(bits);
    return err ? err : timer_set(ns, bits);
}

/* Arm the timer of BITS (the runtime's may be among them). */
static long timer_set(uint64_t ns, uint64_t bits)
{
    long err = runtime_init();
    if (err)
        return err;
    unsigned i = 0;
    while (i < rt.ntimers && rt.timers[i].bits != bits)
        i++;
    if (i == TIMERS_MAX)
        return CLK_ENOMEM;
    if (i == rt.ntimers)
        rt.ntimers++;
    rt.timers[i].bits = bits;
    rt.timers[i].deadline = clk_clock_ns() + ns;
    timers_arm();
    return 0;
}

long actor_doorbell(uint64_t bits)
{
    long err = own_bits(bits);
    return err ? err : clk_cap_mint(rt.note, CLK_RIGHT_SEND, bits);
}

long actor_bind_irq(long irq, uint64_t bits)
{
    long err = own_bits(bits);
    return err ? err : clk_irq_bind(irq, rt.note, bits);
}

/* The bits of the timers that are due (they are done with). */
static uint64_t timers_due(void)
{
    uint64_t now = clk_clock_ns(), bits = 0;
    for (unsigned i = 0; i < rt.ntimers;) {
        if (rt.timers[i].deadline <= now) {
            bits |= rt.timers[i].bits;
            rt.timers[i] = rt.timers[--rt.ntimers];
        } else {
            i++;
        }
    }
    timers_arm();
    return bits;
}

/* ---- fault injection ---- */

void actor_allow_injection(void)
{
    rt.may_inject = true;
}

/* Take 64 KiB more and touch it, every 10 ms. */
static void leak(void)
{
    long mem = clk_memory_create(16);
    unsigned long va = LEAK_VA + rt.leaked * 16 * PAGE;
    if (mem > 0 && clk_map(mem, va, CLK_MAP_WRITE) == 0) {
        memset((void *)va, 0x5A, 16 * PAGE);
        rt.leaked++;
    }
    timer_set(10000000, BIT_LEAK);
}

/* Carry out the injected fault KIND now that its answer is out. */
static void misbehave(uint32_t kind)
{
    switch (kind) {
    case 1: /* SUP_FAULT_CRASH */ *(volatile int *)0 = 1; break;
    case 2: /* SUP_FAULT_HANG */
        for (;;)
            __asm__ volatile("pause");
    case 3: /* SUP_FAULT_LEAK */ leak(); break;
    }
}

static void notified(uint64_t bits)
{
    if (bits & BIT_CALLS)
        collect_calls();
    if (bits & BIT_TIMERS)
        bits |= timers_due();
    if (bits & BIT_LEAK)
        leak();
    bits &= ~BITS_OURS;
    if (bits && rt.def->notified)
        rt.def->notified(bits);
}

/* ---- the loop ---- */

static const struct actor_handler *lookup(const struct actor_def *def, unsigned type)
{
    for (const struct actor_handler *h = def->handlers; h && h->fn; h++)
        if (h->type == type)
            return h;
    return NULL;
}

/* ACTOR_CTL_SAVE: the state in a new memory object. Returns true when the
 * loop is to stop after the reply. */
static bool save_state(struct actor_req *req, long *mem)
{
    if (req->len == sizeof(uint64_t) && *(const uint64_t *)req->data != (uint64_t)clk_self()) {
        actor_reply(req, CLK_ENOENT, NULL, 0); /* meant for an instance before this one */
        return false;
    }
    if (!rt.def->save_state) { /* nothing to hand over: stop all the same */
        uint64_t none = 0;
        actor_reply(req, 0, &none, sizeof(none));
        *mem = 0;
        return true;
    }
    if (rt.waiting) {
        actor_reply(req, CLK_EAGAIN, NULL, 0); /* requests in flight: not a settled state */
        return false;
    }
    /* A page is enough for most; a state that does not fit gets the most. */
    long m = 0, n = CLK_ERANGE;
    for (size_t size = PAGE; n == CLK_ERANGE && size <= ACTOR_STATE_MAX; size *= 16) {
        if (m > 0)
            clk_cap_delete(m);
        m = n = clk_memory_create(size / PAGE);
        if (m > 0 && (n = clk_map(m, STATE_VA, CLK_MAP_WRITE)) >= 0) {
            n = rt.def->save_state((void *)STATE_VA, size);
            clk_unmap(STATE_VA);
            n = n > (long)size ? CLK_ERANGE : n;
        }
    }
    if (n < 0) {
        if (m > 0)
            clk_cap_delete(m);
        actor_reply(req, n, NULL, 0);
        return false;
    }
    uint64_t len = (uint64_t)n;
    actor_reply_cap(req, 0, &len, sizeof(len), m);
    *mem = m;
    return true;
}

/* Map CAP (LEN bytes of state) and hand it to DEF's restore_state. */
static long restore_from(const struct actor_def *def, long cap, uint64_t len)
{
    long n;
    if (!cap && len == 0)
        return 0; /* no state to take (an update of a service without the hooks) */
    if (!def->restore_state)
        return CLK_ENOSYS;
    if (!cap || len > ACTOR_STATE_MAX)
        return CLK_EINVAL;
    if ((n = clk_map(cap, STATE_VA, 0)) >= 0) {
        n = def->restore_state((const void *)STATE_VA, len);
        clk_unmap(STATE_VA);
    }
    return n;
}

long actor_restore(const struct actor_def *def, long cap, uint64_t len)
{
    long n = restore_from(def, cap, len);
    clk_cap_delete(cap);
    return n;
}

static void restore_state(struct actor_req *req)
{
    uint64_t len = req->len == sizeof(len) ? *(const uint64_t *)req->data : ~0ULL;
    long n = restore_from(rt.def, req->cap, len);
    rt.restored = n >= 0;
    actor_reply(req, n, NULL, 0);
}

/* A control request (its badge is 0). Returns true when the loop stops
 * after the reply; *MEM is then a capability to delete after it. */
static bool control(struct actor_req *req, long *mem)
{
    switch (req->type) {
    case ACTOR_CTL_PING: actor_reply(req, 0, NULL, 0); return false;
    case ACTOR_CTL_SAVE: return save_state(req, mem);
    case ACTOR_CTL_RESTORE: restore_state(req); return false;
    case ACTOR_CTL_DEPENDENCY_FAILED:
        if (req->len == ACTOR_NAME_MAX && ((const char *)req->data)[ACTOR_NAME_MAX - 1] == '\0') {
            if (rt.def->dependency_failed)
                rt.def->dependency_failed(req->data);
            actor_reply(req, 0, NULL, 0);
        } else {
            actor_reply(req, CLK_EINVAL, NULL, 0);
        }
        return false;
    case ACTOR_CTL_INJECT: {
        uint32_t kind = req->len == sizeof(kind) ? *(const uint32_t *)req->data : 0;
        if (!rt.may_inject) {
            actor_reply(req, CLK_EPERM, NULL, 0);
        } else if (kind < 1 || kind > 5 || kind == 4) { /* 4, a flood, comes from outside */
            actor_reply(req, CLK_EINVAL, NULL, 0);
        } else {
            actor_reply(req, 0, NULL, 0);
            if (kind == 5) /* SUP_FAULT_BAD_REPLY */
                rt.bad_reply = true;
            else
                rt.doom = kind;
        }
        return false;
    }
    default: actor_reply(req, CLK_ENOSYS, NULL, 0); return false;
    }
}

static void drop_cap(void)
{
    if (rt.drop_cap)
        clk_cap_delete(rt.drop_cap);
    rt.drop_cap = 0;
}

static bool is_control(unsigned type, uint64_t badge)
{
    return badge == 0 && type >= ACTOR_CTL_PING && type <= ACTOR_CTL_INJECT;
}

/* Handle one request in M (ONEWAY: a message from the mailbox, which gets
 * no answer). Returns true when a reply is to be sent; it is in M then.
 * *STOP says the loop is to end after it (state handed over). */
static bool handle(struct clk_msg *m, uint64_t badge, bool oneway, bool own_ep, bool *stop,
                   long *stop_cap)
{
    unsigned type = CLK_TAG_LABEL(m->tag);
    size_t len = CLK_TAG_LEN(m->tag);
    const void *data = len <= REG_BYTES ? (const void *)m->w : clk_ipc_buffer();
    const struct actor_handler *h = lookup(rt.def, type);
    struct fiber *f = NULL;
    struct actor_req local, *req = &local;
    bool ctl = !oneway && !own_ep && is_control(type, badge); /* only on the main endpoint */
    uint8_t *reply_buf = rt.loop_reply;
    if (h && len >= h->min && len <= h->max && !ctl && (f = fiber_get())) {
        memcpy(f->payload, data, len); /* the loop's buffers are reused at once */
        data = f->payload;
        req = &f->req;
        reply_buf = f->reply;
    } else if (h && !ctl) { /* on the loop: its calls use the IPC buffer */
        memcpy(rt.loop_payload, data, len);
        data = rt.loop_payload;
    }
    *req = (struct actor_req){
        .type = type,
        .data = data,
        .len = len,
        .badge = badge,
        .cap = CLK_TAG_CAP(m->tag),
        .oneway = oneway,
        .reply_buf = reply_buf,
    };
    if (ctl)
        *stop = control(req, stop_cap);
    else if (!h)
        actor_reply(req, CLK_ENOSYS, NULL, 0);
    else if (len < h->min || len > h->max)
        actor_reply(req, CLK_EINVAL, NULL, 0);
    else if (!f)
        h->fn(req); /* no fiber to be had: its calls block the loop */
    else {
        f->handler = h->fn;
        f->auto_deferred = f->reply_sent = f->parked = false;
        fiber_run(f);
        if (f->state != FIBER_FREE)
            return false; /* it waits; it answers when it is done */
        f->next = rt.free;
        rt.free = f;
    }
    if (oneway || req->deferred || (f && f->reply_sent)) {
        if (req->cap)
            clk_cap_delete(req->cap); /* the handler did not keep it */
        return false;
    }
    if (!req->answered)
        actor_reply(req, CLK_EIO, NULL, 0); /* the handler forgot: the client must not hang */
    stage(req);
    *m = req->reply_msg;
    if (req->cap && CLK_TAG_CAP(m->tag) == req->cap)
        rt.drop_cap = req->cap; /* the answer passes it: delete it once that is out */
    else if (req->cap)
        clk_cap_delete(req->cap); /* the handler did not keep it */
    if (rt.bad_reply && !ctl) {   /* injected: a status and length of nonsense */
        rt.bad_reply = false;
        m->tag = CLK_TAG(0x7EADBEEFu, 3);
    }
    return true;
}

long actor_serve(long ep, const struct actor_def *def)
{
    long r = runtime_init();
    if (r < 0)
        return r;
    rt.def = def;
    if ((r = clk_bind(ep)) < 0 || (r = clk_bind(rt.note)) < 0 ||
        (rt.faults && (r = clk_bind(rt.faults)) < 0) ||
        (rt.mailbox && (r = clk_bind(rt.mailbox)) < 0) ||
        (rt.own_ep && (r = clk_bind(rt.own_ep)) < 0))
        return r;
    rt.serving = true;
    timers_arm();
    struct clk_msg m = { 0 };
    uint64_t badge;
    bool reply = false, stop = false;
    long stop_cap = 0;
    for (;;) {
        if (rt.ready.head) {
            if (reply && clk_reply(&m) < 0) { /* before fibers use the IPC buffer */
                struct clk_msg bare = { CLK_TAG((unsigned)CLK_EIO, 0), { 0 } };
                clk_reply(&bare);
            }
            reply = false;
            drop_cap();
            run_ready();
        }
        r = reply ? clk_reply_wait(CLK_FOREVER, &m, &badge) : clk_wait(CLK_FOREVER, &m, &badge);
        if (reply && r < 0) { /* the kernel refused the answer (a capability gone, say) */
            struct clk_msg bare = { CLK_TAG((unsigned)r, 0), { 0 } };
            clk_reply(&bare);
            reply = false;
            drop_cap();
            continue;
        }
        reply = false;
        drop_cap();
        if (r == ep)
            reply = handle(&m, badge, false, false, &stop, &stop_cap);
        else if (r == rt.own_ep)
            reply = handle(&m, badge, false, true, &stop, &stop_cap);
        else if (r == rt.mailbox)
            handle(&m, badge, true, false, &stop, &stop_cap);
        else if (r == rt.note)
            notified(m.w[0]);
        else if (r == rt.faults)
            fault_message(&m, badge);
        else if (r < 0)
            return r;
        if (rt.doom) {
            clk_reply(&m); /* the injected fault's answer, then the fault */
            reply = false;
            uint32_t kind = rt.doom;
            rt.doom = 0;
            misbehave(kind);
        }
        if (rt.next_ep && rt.restored) { /* handed over: now the service's own endpoint */
            clk_reply(&m);
            reply = false;
            clk_unbind(ep);
            clk_cap_delete(ep);
            ep = rt.next_ep;
            rt.next_ep = 0;
            if ((r = clk_bind(ep)) < 0)
                return r;
        }
        if (stop) {
            clk_unbind(ep); /* first: the next instance may bind it as soon as it hears */
            clk_reply(&m);
            if (stop_cap)
                clk_cap_delete(stop_cap);
            rt.serving = false;
            return 0;
        }
    }
}

long actor_serve_handover(long handover, long ep, const struct actor_def *def)
{
    rt.next_ep = ep;
    struct fiber *f = fiber_get(); /* made now, not while clients wait for the swap */
    if (f) {
        f->next = rt.free;
        rt.free = f;
    }
    return actor_serve(handover, def);
}

long actor_serve_named(const char *name, const struct actor_def *def)
{
    long ep = clk_endpoint_create();
    if (ep < 0)
        return ep;
    long err = actor_register(name, ep);
    return err ? err : actor_serve(ep, def);
}

const char *actor_strerror(long err)
{
    static const char *const text[] = {
        [0] = "success",
        [-CLK_EINVAL] = "invalid argument",
        [-CLK_ENOMEM] = "out of memory or over quota",
        [-CLK_ENOENT] = "no such object or name",
        [-CLK_EEXIST] = "already exists",
        [-CLK_EFAULT] = "bad address",
        [-CLK_EPERM] = "not permitted by the capability",
        [-CLK_ENOSYS] = "not implemented",
        [-CLK_ERANGE] = "value out of range",
        [-CLK_EBADF] = "bad or empty capability slot",
        [-CLK_EAGAIN] = "try again",
        [-CLK_ETIMEDOUT] = "timed out",
        [-CLK_EIO] = "input/output error",
        [-CLK_EDEAD] = "the other side is gone",
        [-CLK_EFULL] = "mailbox full",
    };
    if (err <= 0 && -err < (long)(sizeof(text) / sizeof(text[0])) && text[-err])
        return text[-err];
    return "unknown error";
}

/* ---- the name registry, client side ---- */

static long names_req_for(struct names_req *r, const char *name, uint64_t wait, uint64_t newer)
{
    memset(r, 0, sizeof(*r));
    size_t n = 0;
    while (name[n] && n < ACTOR_NAME_MAX)
        n++;
    if (n == 0 || n == ACTOR_NAME_MAX)
        return CLK_EINVAL;
    memcpy(r->name, name, n);
    r->wait_ns = wait;
    r->newer_than = newer;
    return 0;
}

long actor_register(const char *name, long ep)
{
    struct names_req r;
    long err = names_req_for(&r, name, 0, 0);
    if (err)
        return err;
    long cap = clk_cap_mint(ep, CLK_RIGHT_SEND | CLK_RIGHT_GRANT, ACTOR_BADGE_CLIENT);
    if (cap < 0)
        return cap;
    err = actor_call_cap(ACTOR_NAMES_SLOT, NAMES_REGISTER, &r, sizeof(r), cap, NULL, NULL, NULL);
    clk_cap_delete(cap); /* the registry has its own copy */
    return err;
}

/* Look NAME up, waiting up to WAIT ns for a registration newer than NEWER;
 * *SERIAL gets the one found. */
static long names_lookup(const char *name, uint64_t wait, uint64_t newer, uint64_t *serial)
{
    struct names_req r;
    long err = names_req_for(&r, name, wait, newer);
    if (err)
        return err;
    long cap = 0;
    size_t len = sizeof(*serial);
    err = actor_call_cap(ACTOR_NAMES_SLOT, NAMES_LOOKUP, &r, sizeof(r), 0, serial, &len, &cap);
    if (err || !cap) {
        if (cap)
            clk_cap_delete(cap);
        return err ? err : CLK_EIO;
    }
    return cap;
}

long actor_lookup(const char *name, uint64_t wait_ns)
{
    uint64_t serial;
    return names_lookup(name, wait_ns, 0, &serial);
}

long actor_call_service(struct actor_service *s, unsigned type, const void *data, size_t len,
                        void *resp, size_t *resp_len)
{
    bool idempotent = type < 64 && (s->idempotent >> type & 1);
    for (int attempt = 0;; attempt++) {
        if (!s->cap) {
            uint64_t serial = 0;
            long cap = names_lookup(s->name, s->wait_ns, s->serial, &serial);
            if (cap < 0)
                return s->serial ? CLK_EDEAD : cap; /* it was there, and none came back */
            if (s->cap) {
                clk_cap_delete(cap); /* another fiber found it meanwhile */
            } else {
                s->cap = cap;
                s->serial = serial;
            }
        }
        long server = s->cap;
        struct call c = { server, type, data, len, 0, resp, resp_len, NULL, 0, 0 };
        s->inflight++;
        call(&c);
        s->inflight--;
        if (c.kernel_err == CLK_EDEAD && s->cap == server) {
            /* Dead: the next call looks for a newer instance. The slot goes
             * once no fiber's call names it, so that none reaches whatever
             * the slot holds next. */
            if (s->dead)
                clk_cap_delete(s->dead);
            s->dead = server;
            s->cap = 0;
        }
        if (!s->inflight && s->dead) {
            clk_cap_delete(s->dead);
            s->dead = 0;
        }
        if (c.kernel_err != CLK_EDEAD)
            return c.status;
        if (!idempotent || attempt == 2)
            return CLK_EDEAD;
    }
}
