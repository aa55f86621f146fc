/*
 * ktest/boot.c: tests of what boot set up: the memory layout, the symbol
 * table, the initrd and the timer.
 */
#include <arch/cpu.h>
#include <clk/abi.h>
#include <clock.h>
#include <cpio.h>
#include <frame.h>
#include <initrd.h>
#include <kstack.h>
#include <kstring.h>
#include <ksyms.h>
#include <ktest.h>
#include <log.h>
#include <memlayout.h>
#include <timer.h>
#include <vm.h>

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[], __ksyms_start[], __ksyms_end[];
void kmain(uint32_t magic, uint64_t info);

static bool mapped(uint64_t va, unsigned flags)
{
    return vm_kernel_accessible(va, flags);
}

/* Every page of [START, END) is mapped with exactly FLAGS among write/exec,
 * and its direct-map alias is not writable. */
static bool image_range_is(char *start, char *end, unsigned flags)
{
    for (uint64_t va = (uint64_t)start; va < (uint64_t)end; va += PAGE_SIZE) {
        unsigned have;
        uint64_t pa;
        if (!arch_lookup(vm_kernel_root(), va, &pa, &have) ||
            (have & (VM_WRITE | VM_EXEC)) != flags || mapped(DIRECT_MAP + pa, VM_WRITE))
            return false;
    }
    return true;
}

KTEST(vm_layout)
{
    /* Nothing below the kernel half: no null page, no identity map. */
    uint64_t low[] = { 0, 8, PAGE_SIZE, 0x100000, 0x7FFFFFFFF000UL };
    for (unsigned i = 0; i < ARRAY_SIZE(low); i++)
        KTEST_CHECKF(!mapped(low[i], 0), "%#lx is mapped", (unsigned long)low[i]);
    /* W^X on every page of the image, with no writable alias in the direct map. */
    KTEST_CHECK(image_range_is(__text_start, __text_end, VM_EXEC));
    KTEST_CHECK(image_range_is(__rodata_start, __rodata_end, 0));
    KTEST_CHECK(image_range_is(__ksyms_start, __ksyms_end, 0));
    for (uint64_t va = (uint64_t)__data_start; va < (uint64_t)__data_end; va += PAGE_SIZE)
        KTEST_CHECKF(kstack_is_guard(va) || (mapped(va, VM_WRITE) && !mapped(va, VM_EXEC)),
                     "data page %#lx is not rw-", (unsigned long)va);
    /* The rest of the direct map: rw-, never executable. */
    KTEST_CHECK(mapped(DIRECT_MAP + 0xB8000, VM_WRITE) && !mapped(DIRECT_MAP + 0xB8000, VM_EXEC));
    KTEST_CHECK(read_cr0() & CR0_WP);
    KTEST_CHECK(rdmsr(MSR_EFER) & EFER_NXE);
}

/* Bad physical ranges (from firmware tables, say) are refused, not mapped. */
KTEST(vm_phys_ranges)
{
    struct frame_stats st;
    frame_get_stats(&st);
    KTEST_CHECK(vm_direct_mapped(0x100000, PAGE_SIZE));
    KTEST_CHECK(!vm_direct_mapped(0x100000, 0));
    KTEST_CHECK(!vm_direct_mapped(0xFFFFFFFFFFFFFFF0UL, 36)); /* wraps */
    KTEST_CHECK(!vm_direct_mapped(ALIGN_UP(st.top, HUGE_SIZE), PAGE_SIZE));
    KTEST_CHECK(!vm_direct_mapped(0x100000, ~0UL));
    void *va;
    KTEST_CHECK(vm_map_mmio(0xFEC00000, 0, &va) == CLK_EINVAL);
    KTEST_CHECK(vm_map_mmio(0xFFFFFFFFFFFFF000UL, 0x2000, &va) == CLK_EINVAL);
    KTEST_CHECK(vm_map_mmio(0, ~0UL >> 1, &va) == CLK_EINVAL);
    KTEST_CHECK(frame_overlaps_ram(0x100000, PAGE_SIZE));
    KTEST_CHECK(!frame_overlaps_ram(0xFEC00000, PAGE_SIZE));
}

KTEST(ksyms)
{
    uint64_t off;
    const char *name = ksym_lookup((uint64_t)&kmain, &off);
    KTEST_CHECK(name && strcmp(name, "kmain") == 0 && off == 0);
    name = ksym_lookup((uint64_t)&ksym_lookup + 3, &off);
    KTEST_CHECK(name && strcmp(name, "ksym_lookup") == 0 && off == 3);
    KTEST_CHECK(ksym_address("kmain") == (uint64_t)&kmain);
    KTEST_CHECK(ksym_lookup(0x1000, &off) == NULL);
}

KTEST(initrd)
{
    const void *archive;
    size_t len, off = 0;
    struct cpio_entry e;
    int r, files = 0;
    KTEST_CHECK(initrd_archive(&archive, &len) == 0);
    while ((r = cpio_next(archive, len, &off, &e)) > 0)
        files += (e.mode & CPIO_S_IFMT) == CPIO_S_IFREG;
    KTEST_CHECKF(r == 0, "archive malformed at offset %lu", (unsigned long)off);
    KTEST_CHECK(files > 0);
    KTEST_CHECK(cpio_find(archive, len, "etc/motd", &e) == 0 && e.size > 0);
    KTEST_CHECK(cpio_find(archive, len, "no/such/file", &e) == CLK_ENOENT);
}

/* The periodic tick runs at the rate asked for, measured on the TSC clock.
 * The bounds are wide: this checks calibration, not scheduling latency. */
KTEST(timer_periodic)
{
    timer_periodic(100);
    uint64_t first = timer_interrupts();
    while (timer_interrupts() == first)
        cpu_idle();
    uint64_t t0 = clock_ns(), n0 = timer_interrupts();
    while (timer_interrupts() < n0 + 20)
        cpu_idle();
    uint64_t ms = (clock_ns() - t0) / 1000000;
    timer_stop();
    kprintf("ktest: timer_periodic: 20 ticks at 100 Hz took %lu ms\n", (unsigned long)ms);
    KTEST_CHECKF(ms >= 100 && ms <= 2000, "20 ticks took %lu ms, expected about 200",
                 (unsigned long)ms);
}

KTEST(timer_oneshot)
{
    timer_stop();
    uint64_t n0 = timer_interrupts(), t0 = clock_ns();
    timer_oneshot(5000);
    while (timer_interrupts() == n0 && clock_ns() - t0 < 1000000000ULL)
        cpu_idle();
    uint64_t us = (clock_ns() - t0) / 1000;
    KTEST_CHECKF(timer_interrupts() == n0 + 1, "one-shot timer did not fire");
    KTEST_CHECKF(us >= 4000, "fired after %lu us, asked for 5000", (unsigned long)us);
    clock_delay_us(30000);
    KTEST_CHECKF(timer_interrupts() == n0 + 1, "one-shot timer fired again");
}

/* The VGA text screen mirrors the console: a line just printed is on it. */
KTEST(vga_mirror)
{
    static const char marker[] = "vga mirror check 7f3a";
    kprintf("ktest: %s\n", marker);
    const volatile uint16_t *screen = phys_to_virt(0xB8000);
    char row[81];
    bool found = false;
    for (int r = 0; r < 25 && !found; r++) {
        for (int c = 0; c < 80; c++)
            row[c] = (char)(screen[r * 80 + c] & 0xFF);
        row[80] = '\0';
        for (int c = 0; c + (int)sizeof(marker) - 1 <= 80 && !found; c++)
            found = memcmp(row + c, marker, sizeof(marker) - 1) == 0;
    }
    KTEST_CHECKF(found, "\"%s\" is not on the VGA screen", marker);
}
