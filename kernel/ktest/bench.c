/*
 * ktest/bench.c: micro-benchmarks of the memory code, run by `make bench`
 * (tools/bench) with test=bench. Under QEMU's -icount shift=0 the TSC counts
 * guest instructions, so the figures are exact and repeatable; without it
 * they are host TSC ticks, and the wall-clock figure is what counts.
 */
#include <arch/cpu.h>
#include <clock.h>
#include <frame.h>
#include <kmalloc.h>
#include <ktest.h>
#include <log.h>
#include <memlayout.h>
#include <vm.h>

#define ROUNDS 4096

/* Print the cost of one round of OP: TSC ticks per op and nanoseconds per op. */
#define BENCH(label, op)                                                                           \
    do {                                                                                           \
        uint64_t ns0 = clock_ns(), t0 = rdtsc();                                                   \
        for (unsigned r = 0; r < ROUNDS; r++) {                                                    \
            op;                                                                                    \
        }                                                                                          \
        uint64_t ticks = rdtsc() - t0, ns = clock_ns() - ns0;                                      \
        kprintf("bench: %-28s %8lu ticks/op %8lu ps/op\n", label, (unsigned long)(ticks / ROUNDS), \
                (unsigned long)(ns * 1000 / ROUNDS));                                              \
    } while (0)

static void frame_pair(unsigned order)
{
    uint64_t pa;
    if (frame_alloc(order, &pa) == 0)
        frame_free(pa);
}

static void kmalloc_pair(size_t size)
{
    kfree(kmalloc(size));
}

static void map_pair(void)
{
    static uint64_t pa;
    uint64_t va = KSTACK_VBASE; /* slot 0's guard page: never mapped */
    if (!pa && frame_alloc(0, &pa) < 0)
        return;
    arch_map(vm_kernel_root(), va, pa, VM_WRITE);
    arch_unmap(vm_kernel_root(), va, NULL);
}

KTEST_BENCH(bench)
{
    kprintf("bench: kernel entered at TSC %lu\n", (unsigned long)clock_boot_tsc());
    kprintf("bench: boot took %lu TSC ticks from kernel entry to tests\n",
            (unsigned long)(rdtsc() - clock_boot_tsc()));
    BENCH("empty loop", __asm__ volatile(""));
    BENCH("frame alloc+free order 0", frame_pair(0));
    BENCH("frame alloc+free order 4", frame_pair(4));
    BENCH("kmalloc+kfree 64 B", kmalloc_pair(64));
    BENCH("kmalloc+kfree 1 KiB", kmalloc_pair(1024));
    BENCH("kmalloc+kfree 16 KiB", kmalloc_pair(16384));
    BENCH("map+unmap 4 KiB page", map_pair());
}
