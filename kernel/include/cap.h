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
    CAP_ANY = 0xFF, /* for cap_lookup: any type but empty */
};

struct cap {
    uint8_t type;   /* enum cap_type */
    uint8_t rights; /* enum clk_rights */
    uint64_t badge;
    void *obj;
};

struct cap_table {
    unsigned nslots;
    struct cap slot[];
};

/* Give A an empty table of N slots. Returns 0 or CLK_ENOMEM. */
int cap_table_init(struct actor *a, unsigned n);

/* Drop every capability of A and free its table. */
void cap_table_destroy(struct actor *a);

/* Put a capability to OBJ (taking a reference) in A's first free slot.
 * Returns the slot, or CLK_ENOMEM when the table is full. */
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

/* The object of a capability of TYPE as something to WAIT on (async.h), or
 * NULL when it is not one. */
struct source *cap_source(enum cap_type type, void *obj);

#endif
