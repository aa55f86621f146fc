/*
 * initrdfs.c: the initrd as a read-only file system (see initrdfs.h).
 *
 * Mounting walks the archive once with cpio_next and builds an array of
 * inodes (index + 1 is the inode number; index 0 is the root). Each path
 * is split into names; the names before the last are directories, made
 * (mode 040555) where the archive has not named them yet. An open
 * addressing hash table of (parent, name) finds an inode while the tree
 * is built and for lookup. After the walk, each directory's entries are
 * laid out in one array (CHILD), a directory's as a run in archive order,
 * so that readdir finds entry N at once and a lookup never scans.
 *
 * Names point into the archive and are not NUL-terminated, nor is file
 * data copied: the archive must stay mapped while the file system is.
 */
#include "initrdfs.h"
#include <cpio.h> /* the kernel's reader, last: its kdefs.h defines short macros */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define IMPLIED_DIR_MODE (FS_S_IFDIR | 0555)
#define BLOCK            4096

struct inode {
    const char *name; /* in the archive; "" for the root */
    uint32_t len;
    uint32_t parent; /* an index; the root is its own */
    uint32_t mode, nlink;
    uint32_t mtime;   /* the archive's, for every name it has */
    const void *data; /* regular files and links */
    uint64_t size;
    uint32_t first, count; /* a directory's entries: CHILD[FIRST .. FIRST + COUNT) */
};

struct initrd {
    struct inode *node;
    uint32_t n, cap;
    uint32_t *hash; /* index + 1 of an inode, 0 for a free slot */
    uint32_t nhash; /* a power of 2, at least twice N */
    uint32_t *child;
    size_t archive_len;
};

static const struct fs_ops initrdfs_ops;

static bool is_dir(const struct inode *n)
{
    return (n->mode & FS_S_IFMT) == FS_S_IFDIR;
}

/* ---- the (parent, name) hash table ---- */

static uint32_t name_hash(uint32_t parent, const char *name, size_t len)
{
    uint32_t h = 2166136261u ^ (parent * 0x9E3779B9u);
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)name[i]) * 16777619u;
    return h;
}

/* The slot of (PARENT, NAME): the one holding it, or the free one where
 * it would go. */
static uint32_t *hash_slot(const struct initrd *t, uint32_t parent, const char *name, size_t len)
{
    uint32_t i = name_hash(parent, name, len) & (t->nhash - 1);
    for (;; i = (i + 1) & (t->nhash - 1)) {
        uint32_t k = t->hash[i];
        if (!k)
            return &t->hash[i];
        const struct inode *n = &t->node[k - 1];
        if (n->parent == parent && n->len == len && memcmp(n->name, name, len) == 0)
            return &t->hash[i];
    }
}

/* The index of NAME in directory PARENT, or -1. */
static int64_t find(const struct initrd *t, uint32_t parent, const char *name, size_t len)
{
    uint32_t k = *hash_slot(t, parent, name, len);
    return k ? (int64_t)k - 1 : -1;
}

/* Rehash every inode but the root into N slots: 0 or -ENOMEM. */
static int hash_resize(struct initrd *t, uint32_t n)
{
    uint32_t *h = calloc(n, sizeof(*h));
    if (!h)
        return -ENOMEM;
    free(t->hash);
    t->hash = h;
    t->nhash = n;
    for (uint32_t i = 1; i < t->n; i++)
        *hash_slot(t, t->node[i].parent, t->node[i].name, t->node[i].len) = i + 1;
    return 0;
}

/* ---- building the tree ---- */

/* A new inode NAME in directory PARENT: its index, or -ENOMEM. */
static int64_t add(struct initrd *t, uint32_t parent, const char *name, size_t len, uint32_t mode)
{
    if (t->n == t->cap) {
        uint32_t cap = t->cap * 2;
        struct inode *a = cap > t->cap ? realloc(t->node, cap * sizeof(*a)) : NULL;
        if (!a)
            return -ENOMEM;
        t->node = a;
        t->cap = cap;
    }
    if ((uint64_t)(t->n + 1) * 2 > t->nhash &&
        (t->nhash > UINT32_MAX / 2 || hash_resize(t, t->nhash * 2)))
        return -ENOMEM;
    uint32_t i = t->n++;
    t->node[i] =
        (struct inode){ .name = name, .len = (uint32_t)len, .parent = parent, .mode = mode };
    *hash_slot(t, parent, name, len) = i + 1;
    return i;
}

/* The next name of path *P, skipping empty and "." names: false at the
 * end; else true with *NAME, *LEN, and *P moved past it. */
static bool next_name(const char **p, const char **name, size_t *len)
{
    for (;;) {
        while (**p == '/')
            ++*p;
        if (!**p)
            return false;
        const char *s = *p;
        while (**p && **p != '/')
            ++*p;
        if (*p - s == 1 && s[0] == '.')
            continue;
        *name = s;
        *len = (size_t)(*p - s);
        return true;
    }
}

/* Whether every name of PATH can be placed: none is ".." or too long. */
static bool path_ok(const char *path)
{
    const char *name;
    size_t len;
    while (next_name(&path, &name, &len))
        if (len > FS_NAME_MAX || (len == 2 && name[0] == '.' && name[1] == '.'))
            return false;
    return true;
}

/* Give entry E to inode N, or leave E out when their types differ. */
static void set(struct inode *n, const struct cpio_entry *e)
{
    if ((n->mode & FS_S_IFMT) != (e->mode & FS_S_IFMT))
        return;
    n->mode = e->mode;
    n->mtime = e->mtime;
    if (!is_dir(n)) {
        n->data = e->data;
        n->size = e->size;
    }
}

/* Place entry E in the tree, making the directories its path implies:
 * 0, or -ENOMEM. */
static int place(struct initrd *t, const struct cpio_entry *e)
{
    uint32_t type = e->mode & FS_S_IFMT;
    const char *p = e->name, *name, *next;
    size_t len, next_len;
    if ((type != FS_S_IFREG && type != FS_S_IFDIR && type != FS_S_IFLNK) || !path_ok(p) ||
        !next_name(&p, &name, &len))
        return 0; /* the root itself (".") keeps its mode */
    uint32_t dir = 0;
    for (;;) {
        bool last = !next_name(&p, &next, &next_len);
        int64_t i = find(t, dir, name, len);
        if (i < 0 && (i = add(t, dir, name, len, last ? type : IMPLIED_DIR_MODE)) < 0)
            return (int)i;
        if (last) {
            set(&t->node[i], e);
            return 0;
        }
        if (!is_dir(&t->node[i]))
            return 0; /* a path through a file */
        dir = (uint32_t)i;
        name = next;
        len = next_len;
    }
}

/* Lay out each directory's entries in CHILD and count links: 0 or -ENOMEM. */
static int link_children(struct initrd *t)
{
    t->child = malloc((t->n ? t->n : 1) * sizeof(*t->child));
    if (!t->child)
        return -ENOMEM;
    for (uint32_t i = 0; i < t->n; i++)
        t->node[i].nlink = is_dir(&t->node[i]) ? 2 : 1;
    for (uint32_t i = 1; i < t->n; i++) {
        struct inode *parent = &t->node[t->node[i].parent];
        parent->count++;
        parent->nlink += is_dir(&t->node[i]);
    }
    uint32_t first = 0;
    for (uint32_t i = 0; i < t->n; i++) {
        t->node[i].first = first;
        first += t->node[i].count;
        t->node[i].count = 0;
    }
    for (uint32_t i = 1; i < t->n; i++) {
        struct inode *parent = &t->node[t->node[i].parent];
        t->child[parent->first + parent->count++] = i;
    }
    return 0;
}

/* Read the whole archive into T: 0, -EIO or -ENOMEM. */
static int build(struct initrd *t, const void *archive, size_t len)
{
    t->cap = 16;
    t->node = malloc(t->cap * sizeof(*t->node));
    if (!t->node || hash_resize(t, 32))
        return -ENOMEM;
    t->node[0] = (struct inode){ .name = "", .mode = IMPLIED_DIR_MODE };
    t->n = 1;
    size_t off = 0;
    struct cpio_entry e;
    int r;
    while ((r = cpio_next(archive, len, &off, &e)) > 0)
        if ((r = place(t, &e)) < 0)
            return r;
    if (r < 0)
        return -EIO;
    return link_children(t);
}

static void destroy(struct initrd *t)
{
    free(t->node);
    free(t->hash);
    free(t->child);
    free(t);
}

/* ---- the operations ---- */

/* Inode INO: NULL when there is none. */
static const struct inode *get(const struct fs *fs, uint64_t ino)
{
    const struct initrd *t = fs->priv;
    return ino >= 1 && ino <= t->n ? &t->node[ino - 1] : NULL;
}

static int initrdfs_lookup(struct fs *fs, uint64_t dir, const char *name, size_t len, uint64_t *ino)
{
    const struct initrd *t = fs->priv;
    const struct inode *d = get(fs, dir);
    if (!d)
        return -ENOENT;
    if (!is_dir(d))
        return -ENOTDIR;
    if (len > FS_NAME_MAX)
        return -ENAMETOOLONG;
    if (len == 0 || memchr(name, '/', len) || memchr(name, '\0', len))
        return -EINVAL;
    if (len == 1 && name[0] == '.') {
        *ino = dir;
        return 0;
    }
    if (len == 2 && name[0] == '.' && name[1] == '.') {
        *ino = d->parent + 1;
        return 0;
    }
    int64_t i = find(t, (uint32_t)(dir - 1), name, len);
    if (i < 0)
        return -ENOENT;
    *ino = (uint64_t)i + 1;
    return 0;
}

static int initrdfs_getattr(struct fs *fs, uint64_t ino, struct fs_attr *out)
{
    const struct inode *n = get(fs, ino);
    if (!n)
        return -ENOENT;
    *out = (struct fs_attr){
        .ino = ino,
        .size = n->size,
        .blocks = (n->size + 511) / 512,
        .mode = n->mode,
        .nlink = n->nlink,
        .atime = n->mtime,
        .mtime = n->mtime,
        .ctime = n->mtime,
    };
    return 0;
}

static int64_t initrdfs_read(struct fs *fs, uint64_t ino, uint64_t off, void *buf, size_t len)
{
    const struct inode *n = get(fs, ino);
    if (!n)
        return -ENOENT;
    if (is_dir(n))
        return -EISDIR;
    if (off >= n->size)
        return 0;
    if (len > n->size - off)
        len = (size_t)(n->size - off);
    memcpy(buf, (const char *)n->data + off, len);
    return (int64_t)len;
}

/* Cookies: 0 is ".", 1 is "..", 2 + N the directory's Nth entry. */
static int initrdfs_readdir(struct fs *fs, uint64_t dir, uint64_t *cookie, struct fs_dirent *out)
{
    const struct initrd *t = fs->priv;
    const struct inode *d = get(fs, dir);
    if (!d)
        return -ENOENT;
    if (!is_dir(d))
        return -ENOTDIR;
    uint64_t c = *cookie;
    if (c >= 2 + (uint64_t)d->count)
        return 0;
    uint32_t i = c == 0 ? (uint32_t)(dir - 1) : c == 1 ? d->parent : t->child[d->first + c - 2];
    const char *name = c == 0 ? "." : c == 1 ? ".." : t->node[i].name;
    uint32_t len = c < 2 ? (uint32_t)c + 1 : t->node[i].len;
    out->ino = i + 1;
    out->type = t->node[i].mode & FS_S_IFMT;
    out->len = len;
    memcpy(out->name, name, len);
    out->name[len] = '\0';
    *cookie = c + 1;
    return 1;
}

static int64_t initrdfs_readlink(struct fs *fs, uint64_t ino, char *buf, size_t len)
{
    const struct inode *n = get(fs, ino);
    if (!n)
        return -ENOENT;
    if ((n->mode & FS_S_IFMT) != FS_S_IFLNK)
        return -EINVAL;
    memcpy(buf, n->data, len < n->size ? len : n->size);
    return (int64_t)n->size;
}

static int initrdfs_statfs(struct fs *fs, struct fs_statfs *out)
{
    const struct initrd *t = fs->priv;
    *out = (struct fs_statfs){
        .block_size = BLOCK,
        .blocks = (t->archive_len + BLOCK - 1) / BLOCK,
        .files = t->n,
    };
    return 0;
}

static void initrdfs_unmount(struct fs *fs)
{
    if (fs->priv)
        destroy(fs->priv);
    fs->priv = NULL;
}

static const struct fs_ops initrdfs_ops = {
    .type = "initrd",
    .lookup = initrdfs_lookup,
    .getattr = initrdfs_getattr,
    .read = initrdfs_read,
    .readdir = initrdfs_readdir,
    .readlink = initrdfs_readlink,
    .statfs = initrdfs_statfs,
    .unmount = initrdfs_unmount,
};

int initrdfs_mount(struct fs *fs, const void *archive, size_t len)
{
    struct initrd *t = calloc(1, sizeof(*t));
    if (!t)
        return -ENOMEM;
    t->archive_len = len;
    int err = build(t, archive, len);
    if (err) {
        destroy(t);
        return err;
    }
    fs->ops = &initrdfs_ops;
    fs->root = 1;
    fs->read_only = true;
    fs->priv = t;
    return 0;
}
