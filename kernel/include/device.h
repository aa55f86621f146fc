/*
 * device.h: device access for user-space drivers. Hardware is reached only
 * through capabilities that derive from the device authority (CAP_DEVICE),
 * which the kernel gives the root actor at boot:
 *
 *   - an I/O-port range (CAP_IOPORT): IO_IN and IO_OUT on ports inside it;
 *   - device memory and DMA memory: memory objects (memory.h);
 *   - an interrupt (CAP_IRQ): an IOAPIC input or an MSI vector that, once
 *     bound to a notification, signals it and stays masked until IRQ_ACK.
 *
 * Whatever the kernel drives itself (its ports, its interrupt lines, the
 * memory it maps) is refused. Interrupts arrive with interrupts off in
 * kernel mode, as every other kernel entry runs, so nothing here needs a
 * lock on this uniprocessor kernel.
 */
#ifndef CLK_DEVICE_H
#define CLK_DEVICE_H

#include <cap.h>
#include <kdefs.h>

struct actor;
struct notification;

/* A range of I/O ports [base, base + count). */
struct ioport {
    uint32_t refs; /* capabilities */
    uint32_t base, count;
};

/* An interrupt source a capability names. */
struct irq {
    uint32_t refs; /* capabilities */
    unsigned line; /* the arch's handle (on x86_64, the vector) */
    bool msi;      /* an MSI vector; else an IOAPIC input */
    /* Delivery state, changed in interrupt context and by syscalls. */
    bool masked;                 /* taken and not acknowledged yet, or never unmasked */
    bool pending;                /* it fired while masked or unbound: deliver on ACK */
    struct notification *notify; /* bound to this (holding a reference), or NULL */
    uint64_t bits;               /* what it signals */
    uint64_t count, unbound;     /* interrupts taken; of those, with nobody bound */
};

/* The device authority, which the kernel copies into the root actor's
 * table (slot CLK_CAP_INIT) at boot. */
extern const struct cap device_authority;

/* IOPORT_CREATE: a capability to ports [BASE, BASE + COUNT) for A. Returns
 * the slot, CLK_EINVAL (empty, or past port 0xFFFF), CLK_EPERM (a port the
 * kernel drives) or CLK_ENOMEM. */
int ioport_create(struct actor *a, uint64_t base, uint64_t count);

/* IO_IN and IO_OUT through the checked capability IO. Return the value read
 * (or 0), CLK_EINVAL (WIDTH not 1, 2 or 4) or CLK_EPERM (not in the range). */
int64_t ioport_in(const struct ioport *io, uint64_t port, uint64_t width);
int64_t ioport_out(const struct ioport *io, uint64_t port, uint64_t width, uint64_t value);
/* IO_INDEXED: write INDEX to INDEX_PORT, then read DATA_PORT (MAY_READ: the
 * capability has READ) or write VALUE to it; OP as in clk/abi.h. */
int64_t ioport_indexed(const struct ioport *io, uint64_t index_port, uint64_t index,
                       uint64_t data_port, uint64_t op, uint64_t value, bool may_read);

void ioport_release(struct ioport *io);

/* IRQ_CREATE and IRQ_CREATE_MSI: an interrupt capability for A, masked and
 * unbound. Return the slot, CLK_ENOENT (no such input), CLK_EPERM (the
 * kernel's), CLK_EEXIST (another capability has it) or CLK_ENOMEM (no
 * memory, no slot or, for MSI, no free vector). */
int irq_create(struct actor *a, uint64_t gsi);
int irq_create_msi(struct actor *a);

/* IRQ_INFO: what (enum clk_irq_info) about Q, or CLK_EINVAL. */
int64_t irq_info(const struct irq *q, uint64_t what);

/* IRQ_BIND: Q signals BITS on N from now on (N NULL: nobody), then is
 * acknowledged as by irq_ack. Returns 0 or CLK_EINVAL (no BITS). */
int irq_bind(struct irq *q, struct notification *n, uint64_t bits);

/* IRQ_ACK: unmask Q; an interrupt that came while it was masked is
 * delivered now instead (and Q stays masked). Returns 0, or CLK_ENOENT
 * when Q is bound to nothing. */
int irq_ack(struct irq *q);

/* The last capability to Q is gone: mask it, unbind it, free it. */
void irq_release(struct irq *q);

/* Called by the arch layer, in interrupt context, when LINE fires. */
void irq_fired(unsigned line);

/* ---- arch layer (arch/x86_64/ioport.c, apic.c) ---- */

/* True when [BASE, BASE + COUNT) holds a port the kernel drives itself. */
bool arch_ioport_reserved(uint32_t base, uint32_t count);

/* Read or write PORT with an access of WIDTH bytes (1, 2 or 4). */
uint32_t arch_io_in(uint16_t port, unsigned width);
void arch_io_out(uint16_t port, unsigned width, uint32_t value);

/* Claim the IOAPIC input GSI (masked, routed to this CPU, its handler
 * calling irq_fired); *LINE gets its handle. Returns 0, CLK_ENOENT,
 * CLK_EPERM (the kernel's) or CLK_EEXIST (claimed already). */
int arch_irq_claim_gsi(uint64_t gsi, unsigned *line);

/* Claim a free MSI vector. Returns 0 or CLK_ENOMEM (none left). */
int arch_irq_claim_msi(unsigned *line);

/* Mask or unmask LINE (MSI vectors have no mask: the caller keeps it). */
void arch_irq_mask(unsigned line, bool masked);

/* Mask LINE and give it back. */
void arch_irq_release(unsigned line);

/* The message an MSI device must write to raise LINE. */
void arch_irq_msi_message(unsigned line, uint64_t *address, uint32_t *data);

#endif
