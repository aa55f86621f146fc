/*
 * memlayout.h: CLKernel's virtual and physical memory map, in one place.
 *
 * Virtual address space (x86_64, 4-level paging, 48-bit canonical addresses):
 *
 *  0xFFFF_FFFF_FFFF_FFFF +----------------------------------------+
 *                        | kernel image, linked at KERNEL_VBASE + |
 *                        | 1 MiB: .text r-x, .rodata/.ksyms r--,  |
 *                        | .data/.bss rw- (4 KiB pages, global)   |
 *  0xFFFF_FFFF_8000_0000 +---------------- KERNEL_VBASE ---------+
 *                        | unused                                 |
 *  0xFFFF_FF80_0000_0000 +---------------- MMIO_VBASE -----------+
 *                        | MMIO window: LAPIC, IOAPIC, firmware   |
 *                        | tables outside RAM; uncached, rw-      |
 *  0xFFFF_FF00_0000_0000 +---------------- KSTACK_VBASE ---------+
 *                        | kernel stacks: each KSTACK_SIZE of     |
 *                        | mapped pages above one unmapped guard  |
 *                        | page, in slots of KSTACK_SLOT bytes    |
 *  0xFFFF_FE00_0000_0000 +---------------- (end of direct map) --+
 *                        | direct map of physical memory: phys P  |
 *                        | is at DIRECT_MAP + P. Every 2 MiB      |
 *                        | chunk holding RAM is mapped rw-, 2 MiB |
 *                        | pages, global. Up to 126 TiB.          |
 *  0xFFFF_8000_0000_0000 +---------------- DIRECT_MAP -----------+
 *                        | non-canonical hole                     |
 *  0x0000_7FFF_FFFF_FFFF +----------------------------------------+
 *                        | (top page never mapped)                |
 *  0x0000_7FFF_FFFF_F000 +---------------- USER_STACK_TOP -------+
 *                        | user stack, USER_STACK_PAGES, above an |
 *                        | unmapped guard page                    |
 *                        | ...                                    |
 *  0x0000_7FFF_FF10_0000 +----------------------------------------+
 *                        | IPC buffers: thread I's is page I      |
 *  0x0000_7FFF_FF00_0000 +---------------- CLK_IPC_BUFFER -------+
 *                        | (guard page)                           |
 *                        | stacks of threads 1, 2, ... the kernel |
 *                        | made (THREAD_CREATE with stack 0), down|
 *                        | from THREAD_STACKS_TOP, each above an  |
 *                        | unmapped guard page                    |
 *                        | ...                                    |
 *                        | initrd, read-only (root actor only)    |
 *  0x0000_7F00_0000_1000 +---------------- USER_INITRD ----------+
 *                        | struct clk_bootinfo (root actor only)  |
 *  0x0000_7F00_0000_0000 +---------------- USER_BOOTINFO --------+
 *                        | ELF image and heap, from USER_MIN       |
 *  0x0000_0000_0040_0000 +---------------- USER_MIN -------------+
 *                        | never mapped: null pointers fault      |
 *  0x0000_0000_0000_0000 +----------------------------------------+
 *
 * Physical memory: the kernel image is loaded at 1 MiB. The first 1 MiB
 * (BIOS data, EBDA, VGA memory) is never handed to the frame allocator.
 * While booting, boot.S identity-maps the first 4 GiB and also maps it at
 * DIRECT_MAP and (first 1 GiB) at KERNEL_VBASE; vm_init() replaces those
 * tables with the final layout above, which has no identity mapping.
 */
#ifndef CLK_MEMLAYOUT_H
#define CLK_MEMLAYOUT_H

#ifdef __ASSEMBLER__
#define _UL(x) x
#else
#define _UL(x) x##UL
#endif

#define KERNEL_VBASE    _UL(0xFFFFFFFF80000000)
#define KERNEL_PBASE    _UL(0x100000)
#define MMIO_VBASE      _UL(0xFFFFFF8000000000)
#define MMIO_VSIZE      _UL(0x0000004000000000) /* 256 GiB */
#define KSTACK_VBASE    _UL(0xFFFFFF0000000000)
#define DIRECT_MAP      _UL(0xFFFF800000000000)
#define DIRECT_MAP_SIZE _UL(0x00007E0000000000) /* 126 TiB */
#define USER_TOP        _UL(0x0000800000000000)
#define USER_MIN        _UL(0x0000000000400000) /* lowest address of an ELF image */
#define USER_BOOTINFO   _UL(0x00007F0000000000) /* = top of the ELF image area */
#define USER_INITRD     _UL(0x00007F0000001000)
#define USER_STACK_TOP  _UL(0x00007FFFFFFFF000)
/* Thread I's kernel-made stack ends at THREAD_STACKS_TOP - (I - 1) * its
 * stride: USER_STACK_PAGES and a guard page below them. */
#define THREAD_STACKS_TOP   (CLK_IPC_BUFFER - PAGE_SIZE)
#define THREAD_STACK_STRIDE ((USER_STACK_PAGES + 1) * PAGE_SIZE)

#define PAGE_SHIFT 12
#define PAGE_SIZE  _UL(4096)
#define HUGE_SIZE  _UL(0x200000) /* 2 MiB */

/* Physical addresses lie below this (52 bits: the most x86_64 page tables hold). */
#define PHYS_LIMIT _UL(0x0010000000000000)

/* Boot page tables identity-map this much; multiboot data lives below it. */
#define BOOT_MAP_SIZE _UL(0x100000000) /* 4 GiB */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Physical address P as seen through the direct map. */
static inline void *phys_to_virt(uint64_t pa)
{
    return (void *)(pa + DIRECT_MAP);
}

/* Inverse of phys_to_virt(); VA must lie in the direct map. */
static inline uint64_t virt_to_phys(const void *va)
{
    return (uint64_t)va - DIRECT_MAP;
}

/* Physical address of a symbol in the kernel image. */
static inline uint64_t kimage_to_phys(const void *va)
{
    return (uint64_t)va - KERNEL_VBASE;
}
#endif

#endif
