/*
 * vm.h: virtual memory. The arch layer (arch/x86_64/paging.c) edits page
 * tables; vm.c lays out the kernel's half of every address space (see
 * memlayout.h): the direct map, the W^X kernel image, stacks and MMIO.
 */
#ifndef CLK_VM_H
#define CLK_VM_H

#include <bootinfo.h>
#include <kdefs.h>

/* Mapping permissions. Readable is implied; without VM_EXEC a page is NX. */
enum vm_flags {
    VM_WRITE = 1 << 0,
    VM_EXEC = 1 << 1,
    VM_USER = 1 << 2,
    VM_NOCACHE = 1 << 3,
    VM_GLOBAL = 1 << 4,
    VM_HUGE = 1 << 5,  /* a 2 MiB page (VA and PA 2 MiB-aligned) */
    VM_OWNED = 1 << 6, /* the address space owns the frame: freed with it */
};

/* ---- arch layer: page tables rooted at ROOT, the arch's handle of an
 * address space (on x86_64 the CR3 value: the top-level table's physical
 * address and its TLB tag, see arch/mmu.h) ---- */

/* Map VA to PA. Returns 0, CLK_EINVAL (misaligned or non-canonical VA),
 * CLK_EEXIST (already mapped) or CLK_ENOMEM (no frame for a table). */
int arch_map(uint64_t root, uint64_t va, uint64_t pa, unsigned flags);

/* Unmap the 4 KiB page at VA; *PA (if non-NULL) gets what it mapped.
 * Returns 0 or CLK_ENOENT. Flushes the TLB entry. */
int arch_unmap(uint64_t root, uint64_t va, uint64_t *pa);

/* If VA is mapped, true with its physical address and vm_flags. */
bool arch_lookup(uint64_t root, uint64_t va, uint64_t *pa, unsigned *flags);

/* Switch to the address space ROOT. */
void arch_activate(uint64_t root);

/* Switch to the kernel's tables KERNEL_ROOT for good, with global pages,
 * and with TLB tags per address space where the CPU has them (logged). */
void arch_mmu_init(uint64_t kernel_root);

/* A new address space that shares the kernel half; *ROOT gets its table.
 * Returns 0 or CLK_ENOMEM. */
int arch_space_create(uint64_t *root);

/* Free the user half of ROOT: every VM_OWNED frame, every table, and ROOT,
 * and forget its TLB entries. Returns the number of owned frames freed.
 * ROOT must not be active. */
uint64_t arch_space_destroy(uint64_t root);

/* ---- kernel address space ---- */

/* Build the final kernel page tables from the memory map and switch to them. */
void vm_init(const struct bootinfo *bi);

/* Physical address of the kernel's top-level page table. */
uint64_t vm_kernel_root(void);

/* Map SIZE bytes of device memory at PA uncached; *VA gets the address.
 * Returns 0, CLK_EINVAL or CLK_ENOMEM. */
int vm_map_mmio(uint64_t pa, size_t size, void **va);

/* A pointer to SIZE bytes at PA: the direct map when it covers them, an
 * uncached MMIO-window mapping otherwise. NULL when that fails. */
void *vm_map_phys(uint64_t pa, size_t size);

/* True when any page of [PA, PA+SIZE) is mapped by the kernel: in the
 * direct map (cached: the 2 MiB chunks that hold RAM, and the first) or in
 * the MMIO window (the local APIC, IOAPICs, firmware tables). Such pages
 * are never handed to drivers: the kernel drives them, or a second,
 * uncached mapping would clash with the cached one. */
bool vm_kernel_maps_phys(uint64_t pa, uint64_t size);

/* True when [PA, PA+SIZE) lies in the direct map. */
bool vm_direct_mapped(uint64_t pa, size_t size);

/* True when VA is mapped in the kernel half with at least FLAGS. */
bool vm_kernel_accessible(uint64_t va, unsigned flags);

#endif
