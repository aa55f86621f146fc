/*
 * apic.c: interrupt controllers and the local timer. The legacy 8259 PICs
 * are remapped out of the way and masked; the IOAPIC routes device IRQs; the
 * local APIC takes them and provides the timer (see timer.h).
 */
#include <arch/cpu.h>
#include <arch/platform.h>
#include <arch/trap.h>
#include <clk/abi.h>
#include <clock.h>
#include <device.h>
#include <frame.h>
#include <log.h>
#include <memlayout.h>
#include <panic.h>
#include <timer.h>
#include <vm.h>

/* Local APIC registers (byte offsets). */
enum {
    LAPIC_ID = 0x20,
    LAPIC_TPR = 0x80,
    LAPIC_EOI = 0xB0,
    LAPIC_SVR = 0xF0,
    LAPIC_ESR = 0x280,
    LAPIC_LVT_TIMER = 0x320,
    LAPIC_LVT_LINT0 = 0x350,
    LAPIC_LVT_LINT1 = 0x360,
    LAPIC_LVT_ERROR = 0x370,
    LAPIC_TIMER_INIT = 0x380,
    LAPIC_TIMER_CUR = 0x390,
    LAPIC_TIMER_DIV = 0x3E0,
};
#define LVT_MASKED   (1u << 16)
#define LVT_PERIODIC (1u << 17)
#define LVT_NMI      (4u << 8)
#define SVR_ENABLE   (1u << 8)
#define TIMER_DIV_16 0x3

static volatile uint32_t *lapic;
static const struct madt_info *madt;
static uint64_t lapic_timer_hz; /* after the divide-by-16 */
static uint64_t timer_count;
static void (*timer_callback)(void);

static uint32_t lapic_read(unsigned reg)
{
    return lapic[reg / 4];
}

static void lapic_write(unsigned reg, uint32_t v)
{
    lapic[reg / 4] = v;
    (void)lapic[LAPIC_ID / 4]; /* make the write take effect before we go on */
}

void pic_disable(void)
{
    /* ICW1-4: remap to VEC_PIC_BASE so stray IRQs are not taken for exceptions. */
    outb(0x20, 0x11);
    outb(0xA0, 0x11);
    outb(0x21, VEC_PIC_BASE);
    outb(0xA1, VEC_PIC_BASE + 8);
    outb(0x21, 4);
    outb(0xA1, 2);
    outb(0x21, 1);
    outb(0xA1, 1);
    outb(0x21, 0xFF); /* mask everything */
    outb(0xA1, 0xFF);
}

void lapic_eoi(void)
{
    lapic_write(LAPIC_EOI, 0);
}

static void lapic_error_irq(struct trap_frame *tf)
{
    (void)tf;
    lapic_write(LAPIC_ESR, 0);
    log_warn("lapic: error status %#x", lapic_read(LAPIC_ESR));
}

static void timer_irq(struct trap_frame *tf)
{
    (void)tf;
    timer_count++;
    if (timer_callback)
        timer_callback();
}

void lapic_init(const struct madt_info *m)
{
    void *va;
    uint64_t base = rdmsr(MSR_APIC_BASE) & 0x000FFFFFFFFFF000UL; /* authoritative */
    madt = m;
    if (m->lapic_pa != base)
        log_warn("lapic: MADT says %#lx, the CPU says %#lx; using the CPU's",
                 (unsigned long)m->lapic_pa, (unsigned long)base);
    if (frame_overlaps_ram(base, PAGE_SIZE) || vm_map_mmio(base, PAGE_SIZE, &va) < 0)
        kpanic("lapic: cannot map the local APIC at %#lx", (unsigned long)base);
    lapic = va;
    wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1 << 11)); /* global enable */

    irq_set_handler(VEC_APIC_ERROR, lapic_error_irq);
    irq_set_handler(VEC_TIMER, timer_irq);
    lapic_write(LAPIC_TPR, 0);
    lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
    lapic_write(LAPIC_LVT_LINT1, LVT_NMI);
    lapic_write(LAPIC_LVT_ERROR, VEC_APIC_ERROR);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
    lapic_write(LAPIC_ESR, 0);
    lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
    lapic_eoi();
}

/* ---- timer.h ---- */

void timer_init(void)
{
    lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
    lapic_write(LAPIC_TIMER_INIT, 0xFFFFFFFF);
    uint64_t t0 = clock_ns();
    clock_delay_us(10000);
    uint32_t left = lapic_read(LAPIC_TIMER_CUR);
    uint64_t ns = clock_ns() - t0;
    lapic_write(LAPIC_TIMER_INIT, 0);
    lapic_timer_hz = (uint64_t)(0xFFFFFFFFu - left) * 1000000000ULL / ns;
    if (lapic_timer_hz == 0)
        kpanic("lapic: the timer does not count");
    log_info("timer: local APIC timer at %lu kHz (after divide by 16)",
             (unsigned long)(lapic_timer_hz / 1000));
}

uint64_t timer_hz(void)
{
    return lapic_timer_hz;
}

static uint32_t timer_count_for(uint64_t us)
{
    uint64_t n = lapic_timer_hz * us / 1000000;
    return n == 0 ? 1 : n > 0xFFFFFFFF ? 0xFFFFFFFF : (uint32_t)n;
}

void timer_periodic(unsigned hz)
{
    lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | VEC_TIMER);
    lapic_write(LAPIC_TIMER_INIT, timer_count_for(1000000 / hz));
}

void timer_oneshot(uint64_t us)
{
    lapic_write(LAPIC_LVT_TIMER, VEC_TIMER);
    lapic_write(LAPIC_TIMER_INIT, timer_count_for(us));
}

void timer_stop(void)
{
    lapic_write(LAPIC_TIMER_INIT, 0);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
}

uint64_t timer_interrupts(void)
{
    return timer_count;
}

void timer_set_callback(void (*fn)(void))
{
    timer_callback = fn;
}

/* ---- IOAPIC ---- */

#define IOAPIC_GSIS   (VEC_IRQ_LAST - VEC_IRQ_BASE + 1) /* GSI n arrives on VEC_IRQ_BASE + n */
#define RTE_LOW       0x10                              /* + 2 * pin: redirection entry, low half */
#define RTE_HIGH      0x11                              /* + 2 * pin: its destination */
#define RTE_MASKED    (1u << 16)
#define RTE_LEVEL     (1u << 15)
#define RTE_ACTIVE_LO (1u << 13)
_Static_assert(IOAPIC_GSIS <= 64, "one bit per GSI in a uint64_t");

struct ioapic {
    volatile uint32_t *regs;
    unsigned gsi_base, pins;
};

static struct ioapic ioapics[MADT_MAX_IOAPICS];
static unsigned nioapics;
static uint64_t gsi_kernel;  /* inputs the kernel uses (or owns the device of) */
static uint64_t gsi_claimed; /* inputs an IRQ capability holds */

static uint32_t ioapic_read(struct ioapic *io, unsigned reg)
{
    io->regs[0] = reg;
    return io->regs[4];
}

static void ioapic_write(struct ioapic *io, unsigned reg, uint32_t v)
{
    io->regs[0] = reg;
    io->regs[4] = v;
}

/* Map every IOAPIC the MADT lists (skipping any that claims to sit in RAM)
 * and mask all of their inputs. */
void ioapic_init(const struct madt_info *m)
{
    for (unsigned i = 0; i < m->nioapics; i++) {
        void *va;
        if (frame_overlaps_ram(m->ioapic[i].pa, PAGE_SIZE) ||
            vm_map_mmio(m->ioapic[i].pa, PAGE_SIZE, &va) < 0) {
            log_err("ioapic: ignoring IOAPIC %u at %#x (not a device address)", m->ioapic[i].id,
                    m->ioapic[i].pa);
            continue;
        }
        struct ioapic *io = &ioapics[nioapics++];
        io->regs = va;
        io->gsi_base = m->ioapic[i].gsi_base;
        io->pins = ((ioapic_read(io, 1) >> 16) & 0xFF) + 1;
        for (unsigned pin = 0; pin < io->pins; pin++) {
            ioapic_write(io, RTE_LOW + 2 * pin, RTE_MASKED);
            ioapic_write(io, RTE_HIGH + 2 * pin, 0);
        }
        log_info("ioapic: %u inputs from GSI %u, all masked", io->pins, io->gsi_base);
    }
    if (m->isa[0].gsi < IOAPIC_GSIS) /* the PIT's: the kernel owns the PIT */
        gsi_kernel |= 1UL << m->isa[0].gsi;
}

/* The IOAPIC that serves GSI, and the pin, or NULL. */
static struct ioapic *ioapic_of(unsigned gsi, unsigned *pin)
{
    for (unsigned i = 0; i < nioapics; i++)
        if (gsi >= ioapics[i].gsi_base && gsi - ioapics[i].gsi_base < ioapics[i].pins) {
            *pin = gsi - ioapics[i].gsi_base;
            return &ioapics[i];
        }
    return NULL;
}

int ioapic_route_isa(unsigned irq)
{
    KASSERT(irq < MADT_ISA_IRQS);
    unsigned gsi = madt->isa[irq].gsi, vector = VEC_IRQ_BASE + gsi, pin;
    struct ioapic *io = ioapic_of(gsi, &pin);
    if (!io || vector > VEC_IRQ_LAST)
        return CLK_ENOENT;
    uint32_t lo = vector;
    if (madt->isa[irq].active_low)
        lo |= RTE_ACTIVE_LO;
    if (madt->isa[irq].level)
        lo |= RTE_LEVEL;
    ioapic_write(io, RTE_HIGH + 2 * pin, lapic_read(LAPIC_ID) & 0xFF000000); /* to this CPU */
    ioapic_write(io, RTE_LOW + 2 * pin, lo);
    gsi_kernel |= 1UL << gsi;
    return vector;
}

/* ---- interrupts for user-space drivers (device.h) ---- */

static uint64_t msi_claimed[(VEC_MSI_LAST - VEC_MSI_BASE + 64) / 64];
static unsigned msi_next; /* next-fit, so that a vector given back is reused last */

static void device_irq(struct trap_frame *tf)
{
    irq_fired((unsigned)tf->vector);
}

/* The redirection entry of a GSI, masked: an ISA IRQ's polarity and
 * trigger from the MADT, and PCI's (level, active low) above the ISA range. */
static uint32_t gsi_entry(unsigned gsi)
{
    uint32_t lo = (VEC_IRQ_BASE + gsi) | RTE_MASKED;
    for (unsigned irq = 0; irq < MADT_ISA_IRQS; irq++)
        if (madt->isa[irq].gsi == gsi)
            return lo | (madt->isa[irq].active_low ? RTE_ACTIVE_LO : 0) |
                   (madt->isa[irq].level ? RTE_LEVEL : 0);
    return gsi < MADT_ISA_IRQS ? lo : lo | RTE_LEVEL | RTE_ACTIVE_LO;
}

int arch_irq_claim_gsi(uint64_t gsi, unsigned *line)
{
    unsigned pin;
    struct ioapic *io = gsi < IOAPIC_GSIS ? ioapic_of((unsigned)gsi, &pin) : NULL;
    if (!io)
        return CLK_ENOENT;
    if (gsi_kernel & (1UL << gsi))
        return CLK_EPERM;
    if (gsi_claimed & (1UL << gsi))
        return CLK_EEXIST;
    gsi_claimed |= 1UL << gsi;
    *line = VEC_IRQ_BASE + (unsigned)gsi;
    irq_set_handler(*line, device_irq);
    ioapic_write(io, RTE_HIGH + 2 * pin, lapic_read(LAPIC_ID) & 0xFF000000); /* to this CPU */
    ioapic_write(io, RTE_LOW + 2 * pin, gsi_entry((unsigned)gsi));
    return 0;
}

int arch_irq_claim_msi(unsigned *line)
{
    const unsigned n = VEC_MSI_LAST - VEC_MSI_BASE + 1;
    for (unsigned k = 0; k < n; k++) {
        unsigned i = (msi_next + k) % n;
        if (!(msi_claimed[i / 64] & (1UL << (i % 64)))) {
            msi_claimed[i / 64] |= 1UL << (i % 64);
            msi_next = (i + 1) % n;
            *line = VEC_MSI_BASE + i;
            /* The handler stays after the vector is given back: a device
             * that still sends then counts as a stray, never a warning per
             * interrupt. */
            irq_set_handler(*line, device_irq);
            return 0;
        }
    }
    return CLK_ENOMEM;
}

void arch_irq_mask(unsigned line, bool masked)
{
    unsigned pin;
    struct ioapic *io = line <= VEC_IRQ_LAST ? ioapic_of(line - VEC_IRQ_BASE, &pin) : NULL;
    if (!io)
        return; /* an MSI vector */
    uint32_t lo = ioapic_read(io, RTE_LOW + 2 * pin);
    ioapic_write(io, RTE_LOW + 2 * pin, masked ? lo | RTE_MASKED : lo & ~RTE_MASKED);
}

void arch_irq_release(unsigned line)
{
    arch_irq_mask(line, true);
    if (line >= VEC_MSI_BASE) {
        unsigned i = line - VEC_MSI_BASE;
        msi_claimed[i / 64] &= ~(1UL << (i % 64));
    } else {
        gsi_claimed &= ~(1UL << (line - VEC_IRQ_BASE));
    }
}

void arch_irq_msi_message(unsigned line, uint64_t *address, uint32_t *data)
{
    /* Fixed delivery, edge-triggered, to this CPU's local APIC (physical
     * destination mode): the Intel SDM's MSI format. */
    *address = 0xFEE00000UL | ((uint64_t)(lapic_read(LAPIC_ID) >> 24) << 12);
    *data = line;
}
