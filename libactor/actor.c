/*
 * actor.c: the actor runtime's receive loop and calls (see actor/actor.h).
 */
#include <actor/actor.h>

/* Builtins, so that this file builds against newlib and without it. */
#define memcpy  __builtin_memcpy
#define memmove __builtin_memmove

#define REG_BYTES (8 * CLK_MSG_REGS)

static long timer_slot; /* the loop's notification, for actor_timer */

/* Put a message of TAG's label with LEN bytes of DATA into M (and the IPC
 * buffer when it is long). */
static void pack(struct clk_msg *m, unsigned label, const void *data, size_t len)
{
    if (len > CLK_MSG_MAX)
        len = CLK_MSG_MAX;
    m->tag = CLK_TAG(label, len);
    if (len <= REG_BYTES)
        memcpy(m->w, data, len);
    else
        memmove(clk_ipc_buffer(), data, len);
}

void actor_reply(struct actor_req *req, long status, const void *data, size_t len)
{
    if (req->answered || req->deferred)
        return;
    pack(&req->reply_msg, (unsigned)status, data, len); /* the loop sends it with REPLY_WAIT */
    req->answered = true;
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

long actor_reply_later(long token, long status, const void *data, size_t len)
{
    struct clk_msg m;
    pack(&m, (unsigned)status, data, len);
    return clk_reply_to(token, &m);
}

long actor_timer(uint64_t ns, uint64_t bits)
{
    return timer_slot ? clk_timer(timer_slot, ns, bits) : CLK_ENOENT;
}

long actor_call(long server, unsigned type, const void *data, size_t len, void *resp,
                size_t *resp_len)
{
    struct clk_msg m;
    pack(&m, type, data, len);
    long err = clk_call(server, &m);
    if (err)
        return err;
    size_t got = CLK_TAG_LEN(m.tag), room = resp_len ? *resp_len : 0;
    size_t n = got < room ? got : room;
    if (n)
        memcpy(resp, got <= REG_BYTES ? (const void *)m.w : clk_ipc_buffer(), n);
    if (resp_len)
        *resp_len = got;
    return (long)(int)CLK_TAG_LABEL(m.tag);
}

static const struct actor_handler *lookup(const struct actor_def *def, unsigned type)
{
    for (const struct actor_handler *h = def->handlers; h && h->fn; h++)
        if (h->type == type)
            return h;
    return NULL;
}

/* Handle one request in M; leave the reply (if any now) in M. Returns true
 * when a reply is to be sent. */
static bool handle(const struct actor_def *def, struct clk_msg *m, uint64_t badge)
{
    struct actor_req req = {
        .type = CLK_TAG_LABEL(m->tag),
        .len = CLK_TAG_LEN(m->tag),
        .badge = badge,
    };
    req.data = req.len <= REG_BYTES ? (const void *)m->w : clk_ipc_buffer();
    if (CLK_TAG_CAP(m->tag))
        clk_cap_delete(CLK_TAG_CAP(m->tag)); /* this protocol takes no capabilities */
    const struct actor_handler *h = lookup(def, req.type);
    if (!h)
        actor_reply(&req, CLK_ENOSYS, NULL, 0);
    else if (req.len < h->min || req.len > h->max)
        actor_reply(&req, CLK_EINVAL, NULL, 0);
    else
        h->fn(&req);
    if (req.deferred)
        return false;
    if (!req.answered)
        actor_reply(&req, CLK_EIO, NULL, 0); /* the handler forgot: the client must not hang */
    *m = req.reply_msg;
    return true;
}

long actor_serve(long ep, const struct actor_def *def)
{
    long note = clk_notification_create(), r;
    if (note < 0)
        return note;
    if ((r = clk_bind(ep)) < 0 || (r = clk_bind(note)) < 0)
        return r;
    timer_slot = note;
    struct clk_msg m = { 0 };
    uint64_t badge;
    r = clk_wait(CLK_FOREVER, &m, &badge);
    for (;;) {
        bool reply = false;
        if (r == ep)
            reply = handle(def, &m, badge);
        else if (r == note && def->notified)
            def->notified(m.w[0]);
        else if (r < 0)
            return r;
        r = reply ? clk_reply_wait(CLK_FOREVER, &m, &badge) : clk_wait(CLK_FOREVER, &m, &badge);
    }
}
