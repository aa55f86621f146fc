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
#include <log.h>
#include <panic.h>
#include <sched.h>

#define NO_RETURN       INT64_MIN /* the calling thread is gone: set no result */
#define DEBUG_WRITE_MAX 65536

typedef int64_t syscall_fn(struct thread *t, const struct trap_frame *c);

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
    return NO_RETURN;
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

/* SPAWN(elf, len, name, prio): a new actor from an ELF image in the caller's memory. */
static int64_t sys_spawn(struct thread *t, const struct trap_frame *c)
{
    char name[CLK_NAME_MAX];
    struct user_image img = { &t->actor->vs, ctx_arg(c, 0) };
    uint64_t len = ctx_arg(c, 1), prio = ctx_arg(c, 3);
    struct actor *a;
    int err = copy_str_from_user(&t->actor->vs, name, ctx_arg(c, 2), sizeof(name));
    if (err < 0)
        return err == CLK_ERANGE ? CLK_EINVAL : err;
    if (prio > CLK_PRIO_MAX)
        return CLK_EINVAL;
    err = actor_spawn(read_user_image, &img, len, name, prio, 0, &a);
    return err < 0 ? err : (int64_t)a->id;
}

static int64_t sys_self(struct thread *t, const struct trap_frame *c)
{
    (void)c;
    return t->actor->id;
}

static syscall_fn *const syscalls[CLK_SYS_COUNT] = {
    [CLK_SYS_DEBUG_WRITE] = sys_debug_write,
    [CLK_SYS_EXIT] = sys_exit,
    [CLK_SYS_YIELD] = sys_yield,
    [CLK_SYS_SLEEP] = sys_sleep,
    [CLK_SYS_CLOCK] = sys_clock,
    [CLK_SYS_SPAWN] = sys_spawn,
    [CLK_SYS_SELF] = sys_self,
};

/* Boot-time check that the table covers every syscall of clk/abi.h. */
void syscall_init(void)
{
#define CLK_SYSCALL_CHECK(name, nr) KASSERT(syscalls[CLK_SYS_##name]);
    CLK_SYSCALLS(CLK_SYSCALL_CHECK)
#undef CLK_SYSCALL_CHECK
}

/* Called by syscall.S with the current thread's saved registers. */
__noreturn void syscall_from_user(struct trap_frame *c)
{
    struct thread *t = sched_current();
    uint64_t nr = ctx_syscall_nr(c);
    int64_t ret = nr < CLK_SYS_COUNT && syscalls[nr] ? syscalls[nr](t, c) : CLK_ENOSYS;
    if (ret != NO_RETURN)
        ctx_set_ret(&t->ctx, ret);
    sched_resume();
}
