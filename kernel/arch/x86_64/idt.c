/*
 * idt.c: the interrupt descriptor table. Every vector points at its stub in
 * isr.S; double fault, NMI and machine check switch to their IST stacks.
 */
#include <arch/gdt.h>
#include <arch/trap.h>

#define ISR_STUB_SIZE 16

struct idt_entry {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type; /* P | DPL | type (0xE: interrupt gate) */
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
} packed;
_Static_assert(sizeof(struct idt_entry) == 16, "IDT entry layout is fixed by the CPU");

extern char isr_stubs[];
static struct idt_entry idt[256];

static void idt_set(unsigned vec, uint8_t ist)
{
    uint64_t addr = (uint64_t)isr_stubs + vec * ISR_STUB_SIZE;
    idt[vec] = (struct idt_entry){
        .offset_lo = addr & 0xFFFF,
        .selector = SEL_KCODE,
        .ist = ist,
        .type = 0x8E,
        .offset_mid = (addr >> 16) & 0xFFFF,
        .offset_hi = addr >> 32,
    };
}

/* Fill and load the IDT. Interrupts stay disabled. */
void idt_init(void)
{
    for (unsigned v = 0; v < 256; v++)
        idt_set(v, 0);
    idt_set(VEC_DOUBLE_FAULT, IST_DOUBLE_FAULT);
    idt_set(VEC_NMI, IST_NMI);
    idt_set(VEC_MACHINE_CHECK, IST_MACHINE_CHECK);

    struct {
        uint16_t limit;
        uint64_t base;
    } packed ptr = { sizeof(idt) - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" : : "m"(ptr));
}
