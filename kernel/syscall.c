/*
 * syscall.c: system call dispatch. Each handler first checks every argument
 * (user pointers through copy_from_user, which never faults) and only then
 * acts; a bad argument is an error code, never a kernel fault.
 */
#include <actor.h>
#include <arch/context.h>
#include <clock.h>
#include <console.h>
#include <fmt.h>
#include <frame.h>
#include <ipc.h>
#include <log.h>
#include <panic.h>
#include <sched.h>

#define DEBUG_WRITE_MAX 65536

typedef int64_t syscall_fn(struct thread *t, const struct trap_frame *c);

static int64_t sys_nosys(struct thread *t, const struct trap_frame *c)
{
    (void)t, (void)c;
    return CLK_ENOSYS;
}

static int64_t sys_debug_write(struct thread *t, const struct trap_frame *c)
{
    uint64_t buf = ctx_arg(c, 0), len = ctx_arg(c, 1);
    char chunk[256];
    if (len > DEBUG_WRITE_MAX)
        return CLK_EINVAL;
    for (uint64_t done = 0; done < len;) {
        size_t n = MIN(len - done, sizeof(chunk));
        if (copy_from_user(&t->actor->vs, chunk, buf + done, n) < 0)
            return done ? (int64_t)done : CLK_EFAULT;
        console_write(chunk, n);
        done += n;
    }
    return (int64_t)len;
}

static int64_t sys_exit(struct thread *t, const struct trap_frame *c)
{
    char why[48];
    ksnprintf(why, sizeof(why), "exited with status %d", (int)ctx_arg(c, 0));
    actor_destroy(t->actor, why);
    return SYSCALL_NO_RESULT;
}

static int64_t sys_yield(struct thread *t, const struct trap_frame *c)
{
    (void)t, (void)c;
    sched_yield();
    return 0;
}

static int64_t sys_sleep(struct thread *t, const struct trap_frame *c)
{
    (void)t;
    sched_sleep(ctx_arg(c, 0));
    return 0;
}

static int64_t sys_clock(struct thread *t, const struct trap_frame *c)
{
    (void)t, (void)c;
    return (int64_t)clock_ns();
}

struct user_image {
    const struct vspace *vs;
    uint64_t base;
};

static int read_user_image(void *ctx, uint64_t off, void *buf, size_t len)
{
    struct user_image *u = ctx;
    return copy_from_user(u->vs, buf, u->base + off, len);
}

/* SPAWN(elf, len, name, prio, cap): a new actor from an ELF image in the
 * caller's memory; it gets a copy of the caller's capability CAP (0: none). */
static int64_t sys_spawn(struct thread *t, const struct trap_frame *c)
{
    char name[CLK_NAME_MAX];
    struct user_image img = { &t->actor->vs, ctx_arg(c, 0) };
    uint64_t len = ctx_arg(c, 1), prio = ctx_arg(c, 3), slot = ctx_arg(c, 4);
    struct cap *give = NULL;
    struct actor *a;
    int err = copy_str_from_user(&t->actor->vs, name, ctx_arg(c, 2), sizeof(name));
    if (err < 0)
        return err == CLK_ERANGE ? CLK_EINVAL : err;
    if (prio > CLK_PRIO_MAX)
        return CLK_EINVAL;
    if (slot != CLK_CAP_NONE && (err = cap_lookup(t->actor, slot, CAP_ENDPOINT, 0, &give)) < 0)
        return err;
    err = actor_spawn(read_user_image, &img, len, name, prio, (uint64_t)-1, give, &a);
    return err < 0 ? err : (int64_t)a->id;
}

static int64_t sys_self(struct thread *t, const struct trap_frame *c)
{
    (void)c;
    return t->actor->id;
}

static int64_t sys_endpoint_create(struct thread *t, const struct trap_frame *c)
{
    (void)c;
    return endpoint_create(t->actor);
}

static int64_t sys_call(struct thread *t, const struct trap_frame *c)
{
    struct cap *cap;
#if CONFIG_IPC_FASTPATH
    ipc_fastpath_call(t, c); /* returns only when the fast path does not apply */
#endif
    int err = cap_lookup(t->actor, ctx_arg(c, 0), CAP_ENDPOINT, CLK_RIGHT_SEND, &cap);
    return err < 0 ? err : ipc_call(t, cap);
}

static int64_t sys_recv(struct thread *t, const struct trap_frame *c)
{
    struct cap *cap;
    int err = cap_lookup(t->actor, ctx_arg(c, 0), CAP_ENDPOINT, CLK_RIGHT_RECV, &cap);
    return err < 0 ? err : ipc_recv(t, cap);
}

static int64_t sys_reply(struct thread *t, const struct trap_frame *c)
{
    (void)c;
    return ipc_reply(t);
}

/* Reply (if a call is owed) and receive: a server's loop in one call. The
 * capability is checked before the reply goes out. */
static int64_t sys_reply_recv(struct thread *t, const struct trap_frame *c)
{
    struct cap *cap;
#if CONFIG_IPC_FASTPATH
    ipc_fastpath_reply_recv(t, c); /* returns only when the fast path does not apply */
#endif
    int err = cap_lookup(t->actor, ctx_arg(c, 0), CAP_ENDPOINT, CLK_RIGHT_RECV, &cap);
    if (err < 0)
        return err;
    if (t->reply_to && (err = ipc_reply(t)) < 0)
        return err;
    return ipc_recv(t, cap);
}

/* CAP_MINT(cap, rights, badge): a copy with a subset of the rights; a badge
 * can be set only on a capability that has none yet. */
static int64_t sys_cap_mint(struct thread *t, const struct trap_frame *c)
{
    struct cap *cap;
    uint64_t rights = ctx_arg(c, 1), badge = ctx_arg(c, 2);
    int err = cap_lookup(t->actor, ctx_arg(c, 0), CAP_ENDPOINT, 0, &cap);
    if (err < 0)
        return err;
    if (rights & ~(uint64_t)cap->rights)
        return CLK_EPERM;
    if (cap->badge && badge != cap->badge)
        return CLK_EPERM;
    return cap_insert(t->actor, cap->type, cap->obj, rights, badge);
}

static int64_t sys_cap_delete(struct thread *t, const struct trap_frame *c)
{
    return cap_delete(t->actor, ctx_arg(c, 0));
}

static int64_t sys_stats(struct thread *t, const struct trap_frame *c)
{
    struct frame_stats st;
    (void)t;
    switch (ctx_arg(c, 0)) {
    case CLK_STAT_IPC_FAST: return (int64_t)ipc_fast_count;
    case CLK_STAT_IPC_SLOW: return (int64_t)ipc_slow_count;
    case CLK_STAT_FREE_FRAMES: frame_get_stats(&st); return (int64_t)st.free;
    case CLK_STAT_ACTORS: return actor_count();
    default: return CLK_EINVAL;
    }
}

/* Every slot has a handler (syscall_init checks), so dispatch needs no test. */
static syscall_fn *const syscalls[CLK_SYS_COUNT] = {
    [0] = sys_nosys,
    [CLK_SYS_DEBUG_WRITE] = sys_debug_write,
    [CLK_SYS_EXIT] = sys_exit,
    [CLK_SYS_YIELD] = sys_yield,
    [CLK_SYS_SLEEP] = sys_sleep,
    [CLK_SYS_CLOCK] = sys_clock,
    [CLK_SYS_SPAWN] = sys_spawn,
    [CLK_SYS_SELF] = sys_self,
    [CLK_SYS_ENDPOINT_CREATE] = sys_endpoint_create,
    [CLK_SYS_CALL] = sys_call,
    [CLK_SYS_RECV] = sys_recv,
    [CLK_SYS_REPLY] = sys_reply,
    [CLK_SYS_REPLY_RECV] = sys_reply_recv,
    [CLK_SYS_CAP_MINT] = sys_cap_mint,
    [CLK_SYS_CAP_DELETE] = sys_cap_delete,
    [CLK_SYS_STATS] = sys_stats,
};

/* Boot-time check that the table has a handler in every slot, so that it
 * covers every syscall of clk/abi.h. */
void syscall_init(void)
{
    for (unsigned nr = 0; nr < CLK_SYS_COUNT; nr++)
        KASSERT(syscalls[nr]);
}

/* Called by syscall.S with the registers it saved in the current thread. */
__noreturn void syscall_from_user(struct trap_frame *c)
{
    struct thread *t = container_of(c, struct thread, ctx);
    uint64_t nr = ctx_syscall_nr(c);
    int64_t ret = syscalls[nr < CLK_SYS_COUNT ? nr : 0](t, c);
    if (ret != SYSCALL_NO_RESULT)
        ctx_set_ret(c, ret); /* T is alive: it gets a result */
    sched_resume();
}
