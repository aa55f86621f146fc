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
 *
 * Drivers get two more kinds (device.h): DMA objects, physically
 * contiguous RAM whose addresses MEMORY_PHYS tells, paid for like any
 * other; and device objects, a device's own pages (MMIO), which are never
 * RAM, never freed, never paid for and always mapped uncached.
 *
 * Boot objects are the fourth kind: RAM the boot loader filled (the
 * initrd), which the kernel hands the root actor read-only. Like device
 * pages they are never freed and never paid for; like RAM they are mapped
 * cached; like ordinary objects they keep their addresses to themselves.
 */
#ifndef CLK_MEMORY_H
#define CLK_MEMORY_H

#include <kdefs.h>

struct actor;
struct vspace;

enum memobj_kind {
    MEMOBJ_RAM,    /* MEMORY_CREATE: frames from anywhere */
    MEMOBJ_DMA,    /* DMA_CREATE: contiguous frames from BASE */
    MEMOBJ_DEVICE, /* MMIO_CREATE: device pages from BASE, not RAM */
    MEMOBJ_BOOT,   /* boot memory (the initrd): reserved RAM from BASE, read-only */
};

struct memobj {
    uint32_t refs;  /* capabilities and mappings */
    uint32_t owner; /* RAM, DMA: the id of the actor whose page quota pays for it */
    uint32_t npages;
    uint8_t kind;  /* enum memobj_kind */
    uint64_t base; /* DMA, DEVICE, BOOT: the physical address of the first page */
    uint64_t pa[]; /* RAM: its frames */
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

/* DMA_CREATE: NPAGES physically contiguous zeroed pages, paid for by A.
 * Returns the slot, CLK_EINVAL (0 pages, or more than one buddy block) or
 * CLK_ENOMEM (no contiguous memory, no slot, or over the page quota). */
int memobj_create_dma(struct actor *a, uint64_t npages);

/* MMIO_CREATE: the NPAGES device pages at PA. Returns the slot, CLK_EINVAL
 * (PA misaligned, no pages or too many, past the physical address space, or
 * RAM), CLK_EPERM (memory the kernel maps itself) or CLK_ENOMEM. */
int memobj_create_device(struct actor *a, uint64_t pa, uint64_t npages);

/* The NPAGES pages of boot memory at PA (page-aligned RAM that the frame
 * allocator never manages), as an object in A's table with RIGHTS (never
 * WRITE). Returns the slot, CLK_EINVAL (PA misaligned, no pages, too many,
 * or WRITE among RIGHTS) or CLK_ENOMEM. */
int memobj_create_boot(struct actor *a, uint64_t pa, uint64_t npages, unsigned rights);

/* MEMORY_PHYS: the physical address of page PAGE of MO. Returns it,
 * CLK_EBADF (an ordinary or boot object: its addresses are nobody's
 * business) or CLK_EINVAL (PAGE out of range). */
int64_t memobj_phys(const struct memobj *mo, uint64_t page);

void memobj_retain(struct memobj *mo);
void memobj_release(struct memobj *mo);

/* Map all of MO at VA in VS, writable if WRITE. Returns 0, CLK_EINVAL (VA
 * misaligned or the range outside user space), CLK_EPERM (WRITE on boot
 * memory), CLK_EEXIST (something is mapped there) or CLK_ENOMEM. */
int memobj_map(struct vspace *vs, struct memobj *mo, uint64_t va, bool write);

/* Remove the mapping that starts at VA. Returns 0 or CLK_ENOENT. */
int memobj_unmap(struct vspace *vs, uint64_t va);

/* Drop every mapping of VS (it is being destroyed). */
void memobj_unmap_all(struct vspace *vs);

#endif
