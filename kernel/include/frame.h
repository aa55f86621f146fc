/*
 * frame.h: physical memory. Frames come from a buddy allocator over the
 * usable RAM in the boot memory map; before that exists (while vm_init
 * builds the direct map) single frames come from a boot-time bump region.
 *
 * The page_* calls are the same allocator seen through the direct map.
 */
#ifndef CLK_FRAME_H
#define CLK_FRAME_H

#include <bootinfo.h>
#include <kdefs.h>

struct frame_stats {
    uint64_t total;   /* usable RAM in the memory map, bytes */
    uint64_t managed; /* frames handed to the buddy allocator */
    uint64_t free;    /* frames free now */
    uint64_t kernel;  /* frames used by the image, boot data and boot tables */
    uint64_t top;     /* highest usable physical address + 1 */
};

/* Note usable memory and pick the boot-time bump region. */
void frame_early_init(const struct bootinfo *bi);

/* Start the buddy allocator over all free memory (needs the direct map). */
void frame_init(void);

/* Allocate 2^ORDER contiguous frames; *PA gets the physical address.
 * Returns 0, CLK_EINVAL or CLK_ENOMEM. */
int frame_alloc(unsigned order, uint64_t *pa);

/* NPAGES physically contiguous frames (at most 2^BUDDY_MAX_ORDER), each
 * freed on its own with frame_free(); *PA gets the first. Returns 0,
 * CLK_EINVAL or CLK_ENOMEM. */
int frame_alloc_contig(uint64_t npages, uint64_t *pa);

/* Free a block from frame_alloc(). Panics on a double or foreign free. */
void frame_free(uint64_t pa);

void frame_get_stats(struct frame_stats *st);

/* True when [PA, PA+SIZE) overlaps usable RAM (so it is no device address). */
bool frame_overlaps_ram(uint64_t pa, uint64_t size);

/* Check the allocator's invariants; panics on a violation. */
void frame_check(void);

/* 2^ORDER pages (not cleared), seen through the direct map; NULL when out of memory. */
void *page_alloc(unsigned order);
void page_free(void *p);

/* If P lies in an allocated block, true with the block's first byte and order. */
bool page_block_of(const void *p, void **head, unsigned *order);

/* Owner tags of allocated blocks, kept outside the block and reset when it
 * is freed: kmalloc tags its slabs and large allocations, so no data written
 * into a block can make it pass for either, and a block kmalloc did not hand
 * out is recognised. HEAD must start an allocated block. */
enum page_tag { PAGE_TAG_NONE, PAGE_TAG_SLAB, PAGE_TAG_KMALLOC_LARGE };
void page_set_tag(void *head, enum page_tag tag);
enum page_tag page_tag(const void *head);

#endif
