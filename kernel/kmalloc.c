/*
 * kmalloc.c: the kernel heap (see kmalloc.h).
 *
 * A slab is a block of pages from page_alloc(): a header, then NOBJ objects
 * of one size class. A bitmap in the header marks the free objects, so the
 * allocator's own metadata never lives in freed memory. Large requests are
 * whole page blocks. kfree() tells the two apart, and both from blocks kmalloc
 * never handed out, by the page allocator's per-block tag, which lives
 * outside the block so that no data can forge it.
 *
 * Not locked: the kernel is uniprocessor and kmalloc is not used from
 * interrupt handlers.
 */
#include <frame.h>
#include <kmalloc.h>
#include <kstring.h>
#include <memlayout.h>
#include <panic.h>

#define SLAB_MAGIC 0x51AB51AB5EEDF00DULL
#define POISON     0x6B
#define NCLASSES   8
#define MAP_WORDS  4 /* up to 256 objects per slab */

struct slab {
    uint64_t magic; /* SLAB_MAGIC ^ address of this header */
    struct slab *next, *prev;
    uint16_t cls, nobj, nfree, first;
    uint64_t freemap[MAP_WORDS]; /* bit set: object free */
};

struct size_class {
    uint16_t size;
    uint8_t order;     /* slab block order */
    struct slab *list; /* slabs with at least one free object */
};

/* Orders chosen so every class gets 15 or more objects per slab. */
static struct size_class classes[NCLASSES] = {
    { 16, 0, NULL },  { 32, 0, NULL },  { 64, 0, NULL },   { 128, 0, NULL },
    { 256, 0, NULL }, { 512, 1, NULL }, { 1024, 2, NULL }, { 2048, 3, NULL },
};

static struct kmalloc_stats stats;

static unsigned class_of(size_t size)
{
    unsigned c = 0;
    while (classes[c].size < size)
        c++;
    return c;
}

static void *obj_addr(struct slab *s, unsigned i)
{
    return (char *)s + s->first + (size_t)i * classes[s->cls].size;
}

static void slab_link(struct size_class *sc, struct slab *s)
{
    s->prev = NULL;
    s->next = sc->list;
    if (s->next)
        s->next->prev = s;
    sc->list = s;
}

static void slab_unlink(struct size_class *sc, struct slab *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        sc->list = s->next;
    if (s->next)
        s->next->prev = s->prev;
}

static struct slab *slab_new(unsigned cls)
{
    struct size_class *sc = &classes[cls];
    struct slab *s = page_alloc(sc->order);
    if (!s)
        return NULL;
    page_set_tag(s, PAGE_TAG_SLAB);
    size_t bytes = PAGE_SIZE << sc->order;
    s->magic = SLAB_MAGIC ^ (uintptr_t)s;
    s->cls = cls;
    s->first = ALIGN_UP(sizeof(*s), 16);
    s->nobj = (bytes - s->first) / sc->size;
    s->nfree = s->nobj;
    KASSERT(s->nobj <= MAP_WORDS * 64);
    memset(s->freemap, 0, sizeof(s->freemap));
    for (unsigned i = 0; i < s->nobj; i++)
        s->freemap[i / 64] |= 1ULL << (i % 64);
    memset((char *)s + s->first, POISON, bytes - s->first);
    slab_link(sc, s);
    stats.slabs++;
    return s;
}

/* Report the first changed byte at or after FROM in a freed object. */
static __noreturn void poison_broken(const void *obj, unsigned size, unsigned from)
{
    const uint8_t *b = obj;
    while (from < size - 1 && b[from] == POISON)
        from++;
    kpanic("kmalloc: %u-byte object %p was written after it was freed (byte %u)", size, obj, from);
}

/* Take a free object from S, checking that nobody wrote to it while free. */
static void *slab_take(struct size_class *sc, struct slab *s)
{
    unsigned w = 0;
    while (!s->freemap[w])
        w++;
    unsigned i = w * 64 + __builtin_ctzll(s->freemap[w]);
    s->freemap[w] &= ~(1ULL << (i % 64));
    if (--s->nfree == 0)
        slab_unlink(sc, s);

    uint64_t *p = obj_addr(s, i);
    for (unsigned k = 0; k < sc->size / 8; k++)
        if (p[k] != POISON * 0x0101010101010101ULL)
            poison_broken(p, sc->size, k * 8);
    stats.objects++;
    stats.bytes += sc->size;
    return p;
}

static void *large_alloc(size_t size)
{
    unsigned order = 0;
    while ((PAGE_SIZE << order) < size)
        order++;
    void *p = page_alloc(order);
    if (p) {
        page_set_tag(p, PAGE_TAG_KMALLOC_LARGE);
        stats.large++;
        stats.bytes += PAGE_SIZE << order;
    }
    return p;
}

void *kmalloc(size_t size)
{
    if (size == 0)
        return NULL;
    if (size > KMALLOC_MAX_SMALL)
        return size > (PAGE_SIZE << BUDDY_MAX_ORDER) ? NULL : large_alloc(size);
    struct size_class *sc = &classes[class_of(size)];
    struct slab *s = sc->list ? sc->list : slab_new(sc - classes);
    return s ? slab_take(sc, s) : NULL;
}

void *kzalloc(size_t size)
{
    void *p = kmalloc(size);
    if (p)
        memset(p, 0, size);
    return p;
}

/* Return object P to slab S; release the slab when it empties and another has room. */
static void slab_put(struct slab *s, void *p)
{
    struct size_class *sc = &classes[s->cls];
    uintptr_t off = (uintptr_t)p - ((uintptr_t)s + s->first);
    unsigned i = off / sc->size;
    if ((uintptr_t)p < (uintptr_t)s + s->first || off % sc->size || i >= s->nobj)
        kpanic("kfree: %p is not the start of a %u-byte object", p, sc->size);
    if (s->freemap[i / 64] & (1ULL << (i % 64)))
        kpanic("kfree: double free of %u-byte object %p", sc->size, p);

    memset(p, POISON, sc->size);
    s->freemap[i / 64] |= 1ULL << (i % 64);
    if (s->nfree++ == 0)
        slab_link(sc, s);
    stats.objects--;
    stats.bytes -= sc->size;
    if (s->nfree == s->nobj && (sc->list != s || s->next)) {
        slab_unlink(sc, s);
        s->magic = 0;
        page_free(s); /* resets the tag */
        stats.slabs--;
    }
}

void kfree(void *p)
{
    void *head;
    unsigned order;
    if (!p)
        return;
    if (!page_block_of(p, &head, &order))
        kpanic("kfree: %p was not allocated by kmalloc (or is already free)", p);
    switch (page_tag(head)) {
    case PAGE_TAG_KMALLOC_LARGE:
        if (p != head)
            kpanic("kfree: %p lies inside a large allocation at %p", p, head);
        stats.large--;
        stats.bytes -= PAGE_SIZE << order;
        page_free(head); /* resets the tag */
        return;
    case PAGE_TAG_SLAB: {
        struct slab *s = head;
        if (s->magic != (SLAB_MAGIC ^ (uintptr_t)s) || s->cls >= NCLASSES)
            kpanic("kfree: the header of the slab at %p is corrupt", head);
        if (p == head)
            kpanic("kfree: %p is a slab header, not an allocation", p);
        slab_put(s, p);
        return;
    }
    default: kpanic("kfree: %p lies in a page block that kmalloc did not allocate", p);
    }
}

void kmalloc_get_stats(struct kmalloc_stats *st)
{
    *st = stats;
}
