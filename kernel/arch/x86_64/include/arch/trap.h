/*
 * arch/trap.h: interrupt and exception entry for x86_64.
 */
#ifndef CLK_ARCH_TRAP_H
#define CLK_ARCH_TRAP_H

#include <arch/frame_asm.h>
#include <kdefs.h>

/* Registers saved by isr.S, lowest address first. Shared with assembly. */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};
_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "trap_frame layout is shared with isr.S");
/* isr.S and syscall.S address the frame with the TF_* offsets. */
#define TF_CHECK(reg, off)                                                                         \
    _Static_assert(offsetof(struct trap_frame, reg) == off, "TF_* offset of " #reg)
TF_CHECK(r15, TF_R15);
TF_CHECK(r14, TF_R14);
TF_CHECK(r13, TF_R13);
TF_CHECK(r12, TF_R12);
TF_CHECK(r11, TF_R11);
TF_CHECK(r10, TF_R10);
TF_CHECK(r9, TF_R9);
TF_CHECK(r8, TF_R8);
TF_CHECK(rbp, TF_RBP);
TF_CHECK(rdi, TF_RDI);
TF_CHECK(rsi, TF_RSI);
TF_CHECK(rdx, TF_RDX);
TF_CHECK(rcx, TF_RCX);
TF_CHECK(rbx, TF_RBX);
TF_CHECK(rax, TF_RAX);
TF_CHECK(vector, TF_VECTOR);
TF_CHECK(error, TF_ERROR);
TF_CHECK(rip, TF_RIP);
TF_CHECK(cs, TF_CS);
TF_CHECK(rflags, TF_RFLAGS);
TF_CHECK(rsp, TF_RSP);
TF_CHECK(ss, TF_SS);
#undef TF_CHECK

/* Interrupt vectors. */
enum {
    VEC_DIVIDE = 0,
    VEC_NMI = 2,
    VEC_BREAKPOINT = 3,
    VEC_INVALID_OPCODE = 6,
    VEC_DOUBLE_FAULT = 8,
    VEC_GP = 13,
    VEC_PAGE_FAULT = 14,
    VEC_MACHINE_CHECK = 18,
    VEC_EXCEPTIONS = 32,
    VEC_PIC_BASE = 0x20, /* legacy PIC, remapped and masked: spurious only */
    VEC_IRQ_BASE = 0x30, /* IOAPIC inputs (GSI n -> VEC_IRQ_BASE + n) */
    VEC_IRQ_LAST = 0x6F,
    VEC_MSI_BASE = 0x70, /* MSI vectors for user-space drivers (device.h) */
    VEC_MSI_LAST = 0xEF,
    VEC_TIMER = 0xF0, /* local APIC timer */
    VEC_APIC_ERROR = 0xFE,
    VEC_SPURIOUS = 0xFF,
};

/* IST slots in the TSS (1-based, as the IDT encodes them). */
enum { IST_DOUBLE_FAULT = 1, IST_NMI = 2, IST_MACHINE_CHECK = 3, IST_COUNT = 3 };

typedef void irq_handler_t(struct trap_frame *tf);

/* Install HANDLER for VECTOR (an IRQ or local APIC vector). */
void irq_set_handler(unsigned vector, irq_handler_t *handler);

void gdt_init(void);

/* The stack the CPU switches to on an interrupt from user mode (TSS.rsp0). */
void gdt_set_rsp0(uint64_t rsp0);
void idt_init(void);

/* Called by isr.S for every interrupt and exception. */
void trap_dispatch(struct trap_frame *tf);

/* Non-maskable interrupts taken so far (they are counted, not handled). */
uint64_t arch_nmi_count(void);

/* True the first time only: later (nested) panics just halt. */
bool panic_enter(void);

/* Print a backtrace starting at frame pointer RBP (and at RIP when non-zero). */
void arch_backtrace(uint64_t rbp, uint64_t rip);

__noreturn void arch_halt_forever(void);

/* Leave QEMU with STATUS through its isa-debug-exit device, if present. */
void arch_qemu_exit(unsigned status);

#endif
