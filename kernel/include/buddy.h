/*
 * buddy.h: a binary buddy allocator of page frames, orders 0..BUDDY_MAX_ORDER.
 *
 * Pure code: it manages frame numbers and reaches free frames through BASE,
 * the address at which frame 0 is visible (the direct map in the kernel, a
 * heap arena in host tests). Free blocks hold their list links in their
 * first bytes. Allocation and free are O(BUDDY_MAX_ORDER), i.e. O(log n).
 *
 * Every frame has one state byte. A double free, a free of a frame the
 * allocator does not own, or a corrupted free block panics with a report;
 * the allocator never silently corrupts.
 *
 * Not locked: callers serialise (the kernel is uniprocessor and does not
 * allocate frames in interrupt handlers).
 */
#ifndef CLK_BUDDY_H
#define CLK_BUDDY_H

#include <kdefs.h>
#include <param.h>

#define BUDDY_ORDERS (BUDDY_MAX_ORDER + 1)

struct buddy_node {
    struct buddy_node *next, *prev;
    uint64_t check; /* BUDDY_CHECK ^ frame number: catches writes to free frames */
};

struct buddy {
    uint8_t *state; /* one byte per frame, see buddy.c */
    uint64_t nframes;
    uintptr_t base; /* address of frame 0 */
    struct buddy_node *free[BUDDY_ORDERS];
    uint64_t nfree_blocks[BUDDY_ORDERS];
    uint64_t nfree;    /* free frames */
    uint64_t nmanaged; /* frames handed to the allocator */
};

/* Set up B for frames 0..NFRAMES-1, all reserved; STATE has NFRAMES bytes. */
void buddy_init(struct buddy *b, uint8_t *state, uint64_t nframes, uintptr_t base);

/* Give frames PFN..PFN+COUNT-1 (reserved until now) to the allocator. */
void buddy_add_range(struct buddy *b, uint64_t pfn, uint64_t count);

/* Allocate 2^ORDER contiguous, aligned frames; *PFN gets the first.
 * Returns 0, CLK_EINVAL for a bad order, or CLK_ENOMEM. */
int buddy_alloc(struct buddy *b, unsigned order, uint64_t *pfn);

/* Free the block that starts at PFN. Panics on a double or foreign free. */
void buddy_free(struct buddy *b, uint64_t pfn);

/* Turn the allocated block that starts at PFN into 2^order allocated blocks
 * of one frame each (its tag is dropped), so that they can be freed one by
 * one. Panics when PFN starts no allocated block. */
void buddy_split(struct buddy *b, uint64_t pfn);

/* If PFN lies in an allocated block, return true with its head and order. */
bool buddy_block_of(const struct buddy *b, uint64_t pfn, uint64_t *head, unsigned *order);

/* Each allocated block carries a small tag for its owner, kept in the state
 * byte (never in the block) and reset to 0 when the block is freed. */
#define BUDDY_TAGS 4

/* Tag the allocated block that starts at PFN with TAG (< BUDDY_TAGS).
 * Panics when PFN starts no allocated block. */
void buddy_set_tag(struct buddy *b, uint64_t pfn, unsigned tag);

/* The tag of the allocated block that starts at PFN; 0 for anything else. */
unsigned buddy_tag(const struct buddy *b, uint64_t pfn);

/* Check every invariant (free lists, states, counts); panics on a violation. */
void buddy_check(const struct buddy *b);

#endif
