/*
 * test_buddy.c: the buddy frame allocator (kernel/buddy.c).
 *
 * A long randomized run of allocations and frees over an arena with holes is
 * checked against a per-frame model; then splitting a block into frames,
 * every error return and every panic path (double, foreign and interior frees, overwritten free
 * blocks, bad ranges, corrupted state), each on a fresh allocator.
 */
#include <buddy.h>
#include <clk/abi.h>
#include <memlayout.h>
#include <stdlib.h>
#include <unit.h>

#define RANDOM_OPS  200000
#define RANDOM_LIVE 600 /* live blocks at most: enough to run out of memory */
#define CHECK_EVERY 1000

/* An allocator with its frames in a page-aligned heap arena. */
struct arena {
    struct buddy b;
    uint8_t *mem;
    uint8_t *state;
    uint64_t nframes;
};

static struct arena *arena_new(uint64_t nframes)
{
    struct arena *a = calloc(1, sizeof(*a));
    CHECK(a);
    a->nframes = nframes;
    a->mem = aligned_alloc(PAGE_SIZE, nframes * PAGE_SIZE);
    a->state = malloc(nframes);
    CHECK(a->mem && a->state);
    buddy_init(&a->b, a->state, nframes, (uintptr_t)a->mem);
    return a;
}

static void arena_free(struct arena *a)
{
    free(a->mem);
    free(a->state);
    free(a);
}

static void *frame_ptr(struct arena *a, uint64_t pfn)
{
    return a->mem + pfn * PAGE_SIZE;
}

/* ---- the randomized run against a model ---- */

struct range {
    uint64_t pfn, count;
};

/* Holes at 0, 251-255, 1023, 2048, 2949-2959 and 3071; [256, 1023) comes in
 * two pieces that must merge; [1024, 2048) is one order-10 block. */
static const struct range ranges[] = {
    { 1, 250 }, { 256, 344 }, { 600, 423 }, { 1024, 1024 }, { 2049, 900 }, { 2960, 111 },
};
#define RANDOM_FRAMES 3072

struct live {
    uint64_t pfn;
    unsigned order;
    int id;
};

struct model {
    struct arena *a;
    int *owner; /* per frame: -1 not managed, 0 free, else the owning block's id */
    struct live live[RANDOM_LIVE];
    unsigned nlive;
    uint64_t allocated; /* frames */
    int next_id;
    uint64_t nalloc, nfree, nenomem, neinval;
};

static uint64_t tag_of(uint64_t pfn, unsigned order)
{
    return 0x7A6B000000000000ULL ^ (pfn << 8) ^ order;
}

/* Mark the first and last bytes of an allocated block, which the allocator must not touch. */
static void write_tags(struct arena *a, const struct live *l)
{
    uint64_t t = tag_of(l->pfn, l->order);
    uint8_t *p = frame_ptr(a, l->pfn);
    size_t bytes = PAGE_SIZE << l->order;
    memcpy(p, &t, 8);
    memcpy(p + bytes - 8, &t, 8);
}

static void check_tags(struct arena *a, const struct live *l)
{
    uint64_t t = tag_of(l->pfn, l->order), first, last;
    uint8_t *p = frame_ptr(a, l->pfn);
    memcpy(&first, p, 8);
    memcpy(&last, p + (PAGE_SIZE << l->order) - 8, 8);
    CHECK(first == t && last == t);
}

/* Is any aligned block of ORDER entirely free in the model? */
static bool model_has_free_block(const struct model *m, unsigned order)
{
    uint64_t n = 1ULL << order;
    for (uint64_t h = 0; h + n <= m->a->nframes; h += n) {
        uint64_t i = 0;
        while (i < n && m->owner[h + i] == 0)
            i++;
        if (i == n)
            return true;
    }
    return false;
}

/* Orders 0..11, mostly small; 11 is invalid. */
static unsigned random_order(void)
{
    if (unit_rand_below(10) == 0)
        return unit_rand_below(BUDDY_MAX_ORDER + 1);
    return __builtin_ctzll(unit_rand() | (1ULL << (BUDDY_MAX_ORDER + 1)));
}

static void model_alloc(struct model *m)
{
    unsigned order = random_order();
    uint64_t pfn = ~0ULL;
    int err = buddy_alloc(&m->a->b, order, &pfn);
    if (order > BUDDY_MAX_ORDER) {
        CHECK_EQ(err, CLK_EINVAL);
        m->neinval++;
        return;
    }
    if (err == CLK_ENOMEM) {
        CHECK(!model_has_free_block(m, order));
        m->nenomem++;
        return;
    }
    CHECK_EQ(err, 0);
    uint64_t n = 1ULL << order;
    CHECK(IS_ALIGNED(pfn, n) && pfn + n <= m->a->nframes);
    struct live *l = &m->live[m->nlive++];
    *l = (struct live){ pfn, order, ++m->next_id };
    for (uint64_t i = 0; i < n; i++) {
        CHECK_EQ(m->owner[pfn + i], 0); /* managed, and not in another block */
        m->owner[pfn + i] = l->id;
    }
    m->allocated += n;
    m->nalloc++;
    write_tags(m->a, l);

    uint64_t head;
    unsigned o;
    CHECK(buddy_block_of(&m->a->b, pfn + unit_rand_below(n), &head, &o));
    CHECK(head == pfn && o == order);
}

static void model_free(struct model *m)
{
    unsigned k = unit_rand_below(m->nlive);
    struct live l = m->live[k];
    m->live[k] = m->live[--m->nlive];
    check_tags(m->a, &l);
    buddy_free(&m->a->b, l.pfn);
    uint64_t n = 1ULL << l.order;
    for (uint64_t i = 0; i < n; i++) {
        CHECK_EQ(m->owner[l.pfn + i], l.id);
        m->owner[l.pfn + i] = 0;
    }
    m->allocated -= n;
    m->nfree++;

    uint64_t head;
    unsigned o;
    CHECK(!buddy_block_of(&m->a->b, l.pfn + unit_rand_below(n), &head, &o));
}

/* Every frame: buddy_block_of() agrees with the model; then buddy_check(). */
static void model_check_all(struct model *m)
{
    struct buddy *b = &m->a->b;
    buddy_check(b);
    CHECK_EQ(b->nfree, b->nmanaged - m->allocated);
    for (unsigned k = 0; k < m->nlive; k++) {
        const struct live *l = &m->live[k];
        check_tags(m->a, l);
        for (uint64_t i = 0; i < (1ULL << l->order); i++) {
            uint64_t head;
            unsigned o;
            CHECK(buddy_block_of(b, l->pfn + i, &head, &o));
            CHECK(head == l->pfn && o == l->order);
        }
    }
    for (uint64_t pfn = 0; pfn < m->a->nframes; pfn++) {
        uint64_t head;
        unsigned o;
        if (m->owner[pfn] <= 0)
            CHECK(!buddy_block_of(b, pfn, &head, &o));
    }
}

static void test_random_against_model(void)
{
    struct model *m = calloc(1, sizeof(*m));
    CHECK(m);
    m->a = arena_new(RANDOM_FRAMES);
    m->owner = malloc(RANDOM_FRAMES * sizeof(int));
    CHECK(m->owner);
    for (uint64_t i = 0; i < RANDOM_FRAMES; i++)
        m->owner[i] = -1;

    uint64_t managed = 0;
    for (unsigned r = 0; r < ARRAY_SIZE(ranges); r++) {
        buddy_add_range(&m->a->b, ranges[r].pfn, ranges[r].count);
        for (uint64_t i = 0; i < ranges[r].count; i++)
            m->owner[ranges[r].pfn + i] = 0;
        managed += ranges[r].count;
    }
    struct buddy *b = &m->a->b;
    CHECK_EQ(b->nmanaged, managed);
    CHECK_EQ(b->nfree, managed);
    CHECK_EQ(b->nfree_blocks[BUDDY_MAX_ORDER], 1); /* [1024, 2048) */
    buddy_check(b);
    uint64_t baseline[BUDDY_ORDERS];
    memcpy(baseline, b->nfree_blocks, sizeof(baseline));

    for (unsigned op = 1; op <= RANDOM_OPS; op++) {
        if (m->nlive == 0 || (m->nlive < RANDOM_LIVE && unit_rand_below(100) < 55))
            model_alloc(m);
        else
            model_free(m);
        CHECK_EQ(b->nfree, b->nmanaged - m->allocated);
        if (op % CHECK_EVERY == 0)
            model_check_all(m);
    }
    printf("   %u operations: %lu allocs, %lu frees, %lu ENOMEM, %lu EINVAL\n", RANDOM_OPS,
           (unsigned long)m->nalloc, (unsigned long)m->nfree, (unsigned long)m->nenomem,
           (unsigned long)m->neinval);
    CHECK(m->nenomem > 0 && m->neinval > 0);

    while (m->nlive)
        model_free(m);
    model_check_all(m);
    CHECK_EQ(b->nfree, managed);
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++)
        CHECK_EQ(b->nfree_blocks[k], baseline[k]); /* fully coalesced again */

    free(m->owner);
    arena_free(m->a);
    free(m);
}

/* Allocate order-0 frames until none is left, then free them all. */
static void test_exhaust_and_refill(void)
{
    struct arena *a = arena_new(RANDOM_FRAMES);
    for (unsigned r = 0; r < ARRAY_SIZE(ranges); r++)
        buddy_add_range(&a->b, ranges[r].pfn, ranges[r].count);
    uint64_t baseline[BUDDY_ORDERS], managed = a->b.nmanaged, n = 0, pfn;
    memcpy(baseline, a->b.nfree_blocks, sizeof(baseline));

    uint64_t *got = malloc(managed * sizeof(*got));
    CHECK(got);
    while (buddy_alloc(&a->b, 0, &pfn) == 0) {
        CHECK(n < managed);
        got[n++] = pfn;
    }
    CHECK_EQ(n, managed);
    CHECK_EQ(a->b.nfree, 0);
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++)
        CHECK_EQ(buddy_alloc(&a->b, k, &pfn), CLK_ENOMEM);
    buddy_check(&a->b);

    for (uint64_t i = n; i > 1; i--) { /* free in a shuffled order */
        uint64_t j = unit_rand_below(i), t = got[i - 1];
        got[i - 1] = got[j];
        got[j] = t;
    }
    for (uint64_t i = 0; i < n; i++)
        buddy_free(&a->b, got[i]);
    buddy_check(&a->b);
    CHECK_EQ(a->b.nfree, managed);
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++)
        CHECK_EQ(a->b.nfree_blocks[k], baseline[k]);
    free(got);
    arena_free(a);
}

/* Expected free blocks per order for a set of fully free frames (MANAGED). */
static void reference_blocks(const bool *managed, uint64_t nframes, uint64_t *blocks)
{
    memset(blocks, 0, BUDDY_ORDERS * sizeof(*blocks));
    for (uint64_t pfn = 0; pfn < nframes;) {
        if (!managed[pfn]) {
            pfn++;
            continue;
        }
        unsigned k = BUDDY_MAX_ORDER;
        for (;; k--) {
            uint64_t n = 1ULL << k, i = 0;
            if (IS_ALIGNED(pfn, n) && pfn + n <= nframes)
                while (i < n && managed[pfn + i])
                    i++;
            if (i == n)
                break;
        }
        blocks[k]++;
        pfn += 1ULL << k;
    }
}

/* Random sets of ranges, added in random pieces: maximal blocks every time. */
static void test_add_range_layout(void)
{
    const uint64_t nframes = 5000;
    bool *managed = malloc(nframes);
    CHECK(managed);
    for (unsigned round = 0; round < 200; round++) {
        struct arena *a = arena_new(nframes);
        memset(managed, 0, nframes);
        for (unsigned r = 0; r < 1 + unit_rand_below(12); r++) {
            uint64_t start = unit_rand_below(nframes), count = unit_rand_below(1500);
            count = MIN(count, nframes - start);
            for (uint64_t i = start; i < start + count; i++) {
                if (managed[i])
                    continue;
                uint64_t j = i;
                while (j < start + count && !managed[j])
                    j++;
                buddy_add_range(&a->b, i, j - i);
                memset(managed + i, 1, j - i);
                i = j;
            }
        }
        uint64_t want[BUDDY_ORDERS], nmanaged = 0;
        reference_blocks(managed, nframes, want);
        for (uint64_t i = 0; i < nframes; i++)
            nmanaged += managed[i];
        buddy_check(&a->b);
        CHECK_EQ(a->b.nmanaged, nmanaged);
        CHECK_EQ(a->b.nfree, nmanaged);
        for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++)
            CHECK_EQ(a->b.nfree_blocks[k], want[k]);
        arena_free(a);
    }
    free(managed);
}

/* ---- error returns ---- */

static void test_bad_order(void)
{
    struct arena *a = arena_new(2048);
    uint64_t pfn = 77;
    buddy_add_range(&a->b, 0, 2048);
    CHECK_EQ(buddy_alloc(&a->b, BUDDY_MAX_ORDER + 1, &pfn), CLK_EINVAL);
    CHECK_EQ(buddy_alloc(&a->b, 31, &pfn), CLK_EINVAL);
    CHECK_EQ(buddy_alloc(&a->b, ~0u, &pfn), CLK_EINVAL);
    CHECK_EQ(pfn, 77);
    CHECK_EQ(a->b.nfree, 2048);
    CHECK_EQ(buddy_alloc(&a->b, BUDDY_MAX_ORDER, &pfn), 0);
    CHECK(pfn == 0 || pfn == 1024);
    arena_free(a);
}

static void test_enomem(void)
{
    struct arena *a = arena_new(16);
    uint64_t p1, p2, p3;
    CHECK_EQ(buddy_alloc(&a->b, 0, &p1), CLK_ENOMEM); /* nothing managed yet */
    buddy_add_range(&a->b, 4, 8);                     /* [4, 12): two order-2 blocks */
    CHECK_EQ(buddy_alloc(&a->b, 3, &p1), CLK_ENOMEM); /* 8 frames, but not aligned */
    CHECK_EQ(buddy_alloc(&a->b, 2, &p1), 0);
    CHECK_EQ(buddy_alloc(&a->b, 2, &p2), 0);
    CHECK((p1 == 4 && p2 == 8) || (p1 == 8 && p2 == 4));
    CHECK_EQ(buddy_alloc(&a->b, 0, &p3), CLK_ENOMEM);
    buddy_free(&a->b, p1);
    CHECK_EQ(buddy_alloc(&a->b, 1, &p3), 0);
    CHECK(p3 == p1 || p3 == p1 + 2);
    buddy_check(&a->b);
    arena_free(a);
}

static void test_block_of(void)
{
    struct arena *a = arena_new(64);
    uint64_t head, pfn;
    unsigned order;
    buddy_add_range(&a->b, 16, 32);
    CHECK(!buddy_block_of(&a->b, 0, &head, &order));  /* reserved */
    CHECK(!buddy_block_of(&a->b, 20, &head, &order)); /* free */
    CHECK(!buddy_block_of(&a->b, 64, &head, &order)); /* out of range */
    CHECK(!buddy_block_of(&a->b, ~0ULL, &head, &order));
    CHECK_EQ(buddy_alloc(&a->b, 3, &pfn), 0);
    for (uint64_t i = 0; i < 8; i++) {
        head = order = 99;
        CHECK(buddy_block_of(&a->b, pfn + i, &head, &order));
        CHECK(head == pfn && order == 3);
    }
    CHECK(!buddy_block_of(&a->b, pfn + 8, &head, &order) || head != pfn);
    buddy_free(&a->b, pfn);
    CHECK(!buddy_block_of(&a->b, pfn, &head, &order));
    arena_free(a);
}

/* ---- panics, each on a fresh allocator ---- */

/* 16 managed frames [0, 16) out of 32, with frames 0 and 1 allocated. */
static struct arena *small_arena(uint64_t *p0, uint64_t *p1)
{
    struct arena *a = arena_new(32);
    buddy_add_range(&a->b, 0, 16);
    CHECK_EQ(buddy_alloc(&a->b, 0, p0), 0);
    CHECK_EQ(buddy_alloc(&a->b, 0, p1), 0);
    CHECK(*p0 == 0 && *p1 == 1);
    return a;
}

static void test_panic_double_free_head(void)
{
    uint64_t p0, p1;
    struct arena *a = small_arena(&p0, &p1);
    buddy_free(&a->b, p0); /* stays a free order-0 head: frame 1 is allocated */
    EXPECT_PANIC(buddy_free(&a->b, p0),
                 "double free of frame 0 (already free, in block 0 order 0)");
    arena_free(a);
}

static void test_panic_double_free_merged(void)
{
    uint64_t p0, p1;
    struct arena *a = small_arena(&p0, &p1);
    buddy_free(&a->b, p1);
    buddy_free(&a->b, p0); /* merges: frame 1 is now inside the free block [0, 16) */
    CHECK_EQ(a->b.nfree_blocks[4], 1);
    EXPECT_PANIC(buddy_free(&a->b, p1),
                 "double free of frame 0x1000 (already free, in block 0 order 4)");
    arena_free(a);
}

static void test_panic_foreign_frame(void)
{
    uint64_t p0, p1;
    struct arena *a = small_arena(&p0, &p1);
    EXPECT_PANIC(buddy_free(&a->b, 20), "free of foreign frame 0x14000");
    arena_free(a);
}

static void test_panic_out_of_range(void)
{
    uint64_t p0, p1;
    struct arena *a = small_arena(&p0, &p1);
    EXPECT_PANIC(buddy_free(&a->b, 32), "free of foreign frame 0x20000");
    arena_free(a);

    a = small_arena(&p0, &p1);
    EXPECT_PANIC(buddy_free(&a->b, 1ULL << 40), "foreign frame");
    arena_free(a);
}

static void test_panic_inside_allocated_block(void)
{
    struct arena *a = arena_new(32);
    uint64_t pfn;
    buddy_add_range(&a->b, 0, 32);
    CHECK_EQ(buddy_alloc(&a->b, 2, &pfn), 0);
    CHECK_EQ(pfn, 0);
    EXPECT_PANIC(buddy_free(&a->b, pfn + 3),
                 "free of frame 0x3000 inside the block allocated at 0 (order 2)");
    arena_free(a);
}

/* A state byte of a tail with no head above it: only corruption makes one. */
static void test_panic_tail_without_head(void)
{
    uint64_t p0, p1;
    struct arena *a = small_arena(&p0, &p1);
    a->state[20] = 0x40; /* ST_TAIL in buddy.c */
    EXPECT_PANIC(buddy_free(&a->b, 20), "free of frame 0x14000 in no block (state 0x40)");
    arena_free(a);
}

static void test_panic_overwritten_on_alloc(void)
{
    uint64_t p0, p1, pfn;
    struct arena *a = small_arena(&p0, &p1);
    buddy_free(&a->b, p0);
    memset(frame_ptr(a, p0), 0xAA, 32); /* use after free */
    EXPECT_PANIC(buddy_alloc(&a->b, 0, &pfn), "free block at 0 (order 0) or its list neighbours");
    arena_free(a);

    /* A write anywhere in the node, e.g. only its check word. */
    a = small_arena(&p0, &p1);
    buddy_free(&a->b, p0);
    ((struct buddy_node *)frame_ptr(a, p0))->check ^= 1;
    EXPECT_PANIC(buddy_alloc(&a->b, 0, &pfn), "were overwritten (use after free?)");
    arena_free(a);
}

static void test_panic_overwritten_on_merge(void)
{
    uint64_t p0, p1;
    struct arena *a = small_arena(&p0, &p1);
    buddy_free(&a->b, p0);
    memset(frame_ptr(a, p0), 0, sizeof(struct buddy_node));
    EXPECT_PANIC(buddy_free(&a->b, p1), "free block at 0 (order 0) or its list neighbours");
    arena_free(a);
}

/* A use-after-free write to a free block's list pointers is caught when a
 * neighbour is unlinked, before the bad pointer is followed. */
static void test_panic_overwritten_list_pointer(void)
{
    struct arena *a = arena_new(8);
    uint64_t pfn;
    buddy_add_range(&a->b, 0, 8);
    for (int i = 0; i < 8; i++)
        CHECK(buddy_alloc(&a->b, 0, &pfn) == 0);
    buddy_free(&a->b, 0);
    buddy_free(&a->b, 2); /* not buddies: both stay order 0, 2 heads the list */
    ((struct buddy_node *)frame_ptr(a, 2))->next = frame_ptr(a, 5); /* allocated frame */
    EXPECT_PANIC(buddy_alloc(&a->b, 0, &pfn), "free block at 0x2000 (order 0) or its list");
    arena_free(a);
}

/* The owner's tag: set on an allocated block, reset once it is freed. */
static void test_tag(void)
{
    struct arena *a = arena_new(16);
    uint64_t pfn, again;
    buddy_add_range(&a->b, 0, 16);
    CHECK(buddy_alloc(&a->b, 2, &pfn) == 0);
    CHECK_EQ(buddy_tag(&a->b, pfn), 0);
    for (unsigned tag = 0; tag < BUDDY_TAGS; tag++) {
        buddy_set_tag(&a->b, pfn, tag);
        CHECK_EQ(buddy_tag(&a->b, pfn), tag);
        CHECK_EQ(buddy_tag(&a->b, pfn + 1), 0); /* a tail has no tag */
        uint64_t head;
        unsigned order;
        CHECK(buddy_block_of(&a->b, pfn + 3, &head, &order) && head == pfn && order == 2);
        buddy_check(&a->b);
    }
    buddy_set_tag(&a->b, pfn, 3);
    buddy_free(&a->b, pfn);
    CHECK_EQ(buddy_tag(&a->b, pfn), 0);
    buddy_check(&a->b);
    CHECK(buddy_alloc(&a->b, 2, &again) == 0 && again == pfn);
    CHECK_EQ(buddy_tag(&a->b, pfn), 0);
    EXPECT_PANIC(buddy_set_tag(&a->b, pfn + 1, 1), "does not start an allocated block");
    EXPECT_PANIC(buddy_set_tag(&a->b, pfn, BUDDY_TAGS), "does not start an allocated block");
    arena_free(a);
    a = arena_new(16);
    buddy_add_range(&a->b, 0, 16);
    EXPECT_PANIC(buddy_set_tag(&a->b, 0, 1), "does not start an allocated block"); /* free */
    arena_free(a);
}

/* A block cut into frames (DMA memory): each frame is its own block, freed
 * alone, and the frames merge back into the block when all are free. */
static void test_split(void)
{
    struct arena *a = arena_new(64);
    uint64_t pfn, head;
    unsigned order;
    buddy_add_range(&a->b, 0, 64);
    CHECK(buddy_alloc(&a->b, 3, &pfn) == 0);
    buddy_set_tag(&a->b, pfn, 2);
    buddy_split(&a->b, pfn);
    buddy_check(&a->b);
    CHECK_EQ(a->b.nfree, 56);
    CHECK_EQ(buddy_tag(&a->b, pfn), 0);
    for (uint64_t i = 0; i < 8; i++)
        CHECK(buddy_block_of(&a->b, pfn + i, &head, &order) && head == pfn + i && order == 0);
    static const unsigned shuffled[8] = { 5, 0, 7, 2, 3, 6, 1, 4 };
    for (unsigned i = 0; i < 8; i++) {
        buddy_free(&a->b, pfn + shuffled[i]);
        buddy_check(&a->b);
    }
    CHECK_EQ(a->b.nfree, 64);
    CHECK_EQ(a->b.nfree_blocks[6], 1); /* all one block again */
    EXPECT_PANIC(buddy_split(&a->b, 0), "does not start an allocated block"); /* free */
    arena_free(a);

    a = arena_new(16);
    buddy_add_range(&a->b, 0, 16);
    CHECK(buddy_alloc(&a->b, 2, &pfn) == 0);
    EXPECT_PANIC(buddy_split(&a->b, pfn + 1), "does not start an allocated block"); /* a tail */
    arena_free(a);
    a = arena_new(16);
    EXPECT_PANIC(buddy_split(&a->b, 99), "does not start an allocated block"); /* out of range */
    arena_free(a);
}

static void test_panic_add_range(void)
{
    struct arena *a = arena_new(32);
    buddy_add_range(&a->b, 0, 16);
    EXPECT_PANIC(buddy_add_range(&a->b, 8, 16), "assertion failed"); /* overlaps */
    arena_free(a);

    a = arena_new(32);
    EXPECT_PANIC(buddy_add_range(&a->b, 16, 17), "assertion failed"); /* past the end */
    arena_free(a);

    a = arena_new(32);
    EXPECT_PANIC(buddy_add_range(&a->b, 16, ~0ULL - 8), "assertion failed"); /* wraps */
    arena_free(a);
}

static void test_panic_check_detects_corruption(void)
{
    uint64_t p0, p1;
    struct arena *a = small_arena(&p0, &p1);
    buddy_check(&a->b);
    a->b.nfree++;
    EXPECT_PANIC(buddy_check(&a->b), "assertion failed: nfree == b->nfree");
    arena_free(a);

    a = small_arena(&p0, &p1);
    a->state[p1] = 0x40; /* an allocated head turned into a tail (ST_TAIL) */
    EXPECT_PANIC(buddy_check(&a->b), "assertion failed");
    arena_free(a);

    a = small_arena(&p0, &p1);
    a->b.nmanaged--;
    EXPECT_PANIC(buddy_check(&a->b), "managed == b->nmanaged");
    arena_free(a);
}

int main(void)
{
    printf("test_buddy: seed %#lx\n", (unsigned long)unit_seed());
    RUN(test_random_against_model);
    RUN(test_exhaust_and_refill);
    RUN(test_add_range_layout);
    RUN(test_bad_order);
    RUN(test_enomem);
    RUN(test_block_of);
    RUN(test_panic_double_free_head);
    RUN(test_panic_double_free_merged);
    RUN(test_panic_foreign_frame);
    RUN(test_panic_out_of_range);
    RUN(test_panic_inside_allocated_block);
    RUN(test_panic_tail_without_head);
    RUN(test_panic_overwritten_on_alloc);
    RUN(test_panic_overwritten_on_merge);
    RUN(test_panic_overwritten_list_pointer);
    RUN(test_tag);
    RUN(test_split);
    RUN(test_panic_add_range);
    RUN(test_panic_check_detects_corruption);
    return 0;
}
