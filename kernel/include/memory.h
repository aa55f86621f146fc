/*
 * memory.h: memory objects, the kernel's unit of user memory that can be
 * shared. MEMORY_CREATE makes one of N zeroed pages, paid for from the
 * creator's page quota, and returns a capability to it; MAP puts all its
 * pages into the caller's address space, read-only or (with the WRITE
 * right) read-write; UNMAP takes a mapping away. Passing the capability,
 * or a copy minted without the WRITE right, lets another actor map the
 * same pages: bulk data and ring channels travel that way.
 *
 * An object lives while capabilities or mappings name it; its frames go
 * back to the allocator (and its pages to the creator's quota) with the
 * last.
 */
#ifndef CLK_MEMORY_H
#define CLK_MEMORY_H

#include <kdefs.h>

struct actor;
struct vspace;

struct memobj {
    uint32_t refs;  /* capabilities and mappings */
    uint32_t owner; /* the id of the actor whose page quota pays for it */
    uint32_t npages;
    uint64_t pa[]; /* its frames */
};

/* A mapping of a memory object in an address space (vspace.regions). */
struct region {
    uint64_t va;
    struct memobj *mo;
    struct region *next;
};

/* A new object of NPAGES zeroed pages, paid for by A, with all rights in
 * A's table. Returns the slot, CLK_EINVAL or CLK_ENOMEM (no memory, no
 * slot, or over A's page quota). */
int memobj_create(struct actor *a, uint64_t npages);

void memobj_retain(struct memobj *mo);
void memobj_release(struct memobj *mo);

/* Map all of MO at VA in VS, writable if WRITE. Returns 0, CLK_EINVAL (VA
 * misaligned or the range outside user space), CLK_EEXIST (something is
 * mapped there) or CLK_ENOMEM. */
int memobj_map(struct vspace *vs, struct memobj *mo, uint64_t va, bool write);

/* Remove the mapping that starts at VA. Returns 0 or CLK_ENOENT. */
int memobj_unmap(struct vspace *vs, uint64_t va);

/* Drop every mapping of VS (it is being destroyed). */
void memobj_unmap_all(struct vspace *vs);

#endif
