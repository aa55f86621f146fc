/*
 * runner.c: root actor of the kernel-core tests (boot with
 * "init=test/runner -- WORD..."). It carries out the words in order, then
 * exits (or first waits for fault messages, see "watch"):
 *
 *   ep, mb, nt     make an endpoint, a mailbox of 8 slots, a notification
 *   mem:N          make a memory object of N pages
 *   file:PATH      make a memory object holding the initrd file PATH
 *                  (objects 1, 2, 3, ... in the order made)
 *   NAME[|ARG...][:PRIO[:CAPS[:QUOTA]]]
 *                  spawn test/NAME from the initrd (or NAME, when it is a
 *                  path such as bin/greeter), with the arguments
 *                  NAME ARG... and the environment HOME=/ CLK_RUNNER=1. CAPS is a comma list of
 *                  r (receive right), sB (send right, badge B), gB (send
 *                  and grant rights, badge B), R (read)
 *                  or W (read and write), each with
 *                  an optional @N for object N (default: the latest);
 *                  or D, a copy of the runner's device authority.
 *                  QUOTA is PAGES/CAPS/MAILBOX_SLOTS/THREADS, a blank
 *                  field meaning "as much as the runner has"
 *   watch:N        from now on, children's faults come to the runner; at
 *                  the end, wait for N fault messages, report each and
 *                  kill the actor (exit messages are reported on the way)
 *   bad-spawns     malformed SPAWN calls, printing what each returned
 */
#include <actor/sys.h>
#include <cpio.h>
#include <kstring.h>

static const struct clk_bootinfo *bi;
static long objects[16], nobjects;
static long fault_mailbox;
static struct {
    long id, cap;
} children[64];
static int nchildren;

/* The initrd file test/NAME (or NAME itself when it has a '/'), or NULL. */
static const struct cpio_entry *find(const char *name, struct cpio_entry *e)
{
    char path[64] = "test/";
    strlcpy(path + (strchr(name, '/') ? 0 : 5), name, sizeof(path) - 5);
    if (cpio_find((const void *)bi->initrd, bi->initrd_len, path, e) < 0)
        return NULL;
    return e;
}

static uint64_t number(const char **p, const char *end)
{
    uint64_t n = 0;
    while (*p < end && **p >= '0' && **p <= '9')
        n = n * 10 + (uint64_t)(*(*p)++ - '0');
    return n;
}

/* One capability SPEC of [P, END): a freshly minted slot, or 0. */
static long cap_for(const char *p, const char *end)
{
    char kind = *p++;
    if (kind == 'D')
        return clk_cap_mint((long)bi->device_cap, CLK_RIGHTS_ALL, 0);
    uint64_t badge = kind == 's' || kind == 'g' ? number(&p, end) : 0;
    unsigned rights = kind == 'r'   ? CLK_RIGHT_RECV
                      : kind == 's' ? CLK_RIGHT_SEND
                      : kind == 'g' ? CLK_RIGHT_SEND | CLK_RIGHT_GRANT
                      : kind == 'R' ? CLK_RIGHT_READ
                                    : CLK_RIGHT_READ | CLK_RIGHT_WRITE;
    long obj = nobjects ? objects[nobjects - 1] : 0;
    if (p < end && *p == '@') {
        p++;
        uint64_t n = number(&p, end);
        obj = n >= 1 && (long)n <= nobjects ? objects[n - 1] : 0;
    }
    if (!obj)
        return CLK_CAP_NONE;
    return clk_cap_mint(obj, rights, badge);
}

/* file:PATH: a memory object with the initrd file PATH (from [W, END)). */
static void file_word(const char *w, const char *end)
{
    char path[64];
    struct cpio_entry e;
    size_t n = (size_t)(end - w) < sizeof(path) ? (size_t)(end - w) : sizeof(path) - 1;
    memcpy(path, w, n);
    path[n] = 0;
    const unsigned long va = 0x300000000000UL;
    long obj = CLK_ENOENT;
    if (cpio_find((const void *)bi->initrd, bi->initrd_len, path, &e) == 0 &&
        (obj = clk_memory_create((e.size + 4095) / 4096)) > 0 &&
        clk_map(obj, va, CLK_MAP_WRITE) == 0) {
        memcpy((void *)va, e.data, e.size);
        clk_unmap(va);
    }
    clk_printf("runner: %s in memory, slot %ld\n", path, obj);
    if (nobjects < 16)
        objects[nobjects++] = obj;
}

/* NAME[:PRIO[:CAPS[:QUOTA]]] */
static void spawn_word(const char *w, const char *end)
{
    char name[CLK_NAME_MAX];
    static char args[512];
    struct clk_spawn sp = { .prio = CLK_PRIO_DEFAULT, .fault = (uint64_t)fault_mailbox };
    size_t k = 0, n = 0;
    while (w < end && *w != ':' && *w != '|' && k < sizeof(name) - 1)
        name[k++] = *w++;
    name[k] = '\0';
    /* argv: NAME, then each |ARG; an empty string; the environment. */
    memcpy(args, name, k + 1), n = k + 1;
    while (w < end && *w == '|' && n < sizeof(args) - 64) {
        for (w++; w < end && *w != '|' && *w != ':' && n < sizeof(args) - 64; w++)
            args[n++] = *w;
        args[n++] = '\0';
    }
    static const char env[] = "\0HOME=/\0CLK_RUNNER=1";
    memcpy(args + n, env, sizeof(env)), n += sizeof(env);
    sp.args = (uint64_t)args, sp.args_len = n;
    if (w < end && *w == ':') {
        w++;
        sp.prio = (unsigned)number(&w, end);
    }
    if (w < end && *w == ':') /* the capabilities */
        for (w++; w < end && *w != ':'; w += *w == ',') {
            const char *spec = w;
            while (w < end && *w != ',' && *w != ':')
                w++;
            if (w > spec && sp.ncaps < CLK_SPAWN_CAPS)
                sp.caps[sp.ncaps++] = (uint64_t)cap_for(spec, w);
        }
    if (w < end && *w == ':') { /* the quota */
        unsigned *field[4] = { &sp.quota.pages, &sp.quota.caps, &sp.quota.mailbox_slots,
                               &sp.quota.threads };
        w++;
        for (int i = 0; i < 4 && w < end; i++, w += w < end && *w == '/')
            *field[i] = (unsigned)number(&w, end);
    }
    struct cpio_entry e;
    if (!find(name, &e)) {
        clk_printf("runner: no test/%s in the initrd\n", name);
        return;
    }
    sp.elf = (uint64_t)e.data;
    sp.len = e.size;
    sp.name = (uint64_t)(strrchr(name, '/') ? strrchr(name, '/') + 1 : name);
    long cap = clk_spawn(&sp);
    long id = cap > 0 ? clk_actor_id(cap) : cap;
    clk_printf("runner: %s (priority %u) -> %ld\n", name, sp.prio, id);
    if (cap > 0 && nchildren < 64)
        children[nchildren].id = id, children[nchildren++].cap = cap;
    for (unsigned i = 0; i < sp.ncaps; i++)
        clk_cap_delete((long)sp.caps[i]); /* the child has its own copies */
}

/* Wait for N fault messages; report each and kill the actor. */
static void watch(long n)
{
    struct clk_msg m = { 0 };
    uint64_t badge;
    while (n > 0) {
        long r = clk_wait(5000000000ULL, &m, &badge);
        if (r >= 0 && CLK_TAG_LABEL(m.tag) == CLK_LABEL_EXIT) { /* not a fault: wait on */
            clk_printf("runner: exit message: actor %lu, status %ld\n", (unsigned long)m.w[0],
                       (long)m.w[1]);
            continue;
        }
        n--;
        if (r < 0 || CLK_TAG_LABEL(m.tag) != CLK_LABEL_FAULT) {
            clk_printf("runner: no fault message (%ld)\n", r);
            return;
        }
        clk_printf("runner: fault of actor %lu: vector %lu, address %#lx, rip %#lx, error %#lx, "
                   "rsp %#lx\n",
                   (unsigned long)m.w[0], (unsigned long)m.w[1], (unsigned long)m.w[2],
                   (unsigned long)m.w[3], (unsigned long)m.w[4], (unsigned long)m.w[5]);
        for (int i = 0; i < nchildren; i++)
            if (children[i].id == (long)m.w[0]) {
                long first = clk_actor_kill(children[i].cap);
                long again = clk_actor_kill(children[i].cap);
                clk_printf("runner: kill %lu -> %ld, again -> %ld\n", (unsigned long)m.w[0], first,
                           again);
            }
    }
}

static uint8_t copy[65536];

static long spawn_image(const void *elf, size_t len, const char *name, unsigned prio)
{
    struct clk_spawn sp = {
        .elf = (uint64_t)elf, .len = len, .name = (uint64_t)name, .prio = prio
    };
    return clk_spawn(&sp);
}

static void try(const char *what, long ret)
{
    clk_printf("runner: bad spawn %s -> %ld\n", what, ret);
}

/* Patch the first program header's flags of a copy of hello to W+X. */
static void bad_spawns(void)
{
    struct cpio_entry e;
    if (!find("hello", &e) || e.size > sizeof(copy)) {
        clk_printf("runner: no usable test/hello\n");
        return;
    }
    try("null-image", spawn_image(NULL, 4096, "x", 8));
    try("kernel-image", spawn_image((void *)0xFFFFFFFF80100000UL, 4096, "x", 8));
    try("bad-name", spawn_image(e.data, e.size, (const char *)8, 8));
    try("bad-priority", spawn_image(e.data, e.size, "x", 99));
    try("truncated", spawn_image(e.data, 30, "x", 8));
    memcpy(copy, e.data, e.size);
    copy[0] = 0x7E;
    try("bad-magic", spawn_image(copy, e.size, "x", 8));
    memcpy(copy, e.data, e.size);
    uint64_t phoff;
    memcpy(&phoff, copy + 32, 8);
    copy[phoff + 4] = 7; /* p_flags = R|W|X */
    try("write-and-exec", spawn_image(copy, e.size, "x", 8));
    try("unmapped-image", spawn_image((void *)0x10000000UL, 4096, "x", 8));
    /* The last 32 bytes of the stack's top page: the page above is never mapped. */
    uint8_t here;
    const uint8_t *top = (const uint8_t *)(((uintptr_t)&here | 0xFFF) + 1);
    try("image-running-off-memory", spawn_image(top - 32, 4096, "x", 8));
    try("unmapped-arguments", clk_spawn((const struct clk_spawn *)0x10000000UL));
    struct clk_spawn sp = {
        .elf = (uint64_t)e.data, .len = e.size, .name = (uint64_t) "x", .prio = 8, .ncaps = 9
    };
    try("too-many-caps", clk_spawn(&sp));
    sp.ncaps = 1, sp.caps[0] = 999;
    try("bad-cap", clk_spawn(&sp));
    sp.ncaps = 0, sp.fault = 999;
    try("bad-fault-mailbox", clk_spawn(&sp));
    sp.fault = 0, sp.quota.caps = 100000;
    try("quota-above-own", clk_spawn(&sp));
    sp.quota.caps = 0, sp.quota.pages = 3;
    try("image-over-page-quota", clk_spawn(&sp));
    try("good", spawn_image(e.data, e.size, "hello", 8) > 0 ? 0 : -99);
    clk_printf("runner: bad spawns done\n");
}

int main(long ncaps)
{
    (void)ncaps; /* the device authority, in slot 1 (bi->device_cap) */
    bi = (const struct clk_bootinfo *)CLK_BOOTINFO_VA;
    if (!bi || bi->magic != CLK_BOOTINFO_MAGIC) {
        clk_printf("runner: no boot information\n");
        return 1;
    }
    const char *p = bi->cmdline;
    long faults = 0;
    while (*p && !(p[0] == '-' && p[1] == '-' && (p[2] == ' ' || !p[2])))
        p++;
    clk_printf("runner: actor %ld, initrd of %lu bytes, device authority in slot %lu\n", clk_self(),
               (unsigned long)bi->initrd_len, (unsigned long)bi->device_cap);
    while (*p) {
        p += p[0] == '-' ? 2 : 0;
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        size_t n = (size_t)(p - w);
        if (n == 10 && memcmp(w, "bad-spawns", 10) == 0) {
            bad_spawns();
        } else if (n == 2 && (memcmp(w, "ep", 2) == 0 || memcmp(w, "mb", 2) == 0 ||
                              memcmp(w, "nt", 2) == 0)) {
            long obj = w[0] == 'e'   ? clk_endpoint_create()
                       : w[0] == 'm' ? clk_mailbox_create(8)
                                     : clk_notification_create();
            clk_printf("runner: %s in slot %ld\n",
                       w[0] == 'e'   ? "endpoint"
                       : w[0] == 'm' ? "mailbox"
                                     : "notification",
                       obj);
            if (nobjects < 16)
                objects[nobjects++] = obj;
        } else if (n > 4 && memcmp(w, "mem:", 4) == 0) {
            const char *q = w + 4;
            long obj = clk_memory_create(number(&q, p));
            clk_printf("runner: memory in slot %ld\n", obj);
            if (nobjects < 16)
                objects[nobjects++] = obj;
        } else if (n > 5 && memcmp(w, "file:", 5) == 0) {
            file_word(w + 5, p);
        } else if (n > 6 && memcmp(w, "watch:", 6) == 0) {
            const char *q = w + 6;
            faults = (long)number(&q, p);
            fault_mailbox = clk_mailbox_create(8);
            clk_bind(fault_mailbox);
        } else if (n > 0) {
            spawn_word(w, p);
        }
    }
    watch(faults);
    return 0;
}
