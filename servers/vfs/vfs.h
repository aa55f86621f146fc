/*
 * vfs.h: the VFS server's own declarations. The protocol it serves is
 * <actor/vfs.h>; docs/vfs.md tells the design.
 *
 *   main.c      the actor: mount the file systems, then libactor serves
 *   ipc.c       sessions and the protocol's decode-and-reply handlers
 *   ops.c       the logic: mounts, paths, open files (errno results, no messages)
 *   ext2fs.c    ext2 (ext2.c) as a file system module, over the block cache
 *   bcache.c    the block cache
 *   blkdev.c    the cache's device: the block driver, through its DMA buffer
 *   ramfs.c     the in-memory file system (/tmp, and / without a disk)
 *   initrdfs.c  the initrd, read-only (/boot)
 *
 * Functions of ops.c return 0 (or a count) or a negative errno value.
 */
#ifndef VFS_VFS_H
#define VFS_VFS_H

#include "bcache.h"
#include "fs.h"
#include <actor/vfs.h>

#define VFS_MOUNTS_MAX   8
#define VFS_SESSIONS_MAX 64
#define VFS_FILES_MAX    256 /* open handles per session */
#define VFS_SYMLOOP_MAX  8   /* symbolic links followed in one path */

/* A mounted file system. */
struct mount {
    unsigned id; /* 1, 2, ...: st_dev */
    char path[64];
    char source[32];
    struct fs fs;
    struct mount *parent; /* NULL for "/" */
    uint64_t covered;     /* the directory of PARENT it sits on */
};

/* A place in the tree: a mount and an inode of it. */
struct vref {
    struct mount *m;
    uint64_t ino;
};

/* An inode that is open (by handles or as a working directory). */
struct vnode {
    struct vref at;
    unsigned refs;
    struct vnode *next; /* in the table's list */
};

/* An open handle. */
struct file {
    struct vnode *vn;
    uint32_t flags; /* O_* as opened */
    bool dir;
};

/* A client's session: its transfer buffer, directory and handles. */
struct session {
    uint64_t badge; /* 0: free */
    uint8_t *buf;   /* the transfer buffer, mapped */
    size_t buf_size;
    struct vnode *cwd;
    struct file *files[VFS_FILES_MAX];
    uint64_t last_used; /* for dropping the idle one when all are taken */
};

/* ---- ops.c ---- */

/* Mount a file system at PATH, a directory of a mounted one (made when
 * missing and its parent can be written), or "/", which comes first:
 * MOUNT_FN(fs, ARG) is the module's mount, which fills FS. SOURCE names
 * the device for df. 0, -EBUSY, -EINVAL, or MOUNT_FN's error. */
int vfs_mount(const char *path, const char *source, int (*mount_fn)(struct fs *fs, void *arg),
              void *arg);
/* The mount with index I (0 first), or NULL past the last. */
struct mount *vfs_mount_at(unsigned i);
/* Commit every file system that caches changes (the periodic sync). */
int vfs_sync_all(void);

/* A session's working directory starts at "/". */
int vfs_session_start(struct session *s);
/* Close every handle and drop the directory. */
void vfs_session_end(struct session *s);

/* Path operations: PATH is LEN bytes (no NUL), relative to S's working
 * directory unless it starts with '/'. */
int vfs_open(struct session *s, const char *path, size_t len, uint32_t flags, uint32_t mode,
             uint64_t expect_ino, struct vfs_open_resp *out);
int vfs_stat(struct session *s, const char *path, size_t len, bool follow, struct vfs_stat *out);
int vfs_unlink(struct session *s, const char *path, size_t len);
int vfs_mkdir(struct session *s, const char *path, size_t len, uint32_t mode);
int vfs_rmdir(struct session *s, const char *path, size_t len);
int vfs_rename(struct session *s, const char *from, size_t from_len, const char *to, size_t to_len);
int vfs_chdir(struct session *s, const char *path, size_t len);
/* The working directory's absolute path into BUF (SIZE bytes, with the
 * NUL): its length, or -ERANGE. */
int vfs_getcwd(struct session *s, char *buf, size_t size);
int vfs_statfs(struct session *s, const char *path, size_t len, struct vfs_statfs *out);

/* Handle operations: -EBADF for a handle that is not open. */
int vfs_close(struct session *s, uint32_t h);
int64_t vfs_read(struct session *s, uint32_t h, uint64_t off, void *buf, size_t len);
int64_t vfs_write(struct session *s, uint32_t h, uint64_t off, const void *buf, size_t len,
                  uint64_t *at);
int vfs_fstat(struct session *s, uint32_t h, struct vfs_stat *out);
int vfs_ftruncate(struct session *s, uint32_t h, uint64_t size);
int vfs_fsync(struct session *s, uint32_t h);
/* Directory entries from *COOKIE into BUF (LEN bytes, struct vfs_dirent
 * each): how many; *COOKIE moves past them. */
int vfs_readdir(struct session *s, uint32_t h, uint64_t *cookie, void *buf, size_t len);

/* ---- ext2fs.c ---- */

/* Mount the ext2 file system on DEV with a cache of CACHE_BLOCKS 4 KiB
 * blocks: 0, or -EINVAL (not ext2), -ENOTSUP (features it cannot read),
 * -EIO (corrupt), -ENOMEM. */
int ext2fs_mount(struct fs *fs, const struct bcache_dev *dev, uint32_t cache_blocks);
/* The cache's figures (for the log and the benchmark). */
const struct bcache_stats *ext2fs_cache_stats(const struct fs *fs);

/* ---- blkdev.c ---- */

/* Find the block driver and describe it as a cache device of 4 KiB blocks:
 * 0, or CLK_EDEAD / CLK_ENOENT when there is no disk. */
long blkdev_open(struct bcache_dev *dev);
/* The device refuses writes. */
bool blkdev_read_only(void);

/* ---- ipc.c ---- */

extern const struct actor_handler vfs_handlers[];
long vfs_ipc_init(void);

#endif
