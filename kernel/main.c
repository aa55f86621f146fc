/*
 * main.c: the boot sequence, one step per line.
 */
#include <actor.h>
#include <arch/context.h>
#include <arch/cpu.h>
#include <arch/platform.h>
#include <arch/trap.h>
#include <bootinfo.h>
#include <calendar.h>
#include <clock.h>
#include <cmdline.h>
#include <frame.h>
#include <initrd.h>
#include <kstack.h>
#include <ktest.h>
#include <log.h>
#include <memlayout.h>
#include <panic.h>
#include <param.h>
#include <sched.h>
#include <timer.h>
#include <vm.h>

#define MB2_BOOT_MAGIC 0x36D76289

void syscall_init(void);

static struct bootinfo bootinfo;
static struct madt_info madt;
static struct cmdline args;

/* Copy and check the multiboot2 information (the boot tables map 4 GiB). */
static void read_bootinfo(uint32_t magic, uint64_t info_pa)
{
    if (magic != MB2_BOOT_MAGIC)
        kpanic("boot: bad multiboot2 magic %#x", magic);
    if (!vm_direct_mapped(info_pa, 8))
        kpanic("boot: multiboot2 information at %#lx is out of reach", (unsigned long)info_pa);
    const uint32_t *info = phys_to_virt(info_pa);
    if (!vm_direct_mapped(info_pa, info[0]) ||
        multiboot2_parse(info, info[0], info_pa, &bootinfo) < 0)
        kpanic("boot: malformed multiboot2 information at %#lx", (unsigned long)info_pa);
    log_info("boot: loaded by %s, command line \"%s\"", bootinfo.loader, bootinfo.cmdline);
    if (bootinfo.dropped)
        log_warn("boot: %u memory-map entries or modules beyond the limits in param.h ignored",
                 bootinfo.dropped);
}

static void apply_cmdline(void)
{
    cmdline_parse(bootinfo.cmdline, &args);
    if (args.loglevel >= 0)
        log_level = args.loglevel;
    if (args.nbad)
        log_warn("cmdline: %u word(s) not understood, first \"%s\"", args.nbad, args.bad);
}

void kmain(uint32_t magic, uint64_t info_pa)
{
    clock_mark_boot(); /* time zero for log timestamps */
    serial_init();     /* COM1, the primary console */
    vga_init();        /* VGA text screen mirrors the console */
    kprintf("CLKernel %s booting\n", CLK_VERSION);
    gdt_init();                    /* GDT, TSS with IST stacks for #DF, NMI, #MC */
    idt_init();                    /* exception and interrupt entry */
    tsc_calibrate();               /* TSC frequency; log timestamps from here */
    calendar_init();               /* the date and time, from the real-time clock */
    read_bootinfo(magic, info_pa); /* memory map, modules, command line, RSDP */
    apply_cmdline();               /* loglevel=, test= */
    frame_early_init(&bootinfo);   /* usable memory; frames for boot page tables */
    vm_init(&bootinfo);            /* final page tables: direct map, W^X image */
    frame_init();                  /* buddy allocator over all free memory */
    acpi_init(&bootinfo, &madt);   /* MADT: where the interrupt controllers are */
    acpi_power_init(&bootinfo);    /* FADT and \_S5: how user space powers off and resets */
    pic_disable();                 /* legacy PICs remapped and masked */
    lapic_init(&madt);             /* local APIC */
    ioapic_init(&madt);            /* IOAPIC, every input masked */
    timer_init();                  /* local APIC timer, calibrated on the TSC */
    serial_enable_input();         /* COM1 receive interrupt through the IOAPIC */
    initrd_init(&bootinfo);        /* list boot modules and initrd files */
    irq_enable();

    if (args.test[0])
        ktest_run(args.test);                       /* test=NAME: run in-kernel tests, exit QEMU */
    syscall_init();                                 /* the syscall table is complete */
    arch_user_init(kstack_static_top(KSTACK_BOOT)); /* SYSCALL, FPU; the kernel stack */
    timer_set_callback(sched_tick);                 /* time slices and sleepers */
    timer_periodic(HZ);                             /* the tick */
    actor_start_root(args.init[0] ? args.init : "sbin/supervisor", bootinfo.cmdline);
    sched_resume(); /* run the root actor, or idle; this boot stack becomes the kernel stack */
}
