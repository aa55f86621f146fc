/*
 * paging.c: x86_64 4-level page tables. Tables are reached through the
 * direct map; new ones come zeroed from frame_alloc().
 */
#include <arch/cpu.h>
#include <clk/abi.h>
#include <frame.h>
#include <kstring.h>
#include <memlayout.h>
#include <vm.h>

#define PTE_P    (1UL << 0)
#define PTE_W    (1UL << 1)
#define PTE_U    (1UL << 2)
#define PTE_PWT  (1UL << 3)
#define PTE_PCD  (1UL << 4)
#define PTE_PS   (1UL << 7)
#define PTE_G    (1UL << 8)
#define PTE_OWN  (1UL << 9) /* software bit: the frame belongs to the space */
#define PTE_NX   (1UL << 63)
#define PTE_ADDR 0x000FFFFFFFFFF000UL

static uint64_t *table(uint64_t pa)
{
    return phys_to_virt(pa & PTE_ADDR);
}

static unsigned index_at(uint64_t va, int level) /* level 3 = PML4 ... 0 = PT */
{
    return (va >> (12 + 9 * level)) & 511;
}

static bool canonical(uint64_t va)
{
    return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

static uint64_t pte_from_flags(uint64_t pa, unsigned flags)
{
    uint64_t e = pa | PTE_P;
    if (flags & VM_WRITE)
        e |= PTE_W;
    if (flags & VM_USER)
        e |= PTE_U;
    if (flags & VM_NOCACHE)
        e |= PTE_PCD | PTE_PWT;
    if (flags & VM_GLOBAL)
        e |= PTE_G;
    if (flags & VM_HUGE)
        e |= PTE_PS;
    if (!(flags & VM_EXEC))
        e |= PTE_NX;
    if (flags & VM_OWNED)
        e |= PTE_OWN;
    return e;
}

static unsigned flags_from_pte(uint64_t e, bool huge)
{
    unsigned f = 0;
    if (e & PTE_W)
        f |= VM_WRITE;
    if (e & PTE_U)
        f |= VM_USER;
    if (e & PTE_PCD)
        f |= VM_NOCACHE;
    if (e & PTE_G)
        f |= VM_GLOBAL;
    if (!(e & PTE_NX))
        f |= VM_EXEC;
    if (huge)
        f |= VM_HUGE;
    if (e & PTE_OWN)
        f |= VM_OWNED;
    return f;
}

/* The entry for VA at LEVEL, creating missing tables above it when ALLOC.
 * NULL with *ERR = CLK_ENOENT (a table is missing), CLK_ENOMEM (no frame for
 * a new one) or CLK_EEXIST (a huge page covers VA). */
static uint64_t *walk(uint64_t root, uint64_t va, int level, bool alloc, bool user, int *err)
{
    uint64_t *t = table(root);
    for (int l = 3; l > level; l--) {
        uint64_t *e = &t[index_at(va, l)];
        if (!(*e & PTE_P)) {
            uint64_t pa;
            if (!alloc) {
                *err = CLK_ENOENT;
                return NULL;
            }
            if (frame_alloc(0, &pa) < 0) {
                *err = CLK_ENOMEM;
                return NULL;
            }
            memset(phys_to_virt(pa), 0, PAGE_SIZE);
            *e = pa | PTE_P | PTE_W | (user ? PTE_U : 0);
        } else if (*e & PTE_PS) {
            *err = CLK_EEXIST;
            return NULL;
        }
        if (user)
            *e |= PTE_U;
        t = table(*e);
    }
    return &t[index_at(va, level)];
}

int arch_map(uint64_t root, uint64_t va, uint64_t pa, unsigned flags)
{
    uint64_t align = (flags & VM_HUGE) ? HUGE_SIZE : PAGE_SIZE;
    int err;
    if (!canonical(va) || !IS_ALIGNED(va, align) || !IS_ALIGNED(pa, align) || (pa & ~PTE_ADDR))
        return CLK_EINVAL;
    uint64_t *e = walk(root, va, (flags & VM_HUGE) ? 1 : 0, true, flags & VM_USER, &err);
    if (!e)
        return err;
    if (*e & PTE_P)
        return CLK_EEXIST;
    *e = pte_from_flags(pa, flags);
    return 0;
}

int arch_unmap(uint64_t root, uint64_t va, uint64_t *pa)
{
    int err;
    uint64_t *e = canonical(va) ? walk(root, va, 0, false, false, &err) : NULL;
    if (!e || !(*e & PTE_P))
        return CLK_ENOENT;
    if (pa)
        *pa = *e & PTE_ADDR;
    *e = 0;
    invlpg(va);
    return 0;
}

bool arch_lookup(uint64_t root, uint64_t va, uint64_t *pa, unsigned *flags)
{
    if (!canonical(va))
        return false;
    uint64_t *t = table(root);
    for (int l = 3; l >= 0; l--) {
        uint64_t e = t[index_at(va, l)];
        if (!(e & PTE_P))
            return false;
        if (l == 0 || (e & PTE_PS)) {
            uint64_t span = 1UL << (12 + 9 * l);
            if (pa)
                *pa = (e & PTE_ADDR & ~(span - 1)) + (va & (span - 1));
            if (flags)
                *flags = flags_from_pte(e, l > 0);
            return true;
        }
        t = table(e);
    }
    return false;
}

void arch_activate(uint64_t root)
{
    write_cr3(root);
}

int arch_space_create(uint64_t *root)
{
    if (frame_alloc(0, root) < 0)
        return CLK_ENOMEM;
    uint64_t *t = phys_to_virt(*root);
    const uint64_t *k = table(vm_kernel_root());
    memset(t, 0, PAGE_SIZE / 2);
    memcpy(t + 256, k + 256, PAGE_SIZE / 2); /* the shared kernel half */
    return 0;
}

/* Free the table at PA of LEVEL and everything it owns below it. */
static uint64_t free_table(uint64_t pa, int level)
{
    uint64_t *t = table(pa), freed = 0;
    for (int i = 0; i < 512; i++) {
        uint64_t e = t[i];
        if (!(e & PTE_P))
            continue;
        if (level > 0 && !(e & PTE_PS))
            freed += free_table(e, level - 1);
        else if (e & PTE_OWN)
            frame_free(e & PTE_ADDR), freed++;
    }
    frame_free(pa & PTE_ADDR);
    return freed;
}

uint64_t arch_space_destroy(uint64_t root)
{
    uint64_t *t = table(root), freed = 0;
    for (int i = 0; i < 256; i++)
        if (t[i] & PTE_P)
            freed += free_table(t[i], 2);
    frame_free(root);
    return freed;
}
