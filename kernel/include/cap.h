/*
 * cap.h: capabilities. Every actor holds a table of slots; a slot names a
 * kernel object with rights (clk_rights) and, for endpoints, a badge that
 * the receiver sees. An actor can reach only what its table holds, and the
 * table only changes through the kernel (CAP_MINT, CAP_DELETE, SPAWN).
 *
 * Objects count the capabilities that name them and are freed with the last.
 */
#ifndef CLK_CAP_H
#define CLK_CAP_H

#include <kdefs.h>

struct actor;
struct source;

enum cap_type {
    CAP_EMPTY,
    CAP_ENDPOINT,
    CAP_MAILBOX,
    CAP_NOTIFICATION,
    CAP_ACTOR, /* names an actor by id (in badge), so it outlives it harmlessly */
    CAP_MEMORY,
    CAP_REPLY,      /* a deferred reply (ipc.h) */
    CAP_DEVICE,     /* device authority: no object; the root of every hardware capability */
    CAP_IOPORT,     /* a range of I/O ports (device.h) */
    CAP_IRQ,        /* an interrupt line or MSI vector (device.h) */
    CAP_MONITOR,    /* monitor authority: no object; reads every actor's info (monitor.h) */
    CAP_ANY = 0xFF, /* for cap_lookup: any type but empty */
};

struct cap {
    uint8_t type;   /* enum cap_type */
    uint8_t rights; /* enum clk_rights */
    uint64_t badge; /* CAP_ACTOR: the actor's id */
    void *obj;
};

struct cap_table {
    unsigned nslots;
    unsigned used; /* slots not empty */
    struct cap slot[];
};

/* Give A an empty table. It grows as needed up to A's quota of slots.
 * Returns 0 or CLK_ENOMEM. */
int cap_table_init(struct actor *a);

/* Drop every capability of A and free its table. */
void cap_table_destroy(struct actor *a);

/* Put a capability to OBJ (taking a reference) in A's first free slot.
 * Returns the slot, or CLK_ENOMEM when the table is full (at A's quota)
 * or cannot grow. Pointers into A's table from cap_lookup may move. */
int cap_insert(struct actor *a, enum cap_type type, void *obj, unsigned rights, uint64_t badge);

/*
 * The capability in SLOT of A, if it is of TYPE and has every right in
 * RIGHTS. Returns 0 with *OUT, CLK_EBADF (empty slot, out of range or wrong
 * type) or CLK_EPERM (a right is missing).
 */
int cap_lookup(struct actor *a, uint64_t slot, enum cap_type type, unsigned rights,
               struct cap **out);

/* Empty SLOT of A, releasing its object. Returns 0 or CLK_EBADF. */
int cap_delete(struct actor *a, uint64_t slot);

/* A capability held by the kernel outside any table (an actor's fault
 * mailbox): copy SRC into *DST taking a reference, and drop it again. */
void cap_hold(struct cap *dst, const struct cap *src);
void cap_drop(struct cap *c);

/* The object of a capability of TYPE as something to WAIT on (async.h), or
 * NULL when it is not one. */
struct source *cap_source(enum cap_type type, void *obj);

#endif
