/*
 * paging.c: x86_64 4-level page tables, and the TLB. Tables are reached
 * through the direct map; new ones come zeroed from frame_alloc().
 *
 * Where the CPU has PCIDs, each address space gets one of its own (1-4095)
 * while any are free, and switching to it keeps its TLB entries (CR3 bit
 * 63, see arch/mmu.h). A PCID's entries are invalidated before anybody else
 * can use them: when a page of a space that is not loaded is unmapped, and
 * when the space is destroyed and its PCID goes back to the pool. Spaces
 * created while all PCIDs are taken share PCID 0 with the kernel's tables
 * and flush it on every switch, as every space does without PCIDs. Kernel
 * mappings are global, so the TLB shares them across PCIDs; unmapping a
 * kernel page that is not global flushes every PCID.
 */
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <clk/abi.h>
#include <frame.h>
#include <kstring.h>
#include <log.h>
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

#define CPUID1_PCID     (1u << 17) /* CPUID.01H:ECX */
#define CPUID7_INVPCID  (1u << 10) /* CPUID.(07H,0):EBX */
#define INVPCID_ADDRESS 0          /* one page of one PCID */
#define INVPCID_CONTEXT 1          /* all non-global entries of one PCID */
#define INVPCID_ALL     2          /* everything, global entries included */
#define PCIDS           4096

uint64_t mmu_root;
static bool pcid_on, invpcid_on;
static uint64_t pcid_taken[PCIDS / 64]; /* PCID 0 is never handed out: it is shared */

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

static void invpcid(unsigned type, uint64_t pcid, uint64_t va)
{
    struct {
        uint64_t pcid, va;
    } desc = { pcid, va };
    __asm__ volatile("invpcid %0, %1" : : "m"(desc), "r"((uint64_t)type) : "memory");
}

/* Forget every TLB entry of ROOT's PCID; ROOT is not loaded. */
static void flush_pcid(uint64_t root)
{
    if (invpcid_on) {
        invpcid(INVPCID_CONTEXT, root & CR3_PCID, 0);
    } else {
        /* A load without the no-flush bit flushes the PCID. The kernel's
         * tables go with it: ROOT's may be freed already. */
        write_cr3(vm_kernel_root() | (root & CR3_PCID));
        write_cr3(mmu_root);
    }
}

/* The entry at VA of ROOT, which mapped a page with PTE, is gone: drop
 * whatever TLB entries still hold it. */
static void flush_page(uint64_t root, uint64_t va, uint64_t pte)
{
    if (va >= USER_TOP && !(pte & PTE_G) && pcid_on) {
        /* A kernel page that is not global may be cached under any PCID. */
        if (invpcid_on) {
            invpcid(INVPCID_ALL, 0, 0);
        } else {
            uint64_t cr4 = read_cr4();
            write_cr4(cr4 & ~CR4_PGE); /* toggling PGE flushes every PCID */
            write_cr4(cr4);
        }
    } else if (va >= USER_TOP || root == mmu_root) {
        invlpg(va); /* the loaded PCID's entry, and any global one */
    } else if (root & CR3_PCID) {
        /* A space that is not loaded keeps its entries under its PCID. */
        if (invpcid_on)
            invpcid(INVPCID_ADDRESS, root & CR3_PCID, va);
        else
            flush_pcid(root);
    }
    /* Otherwise ROOT shares PCID 0, which is flushed whenever it is loaded. */
}

int arch_unmap(uint64_t root, uint64_t va, uint64_t *pa)
{
    int err;
    uint64_t *e = canonical(va) ? walk(root, va, 0, false, false, &err) : NULL;
    if (!e || !(*e & PTE_P))
        return CLK_ENOENT;
    uint64_t old = *e;
    if (pa)
        *pa = old & PTE_ADDR;
    *e = 0;
    flush_page(root, va, old);
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
    mmu_load(root);
}

void arch_mmu_init(uint64_t kernel_root)
{
    uint32_t r[4];
    cpuid(0, 0, r);
    unsigned max_leaf = r[0];
    cpuid(1, 0, r);
    pcid_on = r[2] & CPUID1_PCID;
    if (pcid_on && max_leaf >= 7) {
        cpuid(7, 0, r);
        invpcid_on = r[1] & CPUID7_INVPCID;
    }
    write_cr4(read_cr4() | CR4_PGE);
    mmu_root = kernel_root;
    write_cr3(kernel_root);
    if (pcid_on) { /* CR3 holds PCID 0 now, as setting CR4.PCIDE requires */
        write_cr4(read_cr4() | CR4_PCIDE);
        log_info("paging: PCID on: %u address spaces keep their TLB entries across switches "
                 "(INVPCID %s)",
                 PCIDS - 1, invpcid_on ? "used" : "absent: flushes reload CR3");
    } else {
        log_info("paging: no PCID on this CPU: every address-space switch flushes the TLB");
    }
}

/* A PCID no space holds (its TLB entries were flushed when it was freed),
 * or 0, the shared one, when none is free or the CPU has no PCIDs. */
static uint64_t pcid_alloc(void)
{
    if (!pcid_on)
        return 0;
    for (unsigned i = 0; i < ARRAY_SIZE(pcid_taken); i++) {
        uint64_t free = ~pcid_taken[i] & (i == 0 ? ~1UL : ~0UL);
        if (free) {
            unsigned bit = __builtin_ctzll(free);
            pcid_taken[i] |= 1UL << bit;
            return i * 64 + bit;
        }
    }
    return 0;
}

int arch_space_create(uint64_t *root)
{
    uint64_t pa;
    if (frame_alloc(0, &pa) < 0)
        return CLK_ENOMEM;
    uint64_t *t = phys_to_virt(pa);
    const uint64_t *k = table(vm_kernel_root());
    memset(t, 0, PAGE_SIZE / 2);
    memcpy(t + 256, k + 256, PAGE_SIZE / 2); /* the shared kernel half */
    uint64_t pcid = pcid_alloc();
    *root = pa | pcid | (pcid ? CR3_NOFLUSH : 0);
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
    uint64_t *t = table(root), freed = 0, pcid = root & CR3_PCID;
    for (int i = 0; i < 256; i++)
        if (t[i] & PTE_P)
            freed += free_table(t[i], 2);
    frame_free(root & PTE_ADDR);
    if (pcid) { /* the next space to get this PCID must find none of ours */
        flush_pcid(root);
        pcid_taken[pcid / 64] &= ~(1UL << (pcid % 64));
    }
    return freed;
}
