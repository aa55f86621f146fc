/*
 * arch/mmu.h: the address space the CPU has loaded. On x86_64 an address
 * space's root (struct vspace) is the CR3 value that loads it: the physical
 * address of its top-level table, its PCID in bits 0-11 and, when that
 * PCID is its own, the no-flush bit 63, so that switching to it keeps the
 * TLB entries it left behind (paging.c hands out PCIDs and invalidates
 * them). Shared by paging.c and the thread switch in uentry.c.
 */
#ifndef CLK_ARCH_MMU_H
#define CLK_ARCH_MMU_H

#include <arch/cpu.h>

#define CR3_NOFLUSH (1UL << 63)
#define CR3_PCID    0xFFFUL

extern uint64_t mmu_root; /* the root loaded in CR3 now */

/* Load the address space ROOT, unless it is loaded already. */
static inline void mmu_load(uint64_t root)
{
    if (root != mmu_root) {
        mmu_root = root;
        write_cr3(root);
    }
}

#endif
