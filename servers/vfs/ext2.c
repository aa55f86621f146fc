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
}

int ext2_read_inode(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *out)
{
    uint8_t raw[128];
    if (ino == 0 || ino > fs->inodes_count)
        return -EIO;
    uint32_t g = (ino - 1) / fs->inodes_per_group, i = (ino - 1) % fs->inodes_per_group;
    uint64_t off =
        (uint64_t)fs->group[g].inode_table * fs->block_size + (uint64_t)i * fs->inode_size;
    int err = dev_read(fs, off, raw, sizeof(raw));
    if (err)
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

/* The disk block holding block LBLOCK of inode IN: 0 with *PBLOCK (0 for
 * a hole), or a negative errno. */
static int bmap(struct ext2_fs *fs, const struct ext2_inode *in, uint64_t lblock, uint32_t *pblock)
{
    uint64_t per = fs->block_size / 4;
    uint32_t b;
    int levels;
    if (lblock < 12) {
        *pblock = in->block[lblock];
        return *pblock && !block_ok(fs, *pblock) ? -EIO : 0;
    }
    lblock -= 12;
    if (lblock < per) {
        b = in->block[12], levels = 1;
    } else if ((lblock -= per) < per * per) {
        b = in->block[13], levels = 2;
    } else if ((lblock -= per * per) < per * per * per) {
        b = in->block[14], levels = 3;
    } else {
        return -EFBIG;
    }
    for (int l = levels - 1; b && l >= 0; l--) {
        uint64_t span = 1;
        for (int k = 0; k < l; k++)
            span *= per;
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
        uint32_t in_block = (uint32_t)(pos % fs->block_size), b;
        size_t n = fs->block_size - in_block;
        if (n > len - done)
            n = len - done;
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
