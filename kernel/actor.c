/*
 * actor.c: creating and destroying actors (see actor.h).
 */
#include <actor.h>
#include <async.h>
#include <clock.h>
#include <cmdline.h>
#include <console.h>
#include <cpio.h>
#include <device.h>
#include <fmt.h>
#include <frame.h>
#include <initrd.h>
#include <ipc.h>
#include <kmalloc.h>
#include <kstring.h>
#include <log.h>
#include <memlayout.h>
#include <memory.h>
#include <monitor.h>
#include <param.h>
#include <sched.h>
#include <vm.h>

static struct actor *actors;
static uint32_t next_id = 1;
static unsigned nactors;

unsigned actor_count(void)
{
    return nactors;
}

static unsigned seg_flags(unsigned elf_flags)
{
    return ((elf_flags & ELF_SEG_W) ? VM_WRITE : 0) | ((elf_flags & ELF_SEG_X) ? VM_EXEC : 0);
}

/* Map segment S and fill it from the image: file bytes, then zeros. */
static int load_segment(struct vspace *vs, const struct elf_segment *s, elf_read_fn *read,
                        void *ctx)
{
    uint64_t lo = ALIGN_DOWN(s->vaddr, PAGE_SIZE);
    uint64_t hi = ALIGN_UP(s->vaddr + s->memsz, PAGE_SIZE);
    int err = vspace_map_new(vs, lo, (hi - lo) / PAGE_SIZE, seg_flags(s->flags));
    for (uint64_t done = 0; !err && done < s->filesz;) {
        uint64_t va = s->vaddr + done, pa;
        size_t chunk = MIN(s->filesz - done, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
        arch_lookup(vs->root, va, &pa, NULL);
        err = read(ctx, s->offset + done, phys_to_virt(pa), chunk);
        done += chunk;
    }
    return err;
}

/* A new thread of A with IPC buffer INDEX (mapped here), not yet running. */
static int add_thread(struct actor *a, unsigned index, struct thread **out)
{
    struct thread *t = kzalloc(sizeof(*t));
    if (!t)
        return CLK_ENOMEM;
    uint64_t buf = CLK_IPC_BUFFER + (uint64_t)index * PAGE_SIZE;
    int err = vspace_map_new(&a->vs, buf, 1, VM_WRITE);
    if (err) {
        kfree(t);
        return err;
    }
    arch_lookup(a->vs.root, buf, &t->ipcbuf_pa, NULL);
    t->actor = a;
    t->index = index;
    t->slice = TIMESLICE_TICKS;
    t->sibling = a->threads;
    a->threads = t;
    a->nthreads++;
    *out = t;
    return 0;
}

static int build(struct actor *a, elf_read_fn *read, void *ctx, uint64_t size, uint64_t arg)
{
    struct thread *t;
    struct elf_image img;
    const char *why;
    int err = elf_check(read, ctx, size, &img, &why);
    if (err == CLK_EINVAL)
        log_warn("actor: cannot load \"%s\": %s", a->name, why);
    for (unsigned i = 0; !err && i < img.nseg; i++)
        err = load_segment(&a->vs, &img.seg[i], read, ctx);
    if (!err) /* the page below the stack stays unmapped: the guard */
        err = vspace_map_new(&a->vs, USER_STACK_TOP - USER_STACK_PAGES * PAGE_SIZE,
                             USER_STACK_PAGES, VM_WRITE);
    if (!err)
        err = add_thread(a, 0, &t);
    if (!err)
        arch_context_init(&t->ctx, &t->arch, img.entry, USER_STACK_TOP, arg);
    return err;
}

/* Put the argument block at the top of A's first thread's stack, below
 * which its stack then starts, and tell the thread where it lies. */
static int give_args(struct actor *a, const void *args, size_t len)
{
    struct thread *t = a->threads;
    uint64_t at = (USER_STACK_TOP - len) & ~(uint64_t)15;
    int err = copy_to_user(&a->vs, at, args, len);
    if (!err) {
        ctx_set_arg(&t->ctx, 1, at);
        ctx_set_arg(&t->ctx, 2, len);
        ctx_set_sp(&t->ctx, at);
    }
    return err;
}

/* Free what a half-built or dead actor holds (not its threads' IPC state). */
static void free_actor(struct actor *a)
{
    cap_table_destroy(a);
    if (a->fault.type != CAP_EMPTY)
        cap_drop(&a->fault);
    if (a->vs.root)
        vspace_destroy(&a->vs);
    while (a->threads) {
        struct thread *t = a->threads;
        a->threads = t->sibling;
        kfree(t);
    }
    kfree(a);
}

const struct clk_quota root_quota = {
    .pages = UINT32_MAX, /* as much as there is */
    .caps = ROOT_QUOTA_CAPS,
    .mailbox_slots = ROOT_QUOTA_MAILBOX_SLOTS,
    .threads = ROOT_QUOTA_THREADS,
};

struct actor *actor_find(uint64_t id)
{
    for (struct actor *a = actors; a; a = a->next)
        if (a->id == id)
            return a;
    return NULL;
}

struct actor *actor_next(uint64_t after)
{
    struct actor *best = NULL;
    for (struct actor *a = actors; a; a = a->next)
        if (a->id > after && (!best || a->id < best->id))
            best = a;
    return best;
}

int actor_spawn(const struct spawn_req *r, struct actor **out)
{
    if (r->prio > CLK_PRIO_MAX || r->ncaps > CLK_SPAWN_CAPS)
        return CLK_EINVAL;
    if (r->quota.threads == 0)
        return CLK_ENOMEM;
    struct actor *a = kzalloc(sizeof(*a));
    if (!a)
        return CLK_ENOMEM;
    a->quota = r->quota;
    strlcpy(a->name, r->name, sizeof(a->name));
    int err = cap_table_init(a);
    if (!err)
        err = vspace_init(&a->vs);
    a->vs.max_pages = a->quota.pages;
    for (unsigned i = 0; !err && i < r->ncaps; i++)
        if (cap_insert(a, r->caps[i]->type, r->caps[i]->obj, r->caps[i]->rights,
                       r->caps[i]->badge) < 0)
            err = CLK_ENOMEM;
    if (!err)
        err = build(a, r->read, r->ctx, r->size, r->arg);
    if (!err && r->args_len)
        err = give_args(a, r->args, r->args_len);
    if (err) {
        free_actor(a);
        return err;
    }
    if (r->fault)
        cap_hold(&a->fault, r->fault);
    a->id = next_id++;
    a->started_ns = clock_ns();
    a->next = actors;
    actors = a;
    nactors++;
    a->threads->prio = r->prio;
    sched_ready(a->threads);
    log_info("actor %u (%s) started: %lu pages", a->id, a->name, (unsigned long)a->vs.pages);
    *out = a;
    return 0;
}

/* Take T out of the scheduler, every IPC relation and the console's readers. */
static void detach(struct thread *t)
{
    sched_remove(t);
    ipc_thread_dies(t);
    async_thread_dies(t);
    console_read_cancel(t);
}

/* The waits with a deadline are SEND to a full mailbox, WAIT (nothing to
 * undo) and CONSOLE_READ; each cancel looks at T's state. */
int64_t thread_timed_out(struct thread *t)
{
    mailbox_send_cancel(t);
    console_read_cancel(t);
    return CLK_ETIMEDOUT;
}

static struct actor *root;
static void root_died(void);

void actor_destroy(struct actor *a, const char *reason)
{
    log_info("actor %u (%s) %s", a->id, a->name, reason);
    for (struct thread *t = a->threads; t; t = t->sibling) {
        detach(t); /* before its capabilities go: it may sit on an endpoint */
        arch_thread_gone(&t->arch);
    }
    console_actor_gone(a); /* the idle loop may take console input again */
    /* Never free the tables in use; a killer in another actor keeps its own. */
    struct thread *cur = sched_current();
    arch_activate(cur && cur->actor != a ? cur->actor->vs.root : vm_kernel_root());
    for (struct actor **p = &actors; *p; p = &(*p)->next)
        if (*p == a) {
            *p = a->next;
            break;
        }
    nactors--;
    bool was_root = a == root;
    free_actor(a);
    if (was_root)
        root_died();
}

/* Map the initrd's pages read-only (not owned) into A at USER_INITRD, and
 * give A a read-only boot memory object of the same pages, to pass on;
 * note both in BI. Returns 0 or a CLK_E* code. */
static int give_initrd(struct actor *a, struct clk_bootinfo *bi)
{
    const void *archive;
    size_t len;
    if (initrd_archive(&archive, &len) < 0 || len == 0)
        return 0; /* nothing to give: initrd_cap stays 0 */
    uint64_t pa = virt_to_phys(archive), first = ALIGN_DOWN(pa, PAGE_SIZE);
    uint64_t npages = (ALIGN_UP(pa + len, PAGE_SIZE) - first) / PAGE_SIZE;
    for (uint64_t i = 0; i < npages; i++) {
        int err = vspace_map_frame(&a->vs, USER_INITRD + i * PAGE_SIZE, first + i * PAGE_SIZE, 0);
        if (err)
            return err;
    }
    int slot = memobj_create_boot(a, first, npages, CLK_RIGHT_READ);
    if (slot < 0)
        return slot;
    bi->initrd = USER_INITRD + (pa - first);
    bi->initrd_len = len;
    bi->initrd_cap = (uint64_t)slot;
    bi->initrd_offset = pa - first;
    return 0;
}

/* Map the boot information and the initrd (read-only, not owned) into A,
 * and give it the initrd as a memory object and the monitor authority. */
static int give_boot_info(struct actor *a, const char *cmdline)
{
    struct clk_bootinfo bi = { .magic = CLK_BOOTINFO_MAGIC, .device_cap = CLK_CAP_INIT };
    strlcpy(bi.cmdline, cmdline, sizeof(bi.cmdline));
    arch_bootinfo_power(&bi);
    int err = give_initrd(a, &bi);
    if (!err) { /* the monitor authority, in the next free slot (the root alone has it) */
        int slot = cap_insert(a, monitor_authority.type, NULL, monitor_authority.rights, 0);
        err = slot < 0 ? slot : 0;
        bi.monitor_cap = slot < 0 ? 0 : (uint64_t)slot;
    }
    if (!err)
        err = vspace_map_new(&a->vs, USER_BOOTINFO, 1, 0); /* read-only for the actor */
    if (!err) {
        uint64_t pa;
        arch_lookup(a->vs.root, USER_BOOTINFO, &pa, NULL);
        memcpy(phys_to_virt(pa), &bi, sizeof(bi));
    }
    return err;
}

_Static_assert(USER_BOOTINFO == CLK_BOOTINFO_VA, "clk/abi.h and memlayout.h agree");

/* The root actor: what it was started from, and how often it died. */
static char root_path[CMDLINE_PATH_MAX], root_cmdline[sizeof(((struct clk_bootinfo *)0)->cmdline)];
static unsigned root_deaths;

/* The root's argument block (clk/abi.h): PATH, then the words of CMDLINE
 * after "--", then the empty string that ends the arguments, then the
 * environment: CLK_ROOT=1. */
static size_t root_args(char *out, size_t size, const char *path, const char *cmdline)
{
    size_t n = strlcpy(out, path, size) + 1;
    const char *p = cmdline;
    while (*p && !(p[0] == '-' && p[1] == '-' && (p == cmdline || p[-1] == ' ') &&
                   (p[2] == ' ' || !p[2])))
        p++;
    p += *p ? 2 : 0;
    while (*p && n + 1 < size) {
        while (*p == ' ')
            p++;
        while (*p && *p != ' ' && n + 2 < size)
            out[n++] = *p++;
        if (out[n - 1] != '\0')
            out[n++] = '\0';
        while (*p && *p != ' ')
            p++; /* a word too long for the block is cut */
    }
    out[n++] = '\0';
    return n + strlcpy(out + n, "CLK_ROOT=1", size - n) + 1;
}

bool actor_start_root(const char *path, const char *cmdline)
{
    const void *archive;
    size_t len;
    struct cpio_entry e;
    struct actor *a;
    static char args[CLK_ARGS_MAX];
    strlcpy(root_path, path, sizeof(root_path));
    strlcpy(root_cmdline, cmdline, sizeof(root_cmdline));
    if (initrd_archive(&archive, &len) < 0 || cpio_find(archive, len, path, &e) < 0) {
        log_info("root: no %s in the initrd; the kernel idles", path);
        return false;
    }
    struct elf_mem img = { e.data, e.size };
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    struct spawn_req req = {
        .read = elf_read_mem,
        .ctx = &img,
        .size = e.size,
        .name = name,
        .prio = ROOT_PRIO,             /* above the services it starts, which it must watch */
        .arg = 1,                      /* capabilities: */
        .caps = { &device_authority }, /* in slot CLK_CAP_INIT: the root actor alone has it */
        .ncaps = 1,
        .quota = root_quota,
        .args = args,
        .args_len = root_args(args, sizeof(args), path, cmdline),
    };
    int err = actor_spawn(&req, &a);
    if (!err && (err = give_boot_info(a, cmdline)) < 0)
        actor_destroy(a, "could not be given its boot information");
    if (err) {
        log_err("root: cannot start %s (error %d)", path, err);
        return false;
    }
    root = a;
    return true;
}

/* The root actor (the supervisor) died: it faulted, or exited with a
 * status other than 0. Nothing in user space can stand in for it, so every
 * other actor goes too and a new root starts, as after a boot; after
 * ROOT_DEATHS_MAX deaths user space stays down and the console says so. */
static void root_died(void)
{
    root = NULL;
    if (++root_deaths > ROOT_DEATHS_MAX) {
        log_err("root: %s died %u times; user space stays down (the kernel idles)", root_path,
                root_deaths);
    } else {
        log_err("root: %s died; restarting user space (%u of %u)", root_path, root_deaths,
                ROOT_DEATHS_MAX);
    }
    while (actors)
        actor_destroy(actors, "stopped: user space restarts");
    if (root_deaths <= ROOT_DEATHS_MAX)
        actor_start_root(root_path, root_cmdline);
}

void actor_exit(struct actor *a, int status)
{
    char why[48];
    ksnprintf(why, sizeof(why), "exited with status %d", status);
    if (a == root && status == 0)
        root = NULL; /* it meant to (the test runner does): the rest runs on */
    if (a->fault.type == CAP_MAILBOX) {
        uint64_t w[CLK_MSG_REGS] = { a->id, (uint64_t)(int64_t)status };
        int err = mailbox_post(a->fault.obj, CLK_TAG(CLK_LABEL_EXIT, 16), a->fault.badge, w);
        if (err)
            log_warn("actor %u (%s): its supervisor cannot be told it exited (error %d)", a->id,
                     a->name, err);
    }
    actor_destroy(a, why);
}

void actor_fault(struct thread *t, unsigned vec, const char *what, uint64_t addr, uint64_t rip,
                 uint64_t error, uint64_t rsp)
{
    struct actor *a = t->actor;
    char why[160];
    a->faults++;
    ksnprintf(why, sizeof(why), "%s (vector %u) at RIP %#lx, address %#lx, error %#lx", what, vec,
              (unsigned long)rip, (unsigned long)addr, (unsigned long)error);
    if (a->fault.type == CAP_MAILBOX) {
        uint64_t w[CLK_MSG_REGS] = { a->id, vec, addr, rip, error, rsp };
        int err = mailbox_post(a->fault.obj, CLK_TAG(CLK_LABEL_FAULT, 48), a->fault.badge, w);
        if (err == 0) { /* every thread stops where it is, out of all IPC */
            for (struct thread *u = a->threads; u; u = u->sibling) {
                detach(u);
                u->state = THREAD_STOPPED;
            }
            log_info("actor %u (%s) stopped: %s; its fault handler was told", a->id, a->name, why);
            return;
        }
        log_warn("actor %u (%s): its fault handler cannot be told (error %d)", a->id, a->name, err);
    }
    char killed[176];
    ksnprintf(killed, sizeof(killed), "killed: %s", why);
    actor_destroy(a, killed);
}

/* Where thread INDEX's kernel-made stack ends. */
static uint64_t thread_stack_top(unsigned index)
{
    return THREAD_STACKS_TOP - (uint64_t)(index - 1) * THREAD_STACK_STRIDE;
}

int thread_create(struct thread *t, uint64_t entry, uint64_t stack, uint64_t arg0, uint64_t arg1,
                  struct thread **out)
{
    struct actor *a = t->actor;
    unsigned most = MIN(a->quota.threads, CLK_THREADS_MAX);
    if (a->nthreads >= most)
        return CLK_ENOMEM;
    if (entry >= USER_TOP || stack >= USER_TOP || (stack & 15))
        return CLK_EINVAL; /* a bad entry would only fault in user mode; refuse it early */
    unsigned index = 0;    /* the lowest IPC buffer page free */
    for (bool taken = true; taken; index += taken) {
        taken = false;
        for (struct thread *u = a->threads; u; u = u->sibling)
            taken |= u->index == index;
    }
    struct thread *n = NULL;
    int err = add_thread(a, index, &n);
    if (!err && stack == 0 && index == 0) {
        stack = USER_STACK_TOP;      /* the first thread's stack, free since it ended */
    } else if (!err && stack == 0) { /* a stack of its own, above a guard page */
        stack = thread_stack_top(index);
        err = vspace_map_new(&a->vs, stack - USER_STACK_PAGES * PAGE_SIZE, USER_STACK_PAGES,
                             VM_WRITE);
        n->own_stack = !err;
    }
    if (err) {
        if (n)
            thread_exit(n);
        return err;
    }
    n->prio = t->prio;
    arch_context_init(&n->ctx, &n->arch, entry, stack, arg0);
    ctx_set_arg(&n->ctx, 2, arg1);
    ctx_set_arg(&n->ctx, 1, CLK_IPC_BUFFER + (uint64_t)index * PAGE_SIZE);
    sched_ready(n);
    *out = n;
    return 0;
}

void thread_exit(struct thread *t)
{
    struct actor *a = t->actor;
    if (a->nthreads == 1) {
        actor_exit(a, 0); /* its last thread ended */
        return;
    }
    detach(t); /* charges its CPU time, if it ran */
    arch_thread_gone(&t->arch);
    a->gone_cpu_ticks += t->cpu_ticks;
    a->gone_syscalls += t->syscalls;
    a->gone_sent += t->sent;
    a->gone_received += t->received;
    for (struct thread **p = &a->threads; *p; p = &(*p)->sibling)
        if (*p == t) {
            *p = t->sibling;
            break;
        }
    a->nthreads--;
    vspace_unmap_owned(&a->vs, CLK_IPC_BUFFER + (uint64_t)t->index * PAGE_SIZE);
    for (unsigned i = 0; t->own_stack && i < USER_STACK_PAGES; i++)
        vspace_unmap_owned(&a->vs, thread_stack_top(t->index) - (i + 1) * PAGE_SIZE);
    kfree(t);
}
