/*
 * device.c: I/O-port ranges and interrupts for user-space drivers (see
 * device.h). Device and DMA memory are memory objects (memory.c).
 */
#include <actor.h>
#include <async.h>
#include <cap.h>
#include <device.h>
#include <kmalloc.h>
#include <log.h>
#include <panic.h>

#define IRQ_LINES 256 /* arch handles are below this (x86_64 vectors) */

const struct cap device_authority = { CAP_DEVICE, CLK_RIGHTS_ALL, 0, NULL };

/* The IRQ object each claimed line belongs to. */
static struct irq *irq_lines[IRQ_LINES];
static uint64_t irq_strays; /* interrupts on lines nobody holds */

/* ---- I/O ports ---- */

int ioport_create(struct actor *a, uint64_t base, uint64_t count)
{
    if (count == 0 || base > 0xFFFF || count > 0x10000 - base)
        return CLK_EINVAL;
    if (arch_ioport_reserved((uint32_t)base, (uint32_t)count))
        return CLK_EPERM;
    struct ioport *io = kzalloc(sizeof(*io));
    if (!io)
        return CLK_ENOMEM;
    io->base = (uint32_t)base;
    io->count = (uint32_t)count;
    int slot = cap_insert(a, CAP_IOPORT, io, CLK_RIGHTS_ALL, 0);
    if (slot < 0)
        kfree(io);
    return slot;
}

/* 0 when an access of WIDTH at PORT is well-formed and inside IO. */
static int port_check(const struct ioport *io, uint64_t port, uint64_t width)
{
    if (width != 1 && width != 2 && width != 4)
        return CLK_EINVAL;
    if (port < io->base || port - io->base >= io->count || width > io->count - (port - io->base))
        return CLK_EPERM;
    return 0;
}

int64_t ioport_in(const struct ioport *io, uint64_t port, uint64_t width)
{
    int err = port_check(io, port, width);
    return err < 0 ? err : (int64_t)arch_io_in((uint16_t)port, (unsigned)width);
}

int64_t ioport_out(const struct ioport *io, uint64_t port, uint64_t width, uint64_t value)
{
    int err = port_check(io, port, width);
    if (err < 0)
        return err;
    arch_io_out((uint16_t)port, (unsigned)width, (uint32_t)value);
    return 0;
}

int64_t ioport_indexed(const struct ioport *io, uint64_t index_port, uint64_t index,
                       uint64_t data_port, uint64_t op, uint64_t value, bool may_read)
{
    uint64_t dw = op & 0xF, iw = (op >> 4) & 0xF;
    bool write = op & CLK_IO_WRITE;
    if (op & ~(uint64_t)(CLK_IO_WRITE | 0xFF))
        return CLK_EINVAL;
    int err = port_check(io, index_port, iw);
    if (err == 0)
        err = port_check(io, data_port, dw);
    if (err < 0)
        return err;
    if (!write && !may_read)
        return CLK_EPERM;
    /* One system call, so nothing comes between the two accesses. */
    arch_io_out((uint16_t)index_port, (unsigned)iw, (uint32_t)index);
    if (write) {
        arch_io_out((uint16_t)data_port, (unsigned)dw, (uint32_t)value);
        return 0;
    }
    return (int64_t)arch_io_in((uint16_t)data_port, (unsigned)dw);
}

void ioport_release(struct ioport *io)
{
    if (--io->refs == 0)
        kfree(io);
}

/* ---- interrupts ---- */

/* Wrap the claimed LINE in a new IRQ object with a capability in A's
 * table; gives the line back when that fails. */
static int irq_wrap(struct actor *a, unsigned line, bool msi)
{
    KASSERT(line < IRQ_LINES && !irq_lines[line]);
    struct irq *q = kzalloc(sizeof(*q));
    int slot = q ? cap_insert(a, CAP_IRQ, q, CLK_RIGHTS_ALL, 0) : CLK_ENOMEM;
    if (slot < 0) {
        kfree(q);
        arch_irq_release(line);
        return slot;
    }
    q->line = line;
    q->msi = msi;
    q->masked = true; /* until it is bound */
    irq_lines[line] = q;
    return slot;
}

int irq_create(struct actor *a, uint64_t gsi)
{
    unsigned line;
    int err = arch_irq_claim_gsi(gsi, &line);
    return err < 0 ? err : irq_wrap(a, line, false);
}

int irq_create_msi(struct actor *a)
{
    unsigned line;
    int err = arch_irq_claim_msi(&line);
    return err < 0 ? err : irq_wrap(a, line, true);
}

int64_t irq_info(const struct irq *q, uint64_t what)
{
    uint64_t address;
    uint32_t data;
    switch (what) {
    case CLK_IRQ_MSI_ADDRESS:
    case CLK_IRQ_MSI_DATA:
        if (!q->msi)
            return CLK_EINVAL;
        arch_irq_msi_message(q->line, &address, &data);
        return what == CLK_IRQ_MSI_ADDRESS ? (int64_t)address : data;
    case CLK_IRQ_COUNT: return (int64_t)q->count;
    case CLK_IRQ_UNBOUND: return (int64_t)q->unbound;
    default: return CLK_EINVAL;
    }
}

static void mask(struct irq *q)
{
    q->masked = true;
    arch_irq_mask(q->line, true);
}

/* Q (bound) fired: mask it and tell its notification. */
static void deliver(struct irq *q)
{
    mask(q);
    q->pending = false;
    notification_signal(q->notify, q->bits);
}

int irq_ack(struct irq *q)
{
    if (!q->notify)
        return CLK_ENOENT;
    if (q->pending) {
        deliver(q); /* it came while masked (an MSI, or before the binding) */
    } else if (q->masked) {
        q->masked = false;
        arch_irq_mask(q->line, false);
    }
    return 0;
}

int irq_bind(struct irq *q, struct notification *n, uint64_t bits)
{
    if (n && !bits)
        return CLK_EINVAL;
    if (n)
        n->refs++; /* first: N may be the notification already bound */
    if (q->notify)
        notification_release(q->notify);
    q->notify = n;
    q->bits = bits;
    if (!n) {
        mask(q);
        return 0;
    }
    return irq_ack(q);
}

void irq_release(struct irq *q)
{
    if (--q->refs)
        return;
    mask(q);
    arch_irq_release(q->line);
    irq_lines[q->line] = NULL;
    if (q->notify)
        notification_release(q->notify);
    kfree(q);
}

void irq_fired(unsigned line)
{
    struct irq *q = line < IRQ_LINES ? irq_lines[line] : NULL;
    if (!q) {
        /* An MSI vector given back while its device still sends: count it;
         * log the 1st, 2nd, 4th, ... so that a storm cannot flood the log. */
        irq_strays++;
        if ((irq_strays & (irq_strays - 1)) == 0)
            log_warn("irq: %lu interrupt(s) on lines nobody holds, the last on %u",
                     (unsigned long)irq_strays, line);
        return;
    }
    q->count++;
    if (!q->notify) { /* nobody to tell: keep it for the binding */
        q->unbound++;
        q->pending = true;
        mask(q);
    } else if (q->masked) { /* an MSI (no mask in hardware) before the last was acknowledged */
        q->pending = true;
    } else {
        deliver(q);
    }
}
