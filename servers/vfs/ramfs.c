/*
 * ramfs.c: the file system in memory (see ramfs.h).
 *
 * An inode is a struct node, found by number in a hash table (the inode
 * table). A regular file keeps its data in 4 KiB pages under a radix tree
 * of 64-way nodes whose height grows with the file: a file of one page
 * needs no tree node, one with a page at 2^39 bytes needs five, and a hole
 * is a NULL slot. Invariant: every byte of an allocated page at or past
 * the file's size is zero, and no page lies wholly past it, so growing a
 * file never has anything to clear.
 *
 * A directory keeps its entries twice: chained in a hash table by name
 * (lookup in O(1)), and in an array of slots in order of creation, each
 * slot holding the entry's number (its readdir cookie), which binary
 * search finds. Removing an entry empties its slot; the array is
 * compacted when more than half of it is empty, and freed with the hash
 * table when the directory is empty.
 *
 * Every allocation goes through ralloc, which keeps its size in a header
 * and counts it against the bound. Changes check and allocate first, then
 * act past a "point of no return" where nothing can fail; growing or
 * shrinking a hash table is the only allocation after it, and a failure
 * there only leaves the table as it was.
 *
 * Link counts: a directory has 2 + its subdirectories, a file 1. An inode
 * that loses its last name is freed at once unless the core has it open
 * (fs_in_use); then it stays, with nlink 0, until forget. A removed
 * directory is empty and stays so: lookups and creates in it give
 * -ENOENT, readdir gives nothing.
 */
#include "ramfs.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PAGE          RAMFS_PAGE_SIZE
#define RADIX_BITS    6
#define RADIX_FAN     (1u << RADIX_BITS)
#define DIRENT_BYTES  20           /* a directory's size is this much per entry, as in tmpfs */
#define NOBOUND_BYTES (1ULL << 40) /* the size statfs reports when there is no bound */
#define ITAB_MIN      64           /* inode table buckets */
#define DTAB_MIN      8            /* directory hash buckets */
#define SLOTS_MIN     8            /* directory order slots */

/* Before every block from ralloc: its size, for the count. */
union hdr {
    size_t size;
    max_align_t align;
};

struct radix {
    void *slot[RADIX_FAN]; /* subtrees, or pages at height 1 */
};

struct dent {
    struct dent *hnext; /* in its directory's hash chain */
    struct node *node;
    uint64_t id; /* its readdir cookie: numbers grow in order of creation */
    uint32_t hash;
    uint16_t len;
    char name[]; /* LEN bytes and a NUL */
};

struct slot {
    uint64_t id;
    struct dent *d; /* NULL once removed */
};

struct rfile {
    void *root;      /* a page at height 0, else a struct radix */
    unsigned height; /* the tree covers RADIX_FAN^height pages */
    uint64_t pages;  /* allocated */
};

struct rdir {
    struct node *parent; /* itself for the root; NULL once removed */
    struct dent **bucket;
    uint32_t nbuckets; /* a power of 2, or 0 when the directory is empty */
    struct slot *slot; /* sorted by id, some empty */
    size_t nslots, cap;
    size_t live; /* entries */
    uint64_t next_id;
};

struct node {
    struct node *inext; /* in the inode table's chain */
    uint64_t ino;
    uint32_t mode, nlink;
    int64_t atime, mtime, ctime;
    uint64_t size; /* of a file */
    union {
        struct rfile f;
        struct rdir d;
    };
};

struct ramfs {
    uint64_t max_bytes, used; /* used <= max_bytes when there is a bound */
    int64_t now;
    uint64_t next_ino;
    struct node **itab;
    size_t nitab; /* buckets, a power of 2 */
    size_t nnodes;
};

static const struct fs_ops ramfs_ops;

/* ---- memory ---- */

/* SIZE zeroed bytes, counted against the bound: NULL when over it or out
 * of memory. */
static void *ralloc(struct ramfs *r, size_t size)
{
    size_t total = size + sizeof(union hdr);
    if (total < size || (r->max_bytes && total > r->max_bytes - r->used))
        return NULL;
    union hdr *h = calloc(1, total);
    if (!h)
        return NULL;
    h->size = total;
    r->used += total;
    return h + 1;
}

static void rfree(struct ramfs *r, void *p)
{
    if (!p)
        return;
    union hdr *h = (union hdr *)p - 1;
    r->used -= h->size;
    free(h);
}

static bool is_dir(const struct node *n)
{
    return (n->mode & FS_S_IFMT) == FS_S_IFDIR;
}

/* ---- the inode table ---- */

static size_t ino_bucket(uint64_t ino, size_t nbuckets)
{
    return (size_t)((ino * 0x9E3779B97F4A7C15ULL) >> 32) & (nbuckets - 1);
}

static struct node *node_find(const struct ramfs *r, uint64_t ino)
{
    for (struct node *n = r->itab[ino_bucket(ino, r->nitab)]; n; n = n->inext)
        if (n->ino == ino)
            return n;
    return NULL;
}

/* Rehash into N buckets; on failure the table stays as it is. */
static void itab_resize(struct ramfs *r, size_t n)
{
    struct node **t = ralloc(r, n * sizeof(*t));
    if (!t)
        return;
    for (size_t i = 0; i < r->nitab; i++) {
        while (r->itab[i]) {
            struct node *x = r->itab[i];
            r->itab[i] = x->inext;
            size_t b = ino_bucket(x->ino, n);
            x->inext = t[b];
            t[b] = x;
        }
    }
    rfree(r, r->itab);
    r->itab = t;
    r->nitab = n;
}

static void itab_add(struct ramfs *r, struct node *n)
{
    size_t b = ino_bucket(n->ino, r->nitab);
    n->inext = r->itab[b];
    r->itab[b] = n;
    if (++r->nnodes > r->nitab)
        itab_resize(r, r->nitab * 2);
}

static void itab_remove(struct ramfs *r, struct node *n)
{
    struct node **p = &r->itab[ino_bucket(n->ino, r->nitab)];
    while (*p != n)
        p = &(*p)->inext;
    *p = n->inext;
    if (--r->nnodes < r->nitab / 4 && r->nitab > ITAB_MIN)
        itab_resize(r, r->nitab / 2);
}

/* ---- file pages ---- */

/* How many pages a tree of HEIGHT covers. */
static uint64_t radix_span(unsigned height)
{
    return 1ULL << (RADIX_BITS * height);
}

static unsigned radix_index(uint64_t pg, unsigned height)
{
    return (unsigned)(pg >> (RADIX_BITS * (height - 1))) & (RADIX_FAN - 1);
}

/* Page PG of file F, or NULL for a hole. */
static uint8_t *page_get(const struct node *f, uint64_t pg)
{
    if (pg >= radix_span(f->f.height))
        return NULL;
    void *p = f->f.root;
    for (unsigned h = f->f.height; h > 0 && p; h--)
        p = ((struct radix *)p)->slot[radix_index(pg, h)];
    return p;
}

/* Page PG of file F, allocated (zeroed) if it was a hole: NULL when the
 * memory ran out. Tree nodes allocated before a failure stay, empty
 * until truncate or removal frees them. */
static uint8_t *page_make(struct ramfs *r, struct node *f, uint64_t pg)
{
    while (pg >= radix_span(f->f.height)) {
        if (f->f.root) {
            struct radix *top = ralloc(r, sizeof(*top));
            if (!top)
                return NULL;
            top->slot[0] = f->f.root;
            f->f.root = top;
        }
        f->f.height++;
    }
    void **slot = &f->f.root;
    for (unsigned h = f->f.height; h > 0; h--) {
        if (!*slot && !(*slot = ralloc(r, sizeof(struct radix))))
            return NULL;
        slot = &((struct radix *)*slot)->slot[radix_index(pg, h)];
    }
    if (!*slot) {
        if (!(*slot = ralloc(r, PAGE)))
            return NULL;
        f->f.pages++;
    }
    return *slot;
}

/* Free the pages numbered FIRST and up in the subtree *SLOT of height H
 * whose first page is BASE, and the tree nodes that this leaves empty. */
static void radix_prune(struct ramfs *r, struct node *f, void **slot, unsigned h, uint64_t base,
                        uint64_t first)
{
    if (!*slot || first >= base + radix_span(h))
        return;
    if (h == 0) {
        rfree(r, *slot);
        *slot = NULL;
        f->f.pages--;
        return;
    }
    struct radix *n = *slot;
    bool empty = true;
    for (unsigned i = 0; i < RADIX_FAN; i++) {
        radix_prune(r, f, &n->slot[i], h - 1, base + i * radix_span(h - 1), first);
        empty = empty && !n->slot[i];
    }
    if (empty) {
        rfree(r, n);
        *slot = NULL;
    }
}

/* Lower F's tree while its root only uses its first slot. */
static void radix_shrink(struct ramfs *r, struct node *f)
{
    while (f->f.height > 0 && f->f.root) {
        struct radix *n = f->f.root;
        for (unsigned i = 1; i < RADIX_FAN; i++)
            if (n->slot[i])
                return;
        f->f.root = n->slot[0];
        f->f.height--;
        rfree(r, n);
    }
    if (!f->f.root)
        f->f.height = 0;
}

/* Free file F's pages from page FIRST on. */
static void file_free_from(struct ramfs *r, struct node *f, uint64_t first)
{
    radix_prune(r, f, &f->f.root, f->f.height, 0, first);
    radix_shrink(r, f);
}

/* ---- directories ---- */

/* FNV-1a. */
static uint32_t name_hash(const char *name, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)name[i]) * 16777619u;
    return h;
}

static struct dent *dir_find(const struct node *dir, const char *name, size_t len)
{
    if (!dir->d.nbuckets)
        return NULL;
    uint32_t h = name_hash(name, len);
    for (struct dent *e = dir->d.bucket[h & (dir->d.nbuckets - 1)]; e; e = e->hnext)
        if (e->hash == h && e->len == len && memcmp(e->name, name, len) == 0)
            return e;
    return NULL;
}

/* Rehash DIR's entries into N buckets (0: free the table, which must then
 * be empty); on failure the table stays as it is. */
static void dtab_resize(struct ramfs *r, struct node *dir, uint32_t n)
{
    struct dent **t = NULL;
    if (n && !(t = ralloc(r, n * sizeof(*t))))
        return;
    for (uint32_t i = 0; i < dir->d.nbuckets; i++) {
        while (dir->d.bucket[i]) {
            struct dent *e = dir->d.bucket[i];
            dir->d.bucket[i] = e->hnext;
            e->hnext = t[e->hash & (n - 1)];
            t[e->hash & (n - 1)] = e;
        }
    }
    rfree(r, dir->d.bucket);
    dir->d.bucket = t;
    dir->d.nbuckets = n;
}

/* Drop DIR's empty slots, keeping the order. */
static void slots_compact(struct node *dir)
{
    size_t j = 0;
    for (size_t i = 0; i < dir->d.nslots; i++)
        if (dir->d.slot[i].d)
            dir->d.slot[j++] = dir->d.slot[i];
    dir->d.nslots = j;
}

/* Move DIR's entries to an array of CAP slots (at least live): 0, or
 * -ENOSPC with nothing changed. */
static int slots_resize(struct ramfs *r, struct node *dir, size_t cap)
{
    struct slot *s = ralloc(r, cap * sizeof(*s));
    if (!s)
        return -ENOSPC;
    slots_compact(dir);
    if (dir->d.nslots)
        memcpy(s, dir->d.slot, dir->d.nslots * sizeof(*s));
    rfree(r, dir->d.slot);
    dir->d.slot = s;
    dir->d.cap = cap;
    return 0;
}

/* Free an empty DIR's tables (they come back with the next entry). */
static void dir_tidy(struct ramfs *r, struct node *dir)
{
    if (dir->d.live)
        return;
    rfree(r, dir->d.slot);
    dir->d.slot = NULL;
    dir->d.nslots = dir->d.cap = 0;
    dtab_resize(r, dir, 0);
}

/* Room for one more entry in DIR: a hash table and a free slot. 0, or
 * -ENOSPC (the caller tidies DIR). */
static int dir_reserve(struct ramfs *r, struct node *dir)
{
    if (!dir->d.nbuckets)
        dtab_resize(r, dir, DTAB_MIN);
    if (!dir->d.nbuckets)
        return -ENOSPC;
    if (dir->d.nslots < dir->d.cap)
        return 0;
    if (dir->d.live < dir->d.nslots) {
        slots_compact(dir);
        return 0;
    }
    return slots_resize(r, dir, dir->d.cap ? dir->d.cap * 2 : SLOTS_MIN);
}

/* Add entry E to DIR, which has room (dir_reserve), numbering it. */
static void dir_insert(struct ramfs *r, struct node *dir, struct dent *e)
{
    e->id = dir->d.next_id++;
    struct dent **b = &dir->d.bucket[e->hash & (dir->d.nbuckets - 1)];
    e->hnext = *b;
    *b = e;
    dir->d.slot[dir->d.nslots++] = (struct slot){ e->id, e };
    if (++dir->d.live > dir->d.nbuckets)
        dtab_resize(r, dir, dir->d.nbuckets * 2);
}

/* The index of DIR's first slot numbered ID or more (nslots when none). */
static size_t slot_search(const struct node *dir, uint64_t id)
{
    size_t lo = 0, hi = dir->d.nslots;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (dir->d.slot[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Take entry E out of DIR and free it (not its node); shrink DIR's
 * tables when they have become mostly empty. */
static void dir_remove(struct ramfs *r, struct node *dir, struct dent *e)
{
    struct dent **p = &dir->d.bucket[e->hash & (dir->d.nbuckets - 1)];
    while (*p != e)
        p = &(*p)->hnext;
    *p = e->hnext;
    dir->d.slot[slot_search(dir, e->id)].d = NULL;
    dir->d.live--;
    rfree(r, e);
    if (!dir->d.live) {
        dir_tidy(r, dir);
        return;
    }
    if (dir->d.nslots - dir->d.live > dir->d.live) {
        slots_compact(dir);
        if (dir->d.cap > 4 * dir->d.live && dir->d.cap > SLOTS_MIN)
            slots_resize(r, dir, dir->d.cap / 2);
    }
    if (dir->d.live < dir->d.nbuckets / 4 && dir->d.nbuckets > DTAB_MIN)
        dtab_resize(r, dir, dir->d.nbuckets / 2);
}

static struct dent *dent_new(struct ramfs *r, const char *name, size_t len, struct node *n)
{
    struct dent *e = ralloc(r, sizeof(*e) + len + 1);
    if (!e)
        return NULL;
    e->node = n;
    e->hash = name_hash(name, len);
    e->len = (uint16_t)len;
    memcpy(e->name, name, len);
    return e;
}

/* ---- inodes ---- */

/* A new inode of MODE, in the inode table, with no name yet: NULL when
 * the memory ran out. */
static struct node *node_new(struct ramfs *r, uint32_t mode)
{
    struct node *n = ralloc(r, sizeof(*n));
    if (!n)
        return NULL;
    n->ino = r->next_ino++;
    n->mode = mode;
    n->nlink = is_dir(n) ? 2 : 1;
    n->atime = n->mtime = n->ctime = r->now;
    if (is_dir(n))
        n->d.next_id = 2; /* after "." and ".." */
    itab_add(r, n);
    return n;
}

/* Free N and what it holds (a directory's entries, not their inodes),
 * leaving the inode table to the caller. */
static void node_release(struct ramfs *r, struct node *n)
{
    if (is_dir(n)) {
        for (size_t i = 0; i < n->d.nslots; i++)
            rfree(r, n->d.slot[i].d);
        rfree(r, n->d.slot);
        rfree(r, n->d.bucket);
    } else {
        file_free_from(r, n, 0);
    }
    rfree(r, n);
}

static void node_free(struct ramfs *r, struct node *n)
{
    itab_remove(r, n);
    node_release(r, n);
}

/* N lost its last name: free it unless the core has it open. */
static void node_drop(struct fs *fs, struct node *n)
{
    if (!fs_in_use(fs, n->ino))
        node_free(fs->priv, n);
}

/* ---- checks ---- */

static int check_name(const char *name, size_t len)
{
    if (len > FS_NAME_MAX)
        return -ENAMETOOLONG;
    if (len == 0 || memchr(name, '/', len) || memchr(name, '\0', len))
        return -EINVAL;
    return 0;
}

static bool is_dot(const char *name, size_t len)
{
    return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

/* Directory INO, not removed, and NAME checked: 0 with *DIR, or -ENOENT,
 * -ENOTDIR, -ENAMETOOLONG, -EINVAL. */
static int get_dir(struct fs *fs, uint64_t ino, const char *name, size_t len, struct node **dir)
{
    struct node *n = node_find(fs->priv, ino);
    if (!n)
        return -ENOENT;
    if (!is_dir(n))
        return -ENOTDIR;
    if (!n->nlink)
        return -ENOENT;
    *dir = n;
    return check_name(name, len);
}

/* Regular file INO: 0 with *FILE, -ENOENT or -EISDIR. */
static int get_file(struct fs *fs, uint64_t ino, struct node **file)
{
    struct node *n = node_find(fs->priv, ino);
    if (!n)
        return -ENOENT;
    if (is_dir(n))
        return -EISDIR;
    *file = n;
    return 0;
}

/* ---- reading ---- */

static int ramfs_lookup(struct fs *fs, uint64_t dir, const char *name, size_t len, uint64_t *ino)
{
    struct node *d;
    int err = get_dir(fs, dir, name, len, &d);
    if (err)
        return err;
    if (is_dot(name, len)) {
        *ino = len == 1 ? d->ino : d->d.parent->ino;
        return 0;
    }
    struct dent *e = dir_find(d, name, len);
    if (!e)
        return -ENOENT;
    *ino = e->node->ino;
    return 0;
}

static int ramfs_getattr(struct fs *fs, uint64_t ino, struct fs_attr *out)
{
    struct node *n = node_find(fs->priv, ino);
    if (!n)
        return -ENOENT;
    *out = (struct fs_attr){
        .ino = n->ino,
        .size = is_dir(n) ? (n->d.live + 2) * DIRENT_BYTES : n->size,
        .blocks = is_dir(n) ? 0 : n->f.pages * (PAGE / 512),
        .mode = n->mode,
        .nlink = n->nlink,
        .atime = n->atime,
        .mtime = n->mtime,
        .ctime = n->ctime,
    };
    return 0;
}

static int64_t ramfs_read(struct fs *fs, uint64_t ino, uint64_t off, void *buf, size_t len)
{
    struct ramfs *r = fs->priv;
    struct node *f;
    int err = get_file(fs, ino, &f);
    if (err)
        return err;
    if (off >= f->size)
        return 0;
    if (len > f->size - off)
        len = (size_t)(f->size - off);
    for (size_t done = 0; done < len;) {
        uint64_t pos = off + done;
        size_t in = pos % PAGE, n = PAGE - in < len - done ? PAGE - in : len - done;
        const uint8_t *page = page_get(f, pos / PAGE);
        if (page)
            memcpy((uint8_t *)buf + done, page + in, n);
        else
            memset((uint8_t *)buf + done, 0, n);
        done += n;
    }
    f->atime = r->now;
    return (int64_t)len;
}

static void dirent_fill(struct fs_dirent *out, const struct node *n, const char *name, size_t len)
{
    out->ino = n->ino;
    out->type = n->mode & FS_S_IFMT;
    out->len = (uint32_t)len;
    memcpy(out->name, name, len);
    out->name[len] = '\0';
}

/* Cookies: 0 is ".", 1 is "..", and N > 1 the first entry numbered N or
 * more. A removed directory has no entries, not even "." and "..". */
static int ramfs_readdir(struct fs *fs, uint64_t dir, uint64_t *cookie, struct fs_dirent *out)
{
    struct node *d = node_find(fs->priv, dir);
    if (!d)
        return -ENOENT;
    if (!is_dir(d))
        return -ENOTDIR;
    if (!d->nlink)
        return 0;
    if (*cookie < 2) { /* "." is the first byte of ".." */
        dirent_fill(out, *cookie ? d->d.parent : d, "..", *cookie + 1);
        ++*cookie;
        return 1;
    }
    size_t i = slot_search(d, *cookie);
    while (i < d->d.nslots && !d->d.slot[i].d)
        i++;
    if (i == d->d.nslots)
        return 0;
    struct dent *e = d->d.slot[i].d;
    dirent_fill(out, e->node, e->name, e->len);
    *cookie = e->id + 1;
    return 1;
}

/* Blocks of 4 KiB: the bound (or NOBOUND_BYTES) and what is not in use;
 * inodes: those in use, and how many more inodes alone would fit. */
static int ramfs_statfs(struct fs *fs, struct fs_statfs *out)
{
    struct ramfs *r = fs->priv;
    uint64_t cap = r->max_bytes ? r->max_bytes : NOBOUND_BYTES;
    uint64_t used = (r->used + PAGE - 1) / PAGE, blocks = cap / PAGE;
    if (blocks < used)
        blocks = used;
    uint64_t free_bytes = cap > r->used ? cap - r->used : 0;
    *out = (struct fs_statfs){
        .block_size = PAGE,
        .blocks = blocks,
        .free_blocks = blocks - used,
        .files = r->nnodes,
        .free_files = free_bytes / (sizeof(struct node) + sizeof(union hdr)),
    };
    return 0;
}

/* ---- changing ---- */

static int64_t ramfs_write(struct fs *fs, uint64_t ino, uint64_t off, const void *buf, size_t len)
{
    struct ramfs *r = fs->priv;
    struct node *f;
    int err = get_file(fs, ino, &f);
    if (err)
        return err;
    if (len == 0)
        return 0;
    if (off >= RAMFS_MAX_FILE)
        return -EFBIG;
    if (len > RAMFS_MAX_FILE - off)
        len = (size_t)(RAMFS_MAX_FILE - off);
    size_t done = 0;
    while (done < len) {
        uint64_t pos = off + done;
        size_t in = pos % PAGE, n = PAGE - in < len - done ? PAGE - in : len - done;
        uint8_t *page = page_make(r, f, pos / PAGE);
        if (!page)
            break;
        memcpy(page + in, (const uint8_t *)buf + done, n);
        done += n;
    }
    if (!done)
        return -ENOSPC;
    if (off + done > f->size)
        f->size = off + done;
    f->mtime = f->ctime = r->now;
    return (int64_t)done;
}

static int ramfs_truncate(struct fs *fs, uint64_t ino, uint64_t size)
{
    struct ramfs *r = fs->priv;
    struct node *f;
    int err = get_file(fs, ino, &f);
    if (err)
        return err;
    if (size > RAMFS_MAX_FILE)
        return -EFBIG;
    if (size < f->size) {
        uint8_t *last = size % PAGE ? page_get(f, size / PAGE) : NULL;
        if (last)
            memset(last + size % PAGE, 0, PAGE - size % PAGE);
        file_free_from(r, f, (size + PAGE - 1) / PAGE);
    }
    f->size = size;
    f->mtime = f->ctime = r->now;
    return 0;
}

static int ramfs_create(struct fs *fs, uint64_t dir, const char *name, size_t len, uint32_t mode,
                        uint64_t *ino)
{
    struct ramfs *r = fs->priv;
    struct node *d;
    int err = get_dir(fs, dir, name, len, &d);
    if (err)
        return err;
    uint32_t type = mode & FS_S_IFMT;
    if (type != FS_S_IFREG && type != FS_S_IFDIR)
        return -EINVAL;
    if (is_dot(name, len) || dir_find(d, name, len))
        return -EEXIST;
    struct node *n = NULL;
    struct dent *e = NULL;
    if (dir_reserve(r, d) || !(n = node_new(r, type | (mode & 07777))) ||
        !(e = dent_new(r, name, len, n))) {
        if (n)
            node_free(r, n);
        dir_tidy(r, d);
        return -ENOSPC;
    }
    /* point of no return */
    if (type == FS_S_IFDIR) {
        n->d.parent = d;
        d->nlink++;
    }
    dir_insert(r, d, e);
    d->mtime = d->ctime = r->now;
    *ino = n->ino;
    return 0;
}

static int ramfs_unlink(struct fs *fs, uint64_t dir, const char *name, size_t len)
{
    struct ramfs *r = fs->priv;
    struct node *d;
    int err = get_dir(fs, dir, name, len, &d);
    if (err)
        return err;
    if (is_dot(name, len))
        return -EISDIR;
    struct dent *e = dir_find(d, name, len);
    if (!e)
        return -ENOENT;
    struct node *n = e->node;
    if (is_dir(n))
        return -EISDIR;
    dir_remove(r, d, e);
    n->nlink = 0;
    n->ctime = d->mtime = d->ctime = r->now;
    node_drop(fs, n);
    return 0;
}

static int ramfs_rmdir(struct fs *fs, uint64_t dir, const char *name, size_t len)
{
    struct ramfs *r = fs->priv;
    struct node *d;
    int err = get_dir(fs, dir, name, len, &d);
    if (err)
        return err;
    if (is_dot(name, len))
        return len == 1 ? -EINVAL : -ENOTEMPTY;
    struct dent *e = dir_find(d, name, len);
    if (!e)
        return -ENOENT;
    struct node *n = e->node;
    if (!is_dir(n))
        return -ENOTDIR;
    if (n->d.live)
        return -ENOTEMPTY;
    dir_remove(r, d, e);
    d->nlink--;
    n->nlink = 0;
    n->d.parent = NULL;
    n->ctime = d->mtime = d->ctime = r->now;
    node_drop(fs, n);
    return 0;
}

/* Whether directory DIR is N or lies under it. */
static bool dir_inside(const struct node *dir, const struct node *n)
{
    for (;;) {
        if (dir == n)
            return true;
        if (dir->d.parent == dir)
            return false;
        dir = dir->d.parent;
    }
}

/* Whether N may replace OLD (another inode) under rename: 0, or -ENOTDIR,
 * -EISDIR, -ENOTEMPTY. */
static int can_replace(const struct node *n, const struct node *old)
{
    if (is_dir(n) && !is_dir(old))
        return -ENOTDIR;
    if (!is_dir(n) && is_dir(old))
        return -EISDIR;
    if (is_dir(old) && old->d.live)
        return -ENOTEMPTY;
    return 0;
}

/* A rename's parts: the directories, the entry moved, the entry it
 * replaces (NULL: none). */
struct move {
    struct node *fd, *td;
    struct dent *fe, *te;
};

/* Check a rename, in the order Linux does: the directories and names;
 * FROM exists; TO names the same inode already (1: nothing to do); a
 * directory into itself; what TO names may be replaced. 0 with *MV to go
 * on, 1, or a negative errno. */
static int rename_check(struct fs *fs, uint64_t fdir, const char *from, size_t from_len,
                        uint64_t tdir, const char *to, size_t to_len, struct move *mv)
{
    int err = get_dir(fs, fdir, from, from_len, &mv->fd);
    if (!err)
        err = get_dir(fs, tdir, to, to_len, &mv->td);
    if (err)
        return err;
    if (is_dot(from, from_len) || is_dot(to, to_len))
        return -EINVAL;
    if (!(mv->fe = dir_find(mv->fd, from, from_len)))
        return -ENOENT;
    mv->te = dir_find(mv->td, to, to_len);
    struct node *n = mv->fe->node;
    if (mv->te && mv->te->node == n)
        return 1;
    if (is_dir(n) && dir_inside(mv->td, n))
        return -EINVAL;
    return mv->te ? can_replace(n, mv->te->node) : 0;
}

/* Link counts and times after N moved from FD to TD, replacing OLD (or
 * NULL), which is dropped. */
static void rename_finish(struct fs *fs, struct node *n, struct node *fd, struct node *td,
                          struct node *old)
{
    struct ramfs *r = fs->priv;
    if (is_dir(n)) {
        n->d.parent = td;
        fd->nlink--;
        td->nlink++;
    }
    n->ctime = fd->mtime = fd->ctime = td->mtime = td->ctime = r->now;
    if (!old)
        return;
    if (is_dir(old)) {
        td->nlink--;
        old->d.parent = NULL;
    }
    old->nlink = 0;
    old->ctime = r->now;
    node_drop(fs, old);
}

static int ramfs_rename(struct fs *fs, uint64_t fdir, const char *from, size_t from_len,
                        uint64_t tdir, const char *to, size_t to_len)
{
    struct ramfs *r = fs->priv;
    struct move mv;
    struct dent *ne = NULL;
    int err = rename_check(fs, fdir, from, from_len, tdir, to, to_len, &mv);
    if (err)
        return err < 0 ? err : 0;
    struct node *n = mv.fe->node, *old = mv.te ? mv.te->node : NULL;
    if (!mv.te && (dir_reserve(r, mv.td) || !(ne = dent_new(r, to, to_len, n)))) {
        dir_tidy(r, mv.td);
        return -ENOSPC;
    }
    /* point of no return: the new name first, so that FD (perhaps TD)
     * never empties in between */
    if (mv.te)
        mv.te->node = n;
    else
        dir_insert(r, mv.td, ne);
    dir_remove(r, mv.fd, mv.fe);
    rename_finish(fs, n, mv.fd, mv.td, old);
    return 0;
}

static void ramfs_forget(struct fs *fs, uint64_t ino)
{
    struct node *n = node_find(fs->priv, ino);
    if (n && !n->nlink)
        node_free(fs->priv, n);
}

static void ramfs_unmount(struct fs *fs)
{
    struct ramfs *r = fs->priv;
    if (!r)
        return;
    for (size_t i = 0; i < r->nitab; i++) {
        while (r->itab[i]) {
            struct node *n = r->itab[i];
            r->itab[i] = n->inext;
            node_release(r, n);
        }
    }
    rfree(r, r->itab);
    free(r);
    fs->priv = NULL;
}

static const struct fs_ops ramfs_ops = {
    .type = "ramfs",
    .lookup = ramfs_lookup,
    .getattr = ramfs_getattr,
    .read = ramfs_read,
    .readdir = ramfs_readdir,
    .readlink = NULL,
    .statfs = ramfs_statfs,
    .write = ramfs_write,
    .truncate = ramfs_truncate,
    .create = ramfs_create,
    .unlink = ramfs_unlink,
    .rmdir = ramfs_rmdir,
    .rename = ramfs_rename,
    .sync = NULL,
    .forget = ramfs_forget,
    .unmount = ramfs_unmount,
};

int ramfs_mount(struct fs *fs, uint64_t max_bytes)
{
    struct ramfs *r = calloc(1, sizeof(*r));
    if (!r)
        return -ENOSPC;
    r->max_bytes = max_bytes;
    r->used = sizeof(*r);
    r->next_ino = 1;
    struct node *root = NULL;
    if (!max_bytes || r->used <= max_bytes) {
        r->itab = ralloc(r, ITAB_MIN * sizeof(*r->itab));
        r->nitab = ITAB_MIN;
    }
    if (r->itab)
        root = node_new(r, FS_S_IFDIR | 0755);
    if (!root) {
        rfree(r, r->itab);
        free(r);
        return -ENOSPC;
    }
    root->d.parent = root;
    fs->ops = &ramfs_ops;
    fs->root = root->ino;
    fs->read_only = false;
    fs->priv = r;
    return 0;
}

void ramfs_set_time(struct fs *fs, int64_t now)
{
    struct ramfs *r = fs->priv;
    r->now = now;
}
