/*
 * cap.c: capability tables (see cap.h).
 */
#include <actor.h>
#include <async.h>
#include <cap.h>
#include <clk/abi.h>
#include <device.h>
#include <ipc.h>
#include <kmalloc.h>
#include <kstring.h>
#include <memory.h>

int cap_table_init(struct actor *a)
{
    unsigned n = MIN(CAP_SLOTS, a->quota.caps);
    a->caps = kzalloc(sizeof(struct cap_table) + n * sizeof(struct cap));
    if (!a->caps)
        return CLK_ENOMEM;
    a->caps->nslots = n;
    return 0;
}

static void retain(enum cap_type type, void *obj, unsigned rights)
{
    switch (type) {
    case CAP_ENDPOINT: endpoint_retain(obj, rights); break;
    case CAP_MAILBOX: mailbox_retain(obj, rights); break;
    case CAP_NOTIFICATION: ((struct notification *)obj)->refs++; break;
    case CAP_MEMORY: memobj_retain(obj); break;
    case CAP_REPLY: ((struct reply *)obj)->refs++; break;
    case CAP_IOPORT: ((struct ioport *)obj)->refs++; break;
    case CAP_IRQ: ((struct irq *)obj)->refs++; break;
    default: break;
    }
}

static void drop(enum cap_type type, void *obj, unsigned rights)
{
    switch (type) {
    case CAP_ENDPOINT: endpoint_release(obj, rights); break;
    case CAP_MAILBOX: mailbox_release(obj, rights); break;
    case CAP_NOTIFICATION: notification_release(obj); break;
    case CAP_MEMORY: memobj_release(obj); break;
    case CAP_REPLY: reply_release(obj); break;
    case CAP_IOPORT: ioport_release(obj); break;
    case CAP_IRQ: irq_release(obj); break;
    default: break;
    }
}

/* Empty SLOT of A and drop its reference. */
static void release(struct actor *a, uint64_t slot)
{
    struct cap c = a->caps->slot[slot];
    a->caps->slot[slot] = (struct cap){ 0 };
    a->caps->used--;
    struct source *src = cap_source(c.type, c.obj);
    if (src)
        source_cap_gone(a, slot, src);
    drop(c.type, c.obj, c.rights);
}

void cap_hold(struct cap *dst, const struct cap *src)
{
    *dst = *src;
    retain(src->type, src->obj, src->rights);
}

void cap_drop(struct cap *c)
{
    struct cap old = *c;
    *c = (struct cap){ 0 };
    drop(old.type, old.obj, old.rights);
}

struct source *cap_source(enum cap_type type, void *obj)
{
    bool is_source = type == CAP_ENDPOINT || type == CAP_MAILBOX || type == CAP_NOTIFICATION;
    return is_source ? obj : NULL; /* each begins with its struct source */
}

void cap_table_destroy(struct actor *a)
{
    if (!a->caps)
        return;
    for (unsigned i = 0; i < a->caps->nslots; i++)
        if (a->caps->slot[i].type != CAP_EMPTY)
            release(a, i);
    kfree(a->caps);
    a->caps = NULL;
}

/* Double A's table, within its quota. */
static int grow(struct actor *a)
{
    unsigned n = a->caps->nslots, m = MIN(2 * n, a->quota.caps);
    if (m <= n)
        return CLK_ENOMEM;
    struct cap_table *t = kzalloc(sizeof(struct cap_table) + m * sizeof(struct cap));
    if (!t)
        return CLK_ENOMEM;
    t->nslots = m;
    t->used = a->caps->used;
    memcpy(t->slot, a->caps->slot, n * sizeof(struct cap));
    kfree(a->caps);
    a->caps = t;
    return 0;
}

int cap_insert(struct actor *a, enum cap_type type, void *obj, unsigned rights, uint64_t badge)
{
    for (unsigned i = 1;; i++) { /* slot 0 means "none" */
        if (i == a->caps->nslots && grow(a) < 0)
            return CLK_ENOMEM;
        if (a->caps->slot[i].type == CAP_EMPTY) {
            a->caps->slot[i] = (struct cap){ type, rights, badge, obj };
            a->caps->used++;
            retain(type, obj, rights);
            return (int)i;
        }
    }
}

int cap_lookup(struct actor *a, uint64_t slot, enum cap_type type, unsigned rights,
               struct cap **out)
{
    if (slot == 0 || slot >= a->caps->nslots || a->caps->slot[slot].type == CAP_EMPTY)
        return CLK_EBADF;
    if (type != CAP_ANY && a->caps->slot[slot].type != type)
        return CLK_EBADF;
    struct cap *c = &a->caps->slot[slot];
    if ((c->rights & rights) != rights)
        return CLK_EPERM;
    *out = c;
    return 0;
}

int cap_delete(struct actor *a, uint64_t slot)
{
    if (slot == 0 || slot >= a->caps->nslots || a->caps->slot[slot].type == CAP_EMPTY)
        return CLK_EBADF;
    release(a, slot);
    return 0;
}
