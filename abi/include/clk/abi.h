/*
 * clk/abi.h: the CLKernel kernel/user ABI. This is the one place that
 * defines error codes, syscall numbers, the register convention and the
 * structures the kernel shares with user space. The kernel, libactor and
 * libc-port all include it; the build installs it into the sysroot.
 * docs/kernel-abi.md documents every syscall.
 *
 * Errors: functions return 0 (or a non-negative count) on success and one
 * of the negative CLK_E* codes below on failure; results travel through
 * out-parameters. Values are stable.
 */
#ifndef CLK_ABI_H
#define CLK_ABI_H

/* The header serves C and C++ actors alike. */
#ifdef __cplusplus
#define CLK_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define CLK_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

enum clk_error {
    CLK_OK = 0,
    CLK_EINVAL = -1,  /* an argument is malformed or out of range */
    CLK_ENOMEM = -2,  /* out of memory or over quota */
    CLK_ENOENT = -3,  /* no such object or name */
    CLK_EEXIST = -4,  /* already exists */
    CLK_EFAULT = -5,  /* a user pointer is not mapped or not accessible */
    CLK_EPERM = -6,   /* the capability lacks the needed right */
    CLK_ENOSYS = -7,  /* not implemented */
    CLK_ERANGE = -8,  /* a value does not fit */
    CLK_EBADF = -9,   /* a handle is invalid or of the wrong type */
    CLK_EAGAIN = -10, /* try again (queue full, would block) */
    CLK_ETIMEDOUT = -11,
    CLK_EIO = -12,   /* data is corrupt or a device failed */
    CLK_EDEAD = -13, /* the other side is gone: its actor died or dropped the call */
    CLK_EFULL = -14, /* a mailbox is full: the message was not sent */
};

/*
 * System calls. The SYSCALL instruction enters the kernel with
 *   rax = syscall number, arguments in rdi, rsi, rdx, r10, r8, r9;
 * the result comes back in rax (>= 0, or a CLK_E* code). SYSCALL itself
 * clobbers rcx and r11; every other register is preserved.
 *
 * CLK_SYSCALLS is the one table of syscalls: X(NAME, number), in increasing
 * order. A number missing from it (0, or any past the last) is CLK_ENOSYS.
 */
#define CLK_SYSCALLS(X)                                                                            \
    X(DEBUG_WRITE, 1)     /* (const char *buf, size_t len) -> bytes written */                     \
    X(EXIT, 2)            /* (int status) -> does not return */                                    \
    X(YIELD, 3)           /* () -> 0 */                                                            \
    X(SLEEP, 4)           /* (uint64_t ns) -> 0 */                                                 \
    X(CLOCK, 5)           /* () -> nanoseconds since boot */                                       \
    X(SPAWN, 6)           /* (const struct clk_spawn *) -> slot of the new actor's capability */   \
    X(SELF, 7)            /* () -> the caller's actor id */                                        \
    X(ENDPOINT_CREATE, 8) /* () -> capability slot of a new endpoint */                            \
    X(CALL, 9)            /* (cap, tag, m0..m7) -> status; the reply in tag, m0..m7 */             \
    X(RECV, 10)           /* (cap) -> status; badge, tag, m0..m7 */                                \
    X(REPLY, 11)          /* (-, tag, m0..m7) -> status */                                         \
    X(REPLY_RECV, 12)     /* (cap, tag, m0..m7) -> status; badge, tag, m0..m7 of the next */       \
    X(CAP_MINT, 13)       /* (cap, rights, badge) -> slot of a copy with fewer rights */           \
    X(CAP_DELETE, 14)     /* (cap) -> 0 */                                                         \
    X(STATS, 15)          /* (which) -> a kernel counter (enum clk_stat) */                        \
    X(NOTIFICATION_CREATE, 16) /* () -> slot of a new notification */                              \
    X(SIGNAL, 17)              /* (cap, bits) -> 0; ORs bits (or the cap's badge) into it */       \
    X(MAILBOX_CREATE, 18)      /* (slots) -> slot of a new mailbox of SLOTS messages */            \
    X(SEND, 19)                /* (cap, tag, m0..m7; rbx = timeout) -> status */                   \
    X(BIND, 20)                /* (cap) -> 0; WAIT now also waits on this object */                \
    X(UNBIND, 21)              /* (cap) -> 0 */                                                    \
    X(WAIT, 22)                /* (timeout) -> slot that fired; badge, tag, m0..m7 */              \
    X(REPLY_WAIT, 23)          /* (timeout, tag, m0..m7) -> as WAIT, after the reply */            \
    X(ACTOR_ID, 24)            /* (cap) -> the id of the actor CAP names */                        \
    X(ACTOR_KILL, 25)          /* (cap) -> 0; destroys the actor */                                \
    X(MEMORY_CREATE, 26)       /* (npages) -> slot of a new memory object */                       \
    X(MAP, 27)                 /* (cap, va, flags) -> 0; maps the whole object at VA */            \
    X(UNMAP, 28)               /* (va) -> 0; removes the mapping that starts at VA */              \
    X(THREAD_CREATE, 29)       /* (entry, stack or 0, arg0, arg1) -> the new thread's index */     \
    X(THREAD_EXIT, 30)         /* () -> does not return; the last thread ends the actor */         \
    X(TIMER, 31)          /* (cap, ns, bits) -> 0; signals BITS on notification CAP after NS */    \
    X(IOPORT_CREATE, 32)  /* (dev, base, count) -> slot of an I/O-port range */                    \
    X(IO_IN, 33)          /* (ioport, port, width) -> the value read */                            \
    X(IO_OUT, 34)         /* (ioport, port, width, value) -> 0 */                                  \
    X(MMIO_CREATE, 35)    /* (dev, phys, npages) -> slot of a device memory object */              \
    X(DMA_CREATE, 36)     /* (dev, npages) -> slot of a contiguous memory object */                \
    X(MEMORY_PHYS, 37)    /* (cap, page) -> physical address of that page */                       \
    X(IRQ_CREATE, 38)     /* (dev, gsi) -> slot of an IRQ capability (IOAPIC input) */             \
    X(IRQ_CREATE_MSI, 39) /* (dev) -> slot of an IRQ capability (an MSI vector) */                 \
    X(IRQ_INFO, 40)       /* (irq, what) -> enum clk_irq_info */                                   \
    X(IRQ_BIND, 41)       /* (irq, notification, bits) -> 0; signals BITS when it fires */         \
    X(IRQ_ACK, 42)        /* (irq) -> 0; unmasks it */                                             \
    X(REPLY_DEFER, 43)    /* () -> slot of a reply capability for the call owed */                 \
    X(REPLY_TO, 44)       /* (reply cap, tag, m0..m7) -> status; answers the deferred call */      \
    X(CONSOLE_READ, 45)   /* (buf, len, timeout) -> bytes read (>= 1), raw, from the console */    \
    X(ENDPOINT_INFO, 46)  /* (ep, what) -> enum clk_ep_info: its queue, for hang detection */      \
    X(ACTOR_INFO, 47)     /* (monitor, after_id, struct clk_actor_info *) -> 0: the next actor */  \
    X(CONSOLE_INPUT, 48)  /* (dev, buf, len) -> LEN, or 0 (no room); console input from drivers */ \
    X(IO_INDEXED, 49)     /* (io, index_port, index, data_port, op, value) -> value read, or 0 */  \
    X(CONSOLE_INTR, 50)   /* (notification or 0, bits) -> 0; ^C typed signals BITS instead */
enum clk_syscall {
#define CLK_SYSCALL_ENUM(name, nr) CLK_SYS_##name = nr,
    CLK_SYSCALLS(CLK_SYSCALL_ENUM)
#undef CLK_SYSCALL_ENUM
        CLK_SYS_COUNT
};

/*
 * Messages. A message is a tag and up to CLK_MSG_MAX bytes. Messages of at
 * most CLK_MSG_REGS words travel in registers; longer ones in the sender's
 * IPC buffer (one page at CLK_IPC_BUFFER in every actor), which the kernel
 * copies into the receiver's. Registers for CALL, RECV, REPLY, REPLY_RECV:
 *   in:  rax = syscall, rdi = endpoint capability, rsi = tag,
 *        m0..m7 = rdx, r10, r8, r9, r12, r13, r14, r15
 *   out: rax = status (0 or CLK_E*), rdi = badge (RECV), rsi = tag, m0..m7
 * The tag holds a label (the message type, bits 0-31, free for protocols)
 * and the length in bytes (bits 32-44).
 */
#define CLK_THREADS_MAX                                                                            \
    256 /* threads per actor; thread I's IPC buffer is page I from CLK_IPC_BUFFER */
#define CLK_MSG_REGS   8
#define CLK_MSG_MAX    4096
#define CLK_IPC_BUFFER 0x00007FFFFF000000ULL

#define CLK_TAG(label, len) (((unsigned long long)(len) << 32) | (unsigned)(label))
#define CLK_TAG_LABEL(tag)  ((unsigned)(tag))
#define CLK_TAG_LEN(tag)    ((unsigned)((tag) >> 32) & 0x1FFF)

/*
 * Passing a capability: bits 48-63 of the tag of a CALL or REPLY name a slot
 * of the sender's; the receiver gets a copy (same rights and badge) in a
 * free slot of its own, which bits 48-63 of the tag it receives name. A
 * CALL passes one only through an endpoint capability with the GRANT
 * right. When the receiver has no free slot, it gets the message without
 * the capability and CLK_TAG_CAP_LOST set. Mailboxes carry none.
 */
#define CLK_TAG_CAP(tag) ((unsigned)((unsigned long long)(tag) >> 48))
#define CLK_TAG_WITH_CAP(tag, slot)                                                                \
    (((tag)&0x0000FFFFFFFFFFFFULL) | ((unsigned long long)(slot) << 48))
#define CLK_TAG_CAP_LOST (1ULL << 47)

/*
 * Asynchronous messages. A mailbox holds up to its size in messages of at
 * most CLK_MSG_REGS words (bulk data goes through shared memory); SEND
 * copies the message in and returns at once. A full mailbox is CLK_EFULL
 * unless the sender asked to wait: SEND takes a timeout in rbx, in
 * nanoseconds, 0 for "never wait" and CLK_FOREVER for no limit. A
 * notification is a word of pending bits that SIGNAL sets and WAIT takes.
 *
 * A thread BINDs the endpoints, mailboxes and notifications it serves, and
 * one WAIT then returns the first that has something: rax is the slot of the
 * capability it came through; an endpoint gives a call (reply with REPLY or
 * REPLY_WAIT); a mailbox the message, with the sender's badge in rdi; a
 * notification the label CLK_LABEL_NOTIFY and its bits in m0 (taken, so
 * they are clear again). WAIT's timeout (0: just look) ends with
 * CLK_ETIMEDOUT.
 */
#define CLK_FOREVER      0xFFFFFFFFFFFFFFFFULL
#define CLK_LABEL_NOTIFY 0xFFFFFFFFu /* tag label of a notification from WAIT */
#define CLK_MAILBOX_MAX  256         /* most slots in one mailbox */

/*
 * Console input. CONSOLE_READ(buf, len, timeout) copies the bytes typed on
 * the console (raw: no echo, no line editing) as soon as there is at least
 * one, at most LEN (1 to CLK_CONSOLE_READ_MAX). Readers wait first come,
 * first served; TIMEOUT is in nanoseconds, 0 for "only look" and
 * CLK_FOREVER for no limit, and CLK_ETIMEDOUT says nothing came in time.
 */
#define CLK_CONSOLE_READ_MAX 65536

/*
 * Console input from drivers. CONSOLE_INPUT(dev, buf, len), with the device
 * authority DEV, adds the LEN bytes at BUF (1 to CLK_CONSOLE_INPUT_MAX) to
 * the console's input as if they had been typed on the serial line: the
 * readers of CONSOLE_READ get them (or the kernel's idle loop, while no
 * actor reads the console). All or nothing: it returns LEN, or 0 when the
 * input ring has no room for all of them, which are then dropped (as a
 * UART drops what nobody reads), so that a key's escape sequence never
 * arrives cut short. A keyboard driver sends each key's bytes in one call.
 */
#define CLK_CONSOLE_INPUT_MAX 128

/* Capability rights. A capability slot is a small integer; slot 0 is never
 * used, so 0 means "none". SPAWN copies the capabilities it passes to
 * slots CLK_CAP_INIT, CLK_CAP_INIT + 1, ... of the child and starts the child
 * with their number as its argument. On an actor capability, SEND is the
 * right to kill it. */
enum clk_rights {
    CLK_RIGHT_SEND = 1,
    CLK_RIGHT_RECV = 2,
    CLK_RIGHT_GRANT = 4,  /* pass capabilities through it */
    CLK_RIGHT_READ = 8,   /* memory: map it; I/O ports: IO_IN */
    CLK_RIGHT_WRITE = 16, /* memory: map it writable; I/O ports: IO_OUT */
    CLK_RIGHTS_ALL = 31,
};

/* MAP flags. Shared memory is never executable. */
#define CLK_MAP_WRITE 1
#define CLK_CAP_NONE  0
#define CLK_CAP_INIT  1

/*
 * Device access. The root actor starts with a device-authority capability
 * (clk_bootinfo.device_cap); it and its copies are the only way to hardware.
 * With it, IOPORT_CREATE makes I/O-port range capabilities (IO_IN needs
 * READ, IO_OUT WRITE), MMIO_CREATE memory objects of device pages (mapped
 * uncached), DMA_CREATE memory objects of physically contiguous RAM whose
 * addresses MEMORY_PHYS tells, and IRQ_CREATE / IRQ_CREATE_MSI interrupt
 * capabilities. IRQ_BIND ties an interrupt to a notification: when it
 * fires the kernel masks it and signals the bits; IRQ_ACK unmasks it.
 * Widths for IO_IN and IO_OUT are 1, 2 or 4 bytes.
 */
enum clk_irq_info {
    CLK_IRQ_MSI_ADDRESS = 0, /* MSI only: the message address to program */
    CLK_IRQ_MSI_DATA = 1,    /* MSI only: the message data to program */
    CLK_IRQ_COUNT = 2,       /* interrupts taken so far */
    CLK_IRQ_UNBOUND = 3,     /* of those, how many found no notification bound */
};

/*
 * Indexed registers. IO_INDEXED(io, index_port, index, data_port, op,
 * value) writes INDEX to INDEX_PORT and then reads DATA_PORT (or writes
 * VALUE to it) with nothing in between: no other actor's access to the
 * pair can come between the two, as it could between an IO_OUT and an
 * IO_IN. For index/data pairs that several drivers share: PCI's
 * configuration space (0xCF8, 0xCFC), the CMOS (0x70, 0x71). OP is the
 * data width (1, 2 or 4) | the index width << 4 | CLK_IO_WRITE.
 */
#define CLK_IO_WRITE 0x100
#define CLK_IO_OP(data_width, index_width, write)                                                  \
    ((unsigned)(data_width) | (unsigned)(index_width) << 4 | ((write) ? CLK_IO_WRITE : 0u))

/* Kernel counters for STATS (tests and benchmarks). */
enum clk_stat {
    CLK_STAT_IPC_FAST = 0, /* calls and reply-receives done on the fast path */
    CLK_STAT_IPC_SLOW = 1, /* IPC operations done on the slow path */
    CLK_STAT_FREE_FRAMES = 2,
    CLK_STAT_ACTORS = 3,
    CLK_STAT_BOOT_TIME = 4,    /* seconds since 1970 (UTC) when the kernel started, from the
                                  real-time clock; 0 when unknown */
    CLK_STAT_TOTAL_FRAMES = 5, /* frames the allocator manages: free ones and used ones */
};

/* Scheduling priorities: higher runs first; equal ones share the CPU. */
#define CLK_PRIO_MIN     0
#define CLK_PRIO_DEFAULT 8
#define CLK_PRIO_MAX     31

#define CLK_NAME_MAX 32 /* actor names, including the NUL */

/*
 * Quotas: what an actor may hold. Going over one is an error to the caller
 * (CLK_ENOMEM), never a kernel failure. In SPAWN, 0 in a field means the
 * spawner's own limit, and no field may exceed it.
 */
struct clk_quota {
    unsigned pages;         /* user pages it owns: image, stack, IPC buffer, mappings */
    unsigned caps;          /* capability slots (slot 0 included) */
    unsigned mailbox_slots; /* message slots, over every mailbox it creates */
    unsigned threads;
};

/* SPAWN's argument. Addresses are the caller's. */
#define CLK_SPAWN_CAPS 8
struct clk_spawn {
    unsigned long long elf;  /* the ELF64 executable... */
    unsigned long long len;  /* ...of LEN bytes */
    unsigned long long name; /* a NUL-terminated name, under CLK_NAME_MAX bytes */
    unsigned prio;           /* CLK_PRIO_MIN..CLK_PRIO_MAX */
    unsigned ncaps;          /* capabilities in CAPS to copy to the child */
    unsigned long long caps[CLK_SPAWN_CAPS];
    unsigned long long fault; /* a mailbox for the child's fault messages, or 0 */
    struct clk_quota quota;
    unsigned long long args;     /* the child's arguments and environment... */
    unsigned long long args_len; /* ...in ARGS_LEN (at most CLK_ARGS_MAX) bytes */
};
CLK_STATIC_ASSERT(sizeof(struct clk_spawn) == 136, "clk_spawn layout is ABI");

/*
 * Arguments and environment: a block of NUL-terminated strings, the
 * arguments (argv[0] first), then an empty string, then the environment
 * ("NAME=value"). SPAWN copies the block to the top of the child's stack
 * and starts the child with rdi = the number of capabilities it got, rsi =
 * the block's address (0 when there is none) and rdx = its length.
 */
#define CLK_ARGS_MAX 4096

/*
 * Faults. When an actor faults and was given a fault mailbox, the kernel
 * stops it (it stays, stopped, until its killer comes) and sends this
 * message there with the badge of that capability:
 *   tag = CLK_TAG(CLK_LABEL_FAULT, 48),
 *   m0 = actor id, m1 = vector, m2 = fault address (CR2 for page faults),
 *   m3 = RIP, m4 = error code, m5 = RSP.
 * Without a fault mailbox, or when the message cannot be sent (full or
 * dead), the kernel destroys the actor and logs why.
 */
#define CLK_LABEL_FAULT 0xFFFFFFFEu

/*
 * Exits. When an actor that was given a fault mailbox ends by EXIT (or its
 * last thread ends), the kernel sends there, with that capability's badge:
 *   tag = CLK_TAG(CLK_LABEL_EXIT, 16), m0 = actor id, m1 = exit status.
 * An actor destroyed by ACTOR_KILL or by the kernel sends none.
 */
#define CLK_LABEL_EXIT 0xFFFFFFFDu

/* ENDPOINT_INFO(ep, what), for the holder of the receive right. */
enum clk_ep_info {
    CLK_EP_QUEUED = 0,         /* callers waiting for a receiver */
    CLK_EP_OLDEST_WAIT_NS = 1, /* how long the first of them has waited (0: none) */
};

/*
 * Monitoring. The root actor starts with a monitor authority
 * (clk_bootinfo.monitor_cap), a capability with no object that lets its
 * holder read what the kernel knows of every actor; copies of it (with
 * the READ right, which ACTOR_INFO needs) go to whoever shows it: the
 * shell's ps and mem. ACTOR_INFO(monitor, after_id, buf) writes the info
 * of the live actor with the smallest id above AFTER_ID to BUF, so a
 * caller iterates from 0 until CLK_ENOENT. Counters run from the actor's
 * start and include its ended threads.
 */
enum clk_actor_state {
    CLK_ACTOR_RUNNING = 0,       /* a thread of it is on the CPU (the caller, on one CPU) */
    CLK_ACTOR_READY = 1,         /* a thread of it is ready to run */
    CLK_ACTOR_SLEEPING = 2,      /* in SLEEP */
    CLK_ACTOR_BLOCKED_SEND = 3,  /* in CALL, waiting for a receiver */
    CLK_ACTOR_BLOCKED_RECV = 4,  /* in RECV, waiting for a caller */
    CLK_ACTOR_BLOCKED_REPLY = 5, /* in CALL, waiting for the reply */
    CLK_ACTOR_BLOCKED_FULL = 6,  /* in SEND, waiting for room in a full mailbox */
    CLK_ACTOR_WAITING = 7,       /* in WAIT, for any object bound to it */
    CLK_ACTOR_READING = 8,       /* in CONSOLE_READ, waiting for input */
    CLK_ACTOR_STOPPED = 9,       /* it faulted: stopped until its fault handler kills it */
};

struct clk_actor_info {
    unsigned long long id;
    char name[CLK_NAME_MAX];
    unsigned state;                /* enum clk_actor_state: running or ready if any thread is; else
                                      stopped; else what its first thread waits for */
    unsigned prio;                 /* of its first thread */
    unsigned threads;              /* threads alive */
    unsigned caps;                 /* capability slots in use */
    unsigned cap_quota;            /* capability slots it may have (slot 0 included) */
    unsigned mailbox_depth;        /* messages waiting in the mailboxes it created */
    unsigned long long pages;      /* user pages it pays for: image, stacks, memory, tables */
    unsigned long long page_quota; /* the most it may pay for */
    unsigned long long cpu_ns;     /* CPU time used by all its threads, ever */
    unsigned long long syscalls;   /* system calls made */
    unsigned long long msgs_sent;  /* messages it sent: CALL, REPLY, SEND that went out */
    unsigned long long msgs_received; /* messages delivered to it: calls, replies, mail */
    unsigned long long faults;        /* exceptions it took (each stops or kills it) */
    unsigned long long started_ns;    /* when it started (CLOCK) */
};
CLK_STATIC_ASSERT(sizeof(struct clk_actor_info) == 128, "clk_actor_info layout is ABI");

/*
 * The root actor starts as a spawned one does (rdi = 1 capability, rsi and
 * rdx = its argument block: the path of its binary, then the words of the
 * kernel command line after "--"; the environment CLK_ROOT=1), and finds this
 * structure at CLK_BOOTINFO_VA, mapped read-only. The initrd (a newc cpio
 * archive) is mapped read-only too. DEVICE_CAP is the slot of the root
 * actor's device-authority capability (CLK_CAP_INIT, the first slot).
 * INITRD_CAP is the slot of a memory object of the initrd's pages with the
 * READ right only, to pass on to an actor that should read the archive
 * without a copy (it maps the object and finds the archive INITRD_OFFSET
 * bytes into it); such boot memory is never freed, costs nobody's quota and
 * refuses MEMORY_PHYS. MONITOR_CAP is the slot of the monitor authority (see
 * ACTOR_INFO; the next free slot). The ACPI_* fields say how to power the
 * machine off and reset it, as the firmware's FADT and DSDT tell: write
 * SLP_TYPa << 10 | 1 << 13 (SLP_EN) to the 16-bit PM1a control port (and
 * SLP_TYPb's to PM1b's, when it is not 0) to enter S5, soft off; write
 * RESET_VALUE to the reset register (in the ACPI address space
 * RESET_SPACE: 0 memory, 1 I/O ports, 2 PCI configuration) to reset.
 * Fields only ever get added at the end.
 */
#define CLK_BOOTINFO_VA    0x00007F0000000000ULL
#define CLK_BOOTINFO_MAGIC 0x434C4B424F4F5431ULL /* "CLKBOOT1" */
struct clk_bootinfo {
    unsigned long long magic;
    unsigned long long initrd;        /* user address of the initrd archive */
    unsigned long long initrd_len;    /* its size in bytes */
    char cmdline[512];                /* the kernel command line */
    unsigned long long device_cap;    /* slot of the device-authority capability */
    unsigned long long initrd_cap;    /* slot of a read-only memory object of the initrd's
                                         pages, 0 if there is no initrd */
    unsigned long long initrd_offset; /* where the archive starts in the object's first page */
    unsigned long long monitor_cap;   /* slot of the monitor authority */

    /* Power-off and reset, from the FADT and \_S5 (see above). */
    unsigned acpi_pm1a_cnt;             /* I/O port of the PM1a control register, 0 if none */
    unsigned acpi_pm1b_cnt;             /* I/O port of the PM1b control register, 0 if none */
    unsigned acpi_slp_typa;             /* \_S5's SLP_TYPa (0..7) */
    unsigned acpi_slp_typb;             /* \_S5's SLP_TYPb (0..7) */
    unsigned acpi_s5_valid;             /* 1 when PM1a and both SLP_TYPs are known */
    unsigned acpi_reset_valid;          /* 1 when the FADT names a reset register */
    unsigned acpi_reset_space;          /* its address space: 0 memory, 1 I/O, 2 PCI config */
    unsigned acpi_reset_value;          /* the byte to write there */
    unsigned long long acpi_reset_addr; /* its address in that space */
};
CLK_STATIC_ASSERT(sizeof(struct clk_bootinfo) == 608, "clk_bootinfo layout is ABI");

#endif
