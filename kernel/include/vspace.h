/*
 * vspace.h: an actor's address space: its user half, and safe copies
 * between it and the kernel. The kernel never dereferences a user pointer:
 * copies walk the actor's page tables and go through the direct map, so a
 * bad pointer (kernel address, unmapped, read-only) is CLK_EFAULT, never a
 * fault in ring 0.
 */
#ifndef CLK_VSPACE_H
#define CLK_VSPACE_H

#include <kdefs.h>

struct vspace {
    uint64_t root;          /* the arch's handle of its page tables (vm.h) */
    uint64_t pages;         /* frames the space owns (freed with it) */
    uint64_t max_pages;     /* the most it may own (the actor's quota) */
    struct region *regions; /* memory objects mapped (memory.h) */
};

/* Pages the space may still own under its quota. Page tables that a
 * mapping made can take it past the quota (they are charged when made), so
 * this never subtracts past zero. */
static inline uint64_t vspace_room(const struct vspace *vs)
{
    return vs->pages < vs->max_pages ? vs->max_pages - vs->pages : 0;
}

/* Returns 0 or CLK_ENOMEM. */
int vspace_init(struct vspace *vs);

/* Free every frame and table the space owns and drop its mappings of
 * memory objects. It must not be active. */
void vspace_destroy(struct vspace *vs);

/* Map N new zeroed pages at VA (page-aligned), owned by the space, with
 * vm_flags FLAGS (VM_USER is implied). Returns 0, CLK_EINVAL, CLK_EEXIST or
 * CLK_ENOMEM (no memory, or over max_pages); on failure nothing stays
 * mapped. */
int vspace_map_new(struct vspace *vs, uint64_t va, uint64_t n, unsigned flags);

/* Unmap the page at VA that the space owns and free its frame. */
void vspace_unmap_owned(struct vspace *vs, uint64_t va);

/* Map the existing frame PA at VA, not owned (the space will not free it). */
int vspace_map_frame(struct vspace *vs, uint64_t va, uint64_t pa, unsigned flags);

/* Copy N bytes from user address UVA of VS. Returns 0 or CLK_EFAULT
 * (unmapped, not a user page, or device memory). */
int copy_from_user(const struct vspace *vs, void *dst, uint64_t uva, size_t n);

/* Copy N bytes from kernel memory SRC to user address UVA of VS. Returns 0
 * or CLK_EFAULT (unmapped, not a user page, read-only, or device memory). */
int copy_to_user(const struct vspace *vs, uint64_t uva, const void *src, size_t n);

/* 0 when copy_to_user of N bytes to UVA would succeed now, else CLK_EFAULT;
 * it writes nothing. */
int check_user_writable(const struct vspace *vs, uint64_t uva, size_t n);

/* Copy a NUL-terminated string of at most MAX-1 bytes. Returns its length,
 * CLK_EFAULT, or CLK_ERANGE when no NUL comes within MAX bytes. */
int copy_str_from_user(const struct vspace *vs, char *dst, uint64_t uva, size_t max);

#endif
