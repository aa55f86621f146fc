/*
 * buddy.c: binary buddy allocator of page frames (see buddy.h).
 *
 * Frame state, one byte each: a kind (bits 7-6), the owner's tag (bits 5-4,
 * allocated heads only, see buddy_set_tag) and an order (bits 3-0).
 *   RESERVED                not managed: outside RAM, or used by the kernel
 *   FREE  | order           first frame of a free block of 2^order frames
 *   ALLOC | tag | order     first frame of an allocated block
 *   TAIL                    any other frame of a free or allocated block
 * Invariant: a block of order k starts at a multiple of 2^k, and its frames
 * other than the first are TAIL.
 */
#include <buddy.h>
#include <clk/abi.h>
#include <memlayout.h>
#include <panic.h>

#define ST_KIND      0xC0
#define ST_RESERVED  0x00
#define ST_TAIL      0x40
#define ST_FREE      0x80
#define ST_ALLOC     0xC0
#define ST_TAG       0x30
#define ST_TAG_SHIFT 4
#define ST_ORDER     0x0F

#define BUDDY_CHECK 0xB0DD1E5C0FFEE000ULL

_Static_assert(BUDDY_MAX_ORDER <= ST_ORDER, "order must fit in a state byte");
_Static_assert(BUDDY_TAGS == 4, "tags take two bits of the state byte");

static unsigned kind(uint8_t st)
{
    return st & ST_KIND;
}

/* True when ST starts a block (free or allocated). */
static bool is_head(uint8_t st)
{
    return kind(st) == ST_FREE || kind(st) == ST_ALLOC;
}
_Static_assert(sizeof(struct buddy_node) <= PAGE_SIZE, "node lives in a free frame");

static struct buddy_node *node_of(const struct buddy *b, uint64_t pfn)
{
    return (struct buddy_node *)(b->base + (pfn << PAGE_SHIFT));
}

static uint64_t pfn_of(const struct buddy *b, const struct buddy_node *n)
{
    return ((uintptr_t)n - b->base) >> PAGE_SHIFT;
}

static void list_push(struct buddy *b, uint64_t pfn, unsigned order)
{
    struct buddy_node *n = node_of(b, pfn);
    n->prev = NULL;
    n->next = b->free[order];
    n->check = BUDDY_CHECK ^ pfn;
    if (n->next)
        n->next->prev = n;
    b->free[order] = n;
    b->state[pfn] = ST_FREE | order;
    b->nfree_blocks[order]++;
    b->nfree += 1ULL << order;
}

/* True when N is the list node of a free block of ORDER, intact. */
static bool node_ok(const struct buddy *b, const struct buddy_node *n, unsigned order)
{
    uintptr_t off = (uintptr_t)n - b->base;
    if ((uintptr_t)n < b->base || off % PAGE_SIZE || (off >> PAGE_SHIFT) >= b->nframes)
        return false;
    uint64_t pfn = off >> PAGE_SHIFT;
    return b->state[pfn] == (ST_FREE | order) && n->check == (BUDDY_CHECK ^ pfn);
}

/* Unlink free block PFN of ORDER. Its node and both neighbours must be
 * intact: a write into a free frame is reported, never followed. */
static void list_remove(struct buddy *b, uint64_t pfn, unsigned order)
{
    struct buddy_node *n = node_of(b, pfn);
    if (!node_ok(b, n, order) || (n->next && !node_ok(b, n->next, order)) ||
        (n->prev ? !node_ok(b, n->prev, order) || n->prev->next != n : b->free[order] != n))
        kpanic("buddy: free block at %#lx (order %u) or its list neighbours were overwritten "
               "(use after free?)",
               (unsigned long)(pfn << PAGE_SHIFT), order);
    if (n->prev)
        n->prev->next = n->next;
    else
        b->free[order] = n->next;
    if (n->next)
        n->next->prev = n->prev;
    b->nfree_blocks[order]--;
    b->nfree -= 1ULL << order;
}

static void mark_tail(struct buddy *b, uint64_t pfn, unsigned order)
{
    for (uint64_t i = 1; i < (1ULL << order); i++)
        b->state[pfn + i] = ST_TAIL;
}

void buddy_init(struct buddy *b, uint8_t *state, uint64_t nframes, uintptr_t base)
{
    *b = (struct buddy){ .state = state, .nframes = nframes, .base = base };
    for (uint64_t i = 0; i < nframes; i++)
        state[i] = ST_RESERVED;
}

/* Free the block PFN of ORDER, merging with free buddies. State of PFN: any. */
static void free_block(struct buddy *b, uint64_t pfn, unsigned order)
{
    while (order < BUDDY_MAX_ORDER) {
        uint64_t buddy = pfn ^ (1ULL << order);
        if (buddy >= b->nframes || b->state[buddy] != (ST_FREE | order))
            break;
        list_remove(b, buddy, order);
        b->state[MAX(pfn, buddy)] = ST_TAIL;
        pfn = MIN(pfn, buddy);
        order++;
    }
    list_push(b, pfn, order);
}

void buddy_add_range(struct buddy *b, uint64_t pfn, uint64_t count)
{
    KASSERT(pfn + count <= b->nframes && pfn + count >= pfn);
    for (uint64_t i = 0; i < count; i++)
        KASSERT(b->state[pfn + i] == ST_RESERVED);
    while (count) {
        unsigned order = 0;
        while (order < BUDDY_MAX_ORDER && IS_ALIGNED(pfn, 1ULL << (order + 1)) &&
               (2ULL << order) <= count)
            order++;
        mark_tail(b, pfn, order);
        b->nmanaged += 1ULL << order;
        free_block(b, pfn, order);
        pfn += 1ULL << order;
        count -= 1ULL << order;
    }
}

int buddy_alloc(struct buddy *b, unsigned order, uint64_t *pfn)
{
    if (order > BUDDY_MAX_ORDER)
        return CLK_EINVAL;
    unsigned k = order;
    while (k <= BUDDY_MAX_ORDER && !b->free[k])
        k++;
    if (k > BUDDY_MAX_ORDER)
        return CLK_ENOMEM;

    uint64_t head = pfn_of(b, b->free[k]);
    list_remove(b, head, k);
    while (k > order) {
        k--;
        list_push(b, head + (1ULL << k), k); /* upper half stays free */
    }
    b->state[head] = ST_ALLOC | order;
    *pfn = head;
    return 0;
}

void buddy_split(struct buddy *b, uint64_t pfn)
{
    if (pfn >= b->nframes || kind(b->state[pfn]) != ST_ALLOC)
        kpanic("buddy: cannot split frame %#lx: it does not start an allocated block",
               (unsigned long)(pfn << PAGE_SHIFT));
    unsigned order = b->state[pfn] & ST_ORDER;
    for (uint64_t i = 0; i < (1ULL << order); i++)
        b->state[pfn + i] = ST_ALLOC; /* order 0, no tag */
}

/* Find the head of the block containing PFN: true with its state and head. */
static bool find_head(const struct buddy *b, uint64_t pfn, uint64_t *head, uint8_t *st)
{
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
        uint64_t h = pfn & ~((1ULL << k) - 1);
        uint8_t s = b->state[h];
        if (is_head(s) && (s & ST_ORDER) >= k) {
            *head = h;
            *st = s;
            return true;
        }
    }
    return false;
}

bool buddy_block_of(const struct buddy *b, uint64_t pfn, uint64_t *head, unsigned *order)
{
    uint8_t st;
    if (pfn >= b->nframes || b->state[pfn] == ST_RESERVED || !find_head(b, pfn, head, &st) ||
        kind(st) != ST_ALLOC)
        return false;
    *order = st & ST_ORDER;
    return true;
}

void buddy_set_tag(struct buddy *b, uint64_t pfn, unsigned tag)
{
    if (pfn >= b->nframes || kind(b->state[pfn]) != ST_ALLOC || tag >= BUDDY_TAGS)
        kpanic("buddy: cannot tag frame %#lx with %u: it does not start an allocated block",
               (unsigned long)(pfn << PAGE_SHIFT), tag);
    b->state[pfn] = (b->state[pfn] & ~ST_TAG) | (tag << ST_TAG_SHIFT);
}

unsigned buddy_tag(const struct buddy *b, uint64_t pfn)
{
    if (pfn >= b->nframes || kind(b->state[pfn]) != ST_ALLOC)
        return 0;
    return (b->state[pfn] & ST_TAG) >> ST_TAG_SHIFT;
}

/* Panic with a precise description of why PFN cannot be freed. */
static __noreturn void bad_free(const struct buddy *b, uint64_t pfn)
{
    uint64_t head;
    uint8_t st;
    unsigned long pa = (unsigned long)(pfn << PAGE_SHIFT);

    if (pfn >= b->nframes || b->state[pfn] == ST_RESERVED)
        kpanic("buddy: free of foreign frame %#lx (not managed by the allocator)", pa);
    if (!find_head(b, pfn, &head, &st))
        kpanic("buddy: free of frame %#lx in no block (state %#x)", pa, b->state[pfn]);
    if (kind(st) == ST_FREE)
        kpanic("buddy: double free of frame %#lx (already free, in block %#lx order %u)", pa,
               (unsigned long)(head << PAGE_SHIFT), st & ST_ORDER);
    kpanic("buddy: free of frame %#lx inside the block allocated at %#lx (order %u)", pa,
           (unsigned long)(head << PAGE_SHIFT), st & ST_ORDER);
}

void buddy_free(struct buddy *b, uint64_t pfn)
{
    if (pfn >= b->nframes || kind(b->state[pfn]) != ST_ALLOC)
        bad_free(b, pfn);
    free_block(b, pfn, b->state[pfn] & ST_ORDER);
}

void buddy_check(const struct buddy *b)
{
    uint64_t nfree = 0, managed = 0;
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
        uint64_t blocks = 0;
        for (struct buddy_node *n = b->free[k], *prev = NULL; n; prev = n, n = n->next) {
            uint64_t pfn = pfn_of(b, n);
            KASSERT(pfn < b->nframes && IS_ALIGNED(pfn, 1ULL << k));
            KASSERT(b->state[pfn] == (ST_FREE | k));
            KASSERT(n->check == (BUDDY_CHECK ^ pfn) && n->prev == prev);
            blocks++;
        }
        KASSERT(blocks == b->nfree_blocks[k]);
        nfree += blocks << k;
    }
    KASSERT(nfree == b->nfree);

    for (uint64_t pfn = 0; pfn < b->nframes;) {
        uint8_t s = b->state[pfn];
        if (s == ST_RESERVED) {
            pfn++;
            continue;
        }
        KASSERT(is_head(s)); /* a block starts here, not a tail */
        KASSERT(kind(s) == ST_ALLOC || !(s & ST_TAG));
        unsigned k = s & ST_ORDER;
        KASSERT(k <= BUDDY_MAX_ORDER && IS_ALIGNED(pfn, 1ULL << k) &&
                pfn + (1ULL << k) <= b->nframes);
        for (uint64_t i = 1; i < (1ULL << k); i++)
            KASSERT(b->state[pfn + i] == ST_TAIL);
        managed += 1ULL << k;
        pfn += 1ULL << k;
    }
    KASSERT(managed == b->nmanaged);
}
