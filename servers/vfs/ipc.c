/*
 * ipc.c: the file protocol (actor/vfs.h): sessions, and small
 * decode-and-reply handlers around ops.c.
 *
 * A session is a slot of the table, named by the badge of the capability
 * its client got: the slot's index in the low byte, a generation above it,
 * so that a badge of a dropped session never names the slot's next one.
 * Its transfer buffer is mapped at a window of its own, VFS_BUFFER_MAX
 * bytes followed by a page that is always mapped (a fence): a buffer
 * larger than it says cannot be mapped, and one smaller than it says is
 * caught before it is used (actor/windows.h).
 */
#include "vfs.h"
#include <actor/windows.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define WINDOWS_VA 0x0000600000000000UL

static struct session sessions[VFS_SESSIONS_MAX];
static long session_ep;              /* actor_endpoint(): the sessions' endpoint */
static struct actor_windows windows; /* the sessions' buffers */
static uint64_t clock_tick;

static unsigned long window(unsigned i)
{
    return actor_window(&windows, i);
}

long vfs_ipc_init(void)
{
    session_ep = actor_endpoint();
    if (session_ep < 0)
        return session_ep;
    return actor_windows_init(&windows, WINDOWS_VA, VFS_BUFFER_MAX, VFS_SESSIONS_MAX);
}

/* The session REQ came from, or NULL (then REQ is answered VFS_ESESSION). */
static struct session *session_of(struct actor_req *req)
{
    unsigned i = (unsigned)(req->badge & 0xFF) - 1;
    if (i < VFS_SESSIONS_MAX && sessions[i].badge && sessions[i].badge == req->badge) {
        sessions[i].last_used = ++clock_tick;
        return &sessions[i];
    }
    actor_reply(req, VFS_ESESSION, NULL, 0);
    return NULL;
}

static void drop(struct session *s)
{
    vfs_session_end(s);
    clk_unmap((unsigned long)s->buf);
    s->badge = 0;
}

/* A free slot, or the one idle longest, dropped: its client will connect
 * again when it next calls. */
static unsigned free_slot(void)
{
    unsigned oldest = 0;
    for (unsigned i = 0; i < VFS_SESSIONS_MAX; i++) {
        if (!sessions[i].badge)
            return i;
        if (sessions[i].last_used < sessions[oldest].last_used)
            oldest = i;
    }
    drop(&sessions[oldest]);
    return oldest;
}

static void connect(struct actor_req *req)
{
    struct vfs_connect c;
    memcpy(&c, req->data, sizeof(c));
    if (!req->cap) {
        actor_reply(req, EINVAL, NULL, 0);
        return;
    }
    unsigned i = free_slot();
    struct session *s = &sessions[i];
    static uint64_t generation;
    long err = actor_window_map(&windows, i, req->cap, c.buffer_size, VFS_BUFFER_MIN);
    if (err < 0) {
        actor_reply(req, EINVAL, NULL, 0);
        return;
    }
    *s = (struct session){ .buf = (uint8_t *)window(i), .buf_size = c.buffer_size };
    if (vfs_session_start(s) < 0) {
        clk_unmap(window(i));
        actor_reply(req, ENOMEM, NULL, 0);
        return;
    }
    s->badge = (++generation << 8) | (i + 1);
    s->last_used = ++clock_tick;
    long cap = clk_cap_mint(session_ep, CLK_RIGHT_SEND, s->badge);
    long token = cap < 0 ? cap : actor_defer(req);
    if (token < 0) {
        if (cap > 0)
            clk_cap_delete(cap);
        drop(s);
        actor_reply(req, ENOMEM, NULL, 0);
        return;
    }
    struct vfs_connect_resp r = { s->badge };
    actor_reply_later_cap(token, 0, &r, sizeof(r), cap);
    clk_cap_delete(cap); /* the client has its copy */
}

/* Answer a result of ops.c: a negative errno, or 0 with DATA. */
static void answer(struct actor_req *req, long r, const void *data, size_t len)
{
    if (r < 0)
        actor_reply(req, -r, NULL, 0);
    else
        actor_reply(req, 0, data, len);
}

/* The path(s) a request names in S's buffer, checked to lie inside it. */
static bool paths_ok(const struct session *s, const struct vfs_path_req *p, bool two)
{
    if (p->path_len > s->buf_size)
        return false;
    return !two || (p->path2_at <= s->buf_size && p->path2_len <= s->buf_size - p->path2_at);
}

static bool path_req(struct actor_req *req, struct session **s, struct vfs_path_req *p, bool two)
{
    memcpy(p, req->data, sizeof(*p));
    if (!(*s = session_of(req)))
        return false;
    if (!paths_ok(*s, p, two)) {
        actor_reply(req, EINVAL, NULL, 0);
        return false;
    }
    return true;
}

static void open_(struct actor_req *req)
{
    struct vfs_path_req p;
    struct session *s;
    struct vfs_open_resp r;
    if (path_req(req, &s, &p, false))
        answer(req, vfs_open(s, (const char *)s->buf, p.path_len, p.flags, p.mode, p.ino, &r), &r,
               sizeof(r));
}

/* STAT, STATFS: a path, and a structure in the buffer. */
static void stat_(struct actor_req *req)
{
    struct vfs_path_req p;
    struct session *s;
    union {
        struct vfs_stat st;
        struct vfs_statfs fs;
    } u;
    if (!path_req(req, &s, &p, false))
        return;
    const char *path = (const char *)s->buf;
    long r = req->type == VFS_STAT ? vfs_stat(s, path, p.path_len, !(p.flags & VFS_NOFOLLOW), &u.st)
                                   : vfs_statfs(s, path, p.path_len, &u.fs);
    if (r == 0)
        memcpy(s->buf, &u, req->type == VFS_STAT ? sizeof(u.st) : sizeof(u.fs));
    answer(req, r, NULL, 0);
}

/* UNLINK, MKDIR, RMDIR, CHDIR, RENAME: a path (or two) and a result. */
static void path_op(struct actor_req *req)
{
    struct vfs_path_req p;
    struct session *s;
    if (!path_req(req, &s, &p, req->type == VFS_RENAME))
        return;
    const char *path = (const char *)s->buf;
    long r;
    switch (req->type) {
    case VFS_UNLINK: r = vfs_unlink(s, path, p.path_len); break;
    case VFS_MKDIR: r = vfs_mkdir(s, path, p.path_len, p.mode); break;
    case VFS_RMDIR: r = vfs_rmdir(s, path, p.path_len); break;
    case VFS_CHDIR: r = vfs_chdir(s, path, p.path_len); break;
    default: r = vfs_rename(s, path, p.path_len, path + p.path2_at, p.path2_len); break;
    }
    answer(req, r, NULL, 0);
}

/* CLOSE, FSTAT, FSYNC: a handle and a result. */
static void handle_op(struct actor_req *req)
{
    struct vfs_handle_req h;
    struct session *s;
    struct vfs_stat st;
    memcpy(&h, req->data, sizeof(h));
    if (!(s = session_of(req)))
        return;
    long r;
    switch (req->type) {
    case VFS_CLOSE: r = vfs_close(s, h.handle); break;
    case VFS_FSYNC: r = vfs_fsync(s, h.handle); break;
    default:
        if ((r = vfs_fstat(s, h.handle, &st)) == 0)
            memcpy(s->buf, &st, sizeof(st));
        break;
    }
    answer(req, r, NULL, 0);
}

/* READ, WRITE, TRUNCATE, READDIR: a handle, an offset, a length. */
static void io_op(struct actor_req *req)
{
    struct vfs_io_req io;
    struct session *s;
    memcpy(&io, req->data, sizeof(io));
    if (!(s = session_of(req)))
        return;
    if (io.len > s->buf_size) {
        actor_reply(req, EINVAL, NULL, 0);
        return;
    }
    struct vfs_io_resp r = { 0, io.offset };
    int64_t n;
    switch (req->type) {
    case VFS_READ: n = vfs_read(s, io.handle, io.offset, s->buf, io.len); break;
    case VFS_WRITE: n = vfs_write(s, io.handle, io.offset, s->buf, io.len, &r.offset); break;
    case VFS_TRUNCATE: n = vfs_ftruncate(s, io.handle, io.offset); break;
    default: n = vfs_readdir(s, io.handle, &r.offset, s->buf, io.len); break;
    }
    r.count = n > 0 ? (uint64_t)n : 0;
    answer(req, n, &r, sizeof(r));
}

static void sync_(struct actor_req *req)
{
    if (session_of(req))
        answer(req, vfs_sync_all(), NULL, 0);
}

static void getcwd_(struct actor_req *req)
{
    struct session *s = session_of(req);
    if (!s)
        return;
    size_t room = s->buf_size < VFS_PATH_MAX ? s->buf_size : VFS_PATH_MAX;
    int n = vfs_getcwd(s, (char *)s->buf, room);
    struct vfs_io_resp r = { n > 0 ? (uint64_t)n : 0, 0 };
    answer(req, n, &r, sizeof(r));
}

static void mounts_(struct actor_req *req)
{
    struct vfs_io_req io;
    struct session *s;
    memcpy(&io, req->data, sizeof(io));
    if (!(s = session_of(req)))
        return;
    struct vfs_mount *out = (struct vfs_mount *)s->buf;
    size_t room = s->buf_size / sizeof(*out), n = 0;
    struct mount *m;
    for (uint64_t i = io.offset; n < room && i < VFS_MOUNTS_MAX && (m = vfs_mount_at(i)); i++) {
        struct fs_statfs st = { 0 };
        m->fs.ops->statfs(&m->fs, &st);
        out[n] = (struct vfs_mount){ .flags = m->fs.read_only ? VFS_MOUNT_RDONLY : 0,
                                     .block_size = st.block_size,
                                     .blocks = st.blocks,
                                     .free_blocks = st.free_blocks,
                                     .files = st.files,
                                     .free_files = st.free_files };
        snprintf(out[n].path, sizeof(out[n].path), "%s", m->path);
        snprintf(out[n].type, sizeof(out[n].type), "%s", m->fs.ops->type);
        snprintf(out[n].source, sizeof(out[n].source), "%s", m->source);
        n++;
    }
    struct vfs_io_resp r = { n, io.offset + n };
    actor_reply(req, 0, &r, sizeof(r));
}

#define PATH_REQ   sizeof(struct vfs_path_req)
#define HANDLE_REQ sizeof(struct vfs_handle_req)
#define IO_REQ     sizeof(struct vfs_io_req)

const struct actor_handler vfs_handlers[] = {
    { VFS_CONNECT, sizeof(struct vfs_connect), sizeof(struct vfs_connect), connect },
    { VFS_OPEN, PATH_REQ, PATH_REQ, open_ },
    { VFS_CLOSE, HANDLE_REQ, HANDLE_REQ, handle_op },
    { VFS_READ, IO_REQ, IO_REQ, io_op },
    { VFS_WRITE, IO_REQ, IO_REQ, io_op },
    { VFS_FSTAT, HANDLE_REQ, HANDLE_REQ, handle_op },
    { VFS_STAT, PATH_REQ, PATH_REQ, stat_ },
    { VFS_TRUNCATE, IO_REQ, IO_REQ, io_op },
    { VFS_FSYNC, HANDLE_REQ, HANDLE_REQ, handle_op },
    { VFS_SYNC, 0, 0, sync_ },
    { VFS_UNLINK, PATH_REQ, PATH_REQ, path_op },
    { VFS_MKDIR, PATH_REQ, PATH_REQ, path_op },
    { VFS_RMDIR, PATH_REQ, PATH_REQ, path_op },
    { VFS_RENAME, PATH_REQ, PATH_REQ, path_op },
    { VFS_READDIR, IO_REQ, IO_REQ, io_op },
    { VFS_CHDIR, PATH_REQ, PATH_REQ, path_op },
    { VFS_GETCWD, 0, 0, getcwd_ },
    { VFS_STATFS, PATH_REQ, PATH_REQ, stat_ },
    { VFS_MOUNTS, IO_REQ, IO_REQ, mounts_ },
    { 0, 0, 0, NULL },
};
