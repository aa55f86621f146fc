/*
 * cap.c: capability tables (see cap.h).
 */
#include <actor.h>
#include <async.h>
#include <cap.h>
#include <clk/abi.h>
#include <ipc.h>
#include <kmalloc.h>

int cap_table_init(struct actor *a, unsigned n)
{
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
    default: break;
    }
}

/* Empty SLOT of A and drop its reference. */
static void release(struct actor *a, uint64_t slot)
{
    struct cap *c = &a->caps->slot[slot];
    enum cap_type type = c->type;
    unsigned rights = c->rights;
    void *obj = c->obj;
    *c = (struct cap){ 0 };
    struct source *src = cap_source(type, obj);
    if (src)
        source_cap_gone(a, slot, src);
    switch (type) {
    case CAP_ENDPOINT: endpoint_release(obj, rights); break;
    case CAP_MAILBOX: mailbox_release(obj, rights); break;
    case CAP_NOTIFICATION: notification_release(obj); break;
    default: break;
    }
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

int cap_insert(struct actor *a, enum cap_type type, void *obj, unsigned rights, uint64_t badge)
{
    for (unsigned i = 1; i < a->caps->nslots; i++) /* slot 0 means "none" */
        if (a->caps->slot[i].type == CAP_EMPTY) {
            a->caps->slot[i] = (struct cap){ type, rights, badge, obj };
            retain(type, obj, rights);
            return (int)i;
        }
    return CLK_ENOMEM;
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
