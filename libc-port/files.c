/*
 * files.c: file descriptors. 0, 1 and 2 start as the console; every other
 * descriptor is a file or directory of the VFS server (actor/vfs.h), which
 * this file speaks to so that programs need only <fcntl.h>, <unistd.h>,
 * <sys/stat.h> and <dirent.h>, or a socket (sockets.c makes those; read,
 * write, close, dup, fcntl and fstat here hand them over to it).
 *
 * A descriptor names an open file description (struct ofile), which dup
 * and dup2 share, as POSIX wants: the offset, the flags, and what is needed
 * to open the file again after the VFS restarts (its absolute path and
 * inode number). The offset lives here, and reads and writes name it, so
 * sending one again after a restart does the same thing again.
 *
 * The session: at the first file call, a transfer buffer (a memory object
 * of BUF_SIZE bytes mapped at BUF_VA) is passed to the VFS with
 * VFS_CONNECT, which answers with the session's capability. When a call
 * finds the session gone (CLK_EDEAD: the VFS restarted; VFS_ESESSION: it
 * dropped an idle session), this connects again, goes back to the working
 * directory, and each file is opened again by path (checked by inode)
 * before its next use; then the call is sent again. Calls block the
 * calling thread (clk_call), like system calls elsewhere; a lock keeps the
 * threads of one actor from sharing the buffer at once.
 */
#include "port.h"
#include "tty.h"
#include <actor/vfs.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUF_SIZE (128 * 1024)
#define BUF_VA   0x0000110000000000UL /* just above the heap's largest extent */
#define ATTEMPTS 4

static struct ofile console_in = { .kind = OF_CONSOLE_IN, .refs = 1, .flags = O_RDONLY };
static struct ofile console_out = { .kind = OF_CONSOLE_OUT, .refs = 2, .flags = O_WRONLY };
static struct ofile *fds[FD_MAX] = { &console_in, &console_out, &console_out };
static char fd_cloexec[FD_MAX];

static struct {
    long server;     /* the registered endpoint ("vfs"), or 0 */
    uint64_t serial; /* its registration */
    long session;    /* the session's capability, or 0 */
    uint64_t epoch;  /* sessions so far: files of an older one need reopening */
    long mem;        /* the transfer buffer's memory object */
    uint8_t *buf;    /* ...mapped here */
    char *cwd;       /* absolute, after a chdir; NULL: "/" */
    volatile int lock;
} vc;

static int fail(int e)
{
    errno = e;
    return -1;
}

static void lock(void)
{
    __clk_lock(&vc.lock);
}

static void unlock(void)
{
    __clk_unlock(&vc.lock);
}

/* Unlock and return R (for the public functions' exits). */
static int done(int r)
{
    unlock();
    return r;
}

/* ---- talking to the VFS ---- */

/* One call on CAP, blocking this thread: TYPE with LEN bytes of REQ
 * (registers only), the reply into RESP (RESP_LEN bytes at most); PASS is
 * a capability to pass, *GOT one received. The kernel's error (negative),
 * or the reply's status. */
static long raw_call(long cap, unsigned type, const void *req, size_t len, void *resp,
                     size_t resp_len, long pass, long *got)
{
    return actor_call_blocking(cap, type, req, len, pass, resp, resp ? &resp_len : NULL, got);
}

/* The registry's capability to the VFS: a registration newer than the one
 * we had, waiting up to WAIT_NS for it. 0, or ENOSYS (no file service). */
static int find_server(uint64_t wait_ns)
{
    return __clk_find_server(VFS_NAME, wait_ns, &vc.server, &vc.serial);
}

/* The transfer buffer, made once. */
static int make_buffer(void)
{
    if (vc.buf)
        return 0;
    int err = __clk_map_buffer(BUF_SIZE, BUF_VA, &vc.mem);
    if (!err)
        vc.buf = (uint8_t *)BUF_VA;
    return err;
}

static int call(unsigned type, const void *req, size_t len, void *resp, size_t resp_len);

/* A program starts in the working directory its parent gave it in the
 * environment's PWD (the shell's run does), if that is an absolute path. */
static void inherit_cwd(void)
{
    const char *pwd = getenv("PWD");
    size_t n = pwd ? strlen(pwd) : 0;
    if (n && pwd[0] == '/' && n < VFS_PATH_MAX && !vc.cwd)
        vc.cwd = strdup(pwd);
}

/* A session, connecting (again) when there is none: 0 or an errno value. */
static int connected(void)
{
    if (vc.session)
        return 0;
    int err = make_buffer();
    if (err || (!vc.server && (err = find_server(0))))
        return err;
    struct vfs_connect c = { BUF_SIZE };
    struct vfs_connect_resp r;
    long session = 0, st = CLK_EDEAD;
    for (int attempt = 0; attempt < ATTEMPTS && st == CLK_EDEAD; attempt++) {
        if (attempt && find_server(5000000000ULL)) /* it failed for good: a new one? */
            break;
        st = raw_call(vc.server, VFS_CONNECT, &c, sizeof(c), &r, sizeof(r), vc.mem, &session);
    }
    if (st != 0 || !session) {
        if (session)
            clk_cap_delete(session);
        return st > 0 ? (int)st : EIO;
    }
    vc.session = session;
    if (vc.epoch++ == 0)
        inherit_cwd();
    if (vc.cwd) { /* back where we were */
        size_t n = strlen(vc.cwd);
        memcpy(vc.buf, vc.cwd, n);
        struct vfs_path_req p = { .path_len = (uint32_t)n };
        if (call(VFS_CHDIR, &p, sizeof(p), NULL, 0) > 0 && vc.epoch == 1) {
            free(vc.cwd); /* an inherited one that is not there: start at / */
            vc.cwd = NULL;
        }
    }
    return 0;
}

/* The session went: the next call connects again. */
static void lost(void)
{
    if (vc.session)
        clk_cap_delete(vc.session);
    vc.session = 0;
}

/* One request on the session as it is: 0 or an errno value; -1 when the
 * session is gone (connect and send it again). */
static int call(unsigned type, const void *req, size_t len, void *resp, size_t resp_len)
{
    long st = raw_call(vc.session, type, req, len, resp, resp_len, 0, NULL);
    if (st == CLK_EDEAD || st == VFS_ESESSION || st == CLK_EBADF) {
        lost();
        return -1;
    }
    if (st < 0)
        return st == CLK_ENOSYS ? ENOSYS : EIO;
    return (int)st;
}

/* ---- operations, sent again after a restart ---- */

/* A request: its type, the payload to send (the handle is filled in from
 * OF), and what to put in the buffer first: PATH (and PATH2), or DATA. */
struct op {
    unsigned type;
    union {
        struct vfs_path_req p;
        struct vfs_io_req io;
        struct vfs_handle_req h;
    } req;
    size_t req_len;
    struct ofile *of;
    const char *path, *path2;
    const void *data;
    size_t data_len;
};

static int reopen(struct ofile *of);

/* Put O's path(s) or data in the buffer and its handle in the payload. */
static int stage(struct op *o)
{
    if (o->of) {
        int err = o->of->epoch == vc.epoch ? 0 : reopen(o->of);
        if (err)
            return err;
        if (o->req_len == sizeof(struct vfs_handle_req))
            o->req.h.handle = o->of->handle;
        else
            o->req.io.handle = o->of->handle;
    }
    if (o->path) {
        size_t n = strlen(o->path), n2 = o->path2 ? strlen(o->path2) : 0;
        if (n >= VFS_PATH_MAX || n2 >= VFS_PATH_MAX)
            return ENAMETOOLONG;
        memcpy(vc.buf, o->path, n);
        o->req.p.path_len = (uint32_t)n;
        if (o->path2) {
            memcpy(vc.buf + n, o->path2, n2);
            o->req.p.path2_at = (uint32_t)n;
            o->req.p.path2_len = (uint32_t)n2;
        }
    }
    if (o->data_len)
        memcpy(vc.buf, o->data, o->data_len);
    return 0;
}

/* Send O, connecting and staging again as long as the session goes away:
 * 0 or an errno value. */
static int run(struct op *o, void *resp, size_t resp_len)
{
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        int err = connected();
        if (err || (err = stage(o)))
            return err;
        if (!vc.session)
            continue; /* lost while reopening */
        if ((err = call(o->type, &o->req, o->req_len, resp, resp_len)) >= 0)
            return err;
    }
    return EIO;
}

/* Open OF's file again in the current session (by path, checking the
 * inode): 0, or ESTALE when the path names another file now. */
static int reopen(struct ofile *of)
{
    size_t n = strlen(of->path);
    if (n >= VFS_PATH_MAX)
        return ENAMETOOLONG;
    memcpy(vc.buf, of->path, n);
    struct vfs_path_req p = {
        .flags = of->flags & ~(uint32_t)(O_CREAT | O_EXCL | O_TRUNC),
        .path_len = (uint32_t)n,
        .ino = of->ino,
    };
    struct vfs_open_resp r;
    int err = call(VFS_OPEN, &p, sizeof(p), &r, sizeof(r));
    if (err < 0)
        return 0; /* gone again: run() connects and comes back */
    if (err)
        return err == ENOENT ? ESTALE : err; /* the file is not there any more */
    of->handle = r.handle;
    of->epoch = vc.epoch;
    of->lost |= of->dirty; /* what the old instance had not written may be gone */
    return 0;
}

/* An operation on a path: type, path(s), flags and mode. */
static int path_op(unsigned type, const char *path, const char *path2, uint32_t flags,
                   uint32_t mode, void *resp, size_t resp_len)
{
    if (!path || (path2 == NULL && type == VFS_RENAME))
        return EFAULT;
    struct op o = {
        .type = type, .req_len = sizeof(struct vfs_path_req), .path = path, .path2 = path2
    };
    o.req.p.flags = flags;
    o.req.p.mode = mode;
    return run(&o, resp, resp_len);
}

/* ---- descriptors ---- */

static struct ofile *ofile_of(int fd)
{
    return fd >= 0 && fd < FD_MAX ? fds[fd] : NULL;
}

struct ofile *__clk_ofile(int fd)
{
    return ofile_of(fd);
}

/* The lowest free descriptor from MIN, or -1. */
static int free_fd(int min)
{
    for (int fd = min < 0 ? 0 : min; fd < FD_MAX; fd++)
        if (!fds[fd])
            return fd;
    return -1;
}

int __clk_fd_install(struct ofile *of, bool cloexec)
{
    lock();
    int fd = free_fd(0);
    if (fd < 0)
        return done(fail(EMFILE));
    fds[fd] = of;
    fd_cloexec[fd] = cloexec;
    return done(fd);
}

/* Drop a descriptor's hold on OF; with the last, close the VFS's handle
 * (or the socket): EIO when data written before a VFS restart may have
 * been lost. */
static int release(struct ofile *of)
{
    if (--of->refs)
        return 0;
    if (of->kind == OF_SOCKET)
        return __clk_sock_close(of);
    if (of->kind != OF_FILE)
        return 0;
    int err = of->lost || (of->dirty && of->epoch != vc.epoch) ? EIO : 0;
    if (of->epoch == vc.epoch && vc.session) {
        struct vfs_handle_req h = { of->handle, 0 };
        call(VFS_CLOSE, &h, sizeof(h), NULL, 0); /* a dead session closed it already */
    }
    free(of->path);
    free(of);
    return err;
}

/* PATH made absolute: a new string, or NULL. */
static char *absolute(const char *path)
{
    const char *base = path[0] == '/' ? "" : vc.cwd ? vc.cwd : "";
    size_t b = strlen(base), n = strlen(path);
    char *p = malloc(b + n + 2);
    if (!p)
        return NULL;
    memcpy(p, base, b);
    p[b] = '/';
    memcpy(p + b + (path[0] != '/'), path, n + 1);
    return p;
}

int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & O_CREAT) ? va_arg(ap, int) : 0;
    va_end(ap);
    lock();
    struct vfs_open_resp r;
    int fd = free_fd(0);
    if (fd < 0)
        return done(fail(EMFILE));
    int err = path_op(VFS_OPEN, path, NULL, (uint32_t)flags, mode & 07777, &r, sizeof(r));
    if (err)
        return done(fail(err));
    struct ofile *of = calloc(1, sizeof(*of));
    char *abs = absolute(path);
    if (!of || !abs) {
        struct vfs_handle_req h = { r.handle, 0 };
        call(VFS_CLOSE, &h, sizeof(h), NULL, 0);
        free(of);
        free(abs);
        return done(fail(ENOMEM));
    }
    *of = (struct ofile){ .kind = OF_FILE,
                          .refs = 1,
                          .flags = (uint32_t)flags,
                          .handle = r.handle,
                          .epoch = vc.epoch,
                          .ino = r.ino,
                          .path = abs };
    fds[fd] = of;
    fd_cloexec[fd] = (flags & O_CLOEXEC) != 0;
    return done(fd);
}

int creat(const char *path, mode_t mode)
{
    return open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

int close(int fd)
{
    lock();
    struct ofile *of = ofile_of(fd);
    if (!of)
        return done(fail(EBADF));
    fds[fd] = NULL;
    int err = release(of);
    return done(err ? fail(err) : 0);
}

/* READ or WRITE of LEN bytes at OFF through OF, a buffer's worth at a
 * time: the count done, or -errno when none was. */
static ssize_t transfer(struct ofile *of, unsigned type, void *data, size_t len, uint64_t *off)
{
    size_t total = 0;
    while (total < len) {
        size_t n = len - total < BUF_SIZE ? len - total : BUF_SIZE;
        struct op o = { .type = type, .req_len = sizeof(struct vfs_io_req), .of = of };
        o.req.io.len = (uint32_t)n;
        o.req.io.offset = *off;
        if (type == VFS_WRITE)
            o.data = (const uint8_t *)data + total, o.data_len = n;
        struct vfs_io_resp r;
        int err = run(&o, &r, sizeof(r));
        if (err)
            return total ? (ssize_t)total : -err;
        if (r.count > n)
            r.count = n; /* never believe more than asked */
        if (type == VFS_READ)
            memcpy((uint8_t *)data + total, vc.buf, r.count);
        *off = (type == VFS_WRITE ? r.offset : *off) + r.count;
        total += r.count;
        of->dirty |= type == VFS_WRITE && r.count; /* now, before a restart can come */
        if (r.count < n)
            break; /* the end of the file, or the disk is full */
    }
    return (ssize_t)total;
}

static int rw(int fd, unsigned type, void *buf, size_t len, const off_t *at)
{
    struct ofile *of = ofile_of(fd);
    if (!of)
        return fail(EBADF);
    if (of->kind == OF_SOCKET) {
        if (at)
            return fail(ESPIPE);
        return (int)__clk_sock_io(of, type == VFS_WRITE, buf, len);
    }
    if (of->kind == OF_CONSOLE_OUT) {
        if (type == VFS_READ || at)
            return fail(at ? ESPIPE : EBADF);
        long n = clk_debug_write(buf, len);
        return n < 0 ? fail(EFAULT) : (int)n;
    }
    if (of->kind == OF_CONSOLE_IN) {
        if (type == VFS_WRITE || at)
            return fail(at ? ESPIPE : EBADF);
        long n = __clk_tty_read(buf, len);
        return n < 0 ? fail(EIO) : (int)n;
    }
    uint32_t acc = of->flags & O_ACCMODE;
    if (acc == (type == VFS_READ ? O_WRONLY : O_RDONLY))
        return fail(EBADF);
    if (at && *at < 0)
        return fail(EINVAL);
    lock();
    uint64_t off = at ? (uint64_t)*at : of->offset;
    ssize_t n = transfer(of, type, buf, len, &off);
    if (n >= 0 && !at)
        of->offset = off;
    unlock();
    return n < 0 ? fail((int)-n) : (int)n;
}

int read(int fd, void *buf, size_t len)
{
    return rw(fd, VFS_READ, buf, len, NULL);
}

int write(int fd, const void *buf, size_t len)
{
    return rw(fd, VFS_WRITE, (void *)buf, len, NULL);
}

ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
    return rw(fd, VFS_READ, buf, len, &off);
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
    return rw(fd, VFS_WRITE, (void *)buf, len, &off);
}

int isatty(int fd)
{
    struct ofile *of = ofile_of(fd);
    if (of && (of->kind == OF_CONSOLE_IN || of->kind == OF_CONSOLE_OUT))
        return 1;
    errno = of ? ENOTTY : EBADF;
    return 0;
}

static void to_stat(const struct vfs_stat *v, struct stat *st)
{
    *st = (struct stat){ 0 };
    st->st_dev = (dev_t)v->dev;
    st->st_ino = (ino_t)v->ino;
    st->st_mode = (mode_t)v->mode;
    st->st_nlink = (nlink_t)v->nlink;
    st->st_uid = (uid_t)v->uid;
    st->st_gid = (gid_t)v->gid;
    st->st_size = (off_t)v->size;
    st->st_blksize = (blksize_t)v->blksize;
    st->st_blocks = (blkcnt_t)v->blocks;
    st->st_atime = (time_t)v->atime;
    st->st_mtime = (time_t)v->mtime;
    st->st_ctime = (time_t)v->ctime;
}

/* FSTAT of OF into ST: 0 or an errno value (the lock held). */
static int fstat_of(struct ofile *of, struct stat *st)
{
    struct op o = { .type = VFS_FSTAT, .req_len = sizeof(struct vfs_handle_req), .of = of };
    int err = run(&o, NULL, 0);
    if (!err) {
        struct vfs_stat v;
        memcpy(&v, vc.buf, sizeof(v));
        to_stat(&v, st);
    }
    return err;
}

int fstat(int fd, struct stat *st)
{
    struct ofile *of = ofile_of(fd);
    if (!of)
        return fail(EBADF);
    if (of->kind == OF_SOCKET) {
        *st = (struct stat){ .st_mode = S_IFSOCK | 0777, .st_blksize = 4096 };
        return 0;
    }
    if (of->kind != OF_FILE) {
        *st = (struct stat){ .st_mode = S_IFCHR | 0620, .st_blksize = 1024 };
        return 0;
    }
    lock();
    int err = fstat_of(of, st);
    return done(err ? fail(err) : 0);
}

static int stat_path(const char *path, struct stat *st, uint32_t flags)
{
    lock();
    int err = path_op(VFS_STAT, path, NULL, flags, 0, NULL, 0);
    if (!err) {
        struct vfs_stat v;
        memcpy(&v, vc.buf, sizeof(v));
        to_stat(&v, st);
    }
    return done(err ? fail(err) : 0);
}

int stat(const char *path, struct stat *st)
{
    return stat_path(path, st, 0);
}

int lstat(const char *path, struct stat *st)
{
    return stat_path(path, st, VFS_NOFOLLOW);
}

off_t lseek(int fd, off_t off, int whence)
{
    struct ofile *of = ofile_of(fd);
    if (!of)
        return fail(EBADF);
    if (of->kind != OF_FILE)
        return fail(ESPIPE);
    lock();
    int64_t base = 0;
    struct stat st;
    int err = 0;
    switch (whence) {
    case SEEK_SET: break;
    case SEEK_CUR: base = (int64_t)of->offset; break;
    case SEEK_END:
        err = fstat_of(of, &st);
        base = st.st_size;
        break;
    default: err = EINVAL;
    }
    if (!err && (base + off < 0 || (off > 0 && base + off < base)))
        err = EINVAL;
    if (err)
        return done(fail(err));
    of->offset = (uint64_t)(base + off);
    return done((off_t)of->offset);
}

/* A result of path_op as a system call's. */
static int path_call(unsigned type, const char *path, const char *path2, uint32_t mode)
{
    lock();
    int err = path_op(type, path, path2, 0, mode, NULL, 0);
    return done(err ? fail(err) : 0);
}

int unlink(const char *path)
{
    return path_call(VFS_UNLINK, path, NULL, 0);
}

int rmdir(const char *path)
{
    return path_call(VFS_RMDIR, path, NULL, 0);
}

int mkdir(const char *path, mode_t mode)
{
    return path_call(VFS_MKDIR, path, NULL, mode & 07777);
}

int rename(const char *old, const char *new)
{
    return path_call(VFS_RENAME, old, new, 0);
}

int link(const char *old, const char *new)
{
    (void)old, (void)new;
    return fail(EPERM); /* the VFS makes no hard links (yet) */
}

int chdir(const char *path)
{
    lock();
    int err = path_op(VFS_CHDIR, path, NULL, 0, 0, NULL, 0);
    struct vfs_io_resp r;
    if (!err && !(err = run(&(struct op){ .type = VFS_GETCWD }, &r, sizeof(r)))) {
        char *cwd = malloc(r.count + 1); /* kept to go back after a restart */
        if (cwd && r.count < VFS_PATH_MAX) {
            memcpy(cwd, vc.buf, r.count);
            cwd[r.count] = '\0';
            free(vc.cwd);
            vc.cwd = cwd;
        } else {
            free(cwd);
        }
    }
    return done(err ? fail(err) : 0);
}

char *getcwd(char *buf, size_t size)
{
    lock();
    struct vfs_io_resp r;
    int err = run(&(struct op){ .type = VFS_GETCWD }, &r, sizeof(r));
    if (!err && r.count >= VFS_PATH_MAX)
        err = EIO;
    if (!err && buf && size < r.count + 1)
        err = ERANGE;
    if (!err && !buf && !(buf = malloc(size > r.count ? size : r.count + 1)))
        err = ENOMEM;
    if (err) {
        errno = err;
        unlock();
        return NULL;
    }
    memcpy(buf, vc.buf, r.count);
    buf[r.count] = '\0';
    unlock();
    return buf;
}

int fsync(int fd)
{
    struct ofile *of = ofile_of(fd);
    if (!of)
        return fail(EBADF);
    if (of->kind != OF_FILE)
        return 0;
    lock();
    struct op o = { .type = VFS_FSYNC, .req_len = sizeof(struct vfs_handle_req), .of = of };
    int err = run(&o, NULL, 0);
    if (!err && of->lost) /* written before the VFS restarted: maybe lost */
        err = EIO;
    if (!err || err == EIO)
        of->dirty = of->lost = false;
    return done(err ? fail(err) : 0);
}

void sync(void)
{
    lock();
    run(&(struct op){ .type = VFS_SYNC }, NULL, 0);
    unlock();
}

int ftruncate(int fd, off_t len)
{
    struct ofile *of = ofile_of(fd);
    if (!of)
        return fail(EBADF);
    if (of->kind != OF_FILE || len < 0)
        return fail(EINVAL);
    lock();
    struct op o = { .type = VFS_TRUNCATE, .req_len = sizeof(struct vfs_io_req), .of = of };
    o.req.io.offset = (uint64_t)len;
    int err = run(&o, NULL, 0);
    return done(err ? fail(err) : 0);
}

int truncate(const char *path, off_t len)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return -1;
    int r = ftruncate(fd, len);
    int e = errno;
    close(fd);
    errno = e;
    return r;
}

int access(const char *path, int mode)
{
    struct stat st;
    (void)mode; /* no permissions are enforced: existence is what counts */
    return stat(path, &st);
}

int dup2(int old, int new)
{
    struct ofile *of = ofile_of(old);
    if (!of || new < 0 || new >= FD_MAX)
        return fail(EBADF);
    if (old == new)
        return new;
    lock();
    if (fds[new])
        release(fds[new]);
    of->refs++;
    fds[new] = of;
    fd_cloexec[new] = 0;
    return done(new);
}

static int dup_from(int old, int min)
{
    struct ofile *of = ofile_of(old);
    if (!of)
        return fail(EBADF);
    int fd = free_fd(min);
    if (fd < 0)
        return fail(min >= FD_MAX ? EINVAL : EMFILE);
    return dup2(old, fd);
}

int dup(int old)
{
    return dup_from(old, 0);
}

int fcntl(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    int arg = va_arg(ap, int);
    va_end(ap);
    struct ofile *of = ofile_of(fd);
    if (!of)
        return fail(EBADF);
    switch (cmd) {
    case F_DUPFD: return dup_from(fd, arg);
    case F_GETFD: return fd_cloexec[fd] ? FD_CLOEXEC : 0;
    case F_SETFD: fd_cloexec[fd] = (arg & FD_CLOEXEC) != 0; return 0;
    case F_GETFL: return (int)of->flags & (O_ACCMODE | O_APPEND | O_NONBLOCK);
    case F_SETFL:
        if (of->kind == OF_FILE)
            of->flags = (of->flags & ~(uint32_t)O_APPEND) | ((uint32_t)arg & O_APPEND);
        if (of->kind == OF_SOCKET)
            of->flags = (of->flags & ~(uint32_t)O_NONBLOCK) | ((uint32_t)arg & O_NONBLOCK);
        return 0;
    default: return fail(EINVAL);
    }
}

int vfs_mounts(struct vfs_mount *out, unsigned max)
{
    lock();
    unsigned n = 0;
    while (n < max) {
        struct op o = { .type = VFS_MOUNTS, .req_len = sizeof(struct vfs_io_req) };
        o.req.io.offset = n;
        struct vfs_io_resp r;
        int err = run(&o, &r, sizeof(r));
        if (err)
            return done(fail(err));
        if (r.count == 0)
            break;
        uint64_t take = r.count < max - n ? r.count : max - n;
        memcpy(out + n, vc.buf, take * sizeof(*out));
        n += (unsigned)take;
    }
    return done((int)n);
}

/* ---- directories ---- */

#define DIR_BUF 8192

struct __clk_dir {
    int fd;
    uint64_t cookie; /* of the next batch */
    size_t used, at; /* bytes of entries in BUF, and where the next starts */
    struct dirent ent;
    uint8_t buf[DIR_BUF];
};

DIR *opendir(const char *path)
{
    DIR *d = malloc(sizeof(*d));
    if (!d) {
        errno = ENOMEM;
        return NULL;
    }
    if ((d->fd = open(path, O_RDONLY | O_DIRECTORY)) < 0) {
        free(d);
        return NULL;
    }
    d->cookie = d->used = d->at = 0;
    return d;
}

/* The next batch of entries: how many bytes (0 at the end), or -errno. */
static ssize_t next_batch(DIR *d, struct ofile *of)
{
    struct op o = { .type = VFS_READDIR, .req_len = sizeof(struct vfs_io_req), .of = of };
    o.req.io.len = DIR_BUF;
    o.req.io.offset = d->cookie;
    struct vfs_io_resp r;
    int err = run(&o, &r, sizeof(r));
    if (err)
        return -err;
    size_t used = 0;
    for (uint64_t i = 0; i < r.count; i++) { /* check each entry lies in what we copy */
        const struct vfs_dirent *e = (const void *)(vc.buf + used);
        if (used + sizeof(*e) > DIR_BUF || e->reclen < sizeof(*e) + e->namelen + 1u ||
            e->reclen > DIR_BUF - used)
            return -EIO;
        used += e->reclen;
    }
    memcpy(d->buf, vc.buf, used);
    d->cookie = r.offset;
    return (ssize_t)used;
}

struct dirent *readdir(DIR *d)
{
    struct ofile *of = d ? ofile_of(d->fd) : NULL;
    if (!of) {
        errno = EBADF;
        return NULL;
    }
    lock();
    if (d->at == d->used) {
        ssize_t n = next_batch(d, of);
        if (n <= 0) {
            if (n < 0)
                errno = (int)-n;
            unlock();
            return NULL; /* the end: errno untouched */
        }
        d->used = (size_t)n;
        d->at = 0;
    }
    const struct vfs_dirent *e = (const void *)(d->buf + d->at);
    d->at += e->reclen;
    d->ent.d_ino = (ino_t)e->ino;
    d->ent.d_type = e->type;
    memcpy(d->ent.d_name, e->name, e->namelen);
    d->ent.d_name[e->namelen] = '\0';
    unlock();
    return &d->ent;
}

void rewinddir(DIR *d)
{
    if (d)
        d->cookie = d->used = d->at = 0;
}

int closedir(DIR *d)
{
    if (!d) {
        errno = EBADF;
        return -1;
    }
    int r = close(d->fd);
    free(d);
    return r;
}
