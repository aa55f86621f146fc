/*
 * actor/vfs.h: the file protocol. servers/vfs serves it under the name
 * "vfs" (VFS_NAME); libc-port's open, read, write, stat, opendir and the
 * rest speak it, so ordinary programs never see it. docs/vfs.md tells the
 * design.
 *
 * Sessions. A client connects once: VFS_CONNECT, sent to the registered
 * endpoint, passes a memory object that the client made and mapped (its
 * transfer buffer, VFS_BUFFER_MIN to VFS_BUFFER_MAX bytes, read and write
 * rights) and gets back a send capability to the session: an endpoint of
 * the VFS instance, badged for this client. Every other request goes
 * there. The session holds the client's working directory and open
 * handles. Paths, names, file data, struct vfs_stat and directory entries
 * travel in the transfer buffer; every message fits in registers.
 *
 * Restarts. A session lives as long as the VFS instance that made it:
 * when the VFS restarts, calls to the session end with CLK_EDEAD (a call
 * in flight too). The client then looks "vfs" up again (a registration
 * newer than the one it had), connects, changes to its directory, reopens
 * its handles by path (with the inode number to check it is the same
 * file) and sends the request again. READ and WRITE name their offset, so
 * a repeated one does the same thing again; what the others did may have
 * happened, as with NFS (a repeated MKDIR may say EEXIST). The VFS may
 * also drop a session of a client that has been idle when it needs the
 * room: the client then gets VFS_ESESSION and connects again the same way.
 *
 * Status. A reply's label is 0, or a positive errno value (newlib's, as
 * <errno.h> gives them: ENOENT, EEXIST, ...), or VFS_ESESSION; negative
 * values are CLK_E* codes from the actor runtime (CLK_ENOSYS for an
 * unknown request, CLK_EINVAL for a payload of the wrong size).
 *
 *   VFS_CONNECT   struct vfs_connect + the buffer's capability
 *                 -> struct vfs_connect_resp + the session's capability
 *   VFS_OPEN      struct vfs_path_req (path in the buffer; FLAGS are O_*,
 *                 MODE the permissions of a new file)
 *                 -> struct vfs_open_resp: a handle
 *   VFS_CLOSE     struct vfs_handle_req
 *   VFS_READ      struct vfs_io_req -> struct vfs_io_resp (the bytes at
 *                 the start of the buffer)
 *   VFS_WRITE     struct vfs_io_req (the bytes at the start of the buffer)
 *                 -> struct vfs_io_resp; with O_APPEND the bytes go at the
 *                 end, whatever OFFSET says, and RESP.OFFSET tells where
 *   VFS_FSTAT     struct vfs_handle_req -> struct vfs_stat in the buffer
 *   VFS_STAT      struct vfs_path_req (FLAGS: VFS_NOFOLLOW, lstat) -> the same
 *   VFS_TRUNCATE  struct vfs_io_req (handle, OFFSET = the new size)
 *   VFS_FSYNC     struct vfs_handle_req: the file's data and what names it
 *                 are on the disk when the answer comes
 *   VFS_SYNC      nothing: everything is
 *   VFS_UNLINK, VFS_RMDIR, VFS_CHDIR      struct vfs_path_req
 *   VFS_MKDIR     struct vfs_path_req (MODE)
 *   VFS_RENAME    struct vfs_path_req (the old path at 0, the new one at
 *                 offset PATH2)
 *   VFS_READDIR   struct vfs_io_req (OFFSET: a cookie, 0 first; LEN: at
 *                 most that many bytes of entries) -> struct vfs_io_resp:
 *                 COUNT entries (struct vfs_dirent, each padded to 8
 *                 bytes, one after the other) and OFFSET, the cookie of
 *                 the next (COUNT 0 at the end)
 *   VFS_GETCWD    nothing -> struct vfs_io_resp (COUNT: the path's length;
 *                 the path in the buffer, NUL-terminated)
 *   VFS_STATFS    struct vfs_path_req -> struct vfs_statfs in the buffer
 *   VFS_MOUNTS    struct vfs_io_req (OFFSET: the first mount wanted) ->
 *                 struct vfs_io_resp: COUNT struct vfs_mount in the buffer
 */
#ifndef ACTOR_VFS_H
#define ACTOR_VFS_H

#include <actor/actor.h>

#define VFS_NAME       "vfs"
#define VFS_BUFFER_MIN (16 * 1024)
#define VFS_BUFFER_MAX (1024 * 1024)
#define VFS_PATH_MAX   4096 /* bytes, with the NUL: PATH_MAX */
#define VFS_NAME_MAX   255

enum vfs_type {
    VFS_CONNECT = 1,
    VFS_OPEN = 2,
    VFS_CLOSE = 3,
    VFS_READ = 4,
    VFS_WRITE = 5,
    VFS_FSTAT = 6,
    VFS_STAT = 7,
    VFS_TRUNCATE = 8,
    VFS_FSYNC = 9,
    VFS_SYNC = 10,
    VFS_UNLINK = 11,
    VFS_MKDIR = 12,
    VFS_RMDIR = 13,
    VFS_RENAME = 14,
    VFS_READDIR = 15,
    VFS_CHDIR = 16,
    VFS_GETCWD = 17,
    VFS_STATFS = 18,
    VFS_MOUNTS = 19,
};

/* The session is gone (dropped, or made by an instance before this one):
 * connect again. Above every errno value. */
#define VFS_ESESSION 1000

struct vfs_connect {
    uint64_t buffer_size; /* bytes of the memory object passed */
};

struct vfs_connect_resp {
    uint64_t session; /* a number for logs: the session's badge */
};

/* A request naming a path (and for RENAME a second one): PATH_LEN bytes
 * at the start of the buffer, without the NUL; PATH2 at PATH2_AT. */
struct vfs_path_req {
    uint32_t flags; /* OPEN: O_* (newlib's); STAT: VFS_NOFOLLOW */
    uint32_t mode;  /* OPEN with O_CREAT, MKDIR: permission bits */
    uint32_t path_len;
    uint32_t path2_at, path2_len;
    uint32_t reserved;
    uint64_t ino; /* OPEN: when not 0, fail with ESTALE unless the path
                     names this inode (a reopen after a restart) */
};

#define VFS_NOFOLLOW 1

struct vfs_open_resp {
    uint32_t handle;
    uint32_t mode; /* the file's type and permissions */
    uint64_t ino;
    uint64_t size;
};

struct vfs_handle_req {
    uint32_t handle;
    uint32_t reserved;
};

struct vfs_io_req {
    uint32_t handle;
    uint32_t len; /* bytes, at most the buffer's size */
    uint64_t offset;
};

struct vfs_io_resp {
    uint64_t count;  /* bytes done (READDIR, MOUNTS: entries) */
    uint64_t offset; /* WRITE: where the bytes went; READDIR: the next cookie */
};

struct vfs_stat {
    uint64_t dev; /* the mount's number */
    uint64_t ino;
    uint64_t size;
    uint64_t blocks; /* 512-byte units */
    uint32_t mode, nlink, uid, gid;
    int64_t atime, mtime, ctime;
    uint32_t blksize, reserved;
};

struct vfs_dirent {
    uint64_t ino;
    uint16_t reclen; /* this entry's bytes, a multiple of 8 */
    uint8_t type;    /* DT_* as in <dirent.h>: DT_REG, DT_DIR, DT_LNK, DT_UNKNOWN */
    uint8_t namelen;
    char name[]; /* NAMELEN bytes and a NUL */
};

struct vfs_statfs {
    uint32_t block_size, reserved;
    uint64_t blocks, free_blocks, files, free_files;
};

struct vfs_mount {
    char path[64];   /* where it is mounted */
    char type[16];   /* "ext2", "ramfs", "initrd" */
    char source[32]; /* "virtio-blk", "memory", "initrd" */
    uint32_t flags;  /* VFS_MOUNT_* */
    uint32_t block_size;
    uint64_t blocks, free_blocks, files, free_files;
};

#define VFS_MOUNT_RDONLY 1

/* libc-port's: the mount table (df), up to MAX entries into OUT: how many,
 * or -1 with errno. */
int vfs_mounts(struct vfs_mount *out, unsigned max);

#endif
