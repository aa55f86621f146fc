/*
 * runner.c: root actor of the kernel-core tests (boot with
 * "init=test/runner -- WORD..."). Each WORD names a program in the
 * initrd's test/ directory, with an optional ":PRIO"; the runner starts
 * them in order with SPAWN and exits. The word "ep" makes an endpoint and
 * "mb" a mailbox of 8 slots; "NAME:PRIO:r" passes the latest with the right
 * to receive, "NAME:PRIO:sB" with the right to send and badge B. The word "bad-spawns" makes
 * malformed SPAWN calls and prints what each returned.
 */
#include <actor/sys.h>
#include <cpio.h>
#include <kstring.h>

static const struct clk_bootinfo *bi;

/* The initrd file test/NAME, or NULL. */
static const struct cpio_entry *find(const char *name, struct cpio_entry *e)
{
    char path[64] = "test/";
    strlcpy(path + 5, name, sizeof(path) - 5);
    if (cpio_find((const void *)bi->initrd, bi->initrd_len, path, e) < 0)
        return NULL;
    return e;
}

static long object; /* made by the word "ep" (endpoint) or "mb" (mailbox) */

/* The capability to pass for SPEC: "r" (receive) or "sN" (send, badge N). */
static long cap_for(const char *spec, size_t n)
{
    if (!object || n == 0)
        return CLK_CAP_NONE;
    if (spec[0] == 'r')
        return clk_cap_mint(object, CLK_RIGHT_RECV, 0);
    uint64_t badge = 0;
    for (size_t i = 1; i < n; i++)
        badge = badge * 10 + (spec[i] - '0');
    return clk_cap_mint(object, CLK_RIGHT_SEND, badge);
}

/* NAME[:PRIO[:CAP]] */
static void spawn_word(const char *w, size_t n)
{
    char name[CLK_NAME_MAX];
    int prio = CLK_PRIO_DEFAULT;
    size_t k = 0;
    while (k < n && w[k] != ':' && k < sizeof(name) - 1)
        name[k] = w[k], k++;
    name[k] = '\0';
    if (k < n && w[k] == ':')
        for (prio = 0, k++; k < n && w[k] != ':'; k++)
            prio = prio * 10 + (w[k] - '0');
    long cap = k < n ? cap_for(w + k + 1, n - k - 1) : CLK_CAP_NONE;
    struct cpio_entry e;
    if (!find(name, &e)) {
        clk_printf("runner: no test/%s in the initrd\n", name);
        return;
    }
    long id = clk_spawn(e.data, e.size, name, prio, cap);
    clk_printf("runner: %s (priority %d) -> %ld\n", name, prio, id);
    if (cap != CLK_CAP_NONE)
        clk_cap_delete(cap); /* the child has its own copy */
}

static uint8_t copy[65536];

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
    try("null-image", clk_spawn(NULL, 4096, "x", 8, CLK_CAP_NONE));
    try("kernel-image", clk_spawn((void *)0xFFFFFFFF80100000UL, 4096, "x", 8, CLK_CAP_NONE));
    try("bad-name", clk_spawn(e.data, e.size, (const char *)8, 8, CLK_CAP_NONE));
    try("bad-priority", clk_spawn(e.data, e.size, "x", 99, CLK_CAP_NONE));
    try("truncated", clk_spawn(e.data, 30, "x", 8, CLK_CAP_NONE));
    memcpy(copy, e.data, e.size);
    copy[0] = 0x7E;
    try("bad-magic", clk_spawn(copy, e.size, "x", 8, CLK_CAP_NONE));
    memcpy(copy, e.data, e.size);
    uint64_t phoff;
    memcpy(&phoff, copy + 32, 8);
    copy[phoff + 4] = 7; /* p_flags = R|W|X */
    try("write-and-exec", clk_spawn(copy, e.size, "x", 8, CLK_CAP_NONE));
    try("unmapped-image", clk_spawn((void *)0x10000000UL, 4096, "x", 8, CLK_CAP_NONE));
    /* The last 32 bytes of the stack's top page: the page above is never mapped. */
    uint8_t here;
    const uint8_t *top = (const uint8_t *)(((uintptr_t)&here | 0xFFF) + 1);
    try("image-running-off-memory", clk_spawn(top - 32, 4096, "x", 8, CLK_CAP_NONE));
    try("good", clk_spawn(e.data, e.size, "hello", 8, CLK_CAP_NONE) > 0 ? 0 : -99);
    clk_printf("runner: bad spawns done\n");
}

int main(uintptr_t arg)
{
    bi = (const struct clk_bootinfo *)arg;
    if (!bi || bi->magic != CLK_BOOTINFO_MAGIC) {
        clk_printf("runner: no boot information\n");
        return 1;
    }
    const char *p = bi->cmdline;
    while (*p && !(p[0] == '-' && p[1] == '-' && (p[2] == ' ' || !p[2])))
        p++;
    clk_printf("runner: actor %ld, initrd of %lu bytes\n", clk_self(),
               (unsigned long)bi->initrd_len);
    while (*p) {
        p += p[0] == '-' ? 2 : 0;
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        if (p - w == 10 && memcmp(w, "bad-spawns", 10) == 0)
            bad_spawns();
        else if (p - w == 2 && memcmp(w, "ep", 2) == 0)
            clk_printf("runner: endpoint in slot %ld\n", object = clk_endpoint_create());
        else if (p - w == 2 && memcmp(w, "mb", 2) == 0)
            clk_printf("runner: mailbox in slot %ld\n", object = clk_mailbox_create(8));
        else if (p > w)
            spawn_word(w, p - w);
    }
    return 0;
}
