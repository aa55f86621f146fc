/*
 * ext2fs.c: ext2 (ext2.c) as a file system module (fs.h), over the block
 * cache (bcache.c). File contents go to the cache as data and everything
 * else as metadata, so that a commit writes the one before the other.
 *
 * Commits happen between operations only: fsync and sync ask for one, a
 * change first commits when half of the cache is dirty, and the VFS's
 * timer syncs every VFS_SYNC_MS. So the disk moves from the state after
 * one operation to the state after a later one, never into the middle of
 * one (docs/vfs.md says what that guarantees).
 */
#include "ext2.h"
#include "vfs.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CACHE_BLOCK 4096

struct ext2fs {
    struct ext2_fs e;
    struct bcache cache;
    struct fs *fs; /* the struct fs it is mounted as */
};

static struct ext2fs *priv(const struct fs *fs)
{
    return fs->priv;
}

static int cache_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    return bcache_read(ctx, off, buf, len);
}

static int cache_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
    return bcache_write(ctx, off, buf, len, BCACHE_META);
}

static int cache_write_data(void *ctx, uint64_t off, const void *buf, size_t len)
{
    return bcache_write(ctx, off, buf, len, BCACHE_DATA);
}

static bool open_inode(void *ctx, uint32_t ino)
{
    return fs_in_use(((struct ext2fs *)ctx)->fs, ino);
}

/* Inode numbers of ext2 are 32 bits: a larger one is not ours. */
static int ino32(uint64_t ino, uint32_t *out)
{
    if (ino == 0 || ino > UINT32_MAX)
        return -ENOENT;
    *out = (uint32_t)ino;
    return 0;
}

static int read_inode(struct fs *fs, uint64_t ino, uint32_t *i32, struct ext2_inode *in)
{
    int err = ino32(ino, i32);
    return err ? err : ext2_read_inode(&priv(fs)->e, *i32, in);
}

/* A commit: the blocks freed since the last one are given back first, so
 * that the bitmaps that say so go with the metadata that no longer names
 * them (and nothing reused them before: ext2 keeps them marked meanwhile). */
static int commit(struct ext2fs *x)
{
    int err = ext2_apply_frees(&x->e), cerr = bcache_commit(&x->cache);
    return cerr ? cerr : err;
}

/* Before a change: the time to stamp, and a commit when the cache is half
 * dirty, or when blocks waiting to be given back would make the change run
 * out of room (the last operation is complete, so this is a safe point). */
static int begin_change(struct fs *fs)
{
    struct ext2fs *x = priv(fs);
    const struct ext2_fs *e = &x->e;
    x->e.now = (uint32_t)time(NULL);
    bool short_of_room = e->pending_blocks && (e->free_blocks < e->pending_blocks ||
                                               e->free_blocks < e->blocks_count / 16);
    return bcache_should_commit(&x->cache) || short_of_room ? commit(x) : 0;
}

static int e_lookup(struct fs *fs, uint64_t dir, const char *name, size_t len, uint64_t *ino)
{
    uint32_t d, i;
    int err = ino32(dir, &d);
    if (err || (err = ext2_lookup(&priv(fs)->e, d, name, len, &i)))
        return err;
    *ino = i;
    return 0;
}

static int e_getattr(struct fs *fs, uint64_t ino, struct fs_attr *out)
{
    struct ext2_inode in;
    uint32_t i;
    int err = read_inode(fs, ino, &i, &in);
    if (err)
        return err;
    if (in.mode == 0)
        return -ENOENT; /* a free inode */
    *out = (struct fs_attr){
        .ino = i,
        .size = in.size,
        .blocks = in.blocks512,
        .mode = in.mode,
        .nlink = in.links,
        .uid = in.uid,
        .gid = in.gid,
        .atime = in.atime,
        .mtime = in.mtime,
        .ctime = in.ctime,
    };
    return 0;
}

static int64_t e_read(struct fs *fs, uint64_t ino, uint64_t off, void *buf, size_t len)
{
    struct ext2_inode in;
    uint32_t i;
    int err = read_inode(fs, ino, &i, &in);
    if (err)
        return err;
    if ((in.mode & EXT2_S_IFMT) == EXT2_S_IFDIR)
        return -EISDIR;
    return ext2_read(&priv(fs)->e, &in, off, buf, len);
}

static uint32_t type_of(uint8_t ft)
{
    switch (ft) {
    case EXT2_FT_REG: return FS_S_IFREG;
    case EXT2_FT_DIR: return FS_S_IFDIR;
    case EXT2_FT_SYMLINK: return FS_S_IFLNK;
    default: return 0;
    }
}

static int e_readdir(struct fs *fs, uint64_t dir, uint64_t *cookie, struct fs_dirent *out)
{
    struct ext2_dirent d;
    uint32_t i;
    int r = ino32(dir, &i);
    if (r || (r = ext2_readdir(&priv(fs)->e, i, cookie, &d)) <= 0)
        return r;
    out->ino = d.ino;
    out->type = type_of(d.type);
    out->len = d.name_len;
    memcpy(out->name, d.name, d.name_len + 1u);
    return 1;
}

static int64_t e_readlink(struct fs *fs, uint64_t ino, char *buf, size_t len)
{
    struct ext2_inode in;
    uint32_t i;
    int err = read_inode(fs, ino, &i, &in);
    if (err)
        return err;
    if ((in.mode & EXT2_S_IFMT) != EXT2_S_IFLNK)
        return -EINVAL;
    int64_t n = ext2_read(&priv(fs)->e, &in, 0, buf, len);
    return n < 0 ? n : (int64_t)in.size > n ? -ENAMETOOLONG : n;
}

static int e_statfs(struct fs *fs, struct fs_statfs *out)
{
    const struct ext2_fs *e = &priv(fs)->e;
    *out = (struct fs_statfs){
        .block_size = e->block_size,
        .blocks = e->blocks_count,
        .free_blocks = e->free_blocks + e->pending_blocks,
        .files = e->inodes_count,
        .free_files = e->free_inodes,
    };
    return 0;
}

/* Before a change to the contents of file INO: its inode (*I32, *IN). */
static int begin_file_change(struct fs *fs, uint64_t ino, uint32_t *i32, struct ext2_inode *in)
{
    int err = read_inode(fs, ino, i32, in);
    if (err || (err = begin_change(fs)))
        return err;
    return (in->mode & EXT2_S_IFMT) == EXT2_S_IFREG ? 0 : -EISDIR;
}

static int64_t e_write(struct fs *fs, uint64_t ino, uint64_t off, const void *buf, size_t len)
{
    struct ext2_inode in;
    uint32_t i;
    int err = begin_file_change(fs, ino, &i, &in);
    return err ? err : ext2_write(&priv(fs)->e, i, &in, off, buf, len);
}

static int e_truncate(struct fs *fs, uint64_t ino, uint64_t size)
{
    struct ext2_inode in;
    uint32_t i;
    int err = begin_file_change(fs, ino, &i, &in);
    return err ? err : ext2_truncate(&priv(fs)->e, i, &in, size);
}

static int e_create(struct fs *fs, uint64_t dir, const char *name, size_t len, uint32_t mode,
                    uint64_t *ino)
{
    uint32_t d, i;
    int err = ino32(dir, &d);
    if (err || (err = begin_change(fs)) ||
        (err = ext2_create(&priv(fs)->e, d, name, len, (uint16_t)mode, &i)))
        return err;
    *ino = i;
    return 0;
}

static int e_unlink(struct fs *fs, uint64_t dir, const char *name, size_t len)
{
    uint32_t d;
    int err = ino32(dir, &d);
    if (err || (err = begin_change(fs)))
        return err;
    return ext2_unlink(&priv(fs)->e, d, name, len);
}

static int e_rmdir(struct fs *fs, uint64_t dir, const char *name, size_t len)
{
    uint32_t d;
    int err = ino32(dir, &d);
    if (err || (err = begin_change(fs)))
        return err;
    return ext2_rmdir(&priv(fs)->e, d, name, len);
}

static int e_rename(struct fs *fs, uint64_t fdir, const char *from, size_t from_len, uint64_t tdir,
                    const char *to, size_t to_len)
{
    uint32_t f, t;
    int err = ino32(fdir, &f);
    if (err || (err = ino32(tdir, &t)) || (err = begin_change(fs)))
        return err;
    return ext2_rename(&priv(fs)->e, f, from, from_len, t, to, to_len);
}

static int e_sync(struct fs *fs)
{
    return commit(priv(fs));
}

static void e_forget(struct fs *fs, uint64_t ino)
{
    uint32_t i;
    if (ino32(ino, &i) == 0 && begin_change(fs) == 0)
        ext2_release(&priv(fs)->e, i);
}

static void e_unmount(struct fs *fs)
{
    struct ext2fs *x = priv(fs);
    commit(x);
    ext2_unmount(&x->e);
    bcache_destroy(&x->cache);
    free(x);
}

static const struct fs_ops ext2_ops = {
    .type = "ext2",
    .lookup = e_lookup,
    .getattr = e_getattr,
    .read = e_read,
    .readdir = e_readdir,
    .readlink = e_readlink,
    .statfs = e_statfs,
    .write = e_write,
    .truncate = e_truncate,
    .create = e_create,
    .unlink = e_unlink,
    .rmdir = e_rmdir,
    .rename = e_rename,
    .sync = e_sync,
    .forget = e_forget,
    .unmount = e_unmount,
};

int ext2fs_mount(struct fs *fs, const struct bcache_dev *dev, uint32_t cache_blocks)
{
    struct ext2fs *x = calloc(1, sizeof(*x));
    if (!x)
        return -ENOMEM;
    int err = bcache_init(&x->cache, dev, CACHE_BLOCK, cache_blocks);
    if (err) {
        free(x);
        return err;
    }
    struct ext2_dev d = {
        .read = cache_read,
        .write = cache_write,
        .write_data = cache_write_data,
        .ctx = &x->cache,
        .size = dev->blocks * CACHE_BLOCK,
    };
    if ((err = ext2_mount(&x->e, &d))) {
        bcache_destroy(&x->cache);
        free(x);
        return err;
    }
    x->e.in_use = open_inode;
    x->e.in_use_ctx = x;
    x->e.defer_frees = true;
    x->fs = fs;
    *fs = (struct fs){
        .ops = &ext2_ops, .root = EXT2_ROOT_INO, .read_only = x->e.read_only, .priv = x
    };
    return 0;
}

const struct bcache_stats *ext2fs_cache_stats(const struct fs *fs)
{
    return &priv(fs)->cache.stats;
}
