/*
 * syscall.c: system call dispatch. Each handler first checks every argument
 * (user pointers through copy_from_user, which never faults) and only then
 * acts; a bad argument is an error code, never a kernel fault.
 */
#include <actor.h>
#include <arch/context.h>
#include <async.h>
#include <calendar.h>
#include <clock.h>
#include <console.h>
#include <device.h>
#include <fmt.h>
#include <frame.h>
#include <ipc.h>
#include <kmalloc.h>
#include <log.h>
#include <memory.h>
#include <monitor.h>
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
    actor_exit(t->actor, (int)ctx_arg(c, 0));
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
    sched_block_timeout(THREAD_SLEEPING, ctx_arg(c, 0));
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

/* A quota field of a child: 0 means the spawner's own limit, and no more. */
static int quota_field(unsigned want, unsigned mine, unsigned *out)
{
    *out = want ? want : mine;
    return want > mine ? CLK_EPERM : 0;
}

/* SPAWN(struct clk_spawn *): a new actor from an ELF image in the caller's
 * memory. Returns the slot of a capability to it. */
static int64_t sys_spawn(struct thread *t, const struct trap_frame *c)
{
    struct actor *self = t->actor, *a;
    struct clk_spawn sp;
    struct cap given[CLK_SPAWN_CAPS], fault, *cap;
    char name[CLK_NAME_MAX];
    int err = copy_from_user(&self->vs, &sp, ctx_arg(c, 0), sizeof(sp));
    if (err < 0)
        return err;
    struct user_image img = { &self->vs, sp.elf };
    struct spawn_req req = {
        .read = read_user_image,
        .ctx = &img,
        .size = sp.len,
        .name = name,
        .prio = sp.prio,
        .arg = sp.ncaps,
        .ncaps = sp.ncaps,
    };
    err = copy_str_from_user(&self->vs, name, sp.name, sizeof(name));
    if (err < 0)
        return err == CLK_ERANGE ? CLK_EINVAL : err;
    if (sp.prio > CLK_PRIO_MAX || sp.ncaps > CLK_SPAWN_CAPS || sp.args_len > CLK_ARGS_MAX)
        return CLK_EINVAL;
    if ((err = quota_field(sp.quota.pages, self->quota.pages, &req.quota.pages)) < 0 ||
        (err = quota_field(sp.quota.caps, self->quota.caps, &req.quota.caps)) < 0 ||
        (err = quota_field(sp.quota.mailbox_slots, self->quota.mailbox_slots,
                           &req.quota.mailbox_slots)) < 0 ||
        (err = quota_field(sp.quota.threads, self->quota.threads, &req.quota.threads)) < 0)
        return err;
    if (req.quota.caps <= sp.ncaps)
        return CLK_EINVAL;                    /* slot 0 and the capabilities given must fit */
    for (unsigned i = 0; i < sp.ncaps; i++) { /* copies: the table may move below */
        if ((err = cap_lookup(self, sp.caps[i], CAP_ANY, 0, &cap)) < 0)
            return err;
        given[i] = *cap;
        req.caps[i] = &given[i];
    }
    if (sp.fault != CLK_CAP_NONE) {
        if ((err = cap_lookup(self, sp.fault, CAP_MAILBOX, CLK_RIGHT_SEND, &cap)) < 0)
            return err;
        fault = *cap;
        fault.rights &= CLK_RIGHT_SEND; /* the kernel only sends: the mailbox can still die */
        req.fault = &fault;
    }
    /* Room for the child's capability first, so that a full table cannot
     * leave a child nobody holds. */
    int slot = cap_insert(self, CAP_ACTOR, NULL, CLK_RIGHTS_ALL, 0);
    if (slot < 0)
        return slot;
    void *args = NULL;
    if (sp.args_len) { /* checked above; copied now, so the child sees what SPAWN saw */
        args = kmalloc(sp.args_len);
        err = args ? copy_from_user(&self->vs, args, sp.args, sp.args_len) : CLK_ENOMEM;
        req.args = args;
        req.args_len = sp.args_len;
    }
    if (!err)
        err = actor_spawn(&req, &a);
    kfree(args);
    if (err < 0) {
        cap_delete(self, slot);
        return err;
    }
    self->caps->slot[slot].badge = a->id;
    return slot;
}

/* The actor a CAP_ACTOR capability names, if it lives. */
static int actor_cap(struct thread *t, uint64_t slot, unsigned rights, struct actor **out)
{
    struct cap *cap;
    int err = cap_lookup(t->actor, slot, CAP_ACTOR, rights, &cap);
    if (err < 0)
        return err;
    *out = actor_find(cap->badge);
    return *out ? 0 : CLK_ENOENT;
}

static int64_t sys_actor_id(struct thread *t, const struct trap_frame *c)
{
    struct cap *cap;
    int err = cap_lookup(t->actor, ctx_arg(c, 0), CAP_ACTOR, 0, &cap);
    return err < 0 ? err : (int64_t)cap->badge;
}

/* ACTOR_KILL(cap): destroy the actor; killing oneself is EXIT. */
static int64_t sys_actor_kill(struct thread *t, const struct trap_frame *c)
{
    struct actor *a;
    int err = actor_cap(t, ctx_arg(c, 0), CLK_RIGHT_SEND, &a);
    if (err < 0)
        return err;
    char why[48];
    ksnprintf(why, sizeof(why), "killed by actor %u", t->actor->id);
    bool self = a == t->actor;
    actor_destroy(a, why);
    return self ? SYSCALL_NO_RESULT : 0;
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

/* ENDPOINT_INFO(ep, what): the queue of an endpoint one may receive from. */
static int64_t sys_endpoint_info(struct thread *t, const struct trap_frame *c)
{
    struct cap *cap;
    int err = cap_lookup(t->actor, ctx_arg(c, 0), CAP_ENDPOINT, CLK_RIGHT_RECV, &cap);
    return err < 0 ? err : ipc_endpoint_info(cap->obj, (unsigned)ctx_arg(c, 1));
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
    struct cap copy = *cap; /* a capability the reply passes may grow (move) the table */
    if (t->reply_to && (err = ipc_reply(t)) < 0)
        return err;
    return ipc_recv(t, &copy);
}

static int64_t sys_notification_create(struct thread *t, const struct trap_frame *c)
{
    (void)c;
    return notification_create(t->actor);
}

/* SIGNAL(cap, bits): a badged capability signals its badge, whatever BITS. */
static int64_t sys_signal(struct thread *t, const struct trap_frame *c)
{
    struct cap *cap;
    int err = cap_lookup(t->actor, ctx_arg(c, 0), CAP_NOTIFICATION, CLK_RIGHT_SEND, &cap);
    if (err < 0)
        return err;
    notification_signal(cap->obj, cap->badge ? cap->badge : ctx_arg(c, 1));
    return 0;
}

static int64_t sys_mailbox_create(struct thread *t, const struct trap_frame *c)
{
    return mailbox_create(t->actor, ctx_arg(c, 0));
}

static int64_t sys_send(struct thread *t, const struct trap_frame *c)
{
    struct cap *cap;
    int err = cap_lookup(t->actor, ctx_arg(c, 0), CAP_MAILBOX, CLK_RIGHT_SEND, &cap);
    return err < 0 ? err : mailbox_send(t, cap, ctx_send_timeout(c));
}

/* BIND(cap), UNBIND(cap): what WAIT waits on; binding needs the RECV right. */
static int64_t sys_bind(struct thread *t, const struct trap_frame *c)
{
    struct cap *cap;
    uint64_t slot = ctx_arg(c, 0);
    int err = cap_lookup(t->actor, slot, CAP_ANY, CLK_RIGHT_RECV, &cap);
    if (err < 0)
        return err;
    struct source *s = cap_source(cap->type, cap->obj);
    return s ? source_bind(t, s, (uint32_t)slot) : CLK_EBADF;
}

static int64_t sys_unbind(struct thread *t, const struct trap_frame *c)
{
    struct cap *cap;
    int err = cap_lookup(t->actor, ctx_arg(c, 0), CAP_ANY, 0, &cap);
    if (err < 0)
        return err;
    struct source *s = cap_source(cap->type, cap->obj);
    return s ? source_unbind(t, s) : CLK_EBADF;
}

static int64_t sys_wait(struct thread *t, const struct trap_frame *c)
{
    return wait_any(t, ctx_arg(c, 0));
}

/* Reply (if a call is owed), then WAIT. */
static int64_t sys_reply_wait(struct thread *t, const struct trap_frame *c)
{
    int err;
#if CONFIG_IPC_FASTPATH
    ipc_fastpath_reply_wait(t, c); /* returns only when the fast path does not apply */
#endif
    if (t->reply_to && (err = ipc_reply(t)) < 0)
        return err;
    return wait_any(t, ctx_arg(c, 0)); /* CLK_ENOENT when nothing is bound */
}

/* CAP_MINT(cap, rights, badge): a copy with a subset of the rights; a badge
 * can be set only on a capability that has none yet. */
static int64_t sys_cap_mint(struct thread *t, const struct trap_frame *c)
{
    struct cap *cap;
    uint64_t rights = ctx_arg(c, 1), badge = ctx_arg(c, 2);
    int err = cap_lookup(t->actor, ctx_arg(c, 0), CAP_ANY, 0, &cap);
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
    case CLK_STAT_BOOT_TIME: return calendar_boot_time();
    case CLK_STAT_TOTAL_FRAMES: frame_get_stats(&st); return (int64_t)st.managed;
    default: return CLK_EINVAL;
    }
}

static int64_t sys_memory_create(struct thread *t, const struct trap_frame *c)
{
    return memobj_create(t->actor, ctx_arg(c, 0));
}

/* MAP(cap, va, flags): reading needs READ, CLK_MAP_WRITE needs WRITE. */
static int64_t sys_map(struct thread *t, const struct trap_frame *c)
{
    struct cap *cap;
    uint64_t flags = ctx_arg(c, 2);
    if (flags & ~(uint64_t)CLK_MAP_WRITE)
        return CLK_EINVAL;
    unsigned rights = CLK_RIGHT_READ | ((flags & CLK_MAP_WRITE) ? CLK_RIGHT_WRITE : 0);
    int err = cap_lookup(t->actor, ctx_arg(c, 0), CAP_MEMORY, rights, &cap);
    return err < 0 ? err
                   : memobj_map(&t->actor->vs, cap->obj, ctx_arg(c, 1), flags & CLK_MAP_WRITE);
}

static int64_t sys_unmap(struct thread *t, const struct trap_frame *c)
{
    return memobj_unmap(&t->actor->vs, ctx_arg(c, 0));
}

/* THREAD_CREATE(entry, stack, arg0, arg1): returns the thread's index (its
 * IPC buffer is page INDEX from CLK_IPC_BUFFER, also in its second
 * argument). A stack of 0 asks the kernel for one. */
static int64_t sys_thread_create(struct thread *t, const struct trap_frame *c)
{
    struct thread *n;
    int err = thread_create(t, ctx_arg(c, 0), ctx_arg(c, 1), ctx_arg(c, 2), ctx_arg(c, 3), &n);
    return err < 0 ? err : (int64_t)n->index;
}

static int64_t sys_thread_exit(struct thread *t, const struct trap_frame *c)
{
    (void)c;
    thread_exit(t);
    return SYSCALL_NO_RESULT;
}

/* TIMER(cap, ns, bits): a one-shot timer on a notification (SEND right). */
static int64_t sys_timer(struct thread *t, const struct trap_frame *c)
{
    struct cap *cap;
    int err = cap_lookup(t->actor, ctx_arg(c, 0), CAP_NOTIFICATION, CLK_RIGHT_SEND, &cap);
    if (err < 0)
        return err;
    notification_timer(cap->obj, ctx_arg(c, 1), cap->badge ? cap->badge : ctx_arg(c, 2));
    return 0;
}

/* ---- device access: every call needs the device authority or a
 * capability made with it ---- */

/* 0 when argument ARG of the call is a device-authority capability. */
static int device_arg(struct thread *t, const struct trap_frame *c, int arg)
{
    struct cap *cap;
    return cap_lookup(t->actor, ctx_arg(c, arg), CAP_DEVICE, 0, &cap);
}

static int64_t sys_ioport_create(struct thread *t, const struct trap_frame *c)
{
    int err = device_arg(t, c, 0);
    return err < 0 ? err : ioport_create(t->actor, ctx_arg(c, 1), ctx_arg(c, 2));
}

/* IO_IN(ioport, port, width) needs READ; IO_OUT(ioport, port, width, value) WRITE. */
static int64_t sys_io_in(struct thread *t, const struct trap_frame *c)
{
    struct cap *cap;
    int err = cap_lookup(t->actor, ctx_arg(c, 0), CAP_IOPORT, CLK_RIGHT_READ, &cap);
    return err < 0 ? err : ioport_in(cap->obj, ctx_arg(c, 1), ctx_arg(c, 2));
}

static int64_t sys_io_out(struct thread *t, const struct trap_frame *c)
{
    struct cap *cap;
    int err = cap_lookup(t->actor, ctx_arg(c, 0), CAP_IOPORT, CLK_RIGHT_WRITE, &cap);
    return err < 0 ? err : ioport_out(cap->obj, ctx_arg(c, 1), ctx_arg(c, 2), ctx_arg(c, 3));
}

/* IO_INDEXED(io, index_port, index, data_port, op, value) needs WRITE (the
 * index is written), and READ to read. */
static int64_t sys_io_indexed(struct thread *t, const struct trap_frame *c)
{
    struct cap *cap;
    int err = cap_lookup(t->actor, ctx_arg(c, 0), CAP_IOPORT, CLK_RIGHT_WRITE, &cap);
    if (err < 0)
        return err;
    return ioport_indexed(cap->obj, ctx_arg(c, 1), ctx_arg(c, 2), ctx_arg(c, 3), ctx_arg(c, 4),
                          ctx_arg(c, 5), (cap->rights & CLK_RIGHT_READ) != 0);
}

static int64_t sys_mmio_create(struct thread *t, const struct trap_frame *c)
{
    int err = device_arg(t, c, 0);
    return err < 0 ? err : memobj_create_device(t->actor, ctx_arg(c, 1), ctx_arg(c, 2));
}

static int64_t sys_dma_create(struct thread *t, const struct trap_frame *c)
{
    int err = device_arg(t, c, 0);
    return err < 0 ? err : memobj_create_dma(t->actor, ctx_arg(c, 1));
}

/* MEMORY_PHYS(cap, page): only for DMA and device objects, which only
 * holders of the device authority make. */
static int64_t sys_memory_phys(struct thread *t, const struct trap_frame *c)
{
    struct cap *cap;
    int err = cap_lookup(t->actor, ctx_arg(c, 0), CAP_MEMORY, CLK_RIGHT_READ, &cap);
    return err < 0 ? err : memobj_phys(cap->obj, ctx_arg(c, 1));
}

static int64_t sys_irq_create(struct thread *t, const struct trap_frame *c)
{
    int err = device_arg(t, c, 0);
    return err < 0 ? err : irq_create(t->actor, ctx_arg(c, 1));
}

static int64_t sys_irq_create_msi(struct thread *t, const struct trap_frame *c)
{
    int err = device_arg(t, c, 0);
    return err < 0 ? err : irq_create_msi(t->actor);
}

static int64_t sys_irq_info(struct thread *t, const struct trap_frame *c)
{
    struct cap *cap;
    int err = cap_lookup(t->actor, ctx_arg(c, 0), CAP_IRQ, 0, &cap);
    return err < 0 ? err : irq_info(cap->obj, ctx_arg(c, 1));
}

/* IRQ_BIND(irq, notification, bits): the notification needs SEND (it will
 * be signalled); CLK_CAP_NONE unbinds. */
static int64_t sys_irq_bind(struct thread *t, const struct trap_frame *c)
{
    struct cap *irq, *n = NULL;
    int err = cap_lookup(t->actor, ctx_arg(c, 0), CAP_IRQ, 0, &irq);
    if (err < 0)
        return err;
    if (ctx_arg(c, 1) != CLK_CAP_NONE &&
        (err = cap_lookup(t->actor, ctx_arg(c, 1), CAP_NOTIFICATION, CLK_RIGHT_SEND, &n)) < 0)
        return err;
    return irq_bind(irq->obj, n ? n->obj : NULL, ctx_arg(c, 2));
}

static int64_t sys_irq_ack(struct thread *t, const struct trap_frame *c)
{
    struct cap *cap;
    int err = cap_lookup(t->actor, ctx_arg(c, 0), CAP_IRQ, 0, &cap);
    return err < 0 ? err : irq_ack(cap->obj);
}

static int64_t sys_reply_defer(struct thread *t, const struct trap_frame *c)
{
    (void)c;
    return ipc_reply_defer(t);
}

/* REPLY_TO(reply cap, tag, m0..m7): CLK_EDEAD when the caller is gone. */
static int64_t sys_reply_to(struct thread *t, const struct trap_frame *c)
{
    struct cap *cap;
    uint64_t slot = ctx_arg(c, 0);
    int err = cap_lookup(t->actor, slot, CAP_REPLY, CLK_RIGHT_SEND, &cap);
    return err < 0 ? err : ipc_reply_to(t, cap, slot);
}

/* CONSOLE_READ(buf, len, timeout): raw console input, at least one byte
 * unless the timeout runs out (CLK_ETIMEDOUT). The buffer is checked
 * before anything waits, so a bad one fails at once. */
static int64_t sys_console_read(struct thread *t, const struct trap_frame *c)
{
    uint64_t buf = ctx_arg(c, 0), len = ctx_arg(c, 1);
    if (len == 0 || len > CLK_CONSOLE_READ_MAX)
        return CLK_EINVAL;
    int err = check_user_writable(&t->actor->vs, buf, len);
    return err < 0 ? err : console_read(t, buf, len, ctx_arg(c, 2));
}

/* ACTOR_INFO(monitor, after_id, buf): the info of the live actor with the
 * smallest id above AFTER_ID, for the holder of a monitor authority with
 * the READ right. The buffer is checked before anything is looked up. */
static int64_t sys_actor_info(struct thread *t, const struct trap_frame *c)
{
    struct cap *cap;
    struct clk_actor_info info;
    uint64_t buf = ctx_arg(c, 2);
    int err = cap_lookup(t->actor, ctx_arg(c, 0), CAP_MONITOR, CLK_RIGHT_READ, &cap);
    if (err < 0 || (err = check_user_writable(&t->actor->vs, buf, sizeof(info))) < 0)
        return err;
    struct actor *a = actor_next(ctx_arg(c, 1));
    if (!a)
        return CLK_ENOENT;
    actor_info(a, &info);
    return copy_to_user(&t->actor->vs, buf, &info, sizeof(info));
}

/* CONSOLE_INPUT(dev, buf, len): a driver's bytes join the console input,
 * all of them or none (0: no room). The bytes are copied in before the
 * ring changes, so a bad buffer changes nothing. */
static int64_t sys_console_input(struct thread *t, const struct trap_frame *c)
{
    uint64_t buf = ctx_arg(c, 1), len = ctx_arg(c, 2);
    char bytes[CLK_CONSOLE_INPUT_MAX];
    int err = device_arg(t, c, 0);
    if (err < 0)
        return err;
    if (len == 0 || len > CLK_CONSOLE_INPUT_MAX)
        return CLK_EINVAL;
    if ((err = copy_from_user(&t->actor->vs, bytes, buf, len)) < 0)
        return err;
    return (int64_t)console_input_whole(bytes, len);
}

/* CONSOLE_INTR(notification, bits): ^C signals BITS on the notification
 * (SEND right) instead of joining the input; CLK_CAP_NONE gives it back. */
static int64_t sys_console_intr(struct thread *t, const struct trap_frame *c)
{
    struct cap *n = NULL;
    int err = 0;
    if (ctx_arg(c, 0) != CLK_CAP_NONE &&
        (err = cap_lookup(t->actor, ctx_arg(c, 0), CAP_NOTIFICATION, CLK_RIGHT_SEND, &n)) < 0)
        return err;
    return console_intr(t->actor, n ? n->obj : NULL, ctx_arg(c, 1));
}

/* Every slot has a handler, so dispatch needs no test: numbers that
 * clk/abi.h leaves out get sys_nosys from the range designator, which the
 * entries after it override (as Linux builds its table), and syscall_init
 * checks that every call of the ABI has a handler of its own. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
static syscall_fn *const syscalls[CLK_SYS_COUNT] = {
    [0 ... CLK_SYS_COUNT - 1] = sys_nosys,
    [CLK_SYS_DEBUG_WRITE] = sys_debug_write,
    [CLK_SYS_EXIT] = sys_exit,
    [CLK_SYS_YIELD] = sys_yield,
    [CLK_SYS_SLEEP] = sys_sleep,
    [CLK_SYS_CLOCK] = sys_clock,
    [CLK_SYS_SPAWN] = sys_spawn,
    [CLK_SYS_SELF] = sys_self,
    [CLK_SYS_ENDPOINT_CREATE] = sys_endpoint_create,
    [CLK_SYS_CALL] = sys_call,
    [CLK_SYS_ENDPOINT_INFO] = sys_endpoint_info,
    [CLK_SYS_RECV] = sys_recv,
    [CLK_SYS_REPLY] = sys_reply,
    [CLK_SYS_REPLY_RECV] = sys_reply_recv,
    [CLK_SYS_CAP_MINT] = sys_cap_mint,
    [CLK_SYS_CAP_DELETE] = sys_cap_delete,
    [CLK_SYS_STATS] = sys_stats,
    [CLK_SYS_NOTIFICATION_CREATE] = sys_notification_create,
    [CLK_SYS_SIGNAL] = sys_signal,
    [CLK_SYS_MAILBOX_CREATE] = sys_mailbox_create,
    [CLK_SYS_SEND] = sys_send,
    [CLK_SYS_BIND] = sys_bind,
    [CLK_SYS_UNBIND] = sys_unbind,
    [CLK_SYS_WAIT] = sys_wait,
    [CLK_SYS_REPLY_WAIT] = sys_reply_wait,
    [CLK_SYS_ACTOR_ID] = sys_actor_id,
    [CLK_SYS_ACTOR_KILL] = sys_actor_kill,
    [CLK_SYS_MEMORY_CREATE] = sys_memory_create,
    [CLK_SYS_MAP] = sys_map,
    [CLK_SYS_UNMAP] = sys_unmap,
    [CLK_SYS_THREAD_CREATE] = sys_thread_create,
    [CLK_SYS_THREAD_EXIT] = sys_thread_exit,
    [CLK_SYS_TIMER] = sys_timer,
    [CLK_SYS_IOPORT_CREATE] = sys_ioport_create,
    [CLK_SYS_IO_IN] = sys_io_in,
    [CLK_SYS_IO_OUT] = sys_io_out,
    [CLK_SYS_IO_INDEXED] = sys_io_indexed,
    [CLK_SYS_MMIO_CREATE] = sys_mmio_create,
    [CLK_SYS_DMA_CREATE] = sys_dma_create,
    [CLK_SYS_MEMORY_PHYS] = sys_memory_phys,
    [CLK_SYS_IRQ_CREATE] = sys_irq_create,
    [CLK_SYS_IRQ_CREATE_MSI] = sys_irq_create_msi,
    [CLK_SYS_IRQ_INFO] = sys_irq_info,
    [CLK_SYS_IRQ_BIND] = sys_irq_bind,
    [CLK_SYS_IRQ_ACK] = sys_irq_ack,
    [CLK_SYS_REPLY_DEFER] = sys_reply_defer,
    [CLK_SYS_REPLY_TO] = sys_reply_to,
    [CLK_SYS_CONSOLE_READ] = sys_console_read,
    [CLK_SYS_ACTOR_INFO] = sys_actor_info,
    [CLK_SYS_CONSOLE_INPUT] = sys_console_input,
    [CLK_SYS_CONSOLE_INTR] = sys_console_intr,
};
#pragma GCC diagnostic pop

/* Boot-time check that every syscall of clk/abi.h has a handler of its own. */
void syscall_init(void)
{
#define CLK_SYSCALL_CHECK(name, nr) KASSERT(syscalls[nr] != sys_nosys);
    CLK_SYSCALLS(CLK_SYSCALL_CHECK)
#undef CLK_SYSCALL_CHECK
}

/* Called by syscall.S with the registers it saved in the current thread. */
__noreturn void syscall_from_user(struct trap_frame *c)
{
    struct thread *t = container_of(c, struct thread, ctx);
    uint64_t nr = ctx_syscall_nr(c);
    t->syscalls++;
    int64_t ret = syscalls[nr < CLK_SYS_COUNT ? nr : 0](t, c);
    if (ret != SYSCALL_NO_RESULT)
        ctx_set_ret(c, ret); /* T is alive: it gets a result */
    sched_resume();
}
