/*
 * ops.c: the VFS's logic, free of messages: the mount table, path
 * resolution, open inodes (vnodes) and the handles of sessions.
 *
 * Paths are resolved a component at a time from the root or the session's
 * working directory: "." stays, ".." goes to the parent (across a mount
 * point, to the directory the mount covers, then up from there), a
 * symbolic link in the middle (or at the end, when the operation follows
 * links) is replaced by its target, at most VFS_SYMLOOP_MAX times.
 *
 * A vnode exists while something holds the inode open: a handle, or a
 * session's working directory. File system modules ask the table (through
 * fs->in_use) before they free an inode whose last name went, so a file
 * that is unlinked while open keeps its data until its last close.
 */
#include "vfs.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

static struct mount mounts[VFS_MOUNTS_MAX];
static unsigned nmounts;
static struct vnode *vnodes;

/* ---- vnodes ---- */

static struct vnode *vnode_find(const struct mount *m, uint64_t ino)
{
    for (struct vnode *v = vnodes; v; v = v->next)
        if (v->at.m == m && v->at.ino == ino)
            return v;
    return NULL;
}

static bool mount_in_use(const struct fs *fs, uint64_t ino)
{
    return vnode_find(fs->core, ino) != NULL;
}

/* A reference to the vnode of AT, made when it is the first: NULL when
 * memory ran out. */
static struct vnode *vnode_get(struct vref at)
{
    struct vnode *v = vnode_find(at.m, at.ino);
    if (!v) {
        if (!(v = calloc(1, sizeof(*v))))
            return NULL;
        v->at = at;
        v->next = vnodes;
        vnodes = v;
    }
    v->refs++;
    return v;
}

/* Drop a reference; with the last, the module may free an unlinked inode. */
static void vnode_put(struct vnode *v)
{
    if (--v->refs)
        return;
    for (struct vnode **p = &vnodes; *p; p = &(*p)->next)
        if (*p == v) {
            *p = v->next;
            break;
        }
    struct fs *fs = &v->at.m->fs;
    if (fs->ops->forget && !fs->read_only)
        fs->ops->forget(fs, v->at.ino);
    free(v);
}

/* ---- mounts ---- */

static struct vref root_ref(void)
{
    return (struct vref){ &mounts[0], mounts[0].fs.root };
}

/* The mount sitting on directory INO of M, or NULL. */
static struct mount *mounted_on(const struct mount *m, uint64_t ino)
{
    for (unsigned i = 1; i < nmounts; i++)
        if (mounts[i].parent == m && mounts[i].covered == ino)
            return &mounts[i];
    return NULL;
}

struct mount *vfs_mount_at(unsigned i)
{
    return i < nmounts ? &mounts[i] : NULL;
}

static int getattr(struct vref at, struct fs_attr *a)
{
    return at.m->fs.ops->getattr(&at.m->fs, at.ino, a);
}

static bool is_dir(uint32_t mode)
{
    return (mode & FS_S_IFMT) == FS_S_IFDIR;
}

static int resolve(struct vref start, const char *path, size_t len, int how, struct vref *out,
                   const char **last, size_t *last_len);

#define WALK_FOLLOW 1 /* follow a symbolic link at the end */
#define WALK_PARENT 2 /* stop at the last component's directory */

/* The directory PATH (made if missing, when its parent can be written). */
static int mount_point(const char *path, struct vref *out)
{
    int err = resolve(root_ref(), path, strlen(path), WALK_FOLLOW, out, NULL, NULL);
    if (err == -ENOENT) {
        struct vref dir;
        const char *name;
        size_t n;
        if ((err = resolve(root_ref(), path, strlen(path), WALK_PARENT, &dir, &name, &n)))
            return err;
        struct fs *fs = &dir.m->fs;
        if (fs->read_only || !fs->ops->create)
            return -ENOENT;
        if ((err = fs->ops->create(fs, dir.ino, name, n, FS_S_IFDIR | 0755, &out->ino)))
            return err;
        out->m = dir.m;
    }
    struct fs_attr a;
    if (err || (err = getattr(*out, &a)))
        return err;
    return is_dir(a.mode) ? 0 : -ENOTDIR;
}

int vfs_mount(const char *path, const char *source, int (*mount_fn)(struct fs *fs, void *arg),
              void *arg)
{
    struct vref on = { NULL, 0 };
    bool root = strcmp(path, "/") == 0;
    if (nmounts == VFS_MOUNTS_MAX || strlen(path) >= sizeof(mounts[0].path) || root != !nmounts)
        return -EINVAL;
    int err = root ? 0 : mount_point(path, &on);
    if (err)
        return err;
    if (!root && (on.ino == on.m->fs.root || mounted_on(on.m, on.ino)))
        return -EBUSY;
    struct mount *m = &mounts[nmounts];
    memset(m, 0, sizeof(*m));
    if ((err = mount_fn(&m->fs, arg)))
        return err;
    m->id = nmounts + 1;
    strcpy(m->path, path);
    strncpy(m->source, source, sizeof(m->source) - 1);
    m->fs.in_use = mount_in_use;
    m->fs.core = m;
    m->parent = on.m;
    m->covered = on.ino;
    nmounts++;
    return 0;
}

int vfs_sync_all(void)
{
    int first = 0;
    for (unsigned i = 0; i < nmounts; i++) {
        struct fs *fs = &mounts[i].fs;
        int err = fs->ops->sync && !fs->read_only ? fs->ops->sync(fs) : 0;
        first = first ? first : err;
    }
    return first;
}

/* ---- path resolution ---- */

/* Step from directory *CUR to NAME (LEN bytes): ".", "..", or an entry,
 * crossing mount points both ways. */
static int step(struct vref *cur, const char *name, size_t len)
{
    if (len == 1 && name[0] == '.')
        return 0;
    if (len == 2 && name[0] == '.' && name[1] == '.') {
        while (cur->ino == cur->m->fs.root && cur->m->parent)
            *cur = (struct vref){ cur->m->parent, cur->m->covered }; /* up out of the mount */
        if (cur->ino == cur->m->fs.root)
            return 0; /* the root's parent is itself */
    }
    uint64_t ino;
    int err = cur->m->fs.ops->lookup(&cur->m->fs, cur->ino, name, len, &ino);
    if (err)
        return err;
    cur->ino = ino;
    struct mount *below;
    while ((below = mounted_on(cur->m, cur->ino)))
        *cur = (struct vref){ below, below->fs.root };
    return 0;
}

/* Replace the walk's text with TARGET (a link's) followed by what was
 * left (REST); *CUR goes back to the root when TARGET is absolute. */
static int splice_link(struct vref *cur, char *work, size_t *len, size_t *pos, const char *rest,
                       size_t rest_len)
{
    char target[VFS_PATH_MAX];
    int64_t n = cur->m->fs.ops->readlink
                    ? cur->m->fs.ops->readlink(&cur->m->fs, cur->ino, target, sizeof(target))
                    : -EINVAL;
    if (n < 0)
        return (int)n;
    if (n == 0)
        return -ENOENT;
    if ((size_t)n + 1 + rest_len >= VFS_PATH_MAX)
        return -ENAMETOOLONG;
    memmove(work + n + 1, rest, rest_len);
    memcpy(work, target, (size_t)n);
    work[n] = '/';
    *len = (size_t)n + 1 + rest_len;
    *pos = 0;
    return 0;
}

/*
 * Resolve PATH (LEN bytes) from START. With WALK_PARENT, stop at the
 * directory of the last component and give the component in *LAST (it
 * points into a buffer that lasts until the next call; length 0 for "/").
 * Otherwise *OUT is what the whole path names, following a final link
 * with WALK_FOLLOW. A path that ends in '/' must name a directory.
 */
static int resolve(struct vref start, const char *path, size_t len, int how, struct vref *out,
                   const char **last, size_t *last_len)
{
    static char work[VFS_PATH_MAX];
    if (len == 0)
        return -ENOENT;
    if (len >= VFS_PATH_MAX)
        return -ENAMETOOLONG;
    memcpy(work, path, len);
    struct vref cur = path[0] == '/' ? root_ref() : start, dir = cur;
    size_t pos = 0, links = 0;
    if (last)
        *last = work, *last_len = 0;
    for (;;) {
        if (pos < len && work[pos] == '/')
            cur = root_ref(); /* an absolute path, or a link to one */
        while (pos < len && work[pos] == '/')
            pos++;
        if (pos == len)
            break;
        size_t end = pos;
        while (end < len && work[end] != '/')
            end++;
        size_t next = end;
        while (next < len && work[next] == '/')
            next++;
        bool final = next == len, slash = end < len;
        if (end - pos > FS_NAME_MAX)
            return -ENAMETOOLONG;
        if (final && (how & WALK_PARENT)) {
            *out = cur;
            *last = work + pos, *last_len = end - pos;
            return 0;
        }
        dir = cur;
        int err = step(&cur, work + pos, end - pos);
        struct fs_attr a;
        if (err || (err = getattr(cur, &a)))
            return err;
        if ((a.mode & FS_S_IFMT) == FS_S_IFLNK && (!final || slash || (how & WALK_FOLLOW))) {
            if (++links > VFS_SYMLOOP_MAX)
                return -ELOOP;
            struct vref link = cur;
            cur = dir;
            if ((err = splice_link(&link, work, &len, &pos, work + next, len - next)))
                return err;
            continue;
        }
        if (!final && !is_dir(a.mode))
            return -ENOTDIR;
        if (final && slash && !is_dir(a.mode))
            return -ENOTDIR;
        pos = next;
    }
    if (how & WALK_PARENT) /* the path was "/" (or named a directory through a link) */
        *last_len = 0;
    *out = cur;
    return 0;
}

/* Resolve for session S. */
static int lookup_path(struct session *s, const char *path, size_t len, int how, struct vref *out)
{
    return resolve(s->cwd->at, path, len, how, out, NULL, NULL);
}

/* The directory and last name of PATH, for operations that make or remove
 * a name. "." and ".." and "/" are refused as such a name with ERR_DOT. */
static int parent_of(struct session *s, const char *path, size_t len, struct vref *dir,
                     const char **name, size_t *name_len, int err_dot)
{
    int err = resolve(s->cwd->at, path, len, WALK_PARENT, dir, name, name_len);
    if (err)
        return err;
    size_t n = *name_len;
    if (n == 0 || (n == 1 && (*name)[0] == '.') ||
        (n == 2 && (*name)[0] == '.' && (*name)[1] == '.'))
        return err_dot;
    struct fs_attr a;
    if ((err = getattr(*dir, &a)))
        return err;
    return is_dir(a.mode) ? 0 : -ENOTDIR;
}

static int writable(const struct fs *fs)
{
    return fs->read_only || !fs->ops->create ? -EROFS : 0;
}

/* ---- sessions and handles ---- */

int vfs_session_start(struct session *s)
{
    s->cwd = vnode_get(root_ref());
    return s->cwd ? 0 : -ENOMEM;
}

void vfs_session_end(struct session *s)
{
    for (uint32_t h = 0; h < VFS_FILES_MAX; h++)
        if (s->files[h])
            vfs_close(s, h);
    if (s->cwd)
        vnode_put(s->cwd);
    s->cwd = NULL;
}

static struct file *file_of(struct session *s, uint32_t h)
{
    return h < VFS_FILES_MAX ? s->files[h] : NULL;
}

int vfs_close(struct session *s, uint32_t h)
{
    struct file *f = file_of(s, h);
    if (!f)
        return -EBADF;
    s->files[h] = NULL;
    vnode_put(f->vn);
    free(f);
    return 0;
}

static void stat_of(const struct vref at, const struct fs_attr *a, struct vfs_stat *st)
{
    *st = (struct vfs_stat){
        .dev = at.m->id,
        .ino = a->ino,
        .size = a->size,
        .blocks = a->blocks,
        .mode = a->mode,
        .nlink = a->nlink,
        .uid = a->uid,
        .gid = a->gid,
        .atime = a->atime,
        .mtime = a->mtime,
        .ctime = a->ctime,
        .blksize = 4096,
    };
}

/* Find or make the file of an open: *AT and its attributes *A. */
static int open_target(struct session *s, const char *path, size_t len, uint32_t flags,
                       uint32_t mode, struct vref *at, struct fs_attr *a)
{
    bool creat = flags & O_CREAT, excl = creat && (flags & O_EXCL);
    int how = excl || (flags & O_NOFOLLOW) ? 0 : WALK_FOLLOW;
    int err = lookup_path(s, path, len, how, at);
    if (err == -ENOENT && creat) {
        struct vref dir;
        const char *name;
        size_t n;
        if ((err = parent_of(s, path, len, &dir, &name, &n, -EISDIR)))
            return err;
        if (path[len - 1] == '/')
            return -EISDIR; /* "new/": a file cannot be made so */
        if ((err = writable(&dir.m->fs)))
            return err;
        struct fs *fs = &dir.m->fs;
        if ((err = fs->ops->create(fs, dir.ino, name, n, FS_S_IFREG | (mode & 07777), &at->ino)))
            return err;
        at->m = dir.m;
        return getattr(*at, a);
    }
    if (err)
        return err;
    if (excl)
        return -EEXIST;
    if ((err = getattr(*at, a)))
        return err;
    if ((a->mode & FS_S_IFMT) == FS_S_IFLNK)
        return -ELOOP; /* O_NOFOLLOW on a link */
    return 0;
}

int vfs_open(struct session *s, const char *path, size_t len, uint32_t flags, uint32_t mode,
             uint64_t expect_ino, struct vfs_open_resp *out)
{
    struct vref at;
    struct fs_attr a;
    uint32_t acc = flags & O_ACCMODE;
    if (acc == O_ACCMODE)
        return -EINVAL;
    int err = open_target(s, path, len, flags, mode, &at, &a);
    if (err)
        return err;
    if (expect_ino && a.ino != expect_ino)
        return -ESTALE;
    bool dir = is_dir(a.mode), wants_write = acc != O_RDONLY || (flags & O_TRUNC);
    if (dir && wants_write)
        return -EISDIR;
    if (!dir && (flags & O_DIRECTORY))
        return -ENOTDIR;
    if (wants_write && (err = writable(&at.m->fs)))
        return err;
    uint32_t h = 0;
    while (h < VFS_FILES_MAX && s->files[h])
        h++;
    if (h == VFS_FILES_MAX)
        return -EMFILE;
    struct file *f = calloc(1, sizeof(*f));
    if (!f || !(f->vn = vnode_get(at))) {
        free(f);
        return -ENOMEM;
    }
    if ((flags & O_TRUNC) && !dir && a.size &&
        (err = at.m->fs.ops->truncate(&at.m->fs, at.ino, 0))) {
        vnode_put(f->vn);
        free(f);
        return err;
    }
    f->flags = flags;
    f->dir = dir;
    s->files[h] = f;
    *out = (struct vfs_open_resp){ h, a.mode, a.ino, flags & O_TRUNC ? 0 : a.size };
    return 0;
}

int64_t vfs_read(struct session *s, uint32_t h, uint64_t off, void *buf, size_t len)
{
    struct file *f = file_of(s, h);
    if (!f || (f->flags & O_ACCMODE) == O_WRONLY)
        return -EBADF;
    if (f->dir)
        return -EISDIR;
    struct fs *fs = &f->vn->at.m->fs;
    return fs->ops->read(fs, f->vn->at.ino, off, buf, len);
}

int64_t vfs_write(struct session *s, uint32_t h, uint64_t off, const void *buf, size_t len,
                  uint64_t *at)
{
    struct file *f = file_of(s, h);
    if (!f || (f->flags & O_ACCMODE) == O_RDONLY)
        return -EBADF;
    struct fs *fs = &f->vn->at.m->fs;
    if (f->flags & O_APPEND) {
        struct fs_attr a;
        int err = getattr(f->vn->at, &a);
        if (err)
            return err;
        off = a.size;
    }
    *at = off;
    if (len == 0)
        return 0;
    return fs->ops->write(fs, f->vn->at.ino, off, buf, len);
}

int vfs_fstat(struct session *s, uint32_t h, struct vfs_stat *out)
{
    struct file *f = file_of(s, h);
    struct fs_attr a;
    if (!f)
        return -EBADF;
    int err = getattr(f->vn->at, &a);
    if (!err)
        stat_of(f->vn->at, &a, out);
    return err;
}

int vfs_ftruncate(struct session *s, uint32_t h, uint64_t size)
{
    struct file *f = file_of(s, h);
    if (!f)
        return -EBADF;
    if (f->dir || (f->flags & O_ACCMODE) == O_RDONLY)
        return -EINVAL; /* not open for writing (as Linux says) */
    struct fs *fs = &f->vn->at.m->fs;
    return fs->ops->truncate(fs, f->vn->at.ino, size);
}

int vfs_fsync(struct session *s, uint32_t h)
{
    struct file *f = file_of(s, h);
    if (!f)
        return -EBADF;
    struct fs *fs = &f->vn->at.m->fs;
    return fs->ops->sync && !fs->read_only ? fs->ops->sync(fs) : 0;
}

/* DT_* of a mode's type. */
static uint8_t dtype(uint32_t type)
{
    switch (type & FS_S_IFMT) {
    case FS_S_IFDIR: return DT_DIR;
    case FS_S_IFREG: return DT_REG;
    case FS_S_IFLNK: return DT_LNK;
    default: return DT_UNKNOWN;
    }
}

int vfs_readdir(struct session *s, uint32_t h, uint64_t *cookie, void *buf, size_t len)
{
    struct file *f = file_of(s, h);
    if (!f)
        return -EBADF;
    if (!f->dir)
        return -ENOTDIR;
    struct fs *fs = &f->vn->at.m->fs;
    int count = 0;
    size_t used = 0;
    for (;;) {
        struct fs_dirent d;
        uint64_t next = *cookie;
        int r = fs->ops->readdir(fs, f->vn->at.ino, &next, &d);
        if (r < 0)
            return count ? count : r;
        if (r == 0)
            break;
        size_t reclen = (sizeof(struct vfs_dirent) + d.len + 1 + 7) & ~(size_t)7;
        if (used + reclen > len)
            break; /* the next call starts with it */
        struct vfs_dirent *e = (struct vfs_dirent *)((uint8_t *)buf + used);
        e->ino = d.ino;
        e->reclen = (uint16_t)reclen;
        e->type = dtype(d.type);
        e->namelen = (uint8_t)d.len;
        memcpy(e->name, d.name, d.len);
        e->name[d.len] = '\0';
        used += reclen;
        *cookie = next;
        count++;
    }
    return count;
}

/* ---- operations on paths ---- */

int vfs_stat(struct session *s, const char *path, size_t len, bool follow, struct vfs_stat *out)
{
    struct vref at;
    struct fs_attr a;
    int err = lookup_path(s, path, len, follow ? WALK_FOLLOW : 0, &at);
    if (!err && !(err = getattr(at, &a)))
        stat_of(at, &a, out);
    return err;
}

int vfs_mkdir(struct session *s, const char *path, size_t len, uint32_t mode)
{
    struct vref dir;
    const char *name;
    size_t n;
    uint64_t ino;
    int err = parent_of(s, path, len, &dir, &name, &n, -EEXIST);
    if (err || (err = writable(&dir.m->fs)))
        return err;
    return dir.m->fs.ops->create(&dir.m->fs, dir.ino, name, n, FS_S_IFDIR | (mode & 07777), &ino);
}

/* The inode NAME names in DIR, and whether a mount sits on it. */
static int entry(struct vref dir, const char *name, size_t n, struct fs_attr *a, bool *busy)
{
    uint64_t ino;
    int err = dir.m->fs.ops->lookup(&dir.m->fs, dir.ino, name, n, &ino);
    if (err)
        return err;
    *busy = mounted_on(dir.m, ino) != NULL;
    return getattr((struct vref){ dir.m, ino }, a);
}

int vfs_unlink(struct session *s, const char *path, size_t len)
{
    struct vref dir;
    const char *name;
    size_t n;
    struct fs_attr a;
    bool busy;
    int err = parent_of(s, path, len, &dir, &name, &n, -EISDIR);
    if (err || (err = entry(dir, name, n, &a, &busy)))
        return err;
    if (is_dir(a.mode))
        return -EISDIR;
    if ((err = writable(&dir.m->fs)))
        return err;
    return dir.m->fs.ops->unlink(&dir.m->fs, dir.ino, name, n);
}

int vfs_rmdir(struct session *s, const char *path, size_t len)
{
    struct vref dir;
    const char *name;
    size_t n;
    struct fs_attr a;
    bool busy;
    int err = parent_of(s, path, len, &dir, &name, &n, 0);
    if (err)
        return err;
    if (n == 0)
        return -EBUSY; /* "/" */
    if (n == 1 && name[0] == '.')
        return -EINVAL;
    if (n == 2 && name[0] == '.' && name[1] == '.')
        return -ENOTEMPTY;
    if ((err = entry(dir, name, n, &a, &busy)))
        return err;
    if (!is_dir(a.mode))
        return -ENOTDIR;
    if (busy)
        return -EBUSY; /* a mount point */
    if ((err = writable(&dir.m->fs)))
        return err;
    return dir.m->fs.ops->rmdir(&dir.m->fs, dir.ino, name, n);
}

int vfs_rename(struct session *s, const char *from, size_t from_len, const char *to, size_t to_len)
{
    struct vref fdir, tdir;
    const char *fname, *tname;
    size_t fn, tn;
    struct fs_attr a;
    bool busy;
    int err = parent_of(s, from, from_len, &fdir, &fname, &fn, -EBUSY);
    if (err || (err = entry(fdir, fname, fn, &a, &busy)))
        return err;
    if (busy)
        return -EBUSY;
    char saved[FS_NAME_MAX + 1]; /* resolve's buffer is reused by the next resolve */
    memcpy(saved, fname, fn);
    if ((err = parent_of(s, to, to_len, &tdir, &tname, &tn, -EBUSY)))
        return err;
    if (fdir.m != tdir.m)
        return -EXDEV;
    struct fs_attr t;
    if (entry(tdir, tname, tn, &t, &busy) == 0 && busy)
        return -EBUSY;
    if ((err = writable(&fdir.m->fs)))
        return err;
    struct fs *fs = &fdir.m->fs;
    return fs->ops->rename(fs, fdir.ino, saved, fn, tdir.ino, tname, tn);
}

int vfs_chdir(struct session *s, const char *path, size_t len)
{
    struct vref at;
    struct fs_attr a;
    int err = lookup_path(s, path, len, WALK_FOLLOW, &at);
    if (err || (err = getattr(at, &a)))
        return err;
    if (!is_dir(a.mode))
        return -ENOTDIR;
    struct vnode *v = vnode_get(at);
    if (!v)
        return -ENOMEM;
    vnode_put(s->cwd);
    s->cwd = v;
    return 0;
}

/* The name of INO in directory DIR into NAME: its length, or -ENOENT. */
static int name_in(struct vref dir, uint64_t ino, char *name)
{
    struct fs_dirent d;
    uint64_t cookie = 0;
    int r;
    while ((r = dir.m->fs.ops->readdir(&dir.m->fs, dir.ino, &cookie, &d)) == 1)
        if (d.ino == ino && strcmp(d.name, ".") && strcmp(d.name, "..")) {
            memcpy(name, d.name, d.len + 1);
            return (int)d.len;
        }
    return r < 0 ? r : -ENOENT;
}

int vfs_getcwd(struct session *s, char *buf, size_t size)
{
    struct vref cur = s->cwd->at, top = root_ref();
    size_t at = size; /* the path grows leftwards from the end of BUF */
    if (size < 2)
        return -ERANGE;
    buf[--at] = '\0';
    while (cur.m != top.m || cur.ino != top.ino) {
        if (cur.ino == cur.m->fs.root) {
            cur = (struct vref){ cur.m->parent, cur.m->covered };
            continue;
        }
        struct vref parent = cur;
        char name[FS_NAME_MAX + 1];
        int n = step(&parent, "..", 2);
        if (n == 0)
            n = name_in(parent, cur.ino, name);
        if (n < 0)
            return n; /* the directory was removed */
        if ((size_t)n + 1 > at)
            return -ERANGE;
        at -= (size_t)n;
        memcpy(buf + at, name, (size_t)n);
        buf[--at] = '/';
        cur = parent;
    }
    if (at == size - 1)
        buf[--at] = '/';
    size_t len = size - 1 - at;
    memmove(buf, buf + at, len + 1);
    return (int)len;
}

int vfs_statfs(struct session *s, const char *path, size_t len, struct vfs_statfs *out)
{
    struct vref at;
    struct fs_statfs st;
    int err = lookup_path(s, path, len, WALK_FOLLOW, &at);
    if (err || (err = at.m->fs.ops->statfs(&at.m->fs, &st)))
        return err;
    *out = (struct vfs_statfs){ .block_size = st.block_size,
                                .blocks = st.blocks,
                                .free_blocks = st.free_blocks,
                                .files = st.files,
                                .free_files = st.free_files };
    return 0;
}
