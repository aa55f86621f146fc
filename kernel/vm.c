/*
 * vm.c: the kernel's half of the address space (see memlayout.h).
 */
#include <clk/abi.h>
#include <frame.h>
#include <kstack.h>
#include <kstring.h>
#include <log.h>
#include <memlayout.h>
#include <panic.h>
#include <param.h>
#include <vm.h>

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[], __ksyms_start[], __ksyms_end[];

extern char __kernel_pstart[], __kernel_pend[];

static uint64_t kernel_root;
static uint64_t direct_top; /* the direct map covers no chunk at or above this */
static uint64_t mmio_next = MMIO_VBASE;

/* Physical ranges mapped in the MMIO window, [lo, hi), page-aligned. */
static struct {
    uint64_t lo, hi;
} kernel_mmio[KERNEL_MMIO_RANGES];
static unsigned nkernel_mmio;

/* Note [LO, HI) as the kernel's, merged with a range it touches; when the
 * table is full the last range grows to cover it, which refuses drivers
 * more than needed but never less. */
static void remember_mmio(uint64_t lo, uint64_t hi)
{
    unsigned i = 0;
    while (i < nkernel_mmio && (lo > kernel_mmio[i].hi || kernel_mmio[i].lo > hi))
        i++;
    if (i == nkernel_mmio && nkernel_mmio < KERNEL_MMIO_RANGES)
        kernel_mmio[nkernel_mmio++] = (typeof(kernel_mmio[0])){ lo, hi };
    i = MIN(i, nkernel_mmio - 1);
    kernel_mmio[i].lo = MIN(kernel_mmio[i].lo, lo);
    kernel_mmio[i].hi = MAX(kernel_mmio[i].hi, hi);
}

static bool is_ram(uint32_t type)
{
    return type == MEM_USABLE || type == MEM_ACPI_RECLAIM || type == MEM_ACPI_NVS;
}

static void map_or_die(uint64_t va, uint64_t pa, unsigned flags)
{
    int err = arch_map(kernel_root, va, pa, flags);
    if (err)
        kpanic("vm: cannot map %#lx -> %#lx (error %d)", (unsigned long)va, (unsigned long)pa, err);
}

/* True when the 2 MiB chunk at C holds RAM (chunk 0 always counts: BIOS
 * data, the EBDA and VGA memory live there). */
static bool chunk_wanted(const struct bootinfo *bi, uint64_t c)
{
    if (c == 0)
        return true;
    for (unsigned i = 0; i < bi->nmem; i++) {
        const struct mem_region *r = &bi->mem[i];
        if (is_ram(r->type) && r->base < c + HUGE_SIZE && r->base + r->len > c)
            return true;
    }
    return false;
}

/* Map the chunk at C. Chunks that hold part of the kernel image get 4 KiB
 * pages, and the image's own pages are read-only there, so the direct map
 * gives no writable alias of kernel text or read-only data (W^X). */
static void map_chunk(uint64_t c)
{
    uint64_t img_lo = (uint64_t)__kernel_pstart, img_hi = (uint64_t)__kernel_pend;
    if (c + HUGE_SIZE <= img_lo || c >= img_hi) {
        map_or_die(DIRECT_MAP + c, c, VM_WRITE | VM_GLOBAL | VM_HUGE);
        return;
    }
    for (uint64_t pa = c; pa < c + HUGE_SIZE; pa += PAGE_SIZE) {
        bool image = pa >= img_lo && pa < img_hi;
        map_or_die(DIRECT_MAP + pa, pa, (image ? 0 : VM_WRITE) | VM_GLOBAL);
    }
}

/* Map every chunk that holds RAM. */
static void map_direct(const struct bootinfo *bi)
{
    for (unsigned i = 0; i < bi->nmem; i++) {
        const struct mem_region *r = &bi->mem[i];
        if (is_ram(r->type))
            direct_top =
                MAX(direct_top, MIN(ALIGN_UP(r->base + r->len, HUGE_SIZE), DIRECT_MAP_SIZE));
    }
    direct_top = MAX(direct_top, HUGE_SIZE);
    for (uint64_t c = 0; c < direct_top; c += HUGE_SIZE)
        if (chunk_wanted(bi, c))
            map_chunk(c);
}

static bool is_static_guard(uint64_t va)
{
    for (int i = 0; i < KSTACK_STATIC_COUNT; i++)
        if (va == kstack_static_guard(i))
            return true;
    return false;
}

static void map_image_range(char *start, char *end, unsigned flags)
{
    for (uint64_t va = (uint64_t)start; va < (uint64_t)end; va += PAGE_SIZE)
        if (!is_static_guard(va))
            map_or_die(va, kimage_to_phys((void *)va), flags | VM_GLOBAL);
}

/* Pre-create the PDPTs of the kernel half that later mappings use, so every
 * future address space can share the kernel half by copying its PML4 slots. */
static void prefill_kernel_slots(void)
{
    uint64_t vas[] = { KSTACK_VBASE, MMIO_VBASE };
    for (unsigned i = 0; i < ARRAY_SIZE(vas); i++) {
        map_or_die(vas[i], 0, 0); /* creates the tables on the way */
        arch_unmap(kernel_root, vas[i], NULL);
    }
}

void vm_init(const struct bootinfo *bi)
{
    if (frame_alloc(0, &kernel_root) < 0)
        kpanic("vm: no memory for the kernel page tables");
    memset(phys_to_virt(kernel_root), 0, PAGE_SIZE);

    map_direct(bi);
    map_image_range(__text_start, __text_end, VM_EXEC);
    map_image_range(__rodata_start, __rodata_end, 0);
    map_image_range(__data_start, __data_end, VM_WRITE);
    map_image_range(__ksyms_start, __ksyms_end, 0);
    prefill_kernel_slots();

    arch_mmu_init(kernel_root); /* switch to them; global pages, PCIDs */
    log_info("vm: direct map up to %lu MiB, kernel image W^X, null page and user half unmapped",
             (unsigned long)(direct_top >> 20));
}

uint64_t vm_kernel_root(void)
{
    return kernel_root;
}

bool vm_direct_mapped(uint64_t pa, size_t size)
{
    if (size == 0 || pa + size < pa)
        return false;
    if (!kernel_root)
        return pa + size <= BOOT_MAP_SIZE; /* the boot tables map 4 GiB */
    if (pa + size > direct_top)
        return false;
    /* Chunks are mapped whole (with one 2 MiB or 512 4 KiB pages). */
    for (uint64_t c = ALIGN_DOWN(pa, HUGE_SIZE); c < pa + size; c += HUGE_SIZE)
        if (!arch_lookup(kernel_root, DIRECT_MAP + c, NULL, NULL))
            return false;
    return true;
}

int vm_map_mmio(uint64_t pa, size_t size, void **va)
{
    if (size == 0 || size > MMIO_VSIZE || pa + size < pa)
        return CLK_EINVAL;
    uint64_t first = ALIGN_DOWN(pa, PAGE_SIZE);
    uint64_t last = ALIGN_UP(pa + size, PAGE_SIZE);
    if (last - first > MMIO_VBASE + MMIO_VSIZE - mmio_next)
        return CLK_ENOMEM;
    remember_mmio(first, last); /* so that no driver is ever given these pages */
    uint64_t base = mmio_next;
    mmio_next += last - first; /* the range stays reserved even if mapping fails */
    for (uint64_t p = first; p < last; p += PAGE_SIZE) {
        int err = arch_map(kernel_root, base + (p - first), p, VM_WRITE | VM_NOCACHE | VM_GLOBAL);
        if (err)
            return err;
    }
    *va = (void *)(base + (pa - first));
    return 0;
}

bool vm_kernel_maps_phys(uint64_t pa, uint64_t size)
{
    if (size == 0 || pa + size < pa)
        return false;
    for (unsigned i = 0; i < nkernel_mmio; i++)
        if (pa < kernel_mmio[i].hi && kernel_mmio[i].lo < pa + size)
            return true;
    uint64_t end = MIN(pa + size, direct_top);
    for (uint64_t c = ALIGN_DOWN(pa, HUGE_SIZE); c < end; c += HUGE_SIZE)
        if (arch_lookup(kernel_root, DIRECT_MAP + c, NULL, NULL))
            return true;
    return false;
}

void *vm_map_phys(uint64_t pa, size_t size)
{
    void *va;
    if (vm_direct_mapped(pa, size))
        return phys_to_virt(pa);
    return vm_map_mmio(pa, size, &va) == 0 ? va : NULL;
}

bool vm_kernel_accessible(uint64_t va, unsigned flags)
{
    unsigned have;
    return arch_lookup(kernel_root, va, NULL, &have) && (have & flags) == flags;
}
