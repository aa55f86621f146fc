/*
 * ext2.h: the ext2 file system (revision 0 and 1, 1 KiB to 4 KiB blocks),
 * as pure code over a byte-addressed device that the caller supplies. The
 * VFS server runs it over the block driver; the host's unit tests and
 * fuzzer run it over a file in memory.
 *
 * Every number read from the disk is checked before it is used: a corrupt
 * image gives -EIO (or -EINVAL for a superblock that is not ext2, -ENOTSUP
 * for features it does not know), never an access out of bounds or a loop
 * without end. Errors are negative errno values of whatever C library the
 * code is built against.
 */
#ifndef VFS_EXT2_H
#define VFS_EXT2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The device: LEN bytes at byte offset OFF. 0, or a negative errno. */
struct ext2_dev {
    int (*read)(void *ctx, uint64_t off, void *buf, size_t len);
    int (*write)(void *ctx, uint64_t off, const void *buf, size_t len);
    /* The same for the contents of regular files (data blocks), which a
     * cache may write before the metadata; NULL: WRITE takes them too. */
    int (*write_data)(void *ctx, uint64_t off, const void *buf, size_t len);
    void *ctx;
    uint64_t size; /* bytes */
};

#define EXT2_ROOT_INO  2
#define EXT2_NAME_MAX  255
#define EXT2_BLOCK_MAX 4096
#define EXT2_N_BLOCKS  15

/* Modes (as in st_mode). */
#define EXT2_S_IFMT  0170000
#define EXT2_S_IFREG 0100000
#define EXT2_S_IFDIR 0040000
#define EXT2_S_IFLNK 0120000

struct ext2_inode {
    uint16_t mode, uid, gid, links;
    uint64_t size;
    uint32_t atime, ctime, mtime, dtime;
    uint32_t blocks512; /* i_blocks: 512-byte units in use */
    uint32_t flags;
    uint32_t block[EXT2_N_BLOCKS];
};

struct ext2_group {
    uint32_t block_bitmap, inode_bitmap, inode_table;
    uint16_t free_blocks, free_inodes, used_dirs;
};

/* A run of blocks freed and not yet given back (see defer_frees). */
struct ext2_run {
    uint32_t start, count;
};

struct ext2_fs {
    struct ext2_dev dev;
    uint32_t block_size, blocks_count, inodes_count, first_data_block;
    uint32_t blocks_per_group, inodes_per_group, groups, inode_size, first_ino;
    uint32_t free_blocks, free_inodes;
    uint32_t rev, feature_compat, feature_incompat, feature_ro_compat;
    bool read_only;           /* features it can read but not safely write */
    struct ext2_group *group; /* GROUPS of them */
    uint32_t gdt_block;       /* where the group descriptor table starts */
    uint32_t now;             /* the time to stamp changes with (the caller sets it) */
    /* Whether inode INO is open (the caller's; NULL: never). A file that
     * loses its last name while open keeps its inode and blocks, with no
     * name and a link count of 0, until ext2_release. */
    bool (*in_use)(void *ctx, uint32_t ino);
    void *in_use_ctx;
    /* With defer_frees, a freed block stays marked in use until
     * ext2_apply_frees, so that nothing reuses it before the metadata that
     * no longer names it is on the disk (a cache calls it before each
     * commit). The runs waiting, and how many blocks they hold: */
    bool defer_frees;
    struct ext2_run *pending;
    uint32_t npending, pending_cap;
    uint64_t pending_blocks;
};

/* A directory entry, as ext2_readdir gives it. */
struct ext2_dirent {
    uint32_t ino;
    uint8_t type; /* EXT2_FT_* */
    uint8_t name_len;
    char name[EXT2_NAME_MAX + 1];
};

#define EXT2_FT_UNKNOWN 0
#define EXT2_FT_REG     1
#define EXT2_FT_DIR     2
#define EXT2_FT_SYMLINK 7

/* Check DEV's superblock and read the group descriptors (FS->group is
 * allocated with malloc; ext2_unmount frees it). */
int ext2_mount(struct ext2_fs *fs, const struct ext2_dev *dev);
void ext2_unmount(struct ext2_fs *fs);

int ext2_read_inode(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *out);

/* Read up to LEN bytes of the file at OFF: the count read (0 at the end),
 * or a negative errno. Holes read as zeros. */
int64_t ext2_read(struct ext2_fs *fs, const struct ext2_inode *in, uint64_t off, void *buf,
                  size_t len);

/* The inode of NAME (LEN bytes) in directory DIR: 0 with *INO, -ENOENT,
 * -ENOTDIR, or -EIO. */
int ext2_lookup(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint32_t *ino);

/* The next entry of directory DIR from *POS (start at 0): 1 with *OUT and
 * *POS moved on, 0 at the end, or a negative errno. */
int ext2_readdir(struct ext2_fs *fs, uint32_t dir, uint64_t *pos, struct ext2_dirent *out);

/* ---- changing the file system (-EROFS when it is read_only) ----
 * Each call leaves the disk consistent when it returns, and orders its
 * writes so that a stop in the middle loses at most what it was doing:
 * data before the inode that points at it, an inode before the directory
 * entry that names it. Free-space counts may then be off, which e2fsck
 * repairs. */

/* Write LEN bytes of BUF at OFF of the file IN (inode INO), allocating
 * blocks (and indirect blocks) as needed; IN is updated and written back.
 * The count written (short only when the disk fills), or -ENOSPC, -EFBIG,
 * -EIO. */
int64_t ext2_write(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, uint64_t off,
                   const void *buf, size_t len);

/* Make file IN (inode INO) SIZE bytes long: freeing the blocks past it, or
 * growing it with a hole. */
int ext2_truncate(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, uint64_t size);

/* Make NAME in directory DIR: a file or a directory as MODE says
 * (EXT2_S_IFREG or EXT2_S_IFDIR with permission bits). 0 with *INO,
 * -EEXIST, -ENOTDIR, -ENAMETOOLONG, -EINVAL (a bad name), -ENOSPC. */
int ext2_create(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint16_t mode,
                uint32_t *ino);

/* Another name, NAME in DIR, for the file INO (not a directory: -EPERM). */
int ext2_link(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint32_t ino);

/* Remove the file NAME from DIR (-EISDIR for a directory); its inode and
 * blocks are freed with its last name. */
int ext2_unlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len);

/* Remove the empty directory NAME from DIR: -ENOTEMPTY, -ENOTDIR. */
int ext2_rmdir(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len);

/* Move FROM in directory FDIR to TO in TDIR, replacing a file there (or an
 * empty directory, when FROM is one). -EINVAL for moving a directory into
 * itself, -EISDIR, -ENOTDIR, -ENOTEMPTY as POSIX rename says. */
int ext2_rename(struct ext2_fs *fs, uint32_t fdir, const char *from, size_t from_len, uint32_t tdir,
                const char *to, size_t to_len);

int ext2_write_inode(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in);

/* Give back the blocks freed since the last call (defer_frees): 0, or the
 * first error (the others are given back all the same). */
int ext2_apply_frees(struct ext2_fs *fs);

/* Free INO if it has no name left and is not open (see in_use): for the
 * caller to say when it closed the inode for the last time. */
int ext2_release(struct ext2_fs *fs, uint32_t ino);

#endif
