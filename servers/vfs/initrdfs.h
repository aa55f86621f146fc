/*
 * initrdfs.h: the initrd (a newc cpio archive in memory) as a read-only
 * file system for the VFS (fs.h), mounted at /boot.
 *
 * Mounting reads the archive once (with the kernel's cpio reader) into a
 * tree of inodes; file data stays in the archive, which must outlive the
 * mount. Directories may be entries of their own (mode 040xxx, which
 * they keep) or only implied by the paths of what lies in them (mode
 * 040555). Regular files, directories and symbolic links are kept; other
 * types are left out. Pure code over malloc, like ramfs.c.
 *
 * Inode numbers: 1 is the root, then 2, 3, ... in the order the archive
 * first names each file or directory. A readdir cookie is 0 for ".", 1
 * for "..", and 2 + N for a directory's Nth entry (in archive order).
 */
#ifndef VFS_INITRDFS_H
#define VFS_INITRDFS_H

#include "fs.h"
#include <stddef.h>

/* Fill FS's ops, root, read_only (true) and priv with the tree of the
 * newc archive ARCHIVE (LEN bytes); FS's in_use and core are left as
 * they are. 0, -EIO for a malformed archive, or -ENOMEM. An entry that
 * cannot be placed (a path through a file, a ".." in it, a name over
 * FS_NAME_MAX, a type that differs from an earlier entry of the same
 * path) is left out; of two entries of one path and type, the later one
 * wins. ops->unmount frees the tree. */
int initrdfs_mount(struct fs *fs, const void *archive, size_t len);

#endif
