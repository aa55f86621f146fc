/*
 * fs.h: what the VFS core asks of a file system module. ext2 (ext2fs.c,
 * over ext2.c and the block cache), ramfs (ramfs.c) and the initrd
 * (initrdfs.c) each fill a struct fs_ops; the core (ops.c) keeps the mount
 * table, resolves paths, and calls these on the mounted struct fs.
 *
 * Conventions, for every call:
 *   - the result is 0 (or a count), or a negative errno value of the C
 *     library the module is built with (newlib in the VFS, the host's
 *     libc in unit tests); a module never crashes on bad input and never
 *     trusts what it reads from a disk;
 *   - inode numbers are the module's own; 0 is never one;
 *   - names are LEN bytes, not NUL-terminated, 1 to FS_NAME_MAX bytes
 *     long, without '/' or NUL; "." and ".." are looked up like any name
 *     (a module's root is its own "..": the core handles mount points);
 *   - the core calls one function at a time (no locking needed) and has
 *     checked types where it can (it never asks to read a directory with
 *     read, for example), but a module checks again what it relies on.
 */
#ifndef VFS_FS_H
#define VFS_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FS_NAME_MAX 255

/* Modes, as st_mode: the type bits and the permission bits. */
#define FS_S_IFMT  0170000
#define FS_S_IFDIR 0040000
#define FS_S_IFREG 0100000
#define FS_S_IFLNK 0120000

struct fs_attr {
    uint64_t ino;
    uint64_t size;   /* bytes */
    uint64_t blocks; /* 512-byte units allocated */
    uint32_t mode;   /* type and permission bits */
    uint32_t nlink;
    uint32_t uid, gid;
    int64_t atime, mtime, ctime; /* seconds */
};

struct fs_dirent {
    uint64_t ino;
    uint32_t type;              /* the type bits of its mode (FS_S_IFDIR, ...), or 0 when unknown */
    uint32_t len;               /* of the name */
    char name[FS_NAME_MAX + 1]; /* NUL-terminated too */
};

struct fs_statfs {
    uint32_t block_size;
    uint64_t blocks, free_blocks; /* of BLOCK_SIZE bytes */
    uint64_t files, free_files;   /* inodes */
};

struct fs;

struct fs_ops {
    const char *type; /* "ext2", "ramfs", "initrd" */

    /* ---- reading ---- */
    /* The inode of NAME in directory DIR: -ENOENT, -ENOTDIR. */
    int (*lookup)(struct fs *fs, uint64_t dir, const char *name, size_t len, uint64_t *ino);
    int (*getattr)(struct fs *fs, uint64_t ino, struct fs_attr *out);
    /* Up to LEN bytes of file INO from OFF: the count (0 at the end);
     * holes read as zeros. -EISDIR for a directory. */
    int64_t (*read)(struct fs *fs, uint64_t ino, uint64_t off, void *buf, size_t len);
    /* The next entry of directory DIR at *COOKIE (0: the first): 1 with
     * *OUT and *COOKIE moved past it, 0 at the end. A cookie stays valid
     * while the directory changes (ext2: a byte offset), so a reader can
     * go on after a VFS restart. "." and ".." are among the entries. */
    int (*readdir)(struct fs *fs, uint64_t dir, uint64_t *cookie, struct fs_dirent *out);
    /* A symbolic link's target (not NUL-terminated): its length, at most
     * LEN bytes copied. NULL in a module without links. */
    int64_t (*readlink)(struct fs *fs, uint64_t ino, char *buf, size_t len);
    int (*statfs)(struct fs *fs, struct fs_statfs *out);

    /* ---- changing: NULL in a read-only module (the core answers -EROFS) ---- */
    /* Write LEN bytes at OFF of file INO, growing it (a gap becomes a
     * hole): the count written, short only when the space ran out;
     * -ENOSPC when none was written, -EFBIG past the largest file. */
    int64_t (*write)(struct fs *fs, uint64_t ino, uint64_t off, const void *buf, size_t len);
    /* Make file INO SIZE bytes long: freeing what lies past it, or
     * growing it with a hole. */
    int (*truncate)(struct fs *fs, uint64_t ino, uint64_t size);
    /* Make NAME in DIR, a file or a directory as MODE's type says (with
     * its permission bits): -EEXIST, -ENOSPC, -ENOTDIR. */
    int (*create)(struct fs *fs, uint64_t dir, const char *name, size_t len, uint32_t mode,
                  uint64_t *ino);
    /* Remove the name of a file (-EISDIR for a directory). */
    int (*unlink)(struct fs *fs, uint64_t dir, const char *name, size_t len);
    /* Remove an empty directory: -ENOTEMPTY, -ENOTDIR. */
    int (*rmdir)(struct fs *fs, uint64_t dir, const char *name, size_t len);
    /* POSIX rename within this file system: replaces a file at TO (or an
     * empty directory, when FROM is one); -EINVAL when a directory would
     * move into itself; -EISDIR, -ENOTDIR, -ENOTEMPTY as POSIX says.
     * Renaming a name to itself (or another name of the same file)
     * succeeds and changes nothing. */
    int (*rename)(struct fs *fs, uint64_t fdir, const char *from, size_t from_len, uint64_t tdir,
                  const char *to, size_t to_len);
    /* Everything changed so far to stable storage (NULL: nothing to do). */
    int (*sync)(struct fs *fs);
    /* The last open handle on INO closed: if it has no names left (it
     * was unlinked while open), free it now. NULL: never needed. */
    void (*forget)(struct fs *fs, uint64_t ino);
    /* Free the module's memory (after a sync, when it has one). */
    void (*unmount)(struct fs *fs);
};

struct fs {
    const struct fs_ops *ops;
    uint64_t root;  /* the root directory's inode */
    bool read_only; /* mounted read-only: the core answers -EROFS to changes */
    void *priv;     /* the module's */
    /* The core's: whether INO is open. A module keeps an inode that loses
     * its last name while it is open (with its data: reads and writes go
     * on), until forget. NULL: nothing is ever open. */
    bool (*in_use)(const struct fs *fs, uint64_t ino);
    void *core;
};

/* Whether FS->in_use says INO is open (false when there is no hook). */
static inline bool fs_in_use(const struct fs *fs, uint64_t ino)
{
    return fs->in_use && fs->in_use(fs, ino);
}

#endif
