/*
 * uentry.c: user mode on x86_64: SYSCALL setup, FPU/SSE state, and the
 * switch between threads (see arch/context.h).
 */
#include <arch/context.h>
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/mmu.h>
#include <kstring.h>

#define MSR_STAR  0xC0000081
#define MSR_LSTAR 0xC0000082
#define MSR_FMASK 0xC0000084
#define EFER_SCE  (1UL << 0)

#define CR0_MP         (1UL << 1)
#define CR0_EM         (1UL << 2)
#define CR0_TS         (1UL << 3)
#define CR0_NE         (1UL << 5)
#define CR4_OSFXSR     (1UL << 9)
#define CR4_OSXMMEXCPT (1UL << 10)

/* Flags user code may hold: CF PF AF ZF SF TF DF OF AC ID. */
#define RFLAGS_USER  0x240DD5UL
#define RFLAGS_FIXED 0x202UL /* IF and the always-one bit 1 */

extern char syscall_entry[];
extern uint64_t *cpu_ctx_ss;
extern uint64_t cpu_kstack_top;

static struct arch_thread fpu_initial; /* FXSAVE image of a fresh FPU */
static struct arch_thread *fpu_owner;  /* whose state the FPU registers hold */

void arch_user_init(uint64_t kernel_stack_top)
{
    cpu_kstack_top = kernel_stack_top;
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    /* SYSCALL: CS = 0x08, SS = 0x10. SYSRET: CS = 0x18 + 16, SS = 0x18 + 8. */
    wrmsr(MSR_STAR, ((uint64_t)SEL_KCODE << 32) | ((uint64_t)(SEL_UCODE32 & ~3) << 48));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    wrmsr(MSR_FMASK, 0x47700); /* clear IF, TF, DF, AC and NT on entry */

    write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
    write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
    uint32_t mxcsr = 0x1F80; /* all SSE exceptions masked */
    __asm__ volatile("fninit; ldmxcsr %1; fxsave64 %0" : "=m"(fpu_initial.fxsave) : "m"(mxcsr));
}

void arch_context_init(struct trap_frame *c, struct arch_thread *a, uint64_t entry, uint64_t stack,
                       uint64_t arg)
{
    memset(c, 0, sizeof(*c));
    c->rip = entry;
    c->rsp = stack;
    c->rdi = arg;
    c->cs = SEL_UCODE;
    c->ss = SEL_UDATA;
    c->rflags = RFLAGS_FIXED;
    memcpy(a->fxsave, fpu_initial.fxsave, sizeof(a->fxsave));
}

void arch_switch_to(struct trap_frame *c, struct arch_thread *a, uint64_t root)
{
    gdt_set_rsp0((uint64_t)(c + 1)); /* interrupts push their frame into C */
    cpu_ctx_ss = &c->ss;             /* and so does syscall.S */
    mmu_load(root);
    if (fpu_owner != a) {
        if (fpu_owner)
            __asm__ volatile("fxsave64 %0" : "=m"(fpu_owner->fxsave));
        __asm__ volatile("fxrstor64 %0" : : "m"(a->fxsave));
        fpu_owner = a;
    }
    /* Whatever the frame says, it returns to ring 3 with interrupts on.
     * syscall.S relies on cs and ss being right: it never writes them. */
    c->cs = SEL_UCODE;
    c->ss = SEL_UDATA;
    c->rflags = (c->rflags & RFLAGS_USER) | RFLAGS_FIXED;
}

void arch_thread_gone(struct arch_thread *a)
{
    if (fpu_owner == a)
        fpu_owner = NULL;
}
