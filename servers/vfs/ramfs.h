/*
 * ramfs.h: a file system in memory, read-write, for the VFS (fs.h). The
 * VFS mounts one at /tmp, and one at / when there is no disk.
 *
 * Pure code over malloc: it builds against newlib in the VFS and against
 * the host's C library in the unit tests and fuzzers. What it holds (file
 * data in 4 KiB pages, inodes, directory entries, its indexes) is counted
 * against a bound given at mount: going over is -ENOSPC, as is malloc
 * failing. Files are sparse (holes take no memory) and at most
 * RAMFS_MAX_FILE bytes long (-EFBIG past it). There are regular files and
 * directories, no symbolic links (readlink is NULL).
 *
 * Inode numbers count up from 1 (the root) and are never reused while
 * mounted. A readdir cookie is 0 for ".", 1 for "..", and otherwise a
 * number one past the entry returned last: entries carry numbers that
 * grow in order of creation, so a cookie stays valid however the
 * directory changes.
 */
#ifndef VFS_RAMFS_H
#define VFS_RAMFS_H

#include "fs.h"
#include <stdint.h>

#define RAMFS_PAGE_SIZE 4096
#define RAMFS_MAX_FILE  (1ULL << 40) /* bytes */

/* Fill FS's ops, root, read_only and priv with an empty file system whose
 * root is a directory of mode 040755 (FS's in_use and core are the
 * caller's and left as they are). MAX_BYTES bounds the memory it may
 * take, its own bookkeeping included (0: no bound). 0, or -ENOSPC when
 * not even the root fits. ops->unmount frees it all. */
int ramfs_mount(struct fs *fs, uint64_t max_bytes);

/* Set the time (seconds) that changes from now on are stamped with. */
void ramfs_set_time(struct fs *fs, int64_t now);

#endif
