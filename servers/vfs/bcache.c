/*
 * bcache.c: the VFS's write-back block cache (bcache.h says what it does
 * and promises).
 *
 * Memory, all from bcache_init:
 *   data     CAPACITY slots of block_size bytes: entry I's block is slot I
 *   entries  one per slot: the block it holds, its state, its links
 *   hash     NBUCKETS chain heads (a power of two, at least CAPACITY);
 *            chains are linked through the entries' hnext, by index
 *   scratch  blocks in one piece for the device: a read-ahead run is read
 *            into it, then copied to the slots it gets; a write batch is
 *            copied into it run after run, and each run points into it
 *   order    the dirty blocks of one kind, sorted by number (a commit)
 *   runs     the runs of one write batch
 *
 * Every entry is in one state:
 *   FREE   on the free list (linked through next), in no hash chain
 *   CLEAN  in its chain and on the LRU list (doubly linked, least recently
 *          used first): the same bytes as the device
 *   DIRTY  in its chain, on no list, so never evicted; KIND says which
 *          step of a commit writes it
 * ndirty and ndirty_meta count the dirty ones; free and clean entries are
 * the room (room()): a block that is not cached takes a free entry, else
 * the least recently used clean one, which needs no writing.
 *
 * Why a scratch area rather than reading into the slots: the slots a run
 * gets are wherever free entries and victims are, seldom one piece, and
 * the device reads into one buffer. It costs a copy, and it keeps every
 * read and batch independent of where the blocks sit.
 *
 * A write is checked before it changes anything (bcache_write): it reads
 * the partial blocks at its ends, then checks that every block it covers
 * can have an entry without evicting another of its blocks, and only then
 * copies, which cannot fail.
 */
#include "bcache.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX /* no entry */

/* An invariant; the cache is pure code without <assert.h>. */
#define BCACHE_ASSERT(cond)                                                                        \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

enum { ENTRY_FREE, ENTRY_CLEAN, ENTRY_DIRTY };

struct bcache_entry {
    uint64_t block;
    uint32_t hnext;      /* the next in its hash chain */
    uint32_t prev, next; /* the LRU list (CLEAN), the free list (FREE: next only) */
    uint8_t state;       /* ENTRY_* */
    uint8_t kind;        /* enum bcache_kind, while DIRTY */
};

/* A dirty block that a commit step writes. */
struct bcache_order {
    uint64_t block;
    uint32_t entry;
};

static uint64_t min64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static uint8_t *slot(const struct bcache *c, uint32_t i)
{
    return c->data + (size_t)i * c->block_size;
}

/* Free and clean entries: how many blocks can be brought in. */
static uint32_t room(const struct bcache *c)
{
    return c->capacity - c->ndirty;
}

/* ---- the hash table ---- */

static uint32_t bucket(const struct bcache *c, uint64_t block)
{
    return (uint32_t)((block * 0x9E3779B97F4A7C15ULL) >> c->hash_shift);
}

/* The entry holding BLOCK, or NIL. */
static uint32_t lookup(const struct bcache *c, uint64_t block)
{
    uint32_t i = c->hash[bucket(c, block)];
    while (i != NIL && c->entries[i].block != block)
        i = c->entries[i].hnext;
    return i;
}

static void hash_insert(struct bcache *c, uint32_t i)
{
    uint32_t *head = &c->hash[bucket(c, c->entries[i].block)];
    c->entries[i].hnext = *head;
    *head = i;
}

/* Take entry I, which is in its chain, out of it. */
static void hash_remove(struct bcache *c, uint32_t i)
{
    uint32_t *link = &c->hash[bucket(c, c->entries[i].block)];
    while (*link != i) {
        BCACHE_ASSERT(*link != NIL);
        link = &c->entries[*link].hnext;
    }
    *link = c->entries[i].hnext;
}

/* ---- the LRU list of clean entries ---- */

static void lru_append(struct bcache *c, uint32_t i)
{
    struct bcache_entry *e = &c->entries[i];
    e->prev = c->lru_tail;
    e->next = NIL;
    if (c->lru_tail != NIL)
        c->entries[c->lru_tail].next = i;
    else
        c->lru_head = i;
    c->lru_tail = i;
}

static void lru_remove(struct bcache *c, uint32_t i)
{
    struct bcache_entry *e = &c->entries[i];
    if (e->prev != NIL)
        c->entries[e->prev].next = e->next;
    else
        c->lru_head = e->next;
    if (e->next != NIL)
        c->entries[e->next].prev = e->prev;
    else
        c->lru_tail = e->prev;
}

/* Entry I was used: a clean one becomes the most recently used. */
static void touch(struct bcache *c, uint32_t i)
{
    if (c->entries[i].state == ENTRY_CLEAN) {
        lru_remove(c, i);
        lru_append(c, i);
    }
}

/* ---- entries changing state ---- */

/* An entry for BLOCK, which is not cached: a free one, else the least
 * recently used clean one. It comes back CLEAN, hashed, most recently
 * used; its slot holds whatever it held. Expects room(c) > 0. */
static uint32_t claim(struct bcache *c, uint64_t block)
{
    uint32_t i = c->free_head;
    if (i != NIL) {
        c->free_head = c->entries[i].next;
    } else {
        i = c->lru_head;
        BCACHE_ASSERT(i != NIL);
        lru_remove(c, i);
        hash_remove(c, i);
    }
    c->entries[i].block = block;
    c->entries[i].state = ENTRY_CLEAN;
    hash_insert(c, i);
    lru_append(c, i);
    return i;
}

/* Forget the clean entry I: it becomes free. */
static void drop(struct bcache *c, uint32_t i)
{
    lru_remove(c, i);
    hash_remove(c, i);
    c->entries[i].state = ENTRY_FREE;
    c->entries[i].next = c->free_head;
    c->free_head = i;
}

/* Entry I (clean or dirty) was written as KIND; metadata wins (bcache.h). */
static void mark_dirty(struct bcache *c, uint32_t i, enum bcache_kind kind)
{
    struct bcache_entry *e = &c->entries[i];
    if (e->state == ENTRY_CLEAN) {
        lru_remove(c, i);
        e->state = ENTRY_DIRTY;
        e->kind = (uint8_t)kind;
        c->ndirty++;
        c->ndirty_meta += kind == BCACHE_META;
    } else if (kind == BCACHE_META && e->kind == BCACHE_DATA) {
        e->kind = BCACHE_META;
        c->ndirty_meta++;
    }
}

/* The dirty entry I is on the disk: it becomes clean, most recently used. */
static void mark_clean(struct bcache *c, uint32_t i)
{
    struct bcache_entry *e = &c->entries[i];
    c->ndirty--;
    c->ndirty_meta -= e->kind == BCACHE_META;
    e->state = ENTRY_CLEAN;
    lru_append(c, i);
}

/* ---- reads ---- */

/* How many blocks a miss at BLOCK reads: the window (doubled after a
 * sequential miss, else BCACHE_RA_MIN; the new window goes to *RA) cut
 * to ra_max, the room, the device's end and the next cached block. */
static uint32_t ra_length(const struct bcache *c, uint64_t block, uint32_t *ra)
{
    uint32_t limit = c->ra_max > BCACHE_RA_MIN ? c->ra_max : BCACHE_RA_MIN;
    uint32_t window = BCACHE_RA_MIN;
    if (block == c->next_ra)
        window = (uint32_t)min64(2 * (uint64_t)c->ra, limit);
    *ra = window;
    uint64_t n = min64(min64(window, c->ra_max), min64(room(c), c->dev.blocks - block));
    for (uint64_t k = 1; k < n; k++)
        if (lookup(c, block + k) != NIL)
            return (uint32_t)k;
    return (uint32_t)n;
}

/* Bring BLOCK, which is not cached, in with the read-ahead run that
 * starts at it: 0, -ENOMEM (no room), or the device's error (then
 * nothing has changed). */
static int fill(struct bcache *c, uint64_t block)
{
    if (room(c) == 0)
        return -ENOMEM;
    uint32_t ra, n = ra_length(c, block, &ra);
    int r = c->dev.read(c->dev.ctx, block, n, c->scratch);
    if (r)
        return r < 0 ? r : -EIO;
    c->stats.reads++;
    c->stats.read_blocks += n;
    for (uint32_t k = 0; k < n; k++)
        memcpy(slot(c, claim(c, block + k)), c->scratch + (size_t)k * c->block_size, c->block_size);
    c->ra = ra;
    c->next_ra = block + n;
    return 0;
}

/* BLOCK, cached (*I is its entry) and most recently used: 0 or fill's
 * error. Counts a hit or a miss. */
static int load(struct bcache *c, uint64_t block, uint32_t *i)
{
    *i = lookup(c, block);
    if (*i != NIL) {
        c->stats.hits++;
        touch(c, *i);
        return 0;
    }
    c->stats.misses++;
    int r = fill(c, block);
    if (r)
        return r;
    *i = lookup(c, block);
    BCACHE_ASSERT(*i != NIL);
    return 0;
}

/* Whether LEN bytes at OFF lie within the device. */
static bool in_range(const struct bcache *c, uint64_t off, size_t len)
{
    uint64_t size = c->dev.blocks * c->block_size; /* bcache_init: no overflow */
    return off <= size && len <= size - off;
}

int bcache_read(struct bcache *c, uint64_t off, void *buf, size_t len)
{
    if (!in_range(c, off, len))
        return -EIO;
    uint8_t *p = buf;
    while (len) {
        uint32_t at = (uint32_t)(off % c->block_size), i;
        size_t n = min64(len, c->block_size - at);
        int r = load(c, off / c->block_size, &i);
        if (r)
            return r;
        memcpy(p, slot(c, i) + at, n);
        p += n, off += n, len -= n;
    }
    return 0;
}

/* ---- writes ---- */

/* Make a write of blocks FIRST..LAST possible without changing what the
 * cache holds: read the partial blocks at its ends (HEAD: FIRST is
 * partial; TAIL: LAST is, and is not FIRST), then check that the blocks
 * not cached can have entries without evicting any of the range's. 0,
 * -ENOMEM, or the device's error. */
static int write_prepare(struct bcache *c, uint64_t first, uint64_t last, bool head, bool tail)
{
    uint32_t i;
    int r = head ? load(c, first, &i) : 0;
    if (r || (tail && (r = load(c, last, &i))))
        return r;
    if (head && lookup(c, first) == NIL)
        return -ENOMEM; /* the tail's read took its entry: no room for both */
    uint64_t missing = 0, clean = 0;
    for (uint64_t b = first; b <= last; b++) {
        i = lookup(c, b);
        if (i == NIL) {
            missing++;
        } else if (c->entries[i].state == ENTRY_CLEAN) {
            clean++;
            touch(c, i); /* behind every victim that claim() may take */
        }
    }
    return missing > room(c) - clean ? -ENOMEM : 0;
}

int bcache_write(struct bcache *c, uint64_t off, const void *buf, size_t len, enum bcache_kind kind)
{
    if (!in_range(c, off, len))
        return -EIO;
    if (len == 0)
        return 0;
    kind = kind == BCACHE_DATA ? BCACHE_DATA : BCACHE_META;
    uint64_t first = off / c->block_size, last = (off + len - 1) / c->block_size;
    bool head = off % c->block_size || len < c->block_size;
    bool tail = last != first && (off + len) % c->block_size;
    int r = write_prepare(c, first, last, head, tail);
    if (r)
        return r;
    /* point of no return */
    const uint8_t *p = buf;
    while (len) {
        uint32_t at = (uint32_t)(off % c->block_size);
        size_t n = min64(len, c->block_size - at);
        uint32_t i = lookup(c, off / c->block_size);
        if (n == c->block_size) { /* partial blocks were counted by write_prepare */
            c->stats.hits += i != NIL;
            c->stats.misses += i == NIL;
        }
        if (i == NIL) { /* a whole block: nothing to read */
            BCACHE_ASSERT(n == c->block_size);
            i = claim(c, off / c->block_size);
        }
        memcpy(slot(c, i) + at, p, n);
        mark_dirty(c, i, kind);
        p += n, off += n, len -= n;
    }
    return 0;
}

void bcache_invalidate(struct bcache *c, uint64_t block)
{
    uint32_t i = lookup(c, block);
    if (i != NIL && c->entries[i].state == ENTRY_CLEAN)
        drop(c, i);
}

/* ---- commits ---- */

static int order_cmp(const void *a, const void *b)
{
    uint64_t x = ((const struct bcache_order *)a)->block;
    uint64_t y = ((const struct bcache_order *)b)->block;
    return x < y ? -1 : x > y;
}

/* Put the dirty blocks of KIND in c->order, sorted by number; how many. */
static uint32_t collect(struct bcache *c, enum bcache_kind kind)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < c->capacity; i++) {
        const struct bcache_entry *e = &c->entries[i];
        if (e->state == ENTRY_DIRTY && e->kind == kind)
            c->order[n++] = (struct bcache_order){ e->block, i };
    }
    qsort(c->order, n, sizeof(*c->order), order_cmp);
    return n;
}

/* Write the N blocks of c->order in batches: consecutive blocks make a
 * run, a batch takes runs until batch_blocks or batch_runs is reached.
 * 0 or the device's error (later batches not sent). */
static int write_batches(struct bcache *c, uint32_t n)
{
    for (uint32_t k = 0; k < n;) {
        uint32_t nruns = 0, nblocks = 0;
        for (; k < n && nblocks < c->batch_blocks; k++, nblocks++) {
            uint8_t *to = c->scratch + (size_t)nblocks * c->block_size;
            struct bcache_run *run = nruns ? &c->runs[nruns - 1] : NULL;
            if (!run || c->order[k].block != run->block + run->count) {
                if (nruns == c->batch_runs)
                    break; /* the batch is full: the block starts the next one */
                run = &c->runs[nruns++];
                *run = (struct bcache_run){ c->order[k].block, 0, to };
            }
            memcpy(to, slot(c, c->order[k].entry), c->block_size);
            run->count++;
        }
        int r = c->dev.write(c->dev.ctx, c->runs, nruns);
        if (r)
            return r < 0 ? r : -EIO;
        c->stats.batches++;
        c->stats.written += nblocks;
    }
    return 0;
}

static int flush(struct bcache *c)
{
    int r = c->dev.flush(c->dev.ctx);
    if (r)
        return r < 0 ? r : -EIO;
    c->stats.flushes++;
    return 0;
}

/* One step of a commit: every dirty block of KIND, then a flush; then
 * (only then) they are clean. 0 or the device's error (all stay dirty). */
static int commit_step(struct bcache *c, enum bcache_kind kind)
{
    uint32_t n = collect(c, kind);
    int r = write_batches(c, n);
    if (r || (r = flush(c)))
        return r;
    for (uint32_t k = 0; k < n; k++)
        mark_clean(c, c->order[k].entry);
    return 0;
}

int bcache_commit(struct bcache *c)
{
    if (c->ndirty == 0)
        return 0;
    int r = 0;
    if (c->ndirty > c->ndirty_meta)
        r = commit_step(c, BCACHE_DATA);
    if (!r && c->ndirty_meta)
        r = commit_step(c, BCACHE_META);
    c->failed = r != 0;
    c->stats.commits += r == 0;
    return r;
}

bool bcache_should_commit(const struct bcache *c)
{
    return (uint64_t)c->ndirty * 2 >= c->capacity;
}

/* ---- setting up ---- */

static bool valid(const struct bcache_dev *dev, uint32_t block_size, uint32_t capacity)
{
    return block_size >= 512 && block_size <= 65536 && !(block_size & (block_size - 1)) &&
           capacity >= 2 * BCACHE_RA_MIN && dev->read && dev->write && dev->flush && dev->blocks &&
           dev->blocks <= UINT64_MAX / block_size && dev->max_read && dev->max_batch &&
           dev->max_runs;
}

/* The hash table's size, and the largest read-ahead run and write batch:
 * the device's, cut to what the cache can hold. */
static void set_limits(struct bcache *c)
{
    c->nbuckets = 16; /* capacity >= 2 * BCACHE_RA_MIN */
    c->hash_shift = 60;
    while (c->nbuckets < c->capacity)
        c->nbuckets *= 2, c->hash_shift--;
    c->ra_max = (uint32_t)min64(c->dev.max_read, c->capacity / 2);
    c->batch_blocks = (uint32_t)min64(c->dev.max_batch, c->capacity);
    c->batch_runs = (uint32_t)min64(c->dev.max_runs, c->batch_blocks);
}

/* All of C's memory (set_limits first): whether malloc gave it. */
static bool allocate(struct bcache *c)
{
    size_t scratch = c->ra_max > c->batch_blocks ? c->ra_max : c->batch_blocks;
    c->data = malloc((size_t)c->capacity * c->block_size);
    c->entries = malloc(c->capacity * sizeof(*c->entries));
    c->hash = malloc(c->nbuckets * sizeof(*c->hash));
    c->scratch = malloc(scratch * c->block_size);
    c->order = malloc(c->capacity * sizeof(*c->order));
    c->runs = malloc(c->batch_runs * sizeof(*c->runs));
    return c->data && c->entries && c->hash && c->scratch && c->order && c->runs;
}

/* Every entry free, no chains, nothing read yet. */
static void reset(struct bcache *c)
{
    for (uint32_t i = 0; i < c->capacity; i++)
        c->entries[i] = (struct bcache_entry){ .hnext = NIL,
                                               .prev = NIL,
                                               .next = i + 1 < c->capacity ? i + 1 : NIL,
                                               .state = ENTRY_FREE };
    for (uint32_t b = 0; b < c->nbuckets; b++)
        c->hash[b] = NIL;
    c->free_head = 0;
    c->lru_head = c->lru_tail = NIL;
    c->next_ra = UINT64_MAX; /* the first miss does not follow one */
    c->ra = BCACHE_RA_MIN;
}

int bcache_init(struct bcache *c, const struct bcache_dev *dev, uint32_t block_size,
                uint32_t capacity)
{
    *c = (struct bcache){ .block_size = block_size, .capacity = capacity };
    if (!valid(dev, block_size, capacity))
        return -EINVAL;
    if (capacity > (1u << 30) || capacity > SIZE_MAX / block_size)
        return -ENOMEM;
    c->dev = *dev;
    set_limits(c);
    if (!allocate(c)) {
        bcache_destroy(c);
        return -ENOMEM;
    }
    reset(c);
    return 0;
}

void bcache_destroy(struct bcache *c)
{
    free(c->data);
    free(c->entries);
    free(c->hash);
    free(c->scratch);
    free(c->order);
    free(c->runs);
    c->data = c->scratch = NULL;
    c->entries = NULL;
    c->hash = NULL;
    c->order = NULL;
    c->runs = NULL;
}

/* ---- a check for tests ---- */

/* Whether the LRU list holds exactly the clean entries, linked both ways;
 * their number goes to *N. */
static bool lru_consistent(const struct bcache *c, uint32_t *n)
{
    uint32_t prev = NIL;
    *n = 0;
    for (uint32_t i = c->lru_head; i != NIL; prev = i, i = c->entries[i].next) {
        if (i >= c->capacity || c->entries[i].state != ENTRY_CLEAN || c->entries[i].prev != prev ||
            ++*n > c->capacity)
            return false;
    }
    return c->lru_tail == prev;
}

/* Whether every hash chain holds only held entries of its bucket; how
 * many entries they hold goes to *N. */
static bool chains_consistent(const struct bcache *c, uint32_t *n)
{
    *n = 0;
    for (uint32_t b = 0; b < c->nbuckets; b++) {
        for (uint32_t i = c->hash[b]; i != NIL; i = c->entries[i].hnext) {
            if (i >= c->capacity || c->entries[i].state == ENTRY_FREE ||
                bucket(c, c->entries[i].block) != b || ++*n > c->capacity)
                return false;
        }
    }
    return true;
}

bool bcache_consistent(const struct bcache *c)
{
    uint32_t clean = 0, dirty = 0, meta = 0, nfree = 0, lru, hashed;
    if (!chains_consistent(c, &hashed))
        return false; /* first: lookup() would not end on a loop */
    for (uint32_t i = 0; i < c->capacity; i++) {
        const struct bcache_entry *e = &c->entries[i];
        if (e->state != ENTRY_FREE && lookup(c, e->block) != i)
            return false; /* not found, or a block held twice */
        clean += e->state == ENTRY_CLEAN;
        dirty += e->state == ENTRY_DIRTY;
        meta += e->state == ENTRY_DIRTY && e->kind == BCACHE_META;
    }
    for (uint32_t i = c->free_head; i != NIL; i = c->entries[i].next)
        if (i >= c->capacity || c->entries[i].state != ENTRY_FREE || ++nfree > c->capacity)
            return false;
    return hashed == clean + dirty && lru_consistent(c, &lru) && lru == clean &&
           dirty == c->ndirty && meta == c->ndirty_meta && nfree + clean + dirty == c->capacity;
}
