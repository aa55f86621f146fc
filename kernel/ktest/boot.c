/*
 * ktest/boot.c: tests of what boot set up: the memory layout, the symbol
 * table, the initrd and the timer.
 */
#include <arch/cpu.h>
#include <clk/abi.h>
#include <clock.h>
#include <cpio.h>
#include <initrd.h>
#include <kstring.h>
#include <ksyms.h>
#include <ktest.h>
#include <log.h>
#include <memlayout.h>
#include <timer.h>
#include <vm.h>

extern char __text_start[], __text_end[], __rodata_start[], __data_start[], __data_end[];
extern char __ksyms_start[];
void kmain(uint32_t magic, uint64_t info);

static bool mapped(uint64_t va, unsigned flags)
{
    return vm_kernel_accessible(va, flags);
}

KTEST(vm_layout)
{
    /* Nothing below the kernel half: no null page, no identity map. */
    uint64_t low[] = { 0, 8, PAGE_SIZE, 0x100000, 0x7FFFFFFFF000UL };
    for (unsigned i = 0; i < ARRAY_SIZE(low); i++)
        KTEST_CHECKF(!mapped(low[i], 0), "%#lx is mapped", (unsigned long)low[i]);
    /* W^X: text r-x, rodata and symbols r--, data rw-, direct map rw-. */
    KTEST_CHECK(mapped((uint64_t)__text_start, VM_EXEC) &&
                !mapped((uint64_t)__text_start, VM_WRITE));
    KTEST_CHECK(mapped((uint64_t)__text_end - 1, VM_EXEC));
    KTEST_CHECK(mapped((uint64_t)__rodata_start, 0));
    KTEST_CHECK(!mapped((uint64_t)__rodata_start, VM_WRITE) &&
                !mapped((uint64_t)__rodata_start, VM_EXEC));
    KTEST_CHECK(!mapped((uint64_t)__ksyms_start, VM_WRITE) &&
                !mapped((uint64_t)__ksyms_start, VM_EXEC));
    KTEST_CHECK(mapped((uint64_t)__data_start, VM_WRITE) &&
                !mapped((uint64_t)__data_start, VM_EXEC));
    KTEST_CHECK(mapped((uint64_t)__data_end - 1, VM_WRITE));
    KTEST_CHECK(mapped(DIRECT_MAP + 0x100000, VM_WRITE) && !mapped(DIRECT_MAP + 0x100000, VM_EXEC));
    KTEST_CHECK(read_cr0() & CR0_WP);
    KTEST_CHECK(rdmsr(MSR_EFER) & EFER_NXE);
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
