/*
 * kmalloc.h: the kernel heap. Small objects (up to KMALLOC_MAX_SMALL bytes)
 * come from slabs of one size class each; larger ones are whole page blocks.
 * Freed small objects are poisoned and the poison is checked on reuse, so a
 * write after free is reported. A double free, or a free of a pointer into a
 * block that kmalloc did not hand out, panics with a report.
 */
#ifndef CLK_KMALLOC_H
#define CLK_KMALLOC_H

#include <kdefs.h>

#define KMALLOC_MIN_SMALL 16
#define KMALLOC_MAX_SMALL 2048

/* Allocate SIZE bytes aligned to 16; NULL when SIZE is 0 or memory is out. */
void *kmalloc(size_t size);

/* kmalloc() and clear. */
void *kzalloc(size_t size);

/* Free P (NULL is ignored). */
void kfree(void *p);

struct kmalloc_stats {
    uint64_t slabs;   /* slab blocks held */
    uint64_t objects; /* small objects in use */
    uint64_t large;   /* large allocations in use */
    uint64_t bytes;   /* held by the objects and allocations in use (whole size classes, pages) */
};
void kmalloc_get_stats(struct kmalloc_stats *st);

#endif
