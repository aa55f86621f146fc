/*
 * gdt.c: the GDT and the TSS. The TSS gives the double-fault, NMI and
 * machine-check handlers their own stacks (IST), so that they run even when
 * the kernel stack has overflowed into its guard page.
 */
#include <arch/gdt.h>
#include <arch/trap.h>
#include <kstack.h>

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} packed;
_Static_assert(sizeof(struct tss) == 104, "TSS layout is fixed by the CPU");

static struct tss tss;

/* Flat segments; the TSS descriptor takes two slots. */
static uint64_t gdt[8] = {
    0,
    0x00AF9A000000FFFF, /* 0x08 kernel code, 64-bit */
    0x00CF92000000FFFF, /* 0x10 kernel data */
    0x00CFFA000000FFFF, /* 0x18 user code, 32-bit (unused, for SYSRET) */
    0x00CFF2000000FFFF, /* 0x20 user data */
    0x00AFFA000000FFFF, /* 0x28 user code, 64-bit */
    0,                  /* 0x30 TSS, low */
    0,                  /* 0x38 TSS, high */
};

static void gdt_set_tss(void)
{
    uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;
    gdt[6] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89UL << 40) |
             (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
    gdt[7] = base >> 32;
}

/* The stack the CPU switches to on an interrupt from user mode. */
void gdt_set_rsp0(uint64_t rsp0)
{
    tss.rsp[0] = rsp0;
}

/* Load the GDT and TSS, and reload every segment register. */
void gdt_init(void)
{
    tss.ist[IST_DOUBLE_FAULT - 1] = kstack_static_top(KSTACK_DOUBLE_FAULT);
    tss.ist[IST_NMI - 1] = kstack_static_top(KSTACK_NMI);
    tss.ist[IST_MACHINE_CHECK - 1] = kstack_static_top(KSTACK_MACHINE_CHECK);
    tss.iomap_base = sizeof(tss); /* no I/O bitmap: ring 3 gets no ports */
    gdt_set_tss();

    struct {
        uint16_t limit;
        uint64_t base;
    } packed ptr = { sizeof(gdt) - 1, (uint64_t)gdt };

    __asm__ volatile("lgdt %0\n\t"
                     "pushq %1\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movw %w2, %%ds\n\t"
                     "movw %w2, %%es\n\t"
                     "movw %w2, %%ss\n\t"
                     "xorl %%eax, %%eax\n\t"
                     "movw %%ax, %%fs\n\t"
                     "movw %%ax, %%gs\n\t"
                     "ltr %w3"
                     :
                     : "m"(ptr), "i"(SEL_KCODE), "r"(SEL_KDATA), "r"(SEL_TSS)
                     : "rax", "memory");
}
