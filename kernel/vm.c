/*
 * vm.c: the kernel's half of the address space (see memlayout.h).
 */
#include <arch/cpu.h>
#include <clk/abi.h>
#include <frame.h>
#include <kstack.h>
#include <kstring.h>
#include <log.h>
#include <memlayout.h>
#include <panic.h>
#include <vm.h>

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[], __ksyms_start[], __ksyms_end[];

static uint64_t kernel_root;
static uint64_t direct_top; /* direct map covers chunks below this ... */
static uint64_t mmio_next = MMIO_VBASE;

/* Bitmap of 2 MiB chunks the direct map covers, for the first 64 GiB; above
 * that every chunk below direct_top counts as mapped. */
#define CHUNK_BITS 32768
static uint64_t chunk_map[CHUNK_BITS / 64];

static bool chunk_mapped(uint64_t chunk)
{
    if (chunk >= direct_top / HUGE_SIZE)
        return false;
    return chunk >= CHUNK_BITS || (chunk_map[chunk / 64] & (1ULL << (chunk % 64)));
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

/* Map every 2 MiB chunk that holds RAM (and chunk 0: BIOS data, VGA). */
static void map_direct(const struct bootinfo *bi)
{
    for (unsigned i = 0; i < bi->nmem; i++) {
        const struct mem_region *r = &bi->mem[i];
        if (!is_ram(r->type))
            continue;
        uint64_t end = ALIGN_UP(r->base + r->len, HUGE_SIZE);
        if (end > DIRECT_MAP_SIZE)
            end = DIRECT_MAP_SIZE;
        direct_top = MAX(direct_top, end);
    }
    direct_top = MAX(direct_top, HUGE_SIZE);
    for (uint64_t c = 0; c < direct_top; c += HUGE_SIZE) {
        bool want = c == 0;
        for (unsigned i = 0; i < bi->nmem && !want; i++) {
            const struct mem_region *r = &bi->mem[i];
            want = is_ram(r->type) && r->base < c + HUGE_SIZE && r->base + r->len > c;
        }
        if (!want)
            continue;
        map_or_die(DIRECT_MAP + c, c, VM_WRITE | VM_GLOBAL | VM_HUGE);
        if (c / HUGE_SIZE < CHUNK_BITS)
            chunk_map[c / HUGE_SIZE / 64] |= 1ULL << (c / HUGE_SIZE % 64);
    }
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

    write_cr4(read_cr4() | CR4_PGE);
    arch_activate(kernel_root);
    log_info("vm: direct map up to %lu MiB, kernel image W^X, null page and user half unmapped",
             (unsigned long)(direct_top >> 20));
}

uint64_t vm_kernel_root(void)
{
    return kernel_root;
}

bool vm_direct_mapped(uint64_t pa, size_t size)
{
    if (!kernel_root)
        return pa + size <= BOOT_MAP_SIZE; /* boot tables map 4 GiB */
    for (uint64_t c = pa / HUGE_SIZE; c <= (pa + size - 1) / HUGE_SIZE; c++)
        if (!chunk_mapped(c))
            return false;
    return size > 0;
}

int vm_map_mmio(uint64_t pa, size_t size, void **va)
{
    uint64_t first = ALIGN_DOWN(pa, PAGE_SIZE);
    uint64_t last = ALIGN_UP(pa + size, PAGE_SIZE);
    if (size == 0 || last < first || mmio_next + (last - first) > MMIO_VBASE + MMIO_VSIZE)
        return CLK_EINVAL;
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
