/*
 * actor/sys.h: CLKernel system calls for actors, one inline function each.
 * Numbers and the register convention come from <clk/abi.h>; see
 * docs/kernel-abi.md for what each call does and its errors.
 *
 * This is the first piece of libactor; the full runtime (message loop,
 * name registry, newlib) arrives with the SDK.
 */
#ifndef ACTOR_SYS_H
#define ACTOR_SYS_H

#include <clk/abi.h>
#include <stddef.h>
#include <stdint.h>

static inline long clk_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
    register long r10 __asm__("r10") = a3;
    register long r8 __asm__("r8") = a4;
    register long r9 __asm__("r9") = a5;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

/* Write LEN bytes to the kernel console; returns LEN or a CLK_E* code. */
static inline long clk_debug_write(const void *buf, size_t len)
{
    return clk_syscall(CLK_SYS_DEBUG_WRITE, (long)buf, (long)len, 0, 0, 0, 0);
}

/* Read raw console input (no echo, no line editing): waits up to TIMEOUT
 * ns (0: only look; CLK_FOREVER) for at least one byte, then returns how
 * many it copied to BUF (at most LEN), or CLK_ETIMEDOUT, CLK_EFAULT,
 * CLK_EINVAL (LEN 0 or over CLK_CONSOLE_READ_MAX). */
static inline long clk_console_read(void *buf, size_t len, uint64_t timeout)
{
    return clk_syscall(CLK_SYS_CONSOLE_READ, (long)buf, (long)len, (long)timeout, 0, 0, 0);
}

/* End the calling actor with STATUS. */
static inline __attribute__((noreturn)) void clk_exit(int status)
{
    clk_syscall(CLK_SYS_EXIT, status, 0, 0, 0, 0, 0);
    __builtin_unreachable();
}

static inline void clk_yield(void)
{
    clk_syscall(CLK_SYS_YIELD, 0, 0, 0, 0, 0, 0);
}

static inline void clk_sleep_ns(uint64_t ns)
{
    clk_syscall(CLK_SYS_SLEEP, (long)ns, 0, 0, 0, 0, 0);
}

/* Nanoseconds since boot. */
static inline uint64_t clk_clock_ns(void)
{
    return (uint64_t)clk_syscall(CLK_SYS_CLOCK, 0, 0, 0, 0, 0, 0);
}

/* Start a new actor as SP says (see struct clk_spawn); returns the slot of
 * a capability to it, or a CLK_E* code. */
static inline long clk_spawn(const struct clk_spawn *sp)
{
    return clk_syscall(CLK_SYS_SPAWN, (long)sp, 0, 0, 0, 0, 0);
}

/* The id of the actor that capability CAP names. */
static inline long clk_actor_id(long cap)
{
    return clk_syscall(CLK_SYS_ACTOR_ID, cap, 0, 0, 0, 0, 0);
}

/* Destroy the actor that CAP names (CLK_ENOENT: it is gone already). */
static inline long clk_actor_kill(long cap)
{
    return clk_syscall(CLK_SYS_ACTOR_KILL, cap, 0, 0, 0, 0, 0);
}

/* ---- capabilities ---- */

static inline long clk_endpoint_create(void)
{
    return clk_syscall(CLK_SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
}

/* A copy of CAP with RIGHTS (a subset) and BADGE; returns its slot. */
static inline long clk_cap_mint(long cap, unsigned rights, uint64_t badge)
{
    return clk_syscall(CLK_SYS_CAP_MINT, cap, rights, (long)badge, 0, 0, 0);
}

static inline long clk_cap_delete(long cap)
{
    return clk_syscall(CLK_SYS_CAP_DELETE, cap, 0, 0, 0, 0, 0);
}

static inline long clk_stats(enum clk_stat which)
{
    return clk_syscall(CLK_SYS_STATS, which, 0, 0, 0, 0, 0);
}

/* ---- IPC ---- */

/* A message: its tag (CLK_TAG(label, len)) and its register words. Longer
 * messages put their bytes in clk_ipc_buffer() instead. */
struct clk_msg {
    uint64_t tag;
    uint64_t w[CLK_MSG_REGS];
};

static inline void *clk_ipc_buffer(void)
{
    return (void *)CLK_IPC_BUFFER;
}

/* The body of an IPC syscall: message M in and out, A0 in rdi (the badge
 * comes back there), and EXTRA further inputs (SEND's timeout in rbx). */
#define CLK_IPC_ASM(nr, a0, m, badge, ...)                                                         \
    register uint64_t r10 __asm__("r10") = (m)->w[1];                                              \
    register uint64_t r8 __asm__("r8") = (m)->w[2];                                                \
    register uint64_t r9 __asm__("r9") = (m)->w[3];                                                \
    register uint64_t r12 __asm__("r12") = (m)->w[4];                                              \
    register uint64_t r13 __asm__("r13") = (m)->w[5];                                              \
    register uint64_t r14 __asm__("r14") = (m)->w[6];                                              \
    register uint64_t r15 __asm__("r15") = (m)->w[7];                                              \
    uint64_t rdi = (uint64_t)(a0), rsi = (m)->tag, rdx = (m)->w[0];                                \
    long ret;                                                                                      \
    __asm__ volatile("syscall"                                                                     \
                     : "=a"(ret), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10), "+r"(r8), "+r"(r9),  \
                       "+r"(r12), "+r"(r13), "+r"(r14), "+r"(r15)                                  \
                     : "a"(nr)__VA_ARGS__                                                          \
                     : "rcx", "r11", "memory");                                                    \
    (m)->tag = rsi;                                                                                \
    (m)->w[0] = rdx, (m)->w[1] = r10, (m)->w[2] = r8, (m)->w[3] = r9;                              \
    (m)->w[4] = r12, (m)->w[5] = r13, (m)->w[6] = r14, (m)->w[7] = r15;                            \
    if (badge)                                                                                     \
        *(badge) = rdi;                                                                            \
    return ret

/* One IPC syscall NR on CAP with message M (in and out); *BADGE gets rdi. */
static inline long clk_ipc(long nr, long cap, struct clk_msg *m, uint64_t *badge)
{
    CLK_IPC_ASM(nr, cap, m, badge);
}

/* Send M on endpoint CAP and wait for the reply, which replaces M.
 * Returns 0, CLK_EBADF/CLK_EPERM (capability), CLK_EINVAL (length) or
 * CLK_EDEAD (no receiver any more, or it died before replying). */
static inline long clk_call(long cap, struct clk_msg *m)
{
    return clk_ipc(CLK_SYS_CALL, cap, m, NULL);
}

/* Wait for a message on CAP; *BADGE gets the caller's badge. */
static inline long clk_recv(long cap, struct clk_msg *m, uint64_t *badge)
{
    return clk_ipc(CLK_SYS_RECV, cap, m, badge);
}

/* Answer the call received last. CLK_ENOENT when none is owed. */
static inline long clk_reply(struct clk_msg *m)
{
    return clk_ipc(CLK_SYS_REPLY, 0, m, NULL);
}

/* Turn the reply owed now into a reply capability (returns its slot), to
 * answer later with clk_reply_to while taking other messages. */
static inline long clk_reply_defer(void)
{
    return clk_syscall(CLK_SYS_REPLY_DEFER, 0, 0, 0, 0, 0, 0);
}

/* Answer a deferred call with M through reply capability CAP, which is
 * used up. CLK_EDEAD when the caller is gone. */
static inline long clk_reply_to(long cap, struct clk_msg *m)
{
    return clk_ipc(CLK_SYS_REPLY_TO, cap, m, NULL);
}

/* Reply (if one is owed), then wait for the next message. */
static inline long clk_reply_recv(long cap, struct clk_msg *m, uint64_t *badge)
{
    return clk_ipc(CLK_SYS_REPLY_RECV, cap, m, badge);
}

/* ---- asynchronous IPC ---- */

static inline long clk_mailbox_create(unsigned slots)
{
    return clk_syscall(CLK_SYS_MAILBOX_CREATE, slots, 0, 0, 0, 0, 0);
}

static inline long clk_notification_create(void)
{
    return clk_syscall(CLK_SYS_NOTIFICATION_CREATE, 0, 0, 0, 0, 0, 0);
}

/* Put M (at most CLK_MSG_REGS words) in mailbox CAP. When it is full, wait
 * up to TIMEOUT ns for room (0: CLK_EFULL at once; CLK_FOREVER: no limit).
 * M is not changed. */
static inline long clk_send(long cap, const struct clk_msg *msg, uint64_t timeout)
{
    struct clk_msg copy = *msg, *m = &copy;
    CLK_IPC_ASM(CLK_SYS_SEND, cap, m, (uint64_t *)0, , "b"(timeout));
}

/* OR BITS into notification CAP (a badged capability sets its badge). */
static inline long clk_signal(long cap, uint64_t bits)
{
    return clk_syscall(CLK_SYS_SIGNAL, cap, (long)bits, 0, 0, 0, 0);
}

/* In NS nanoseconds, signal BITS on notification CAP (a badged capability:
 * its badge); a later call replaces the timer, CLK_FOREVER cancels it. */
static inline long clk_timer(long cap, uint64_t ns, uint64_t bits)
{
    return clk_syscall(CLK_SYS_TIMER, cap, (long)ns, (long)bits, 0, 0, 0);
}

/* WAIT takes from the endpoints, mailboxes and notifications bound here. */
static inline long clk_bind(long cap)
{
    return clk_syscall(CLK_SYS_BIND, cap, 0, 0, 0, 0, 0);
}

static inline long clk_unbind(long cap)
{
    return clk_syscall(CLK_SYS_UNBIND, cap, 0, 0, 0, 0, 0);
}

/* Wait up to TIMEOUT ns for any bound object. Returns the slot it came
 * through (M and *BADGE hold the message), CLK_ETIMEDOUT or CLK_ENOENT
 * (nothing bound). */
static inline long clk_wait(uint64_t timeout, struct clk_msg *m, uint64_t *badge)
{
    return clk_ipc(CLK_SYS_WAIT, (long)timeout, m, badge);
}

/* Reply with M to the call owed (if any), then clk_wait. */
static inline long clk_reply_wait(uint64_t timeout, struct clk_msg *m, uint64_t *badge)
{
    return clk_ipc(CLK_SYS_REPLY_WAIT, (long)timeout, m, badge);
}

/* ---- memory ---- */

/* A new memory object of NPAGES zeroed pages; returns its slot. */
static inline long clk_memory_create(unsigned long npages)
{
    return clk_syscall(CLK_SYS_MEMORY_CREATE, (long)npages, 0, 0, 0, 0, 0);
}

/* Map all of memory object CAP at VA, writable with CLK_MAP_WRITE. */
static inline long clk_map(long cap, unsigned long va, unsigned flags)
{
    return clk_syscall(CLK_SYS_MAP, cap, (long)va, flags, 0, 0, 0);
}

/* Remove the mapping that starts at VA. */
static inline long clk_unmap(unsigned long va)
{
    return clk_syscall(CLK_SYS_UNMAP, (long)va, 0, 0, 0, 0, 0);
}

/* ---- threads ---- */

void __clk_thread_entry(void); /* crt0.S */

/*
 * Run FN(ARG, IPCBUF) on a new thread of this actor, on the stack
 * [STACK, STACK + SIZE), or, when STACK is NULL, on a 64 KiB stack the
 * kernel maps above a guard page (and frees with the thread). IPCBUF is
 * the thread's own IPC buffer (the first thread's is clk_ipc_buffer()).
 * The thread ends when FN returns. Returns the thread's index or a CLK_E*
 * code (CLK_ENOMEM: over the thread or page quota).
 */
static inline long clk_thread_start(void (*fn)(void *arg, void *ipcbuf), void *arg, void *stack,
                                    size_t size)
{
    uintptr_t top = stack ? ((uintptr_t)stack + size) & ~(uintptr_t)15 : 0;
    return clk_syscall(CLK_SYS_THREAD_CREATE, (long)__clk_thread_entry, (long)top, (long)fn,
                       (long)arg, 0, 0);
}

/* End the calling thread (the actor, when it is the last). */
static inline __attribute__((noreturn)) void clk_thread_exit(void)
{
    clk_syscall(CLK_SYS_THREAD_EXIT, 0, 0, 0, 0, 0, 0);
    __builtin_unreachable();
}

/* ---- device access (the device authority is clk_bootinfo.device_cap in
 * the root actor; others get copies through SPAWN) ---- */

/* A capability to the I/O ports [BASE, BASE + COUNT); returns its slot. */
static inline long clk_ioport_create(long dev, unsigned base, unsigned count)
{
    return clk_syscall(CLK_SYS_IOPORT_CREATE, dev, base, count, 0, 0, 0);
}

/* Read WIDTH (1, 2 or 4) bytes from PORT through I/O-port capability IO. */
static inline long clk_io_in(long io, unsigned port, unsigned width)
{
    return clk_syscall(CLK_SYS_IO_IN, io, port, width, 0, 0, 0);
}

static inline long clk_io_out(long io, unsigned port, unsigned width, uint32_t value)
{
    return clk_syscall(CLK_SYS_IO_OUT, io, port, width, value, 0, 0);
}

/* Write INDEX (INDEX_WIDTH bytes) to INDEX_PORT, then read DATA_WIDTH bytes
 * from DATA_PORT, in one system call, so no other driver's access to the
 * pair comes between (PCI configuration space, the CMOS). The value read,
 * or a CLK_E* code. */
static inline long clk_io_indexed_in(long io, unsigned index_port, unsigned index_width,
                                     uint32_t index, unsigned data_port, unsigned data_width)
{
    return clk_syscall(CLK_SYS_IO_INDEXED, io, index_port, index, data_port,
                       CLK_IO_OP(data_width, index_width, 0), 0);
}

/* The same, writing VALUE to DATA_PORT: 0 or a CLK_E* code. */
static inline long clk_io_indexed_out(long io, unsigned index_port, unsigned index_width,
                                      uint32_t index, unsigned data_port, unsigned data_width,
                                      uint32_t value)
{
    return clk_syscall(CLK_SYS_IO_INDEXED, io, index_port, index, data_port,
                       CLK_IO_OP(data_width, index_width, 1), value);
}

/* A memory object of the NPAGES device pages at PHYS, mapped uncached. */
static inline long clk_mmio_create(long dev, uint64_t phys, unsigned long npages)
{
    return clk_syscall(CLK_SYS_MMIO_CREATE, dev, (long)phys, (long)npages, 0, 0, 0);
}

/* A memory object of NPAGES physically contiguous zeroed pages. */
static inline long clk_dma_create(long dev, unsigned long npages)
{
    return clk_syscall(CLK_SYS_DMA_CREATE, dev, (long)npages, 0, 0, 0, 0);
}

/* The physical address of page PAGE of a DMA or device memory object. */
static inline long clk_memory_phys(long mem, unsigned long page)
{
    return clk_syscall(CLK_SYS_MEMORY_PHYS, mem, (long)page, 0, 0, 0, 0);
}

/* An interrupt capability for IOAPIC input GSI, masked and unbound. */
static inline long clk_irq_create(long dev, unsigned gsi)
{
    return clk_syscall(CLK_SYS_IRQ_CREATE, dev, gsi, 0, 0, 0, 0);
}

/* An interrupt capability for a new MSI vector (see clk_irq_info). */
static inline long clk_irq_create_msi(long dev)
{
    return clk_syscall(CLK_SYS_IRQ_CREATE_MSI, dev, 0, 0, 0, 0, 0);
}

/* WHAT (enum clk_irq_info) about interrupt capability IRQ. */
static inline long clk_irq_info(long irq, enum clk_irq_info what)
{
    return clk_syscall(CLK_SYS_IRQ_INFO, irq, what, 0, 0, 0, 0);
}

/* When IRQ fires, signal BITS on NOTIFICATION (CLK_CAP_NONE: unbind). */
static inline long clk_irq_bind(long irq, long notification, uint64_t bits)
{
    return clk_syscall(CLK_SYS_IRQ_BIND, irq, notification, (long)bits, 0, 0, 0);
}

/* Unmask IRQ after handling it. */
static inline long clk_irq_ack(long irq)
{
    return clk_syscall(CLK_SYS_IRQ_ACK, irq, 0, 0, 0, 0, 0);
}

/* Add the LEN bytes at BUF (1 to CLK_CONSOLE_INPUT_MAX) to the console's
 * input, as if typed on the serial line (a keyboard driver: one call per
 * key). Returns LEN, or 0 when the input ring had no room for all of them
 * (nothing was added); CLK_EBADF without the device authority DEV,
 * CLK_EINVAL, CLK_EFAULT. */
static inline long clk_console_input(long dev, const void *buf, size_t len)
{
    return clk_syscall(CLK_SYS_CONSOLE_INPUT, dev, (long)buf, (long)len, 0, 0, 0);
}

/* CONSOLE_INTR: a ^C typed from now on signals BITS on NOTIFICATION (SEND
 * right) instead of reaching CONSOLE_READ; CLK_CAP_NONE gives it back.
 * 0, CLK_EBADF, CLK_EPERM, CLK_EINVAL (BITS 0). */
static inline long clk_console_intr(long notification, uint64_t bits)
{
    return clk_syscall(CLK_SYS_CONSOLE_INTR, notification, (long)bits, 0, 0, 0, 0);
}

/* Actors built against the sysroot: how many capabilities the spawner
 * gave (they are in slots 1..clk_ncaps), and, in the first actor only,
 * the boot information (NULL in every other). */
extern long clk_ncaps;
extern const struct clk_bootinfo *clk_bootinfo;

/* The queue of endpoint EP (receive right): WHAT is an enum clk_ep_info. */
static inline long clk_endpoint_info(long ep, enum clk_ep_info what)
{
    return clk_syscall(CLK_SYS_ENDPOINT_INFO, ep, what, 0, 0, 0, 0);
}

/* What the kernel knows of the live actor with the smallest id above AFTER
 * (start from 0 to list them all), through a monitor authority MONITOR
 * (clk_bootinfo.monitor_cap, or a copy: the supervisor's CLK_MONITOR).
 * Returns 0, CLK_ENOENT past the last, CLK_EBADF (not a monitor
 * authority), CLK_EPERM (no READ right) or CLK_EFAULT (INFO). */
static inline long clk_actor_info(long monitor, uint64_t after, struct clk_actor_info *info)
{
    return clk_syscall(CLK_SYS_ACTOR_INFO, monitor, (long)after, (long)info, 0, 0, 0);
}

/* The calling actor's id. */
static inline long clk_self(void)
{
    return clk_syscall(CLK_SYS_SELF, 0, 0, 0, 0, 0, 0);
}

/* printf to the kernel console (the formatting of the kernel's fmt.h). */
int clk_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
