/*
 * test_kmalloc.c: the kernel heap (kernel/kmalloc.c) over the real buddy
 * allocator (kernel/buddy.c), which this file turns into page_alloc(),
 * page_free(), page_block_of() and the block tags on a page-aligned heap arena.
 *
 * A randomized run of kmalloc/kzalloc/kfree with sizes 1..9000 checks
 * contents, alignment, statistics and the "one empty slab per class" rule;
 * then limits, running out of memory, and every panic. kmalloc keeps global
 * state, so each test runs in its own child process on a fresh arena.
 */
#include <buddy.h>
#include <frame.h>
#include <kmalloc.h>
#include <memlayout.h>
#include <panic.h>
#include <stdlib.h>
#include <unit.h>

#define HEAP_FRAMES 8192 /* 32 MiB */
#define RANDOM_OPS  200000
#define RANDOM_LIVE 2000
#define MAX_SIZE    9000
#define CHECK_EVERY 1000

/* ---- the page layer kmalloc sits on ---- */

static struct buddy pages;
static uint8_t *heap, *heap_state;
static uint64_t heap_frames;

static void heap_init(uint64_t nframes)
{
    heap_frames = nframes;
    heap = aligned_alloc(PAGE_SIZE, nframes * PAGE_SIZE);
    heap_state = malloc(nframes);
    CHECK(heap && heap_state);
    buddy_init(&pages, heap_state, nframes, (uintptr_t)heap);
    buddy_add_range(&pages, 0, nframes);
}

static bool in_heap(const void *p)
{
    return (const uint8_t *)p >= heap && (const uint8_t *)p < heap + heap_frames * PAGE_SIZE;
}

void *page_alloc(unsigned order)
{
    uint64_t pfn;
    if (buddy_alloc(&pages, order, &pfn) < 0)
        return NULL;
    void *p = heap + pfn * PAGE_SIZE;
    memset(p, 0, PAGE_SIZE << order);
    return p;
}

void page_free(void *p)
{
    uintptr_t off = (uintptr_t)p - (uintptr_t)heap;
    if (!in_heap(p) || !IS_ALIGNED(off, PAGE_SIZE))
        kpanic("page_free: %p is not a page of the heap", p);
    buddy_free(&pages, off / PAGE_SIZE);
}

void page_set_tag(void *head, enum page_tag tag)
{
    buddy_set_tag(&pages, ((uint8_t *)head - heap) / PAGE_SIZE, tag);
}

enum page_tag page_tag(const void *head)
{
    return in_heap(head) ? buddy_tag(&pages, ((const uint8_t *)head - heap) / PAGE_SIZE) : 0;
}

bool page_block_of(const void *p, void **head, unsigned *order)
{
    uint64_t hpfn;
    if (!in_heap(p) ||
        !buddy_block_of(&pages, ((const uint8_t *)p - heap) / PAGE_SIZE, &hpfn, order))
        return false;
    *head = heap + hpfn * PAGE_SIZE;
    return true;
}

/* ---- looking inside: mirrors the start of struct slab in kernel/kmalloc.c ---- */

#define SLAB_MAGIC 0x51AB51AB5EEDF00DULL
#define NCLASSES   8
#define POISON     0x6B

struct slab_view {
    uint64_t magic;
    void *next, *prev;
    uint16_t cls, nobj, nfree, first;
};

struct heap_walk {
    uint64_t slabs, objects, large_blocks, used_frames;
    unsigned empty[NCLASSES];
};

/* Walk every allocated block of the heap and classify it. */
static void walk_heap(struct heap_walk *w)
{
    memset(w, 0, sizeof(*w));
    for (uint64_t pfn = 0; pfn < heap_frames;) {
        uint64_t head;
        unsigned order;
        if (!buddy_block_of(&pages, pfn, &head, &order)) {
            pfn++;
            continue;
        }
        CHECK_EQ(head, pfn);
        const struct slab_view *s = (const void *)(heap + pfn * PAGE_SIZE);
        if (buddy_tag(&pages, pfn) == PAGE_TAG_SLAB) {
            CHECK(s->magic == (SLAB_MAGIC ^ (uintptr_t)s));
            CHECK(s->cls < NCLASSES && s->nfree <= s->nobj);
            w->slabs++;
            w->objects += s->nobj - s->nfree;
            w->empty[s->cls] += s->nfree == s->nobj;
        } else {
            CHECK_EQ(buddy_tag(&pages, pfn), PAGE_TAG_KMALLOC_LARGE);
            w->large_blocks++;
        }
        w->used_frames += 1ULL << order;
        pfn += 1ULL << order;
    }
}

/* Statistics agree with the heap, and no class keeps two empty slabs. */
static void check_heap(uint64_t live_small, uint64_t live_large)
{
    struct kmalloc_stats st;
    struct heap_walk w;
    kmalloc_get_stats(&st);
    walk_heap(&w);
    CHECK_EQ(st.objects, live_small);
    CHECK_EQ(st.large, live_large);
    CHECK_EQ(w.slabs, st.slabs);
    CHECK_EQ(w.objects, live_small);
    CHECK_EQ(w.large_blocks, live_large);
    CHECK_EQ(pages.nfree, pages.nmanaged - w.used_frames);
    for (unsigned c = 0; c < NCLASSES; c++)
        CHECK(w.empty[c] <= 1);
    buddy_check(&pages);
}

/* ---- the randomized run ---- */

struct obj {
    uint8_t *p;
    size_t size;
    uint32_t id;
};

static uint8_t fill_of(uint32_t id)
{
    return (uint8_t)(id * 37 + 11);
}

static void obj_fill(const struct obj *o)
{
    memset(o->p, fill_of(o->id), o->size);
    if (o->size >= 8)
        memcpy(o->p, &o->id, sizeof(o->id));
}

static void obj_verify(const struct obj *o)
{
    size_t i = 0;
    if (o->size >= 8) {
        uint32_t id;
        memcpy(&id, o->p, sizeof(id));
        CHECK_EQ(id, o->id);
        i = sizeof(id);
    }
    for (; i < o->size; i++)
        if (o->p[i] != fill_of(o->id))
            unit_fail(__FILE__, __LINE__, "object %u (%zu bytes) byte %zu changed", o->id, o->size,
                      i);
}

/* Sizes 1..MAX_SIZE, with the small classes well represented. */
static size_t random_size(void)
{
    switch (unit_rand_below(4)) {
    case 0: return 1 + unit_rand_below(64);
    case 1: return 1 + unit_rand_below(KMALLOC_MAX_SMALL);
    case 2: return KMALLOC_MAX_SMALL - 2 + unit_rand_below(5); /* around the boundary */
    default: return 1 + unit_rand_below(MAX_SIZE);
    }
}

/* Allocate one object and check where it landed. */
static void random_alloc(struct obj *o, uint32_t id, uint64_t *nsmall, uint64_t *nlarge)
{
    bool zero = unit_rand_below(5) == 0;
    o->size = random_size();
    o->id = id;
    o->p = zero ? kzalloc(o->size) : kmalloc(o->size);
    CHECK(o->p && in_heap(o->p) && IS_ALIGNED((uintptr_t)o->p, 16));
    CHECK(in_heap(o->p + o->size - 1));
    for (size_t i = 0; zero && i < o->size; i++)
        CHECK(o->p[i] == 0);

    void *head;
    unsigned order;
    CHECK(page_block_of(o->p, &head, &order));
    if (o->size > KMALLOC_MAX_SMALL) {
        CHECK(head == o->p && (PAGE_SIZE << order) >= o->size);
        CHECK(order == 0 || (PAGE_SIZE << (order - 1)) < o->size); /* smallest block */
        ++*nlarge;
    } else {
        CHECK(head != o->p && o->p + o->size <= (uint8_t *)head + (PAGE_SIZE << order));
        ++*nsmall;
    }
    obj_fill(o);
}

static void test_random(void)
{
    heap_init(HEAP_FRAMES);
    struct obj *live = calloc(RANDOM_LIVE, sizeof(*live));
    CHECK(live);
    unsigned nlive = 0;
    uint64_t nsmall = 0, nlarge = 0, nalloc = 0;
    uint32_t next_id = 0;

    for (unsigned op = 1; op <= RANDOM_OPS; op++) {
        if (nlive == 0 || (nlive < RANDOM_LIVE && unit_rand_below(100) < 52)) {
            random_alloc(&live[nlive++], ++next_id, &nsmall, &nlarge);
            nalloc++;
        } else {
            unsigned k = unit_rand_below(nlive);
            obj_verify(&live[k]);
            *(live[k].size > KMALLOC_MAX_SMALL ? &nlarge : &nsmall) -= 1;
            kfree(live[k].p);
            live[k] = live[--nlive];
        }
        if (op % CHECK_EVERY == 0) {
            for (unsigned k = 0; k < nlive; k++)
                obj_verify(&live[k]);
            check_heap(nsmall, nlarge);
        }
    }
    printf("   %u operations (%lu allocations), %u still live\n", RANDOM_OPS, (unsigned long)nalloc,
           nlive);

    while (nlive) {
        obj_verify(&live[--nlive]);
        kfree(live[nlive].p);
    }
    check_heap(0, 0);
    struct kmalloc_stats st;
    kmalloc_get_stats(&st);
    CHECK(st.slabs <= NCLASSES); /* at most the one empty slab per class */
    free(live);
}

/* ---- limits and running out ---- */

static void test_limits(void)
{
    heap_init(2048);
    void *head;
    unsigned order;
    CHECK(kmalloc(0) == NULL);
    CHECK(kzalloc(0) == NULL);
    kfree(NULL);

    uint8_t *small = kmalloc(KMALLOC_MAX_SMALL), *large = kmalloc(KMALLOC_MAX_SMALL + 1);
    CHECK(small && large);
    CHECK(page_block_of(small, &head, &order) && head != small && order == 3);
    CHECK(page_block_of(large, &head, &order) && head == large && order == 0);
    kfree(small);
    kfree(large);

    size_t biggest = PAGE_SIZE << BUDDY_MAX_ORDER;
    uint8_t *p = kmalloc(biggest);
    CHECK(p && page_block_of(p, &head, &order) && order == BUDDY_MAX_ORDER);
    p[biggest - 1] = 1;
    kfree(p);
    CHECK(kmalloc(biggest + 1) == NULL);
    CHECK(kmalloc(SIZE_MAX) == NULL);
    CHECK(kzalloc(SIZE_MAX) == NULL);
    check_heap(0, 0);
}

/* Every size class: objects are distinct, 16-aligned, and come back poisoned-free. */
static void test_classes(void)
{
    static const size_t sizes[] = { 1,   16,  17,  32,  33,   64,   100,  128, 200,
                                    256, 300, 512, 513, 1000, 1024, 1500, 2048 };
    heap_init(2048);
    for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
        uint8_t *p[40];
        for (unsigned k = 0; k < ARRAY_SIZE(p); k++) {
            p[k] = kmalloc(sizes[i]);
            CHECK(p[k] && IS_ALIGNED((uintptr_t)p[k], 16));
            for (unsigned j = 0; j < k; j++)
                CHECK(p[j] + sizes[i] <= p[k] || p[k] + sizes[i] <= p[j]);
            memset(p[k], k, sizes[i]);
        }
        for (unsigned k = 0; k < ARRAY_SIZE(p); k++) {
            for (size_t b = 0; b < sizes[i]; b++)
                CHECK(p[k][b] == (uint8_t)k);
            kfree(p[k]);
        }
        check_heap(0, 0);
    }
    uint8_t *z = kzalloc(40); /* reuses a poisoned object */
    for (unsigned b = 0; b < 40; b++)
        CHECK(z[b] == 0);
    kfree(z);
}

static void test_out_of_memory(void)
{
    heap_init(64);
    void *p[64];
    unsigned n = 0;
    while ((p[n] = kmalloc(3 * PAGE_SIZE)) != NULL) /* order 2: 16 fit */
        n++;
    CHECK_EQ(n, 16);
    CHECK(kmalloc(16) == NULL); /* no page for a new slab either */
    CHECK(kmalloc(5000) == NULL);
    kfree(p[--n]);
    uint8_t *s[300];
    unsigned ns = 0;
    while ((s[ns] = kmalloc(64)) != NULL) /* 4 pages of 63 objects */
        ns++;
    CHECK_EQ(ns, 4 * ((PAGE_SIZE - 64) / 64));
    check_heap(ns, n);
    while (ns)
        kfree(s[--ns]);
    while (n)
        kfree(p[--n]);
    check_heap(0, 0);
    CHECK(pages.nfree >= pages.nmanaged - 1); /* at most one empty order-0 slab kept */
}

/* ---- panics (each test runs in a fresh child process) ---- */

static void test_panic_double_free_small(void)
{
    heap_init(256);
    void *p = kmalloc(32);
    kfree(p);
    EXPECT_PANIC(kfree(p), "kfree: double free of 32-byte object");
}

static void test_panic_double_free_large(void)
{
    heap_init(256);
    void *p = kmalloc(5000);
    kfree(p);
    EXPECT_PANIC(kfree(p), "was not allocated by kmalloc (or is already free)");
}

static void test_panic_interior_small(void)
{
    heap_init(256);
    uint8_t *p = kmalloc(64);
    EXPECT_PANIC(kfree(p + 1), "is not the start of a 64-byte object");
    EXPECT_PANIC(kfree(p + 32), "is not the start of a 64-byte object");
}

static void test_panic_slab_header(void)
{
    heap_init(256);
    uint8_t *p = kmalloc(16);
    uint8_t *head = (uint8_t *)ALIGN_DOWN((uintptr_t)p, PAGE_SIZE);
    EXPECT_PANIC(kfree(head), "is a slab header, not an allocation");
    EXPECT_PANIC(kfree(head + 8), "is not the start of a 16-byte object");
}

/* The 2048-byte class: 15 objects in a 32 KiB slab after its header, then
 * slack that holds no object. P is object 0 of a fresh slab. */
static void test_panic_slab_slack(void)
{
    heap_init(256);
    uint8_t *p = kmalloc(2048), *head;
    unsigned order;
    CHECK(page_block_of(p, (void **)&head, &order) && order == 3);
    uint8_t *end = head + (PAGE_SIZE << order);
    CHECK(p + 15 * 2048 < end && p + 16 * 2048 > end);
    EXPECT_PANIC(kfree(p + 15 * 2048), "is not the start of a 2048-byte object");
}

static void test_panic_interior_large(void)
{
    heap_init(256);
    uint8_t *p = kmalloc(3 * PAGE_SIZE);
    EXPECT_PANIC(kfree(p + 16), "lies inside a large allocation");
    EXPECT_PANIC(kfree(p + 2 * PAGE_SIZE), "lies inside a large allocation");
}

static void test_panic_not_from_kmalloc(void)
{
    heap_init(256);
    int local;
    void *m = malloc(32);
    EXPECT_PANIC(kfree(&local), "was not allocated by kmalloc");
    EXPECT_PANIC(kfree(m), "was not allocated by kmalloc");
    EXPECT_PANIC(kfree(heap + 100 * PAGE_SIZE), "was not allocated by kmalloc"); /* free page */
    free(m);
}

static void test_panic_write_after_free(void)
{
    heap_init(256);
    uint8_t *p = kmalloc(32);
    kfree(p);
    CHECK(p[5] == POISON);
    p[5] = 0;
    EXPECT_PANIC(kmalloc(32), "32-byte object");
    CHECK(strstr(unit_panic_msg, "was written after it was freed"));
}

/* The poison check covers the object's last byte too. */
static void test_panic_write_after_free_last_byte(void)
{
    heap_init(256);
    uint8_t *p = kmalloc(2000);
    kfree(p);
    p[2047] = POISON + 1;
    EXPECT_PANIC(kmalloc(1025), "2048-byte object");
    CHECK(strstr(unit_panic_msg, "was written after it was freed"));
}

/* A freed large block goes back to the buddy allocator, which checks its node. */
static void test_panic_write_after_free_large(void)
{
    heap_init(1024);
    uint8_t *p = kmalloc(8000);
    kfree(p);
    memset(p, 0x11, 24);
    EXPECT_PANIC(kmalloc(8000), "were overwritten (use after free?)");
}

/* A large allocation whose data looks exactly like a slab header is still
 * freed as what it is: the slab tag lives outside the data. */
static void test_large_block_forging_a_slab_header(void)
{
    heap_init(256);
    uint64_t *p = kmalloc(3 * PAGE_SIZE);
    CHECK(p);
    p[0] = SLAB_MAGIC ^ (uintptr_t)p;
    p[3] = 0xFFFF; /* where cls would be */
    kfree(p);
    check_heap(0, 0);
}

/* A page block that kmalloc did not hand out is refused, not freed. */
static void test_panic_untagged_block(void)
{
    heap_init(256);
    void *p = page_alloc(1);
    CHECK(p);
    EXPECT_PANIC(kfree(p), "lies in a page block that kmalloc did not allocate");
}

int main(void)
{
    printf("test_kmalloc: seed %#lx\n", (unsigned long)unit_seed());
    RUN_ISOLATED(test_random);
    RUN_ISOLATED(test_limits);
    RUN_ISOLATED(test_classes);
    RUN_ISOLATED(test_out_of_memory);
    RUN_ISOLATED(test_large_block_forging_a_slab_header);
    RUN_ISOLATED(test_panic_untagged_block);
    RUN_ISOLATED(test_panic_double_free_small);
    RUN_ISOLATED(test_panic_double_free_large);
    RUN_ISOLATED(test_panic_interior_small);
    RUN_ISOLATED(test_panic_slab_header);
    RUN_ISOLATED(test_panic_slab_slack);
    RUN_ISOLATED(test_panic_interior_large);
    RUN_ISOLATED(test_panic_not_from_kmalloc);
    RUN_ISOLATED(test_panic_write_after_free);
    RUN_ISOLATED(test_panic_write_after_free_last_byte);
    RUN_ISOLATED(test_panic_write_after_free_large);
    return 0;
}
