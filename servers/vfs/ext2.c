/*
 * ext2.c: reading ext2 (see ext2.h). Layout, from the ext2 specification:
 * the superblock at byte 1024; the group descriptor table in the block
 * after it; per group a block bitmap, an inode bitmap and an inode table;
 * an inode maps its first 12 blocks directly, then through one, two and
 * three levels of indirect blocks; a directory is a file of variable-length
 * entries (inode, record length, name length, type, name).
 */
#include "ext2.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SB_OFFSET 1024

/* Superblock fields (byte offsets). */
#define SB_INODES_COUNT      0
#define SB_BLOCKS_COUNT      4
#define SB_FREE_BLOCKS       12
#define SB_FREE_INODES       16
#define SB_FIRST_DATA_BLOCK  20
#define SB_LOG_BLOCK_SIZE    24
#define SB_BLOCKS_PER_GROUP  32
#define SB_INODES_PER_GROUP  40
#define SB_MAGIC             56
#define SB_REV_LEVEL         76
#define SB_FIRST_INO         84
#define SB_INODE_SIZE        88
#define SB_FEATURE_COMPAT    92
#define SB_FEATURE_INCOMPAT  96
#define SB_FEATURE_RO_COMPAT 100
#define EXT2_MAGIC           0xEF53

#define INCOMPAT_FILETYPE    0x0002
#define RO_COMPAT_SPARSE     0x0001
#define RO_COMPAT_LARGE_FILE 0x0002
#define RO_COMPAT_WRITABLE   (RO_COMPAT_SPARSE | RO_COMPAT_LARGE_FILE)
#define INCOMPAT_SUPPORTED   INCOMPAT_FILETYPE

#define GD_SIZE 32

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int dev_read(struct ext2_fs *fs, uint64_t off, void *buf, size_t len)
{
    if (off > fs->dev.size || len > fs->dev.size - off)
        return -EIO;
    return fs->dev.read(fs->dev.ctx, off, buf, len);
}

static bool block_ok(const struct ext2_fs *fs, uint32_t b)
{
    return b >= fs->first_data_block && b < fs->blocks_count;
}

int ext2_mount(struct ext2_fs *fs, const struct ext2_dev *dev)
{
    uint8_t sb[1024];
    memset(fs, 0, sizeof(*fs));
    fs->dev = *dev;
    if (dev->size < SB_OFFSET + sizeof(sb))
        return -EINVAL;
    int err = dev_read(fs, SB_OFFSET, sb, sizeof(sb));
    if (err)
        return err;
    if (le16(sb + SB_MAGIC) != EXT2_MAGIC)
        return -EINVAL;
    uint32_t log = le32(sb + SB_LOG_BLOCK_SIZE);
    if (log > 2)
        return -ENOTSUP; /* blocks over 4 KiB */
    fs->block_size = 1024u << log;
    fs->blocks_count = le32(sb + SB_BLOCKS_COUNT);
    fs->inodes_count = le32(sb + SB_INODES_COUNT);
    fs->first_data_block = le32(sb + SB_FIRST_DATA_BLOCK);
    fs->blocks_per_group = le32(sb + SB_BLOCKS_PER_GROUP);
    fs->inodes_per_group = le32(sb + SB_INODES_PER_GROUP);
    fs->free_blocks = le32(sb + SB_FREE_BLOCKS);
    fs->free_inodes = le32(sb + SB_FREE_INODES);
    fs->rev = le32(sb + SB_REV_LEVEL);
    fs->inode_size = fs->rev ? le16(sb + SB_INODE_SIZE) : 128;
    fs->first_ino = fs->rev ? le32(sb + SB_FIRST_INO) : 11;
    if (fs->rev) {
        fs->feature_compat = le32(sb + SB_FEATURE_COMPAT);
        fs->feature_incompat = le32(sb + SB_FEATURE_INCOMPAT);
        fs->feature_ro_compat = le32(sb + SB_FEATURE_RO_COMPAT);
    }
    if (fs->rev > 1 || (fs->feature_incompat & ~INCOMPAT_SUPPORTED))
        return -ENOTSUP;
    fs->read_only = (fs->feature_ro_compat & ~RO_COMPAT_WRITABLE) != 0;

    uint32_t bits = fs->block_size * 8;
    if (fs->first_data_block != (fs->block_size == 1024) || fs->blocks_per_group == 0 ||
        fs->blocks_per_group > bits || fs->inodes_per_group == 0 || fs->inodes_per_group > bits ||
        fs->inode_size < 128 || fs->inode_size > fs->block_size ||
        (fs->inode_size & (fs->inode_size - 1)) || fs->blocks_count <= fs->first_data_block + 1 ||
        (uint64_t)fs->blocks_count * fs->block_size > dev->size || fs->first_ino < 3 ||
        fs->first_ino > fs->inodes_count)
        return -EIO;
    fs->groups =
        (fs->blocks_count - fs->first_data_block + fs->blocks_per_group - 1) / fs->blocks_per_group;
    if ((uint64_t)fs->groups * fs->inodes_per_group < fs->inodes_count)
        return -EIO;

    /* The group descriptors, each checked: its bitmaps and inode table lie
     * inside the file system. */
    fs->gdt_block = fs->first_data_block + 1;
    uint64_t gdt_len = (uint64_t)fs->groups * GD_SIZE;
    uint64_t table_blocks =
        ((uint64_t)fs->inodes_per_group * fs->inode_size + fs->block_size - 1) / fs->block_size;
    uint8_t *raw = malloc(gdt_len);
    fs->group = calloc(fs->groups, sizeof(*fs->group));
    if (!raw || !fs->group) {
        free(raw);
        ext2_unmount(fs);
        return -ENOMEM;
    }
    err = dev_read(fs, (uint64_t)fs->gdt_block * fs->block_size, raw, gdt_len);
    for (uint32_t g = 0; !err && g < fs->groups; g++) {
        const uint8_t *d = raw + (uint64_t)g * GD_SIZE;
        struct ext2_group *gr = &fs->group[g];
        gr->block_bitmap = le32(d);
        gr->inode_bitmap = le32(d + 4);
        gr->inode_table = le32(d + 8);
        gr->free_blocks = le16(d + 12);
        gr->free_inodes = le16(d + 14);
        gr->used_dirs = le16(d + 16);
        if (!block_ok(fs, gr->block_bitmap) || !block_ok(fs, gr->inode_bitmap) ||
            !block_ok(fs, gr->inode_table) || gr->inode_table + table_blocks > fs->blocks_count)
            err = -EIO;
    }
    free(raw);
    if (err)
        ext2_unmount(fs);
    return err;
}

void ext2_unmount(struct ext2_fs *fs)
{
    free(fs->group);
    fs->group = NULL;
    free(fs->pending);
    fs->pending = NULL;
    fs->npending = fs->pending_cap = 0;
}

/* Where inode INO lies on the device: 0 with *OFF, or -EIO. */
static int inode_at(const struct ext2_fs *fs, uint32_t ino, uint64_t *off)
{
    if (ino == 0 || ino > fs->inodes_count)
        return -EIO;
    uint32_t g = (ino - 1) / fs->inodes_per_group, i = (ino - 1) % fs->inodes_per_group;
    *off = (uint64_t)fs->group[g].inode_table * fs->block_size + (uint64_t)i * fs->inode_size;
    return 0;
}

int ext2_read_inode(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *out)
{
    uint8_t raw[128];
    uint64_t off;
    int err = inode_at(fs, ino, &off);
    if (err || (err = dev_read(fs, off, raw, sizeof(raw))))
        return err;
    *out = (struct ext2_inode){
        .mode = le16(raw),
        .uid = le16(raw + 2),
        .size = le32(raw + 4),
        .atime = le32(raw + 8),
        .ctime = le32(raw + 12),
        .mtime = le32(raw + 16),
        .dtime = le32(raw + 20),
        .gid = le16(raw + 24),
        .links = le16(raw + 26),
        .blocks512 = le32(raw + 28),
        .flags = le32(raw + 32),
    };
    for (int b = 0; b < EXT2_N_BLOCKS; b++)
        out->block[b] = le32(raw + 40 + 4 * b);
    if ((out->mode & EXT2_S_IFMT) == EXT2_S_IFREG && fs->rev)
        out->size |= (uint64_t)le32(raw + 108) << 32; /* i_size_high (large files) */
    return 0;
}

/* Which pointer of the inode block LBLOCK hangs from (its index), how
 * many levels of indirect blocks lie between, and LBLOCK's index below
 * that pointer (*REST); -EFBIG past the triple-indirect blocks. */
static int block_path(const struct ext2_fs *fs, uint64_t lblock, uint64_t *rest)
{
    uint64_t per = fs->block_size / 4, span = per;
    if (lblock < 12) {
        *rest = 0;
        return (int)lblock << 2; /* a direct pointer, no levels */
    }
    lblock -= 12;
    for (int levels = 1; levels <= 3; levels++, span *= per) {
        if (lblock < span) {
            *rest = lblock;
            return (11 + levels) << 2 | levels;
        }
        lblock -= span;
    }
    return -EFBIG;
}

/* The number of data blocks below one pointer of an indirect block that
 * is LEVEL levels above them. */
static uint64_t span_below(const struct ext2_fs *fs, int level)
{
    uint64_t span = 1;
    for (int k = 0; k < level; k++)
        span *= fs->block_size / 4;
    return span;
}

/* The disk block holding block LBLOCK of inode IN: 0 with *PBLOCK (0 for
 * a hole), or a negative errno. */
static int bmap(struct ext2_fs *fs, const struct ext2_inode *in, uint64_t lblock, uint32_t *pblock)
{
    int path = block_path(fs, lblock, &lblock);
    if (path < 0)
        return path;
    uint32_t b = in->block[path >> 2];
    for (int l = (path & 3) - 1; b && l >= 0; l--) {
        uint64_t span = span_below(fs, l);
        uint8_t ptr[4];
        if (!block_ok(fs, b))
            return -EIO;
        int err = dev_read(fs, (uint64_t)b * fs->block_size + (lblock / span) * 4, ptr, 4);
        if (err)
            return err;
        b = le32(ptr);
        lblock %= span;
    }
    *pblock = b;
    return b && !block_ok(fs, b) ? -EIO : 0;
}

/* The piece of a transfer at POS that stays in one block: its length (at
 * most LEFT), and where in the block it starts (*AT). */
static size_t piece(const struct ext2_fs *fs, uint64_t pos, size_t left, uint32_t *at)
{
    *at = (uint32_t)(pos % fs->block_size);
    size_t n = fs->block_size - *at;
    return n < left ? n : left;
}

static bool fast_symlink(const struct ext2_inode *in)
{
    return (in->mode & EXT2_S_IFMT) == EXT2_S_IFLNK && in->size < 60 && in->blocks512 == 0;
}

int64_t ext2_read(struct ext2_fs *fs, const struct ext2_inode *in, uint64_t off, void *buf,
                  size_t len)
{
    if (off >= in->size)
        return 0;
    if (len > in->size - off)
        len = (size_t)(in->size - off);
    if (fast_symlink(in)) { /* the target lives in the block pointers */
        uint8_t target[60];
        for (int b = 0; b < EXT2_N_BLOCKS; b++)
            for (int k = 0; k < 4; k++)
                target[4 * b + k] = (uint8_t)(in->block[b] >> (8 * k));
        memcpy(buf, target + off, len);
        return (int64_t)len;
    }
    size_t done = 0;
    while (done < len) {
        uint64_t pos = off + done;
        uint32_t in_block, b;
        size_t n = piece(fs, pos, len - done, &in_block);
        int err = bmap(fs, in, pos / fs->block_size, &b);
        if (err)
            return err;
        if (!b)
            memset((uint8_t *)buf + done, 0, n);
        else if ((err = dev_read(fs, (uint64_t)b * fs->block_size + in_block, (uint8_t *)buf + done,
                                 n)))
            return err;
        done += n;
    }
    return (int64_t)done;
}

int ext2_readdir(struct ext2_fs *fs, uint32_t dir, uint64_t *pos, struct ext2_dirent *out)
{
    struct ext2_inode in;
    int err = ext2_read_inode(fs, dir, &in);
    if (err)
        return err;
    if ((in.mode & EXT2_S_IFMT) != EXT2_S_IFDIR)
        return -ENOTDIR;
    uint8_t block[EXT2_BLOCK_MAX];
    while (*pos < in.size) {
        uint64_t start = *pos - *pos % fs->block_size;
        uint32_t at = (uint32_t)(*pos - start);
        int64_t got = ext2_read(fs, &in, start, block, fs->block_size);
        if (got < 0)
            return (int)got;
        if (got < at + 8)
            return -EIO; /* a directory ends inside an entry */
        const uint8_t *e = block + at;
        uint32_t ino = le32(e), rec_len = le16(e + 4), name_len = e[6];
        if (rec_len < 8 || (rec_len & 3) || at + rec_len > (uint64_t)got ||
            name_len > rec_len - 8 || ino > fs->inodes_count)
            return -EIO;
        *pos += rec_len;
        if (ino == 0)
            continue; /* an unused entry */
        if (name_len == 0 || memchr(e + 8, '\0', name_len) || memchr(e + 8, '/', name_len))
            return -EIO; /* no name, or one no path could reach */
        out->ino = ino;
        out->type = fs->feature_incompat & INCOMPAT_FILETYPE ? e[7] : EXT2_FT_UNKNOWN;
        out->name_len = (uint8_t)name_len;
        memcpy(out->name, e + 8, name_len);
        out->name[name_len] = '\0';
        return 1;
    }
    return 0;
}

int ext2_lookup(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint32_t *ino)
{
    struct ext2_dirent d;
    uint64_t pos = 0;
    int r;
    if (len == 0 || len > EXT2_NAME_MAX)
        return -ENOENT;
    while ((r = ext2_readdir(fs, dir, &pos, &d)) == 1)
        if (d.name_len == len && memcmp(d.name, name, len) == 0) {
            *ino = d.ino;
            return 0;
        }
    return r < 0 ? r : -ENOENT;
}

/* ---- writing ---- */

#define INDEX_FL 0x1000 /* a hashed directory index: stale once we change the directory */

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static int dev_write(struct ext2_fs *fs, uint64_t off, const void *buf, size_t len)
{
    if (off > fs->dev.size || len > fs->dev.size - off || !fs->dev.write)
        return -EIO;
    return fs->dev.write(fs->dev.ctx, off, buf, len);
}

/* A file's contents (DATA) go through the device's write_data when it has
 * one, so that a cache can write them before the metadata. */
static int dev_write_kind(struct ext2_fs *fs, uint64_t off, const void *buf, size_t len, bool data)
{
    if (!data || !fs->dev.write_data)
        return dev_write(fs, off, buf, len);
    if (off > fs->dev.size || len > fs->dev.size - off)
        return -EIO;
    return fs->dev.write_data(fs->dev.ctx, off, buf, len);
}

static bool is_file(const struct ext2_inode *in)
{
    return (in->mode & EXT2_S_IFMT) == EXT2_S_IFREG;
}

int ext2_write_inode(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in)
{
    uint8_t raw[128];
    uint64_t off;
    int err = inode_at(fs, ino, &off);
    if (err || (err = dev_read(fs, off, raw, sizeof(raw)))) /* keep the fields we do not know */
        return err;
    put16(raw, in->mode);
    put16(raw + 2, in->uid);
    put32(raw + 4, (uint32_t)in->size);
    put32(raw + 8, in->atime);
    put32(raw + 12, in->ctime);
    put32(raw + 16, in->mtime);
    put32(raw + 20, in->dtime);
    put16(raw + 24, in->gid);
    put16(raw + 26, in->links);
    put32(raw + 28, in->blocks512);
    put32(raw + 32, in->flags);
    for (int b = 0; b < EXT2_N_BLOCKS; b++)
        put32(raw + 40 + 4 * b, in->block[b]);
    if ((in->mode & EXT2_S_IFMT) == EXT2_S_IFREG)
        put32(raw + 108, (uint32_t)(in->size >> 32));
    return dev_write(fs, off, raw, sizeof(raw));
}

/* The free counts of group G, and the superblock's, on disk. */
static int write_counts(struct ext2_fs *fs, uint32_t g)
{
    uint8_t d[6], sb[8];
    const struct ext2_group *gr = &fs->group[g];
    put16(d, gr->free_blocks);
    put16(d + 2, gr->free_inodes);
    put16(d + 4, gr->used_dirs);
    int err = dev_write(fs, (uint64_t)fs->gdt_block * fs->block_size + (uint64_t)g * GD_SIZE + 12,
                        d, sizeof(d));
    put32(sb, fs->free_blocks);
    put32(sb + 4, fs->free_inodes);
    return err ? err : dev_write(fs, SB_OFFSET + SB_FREE_BLOCKS, sb, sizeof(sb));
}

/* Find a clear bit among the first NBITS of bitmap block MAP, set it; -1
 * when there is none. */
static int64_t take_bit(struct ext2_fs *fs, uint32_t map, uint32_t nbits)
{
    uint8_t bits[EXT2_BLOCK_MAX];
    if (!block_ok(fs, map))
        return -EIO;
    int err = dev_read(fs, (uint64_t)map * fs->block_size, bits, fs->block_size);
    if (err)
        return err;
    for (uint32_t i = 0; i < nbits; i++) {
        if (bits[i / 8] == 0xFF) {
            i |= 7;
            continue;
        }
        if (!(bits[i / 8] & (1u << (i % 8)))) {
            bits[i / 8] |= (uint8_t)(1u << (i % 8));
            err = dev_write(fs, (uint64_t)map * fs->block_size + i / 8, &bits[i / 8], 1);
            return err ? err : (int64_t)i;
        }
    }
    return -1;
}

/* Clear bit I of bitmap block MAP. */
static int drop_bit(struct ext2_fs *fs, uint32_t map, uint32_t i)
{
    uint8_t byte;
    uint64_t at = (uint64_t)map * fs->block_size + i / 8;
    int err = dev_read(fs, at, &byte, 1);
    if (err)
        return err;
    if (!(byte & (1u << (i % 8))))
        return -EIO; /* freeing what is free: the disk is corrupt */
    byte &= (uint8_t) ~(1u << (i % 8));
    return dev_write(fs, at, &byte, 1);
}

static uint32_t blocks_in_group(const struct ext2_fs *fs, uint32_t g)
{
    uint32_t first = fs->first_data_block + g * fs->blocks_per_group;
    return fs->blocks_count - first < fs->blocks_per_group ? fs->blocks_count - first
                                                           : fs->blocks_per_group;
}

/* A new zeroed block, from group HINT onwards, for a file's contents
 * (DATA) or metadata: 0 with *BLK, or -ENOSPC. */
static int alloc_block(struct ext2_fs *fs, uint32_t hint, uint32_t *blk, bool data)
{
    static const uint8_t zeros[EXT2_BLOCK_MAX];
    for (uint32_t k = 0; k < fs->groups; k++) {
        uint32_t g = (hint + k) % fs->groups;
        if (!fs->group[g].free_blocks)
            continue;
        int64_t bit = take_bit(fs, fs->group[g].block_bitmap, blocks_in_group(fs, g));
        if (bit < -1)
            return (int)bit;
        if (bit < 0)
            continue; /* its count was wrong */
        *blk = fs->first_data_block + g * fs->blocks_per_group + (uint32_t)bit;
        fs->group[g].free_blocks--;
        fs->free_blocks -= fs->free_blocks > 0;
        int err = write_counts(fs, g);
        return err ? err
                   : dev_write_kind(fs, (uint64_t)*blk * fs->block_size, zeros, fs->block_size,
                                    data);
    }
    return -ENOSPC;
}

/* Clear BLK's bit and count it free. */
static int release_block(struct ext2_fs *fs, uint32_t blk)
{
    uint32_t g = (blk - fs->first_data_block) / fs->blocks_per_group;
    int err = drop_bit(fs, fs->group[g].block_bitmap,
                       (blk - fs->first_data_block) % fs->blocks_per_group);
    if (err)
        return err;
    fs->group[g].free_blocks++;
    fs->free_blocks++;
    return write_counts(fs, g);
}

/* Add BLK to the runs waiting for ext2_apply_frees: false when there is
 * no memory for another run. */
static bool defer_free(struct ext2_fs *fs, uint32_t blk)
{
    struct ext2_run *last = fs->npending ? &fs->pending[fs->npending - 1] : NULL;
    if (last && last->start + last->count == blk) {
        last->count++;
    } else {
        if (fs->npending == fs->pending_cap) {
            uint32_t cap = fs->pending_cap ? fs->pending_cap * 2 : 64;
            struct ext2_run *p = realloc(fs->pending, cap * sizeof(*p));
            if (!p)
                return false;
            fs->pending = p;
            fs->pending_cap = cap;
        }
        fs->pending[fs->npending++] = (struct ext2_run){ blk, 1 };
    }
    fs->pending_blocks++;
    return true;
}

static int free_block(struct ext2_fs *fs, uint32_t blk)
{
    if (!block_ok(fs, blk))
        return -EIO;
    if (fs->defer_frees && defer_free(fs, blk))
        return 0;
    return release_block(fs, blk); /* without memory for the list: at once */
}

int ext2_apply_frees(struct ext2_fs *fs)
{
    int first = 0;
    for (uint32_t r = 0; r < fs->npending; r++)
        for (uint32_t k = 0; k < fs->pending[r].count; k++) {
            int err = release_block(fs, fs->pending[r].start + k);
            first = first ? first : err;
        }
    fs->npending = 0;
    fs->pending_blocks = 0;
    return first;
}

static int alloc_inode(struct ext2_fs *fs, uint32_t hint, bool dir, uint32_t *ino)
{
    for (uint32_t k = 0; k < fs->groups; k++) {
        uint32_t g = (hint + k) % fs->groups;
        if (!fs->group[g].free_inodes)
            continue;
        int64_t bit = take_bit(fs, fs->group[g].inode_bitmap, fs->inodes_per_group);
        if (bit < -1)
            return (int)bit;
        if (bit < 0)
            continue;
        *ino = g * fs->inodes_per_group + (uint32_t)bit + 1;
        if (*ino < fs->first_ino || *ino > fs->inodes_count)
            return -EIO; /* a reserved inode was free: the disk is corrupt */
        fs->group[g].free_inodes--;
        fs->group[g].used_dirs += dir;
        fs->free_inodes -= fs->free_inodes > 0;
        return write_counts(fs, g);
    }
    return -ENOSPC;
}

static int free_inode(struct ext2_fs *fs, uint32_t ino, bool dir)
{
    uint32_t g = (ino - 1) / fs->inodes_per_group;
    int err = drop_bit(fs, fs->group[g].inode_bitmap, (ino - 1) % fs->inodes_per_group);
    if (err)
        return err;
    fs->group[g].free_inodes++;
    fs->group[g].used_dirs -= dir && fs->group[g].used_dirs;
    fs->free_inodes++;
    return write_counts(fs, g);
}

static uint32_t group_of(const struct ext2_fs *fs, uint32_t ino)
{
    return (ino - 1) / fs->inodes_per_group;
}

/* Like bmap, but a missing block (or indirect block) is allocated. */
static int bmap_alloc(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, uint64_t lblock,
                      uint32_t *pblock)
{
    uint32_t hint = group_of(fs, ino);
    int err, path = block_path(fs, lblock, &lblock);
    if (path < 0)
        return path;
    uint32_t *slot = &in->block[path >> 2];
    int levels = path & 3;
    if (!*slot) {
        if ((err = alloc_block(fs, hint, slot, levels == 0 && is_file(in))))
            return err;
        in->blocks512 += fs->block_size / 512;
    }
    uint32_t b = *slot;
    if (!block_ok(fs, b))
        return -EIO;
    for (int l = levels - 1; l >= 0; l--) {
        uint64_t span = span_below(fs, l);
        uint64_t at = (uint64_t)b * fs->block_size + (lblock / span) * 4;
        uint8_t ptr[4];
        if ((err = dev_read(fs, at, ptr, 4)))
            return err;
        uint32_t next = le32(ptr);
        if (!next) {
            if ((err = alloc_block(fs, hint, &next, l == 0 && is_file(in))))
                return err;
            in->blocks512 += fs->block_size / 512;
            put32(ptr, next);
            if ((err = dev_write(fs, at, ptr, 4)))
                return err;
        }
        if (!block_ok(fs, next))
            return -EIO;
        b = next;
        lblock %= span;
    }
    *pblock = b;
    return 0;
}

int64_t ext2_write(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, uint64_t off,
                   const void *buf, size_t len)
{
    if (fs->read_only)
        return -EROFS;
    size_t done = 0;
    int err = 0;
    while (done < len) {
        uint64_t pos = off + done;
        uint32_t in_block, b;
        size_t n = piece(fs, pos, len - done, &in_block);
        if ((err = bmap_alloc(fs, ino, in, pos / fs->block_size, &b)))
            break;
        if ((err = dev_write_kind(fs, (uint64_t)b * fs->block_size + in_block,
                                  (const uint8_t *)buf + done, n, is_file(in))))
            break;
        done += n;
    }
    if (off + done > in->size)
        in->size = off + done;
    in->mtime = in->ctime = fs->now;
    int werr = ext2_write_inode(fs, ino, in); /* after the data it points at */
    if (done)
        return werr ? werr : (int64_t)done;
    return err ? err : werr;
}

/* Free what hangs from *SLOT (an indirect block of LEVEL levels, or a data
 * block at level 0) from relative block KEEP on; *SLOT becomes 0 when it
 * is all gone. SPAN is how many data blocks *SLOT covers. */
static int trunc_tree(struct ext2_fs *fs, struct ext2_inode *in, uint32_t *slot, int level,
                      uint64_t keep, uint64_t span)
{
    int err = 0;
    if (!*slot || keep >= span)
        return 0;
    if (level > 0) {
        uint32_t per = fs->block_size / 4, ptrs[EXT2_BLOCK_MAX / 4];
        uint64_t child = span / per;
        uint8_t raw[EXT2_BLOCK_MAX];
        if (!block_ok(fs, *slot))
            return -EIO;
        if ((err = dev_read(fs, (uint64_t)*slot * fs->block_size, raw, fs->block_size)))
            return err;
        for (uint32_t i = 0; i < per; i++)
            ptrs[i] = le32(raw + 4 * i);
        for (uint32_t i = 0; !err && i < per; i++) {
            uint64_t first = i * child;
            err = trunc_tree(fs, in, &ptrs[i], level - 1, keep > first ? keep - first : 0, child);
            put32(raw + 4 * i, ptrs[i]);
        }
        if (keep > 0) /* part stays: the block stays, with fewer pointers */
            return err ? err : dev_write(fs, (uint64_t)*slot * fs->block_size, raw, fs->block_size);
    }
    if (err || (err = free_block(fs, *slot)))
        return err;
    in->blocks512 -= in->blocks512 >= fs->block_size / 512 ? fs->block_size / 512 : in->blocks512;
    *slot = 0;
    return 0;
}

int ext2_truncate(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, uint64_t size)
{
    if (fs->read_only)
        return -EROFS;
    uint64_t per = fs->block_size / 4, keep = (size + fs->block_size - 1) / fs->block_size;
    int err = 0;
    if (size < in->size) {
        uint32_t b;
        if (size % fs->block_size && !bmap(fs, in, size / fs->block_size, &b) && b) {
            /* zero the tail of the last block, so that growing again reads zeros */
            static const uint8_t zeros[EXT2_BLOCK_MAX];
            uint32_t at = (uint32_t)(size % fs->block_size);
            err = dev_write(fs, (uint64_t)b * fs->block_size + at, zeros, fs->block_size - at);
        }
        in->size = size;
        in->mtime = in->ctime = fs->now;
        if (!err) /* the inode first: it must not point at blocks being freed */
            err = ext2_write_inode(fs, ino, in);
        uint64_t spans[4] = { 1, per, per * per, per * per * per }, base = 12;
        for (uint64_t i = keep; !err && i < 12; i++)
            err = trunc_tree(fs, in, &in->block[i], 0, 0, 1);
        for (int l = 1; !err && l <= 3; l++) {
            err =
                trunc_tree(fs, in, &in->block[11 + l], l, keep > base ? keep - base : 0, spans[l]);
            base += spans[l];
        }
    } else {
        in->size = size; /* growing: a hole */
        in->mtime = in->ctime = fs->now;
    }
    int werr = ext2_write_inode(fs, ino, in);
    return err ? err : werr;
}

/* ---- directories ---- */

static uint32_t entry_size(uint32_t name_len)
{
    return (8 + name_len + 3) & ~3u;
}

static int dir_inode(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *in)
{
    int err = ext2_read_inode(fs, dir, in);
    if (err)
        return err;
    return (in->mode & EXT2_S_IFMT) == EXT2_S_IFDIR ? 0 : -ENOTDIR;
}

static uint8_t type_of(uint16_t mode)
{
    switch (mode & EXT2_S_IFMT) {
    case EXT2_S_IFREG: return EXT2_FT_REG;
    case EXT2_S_IFDIR: return EXT2_FT_DIR;
    case EXT2_S_IFLNK: return EXT2_FT_SYMLINK;
    default: return EXT2_FT_UNKNOWN;
    }
}

static void put_entry(struct ext2_fs *fs, uint8_t *e, uint32_t ino, uint32_t rec_len,
                      const char *name, size_t len, uint8_t type)
{
    put32(e, ino);
    put16(e + 4, (uint16_t)rec_len);
    e[6] = (uint8_t)len;
    e[7] = fs->feature_incompat & INCOMPAT_FILETYPE ? type : 0;
    memcpy(e + 8, name, len);
}

/* Add NAME -> INO (of TYPE) to directory DIR (inode IN). */
static int add_entry(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *in, const char *name,
                     size_t len, uint32_t ino, uint8_t type)
{
    uint8_t block[EXT2_BLOCK_MAX];
    uint32_t need = entry_size((uint32_t)len), b;
    int err;
    in->flags &= ~INDEX_FL;
    for (uint64_t lb = 0; lb * fs->block_size < in->size; lb++) {
        if ((err = bmap(fs, in, lb, &b)) || !b)
            return err ? err : -EIO;
        if ((err = dev_read(fs, (uint64_t)b * fs->block_size, block, fs->block_size)))
            return err;
        for (uint32_t at = 0; at + 8 <= fs->block_size;) {
            uint8_t *e = block + at;
            uint32_t rec = le16(e + 4), used = le32(e) ? entry_size(e[6]) : 0;
            if (rec < 8 || at + rec > fs->block_size || used > rec)
                return -EIO;
            if (rec - used >= need) {
                if (used)
                    put16(e + 4, (uint16_t)used); /* split: the new entry takes the rest */
                put_entry(fs, block + at + used, ino, rec - used, name, len, type);
                in->mtime = in->ctime = fs->now;
                err = dev_write(fs, (uint64_t)b * fs->block_size, block, fs->block_size);
                return err ? err : ext2_write_inode(fs, dir, in);
            }
            at += rec;
        }
    }
    /* no room: a new block at the end */
    memset(block, 0, fs->block_size);
    put_entry(fs, block, ino, fs->block_size, name, len, type);
    if ((err = bmap_alloc(fs, dir, in, in->size / fs->block_size, &b)) ||
        (err = dev_write(fs, (uint64_t)b * fs->block_size, block, fs->block_size)))
        return err;
    in->size += fs->block_size;
    in->mtime = in->ctime = fs->now;
    return ext2_write_inode(fs, dir, in);
}

/* Take NAME out of directory DIR (inode IN); *INO gets what it named. */
static int remove_entry(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *in, const char *name,
                        size_t len, uint32_t *ino)
{
    uint8_t block[EXT2_BLOCK_MAX];
    uint32_t b;
    int err;
    for (uint64_t lb = 0; lb * fs->block_size < in->size; lb++) {
        if ((err = bmap(fs, in, lb, &b)) || !b)
            return err ? err : -EIO;
        if ((err = dev_read(fs, (uint64_t)b * fs->block_size, block, fs->block_size)))
            return err;
        uint8_t *prev = NULL;
        for (uint32_t at = 0; at + 8 <= fs->block_size;) {
            uint8_t *e = block + at;
            uint32_t rec = le16(e + 4);
            if (rec < 8 || at + rec > fs->block_size || e[6] > rec - 8)
                return -EIO;
            if (le32(e) && e[6] == len && !memcmp(e + 8, name, len)) {
                *ino = le32(e);
                if (prev)
                    put16(prev + 4, (uint16_t)(le16(prev + 4) + rec)); /* the one before takes it */
                else
                    put32(e, 0); /* the first of a block stays, unused */
                in->flags &= ~INDEX_FL;
                in->mtime = in->ctime = fs->now;
                err = dev_write(fs, (uint64_t)b * fs->block_size, block, fs->block_size);
                return err ? err : ext2_write_inode(fs, dir, in);
            }
            prev = e;
            at += rec;
        }
    }
    return -ENOENT;
}

static int check_name(const char *name, size_t len)
{
    if (len == 0)
        return -EINVAL;
    if (len > EXT2_NAME_MAX)
        return -ENAMETOOLONG;
    if (memchr(name, '/', len) || memchr(name, '\0', len))
        return -EINVAL;
    if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
        return -EEXIST;
    return 0;
}

int ext2_create(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint16_t mode,
                uint32_t *ino)
{
    struct ext2_inode parent, in;
    uint32_t found;
    int err;
    bool is_dir = (mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
    if (fs->read_only)
        return -EROFS;
    if ((err = check_name(name, len)) || (err = dir_inode(fs, dir, &parent)))
        return err;
    err = ext2_lookup(fs, dir, name, len, &found);
    if (err != -ENOENT)
        return err ? err : -EEXIST;
    if ((err = alloc_inode(fs, group_of(fs, dir), is_dir, ino)))
        return err;
    in = (struct ext2_inode){ .mode = mode, .links = is_dir ? 2 : 1 };
    in.atime = in.ctime = in.mtime = fs->now;
    if (is_dir) { /* its first block: "." and ".." */
        uint8_t block[EXT2_BLOCK_MAX] = { 0 };
        uint32_t b;
        put_entry(fs, block, *ino, 12, ".", 1, EXT2_FT_DIR);
        put_entry(fs, block + 12, dir, fs->block_size - 12, "..", 2, EXT2_FT_DIR);
        if ((err = bmap_alloc(fs, *ino, &in, 0, &b)) ||
            (err = dev_write(fs, (uint64_t)b * fs->block_size, block, fs->block_size)))
            return err;
        in.size = fs->block_size;
    }
    if ((err = ext2_write_inode(fs, *ino, &in))) /* the inode before the name */
        return err;
    if (is_dir) {
        parent.links++;
        if ((err = ext2_write_inode(fs, dir, &parent)))
            return err;
    }
    return add_entry(fs, dir, &parent, name, len, *ino, type_of(mode));
}

int ext2_link(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint32_t ino)
{
    struct ext2_inode parent, in;
    uint32_t found;
    int err;
    if (fs->read_only)
        return -EROFS;
    if ((err = check_name(name, len)) || (err = dir_inode(fs, dir, &parent)) ||
        (err = ext2_read_inode(fs, ino, &in)))
        return err;
    if ((in.mode & EXT2_S_IFMT) == EXT2_S_IFDIR)
        return -EPERM;
    err = ext2_lookup(fs, dir, name, len, &found);
    if (err != -ENOENT)
        return err ? err : -EEXIST;
    in.links++;
    in.ctime = fs->now;
    if ((err = ext2_write_inode(fs, ino, &in)))
        return err;
    return add_entry(fs, dir, &parent, name, len, ino, type_of(in.mode));
}

/* Free INO (inode IN), which has no names left: its blocks, then it. */
static int free_file(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in)
{
    bool is_dir = (in->mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
    int err = ext2_truncate(fs, ino, in, 0);
    if (err)
        return err;
    /* A deleted inode's dtime is a time, and a time no inode number can
     * be: e2fsck takes a small dtime for a link of ext3's orphan list. */
    in->dtime = fs->now > fs->inodes_count ? fs->now : fs->inodes_count + 1;
    if ((err = ext2_write_inode(fs, ino, in)))
        return err;
    return free_inode(fs, ino, is_dir);
}

/* INO lost a name; free it with its last, unless it is open. */
static int drop_link(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in)
{
    bool is_dir = (in->mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
    in->links = is_dir ? 0 : in->links - (in->links > 0);
    in->ctime = fs->now;
    if (in->links || (fs->in_use && fs->in_use(fs->in_use_ctx, ino)))
        return ext2_write_inode(fs, ino, in); /* an open one waits for ext2_release */
    return free_file(fs, ino, in);
}

int ext2_release(struct ext2_fs *fs, uint32_t ino)
{
    struct ext2_inode in;
    int err = ext2_read_inode(fs, ino, &in);
    if (err || fs->read_only || in.links || !in.mode || in.dtime ||
        (fs->in_use && fs->in_use(fs->in_use_ctx, ino)))
        return err; /* still named or open, or free already */
    return free_file(fs, ino, &in);
}

static int dir_is_empty(struct ext2_fs *fs, uint32_t dir)
{
    struct ext2_dirent d;
    uint64_t pos = 0;
    int r;
    while ((r = ext2_readdir(fs, dir, &pos, &d)) == 1)
        if (strcmp(d.name, ".") && strcmp(d.name, ".."))
            return -ENOTEMPTY;
    return r;
}

/* Take NAME out of DIR: a file (WANT_DIR false) or an empty directory. */
static int remove_name(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
                       bool want_dir)
{
    struct ext2_inode parent, in;
    uint32_t ino;
    int err;
    if (fs->read_only)
        return -EROFS;
    if (want_dir && len == 1 && name[0] == '.')
        return -EINVAL;
    if (want_dir && len == 2 && name[0] == '.' && name[1] == '.')
        return -ENOTEMPTY;
    if ((err = dir_inode(fs, dir, &parent)) || (err = ext2_lookup(fs, dir, name, len, &ino)) ||
        (err = ext2_read_inode(fs, ino, &in)))
        return err;
    bool is_dir = (in.mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
    if (is_dir != want_dir)
        return is_dir ? -EISDIR : -ENOTDIR;
    if (is_dir && (err = dir_is_empty(fs, ino)))
        return err;
    if ((err = remove_entry(fs, dir, &parent, name, len, &ino))) /* the name before the inode */
        return err;
    if (is_dir) {
        parent.links -= parent.links > 2;
        if ((err = ext2_write_inode(fs, dir, &parent)))
            return err;
    }
    return drop_link(fs, ino, &in);
}

int ext2_unlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len)
{
    return remove_name(fs, dir, name, len, false);
}

int ext2_rmdir(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len)
{
    return remove_name(fs, dir, name, len, true);
}

/* Is directory ANCESTOR on the way from DIR up to the root? */
static int is_under(struct ext2_fs *fs, uint32_t dir, uint32_t ancestor)
{
    for (int depth = 0; depth < 4096; depth++) {
        if (dir == ancestor)
            return 1;
        if (dir == EXT2_ROOT_INO)
            return 0;
        int err = ext2_lookup(fs, dir, "..", 2, &dir);
        if (err)
            return err;
    }
    return -EIO; /* a loop of ".." entries */
}

int ext2_rename(struct ext2_fs *fs, uint32_t fdir, const char *from, size_t from_len, uint32_t tdir,
                const char *to, size_t to_len)
{
    struct ext2_inode fparent, tparent, in, old;
    uint32_t ino, existing;
    int err;
    if (fs->read_only)
        return -EROFS;
    if ((err = check_name(from, from_len)) || (err = check_name(to, to_len)))
        return err == -EEXIST ? -EINVAL : err;
    if ((err = dir_inode(fs, fdir, &fparent)) || (err = dir_inode(fs, tdir, &tparent)) ||
        (err = ext2_lookup(fs, fdir, from, from_len, &ino)) ||
        (err = ext2_read_inode(fs, ino, &in)))
        return err;
    bool is_dir = (in.mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
    if (is_dir && (err = is_under(fs, tdir, ino)) != 0)
        return err < 0 ? err : -EINVAL; /* into itself */
    err = ext2_lookup(fs, tdir, to, to_len, &existing);
    if (err && err != -ENOENT)
        return err;
    if (!err) { /* something is in the way */
        if (existing == ino)
            return 0;
        if ((err = ext2_read_inode(fs, existing, &old)))
            return err;
        bool old_dir = (old.mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
        if (old_dir != is_dir)
            return is_dir ? -ENOTDIR : -EISDIR;
        err = old_dir ? ext2_rmdir(fs, tdir, to, to_len) : ext2_unlink(fs, tdir, to, to_len);
        if (err || (err = dir_inode(fs, tdir, &tparent)))
            return err;
    }
    /* the new name first: a stop in between leaves two names, not none */
    if ((err = add_entry(fs, tdir, &tparent, to, to_len, ino, type_of(in.mode))))
        return err;
    if (fdir == tdir)
        fparent = tparent;
    if ((err = remove_entry(fs, fdir, &fparent, from, from_len, &ino)))
        return err;
    if (!is_dir || fdir == tdir)
        return 0;
    /* a directory that moved: its ".." and both parents' link counts */
    if ((err = remove_entry(fs, ino, &in, "..", 2, &existing)) ||
        (err = add_entry(fs, ino, &in, "..", 2, tdir, EXT2_FT_DIR)))
        return err;
    fparent.links -= fparent.links > 2;
    if ((err = ext2_write_inode(fs, fdir, &fparent)) || (err = dir_inode(fs, tdir, &tparent)))
        return err;
    tparent.links++;
    return ext2_write_inode(fs, tdir, &tparent);
}
