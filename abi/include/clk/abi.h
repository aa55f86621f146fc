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
    CLK_EIO = -12, /* data is corrupt or a device failed */
};

/*
 * System calls. The SYSCALL instruction enters the kernel with
 *   rax = syscall number, arguments in rdi, rsi, rdx, r10, r8, r9;
 * the result comes back in rax (>= 0, or a CLK_E* code). SYSCALL itself
 * clobbers rcx and r11; every other register is preserved.
 *
 * CLK_SYSCALLS is the one table of syscalls: X(NAME, number).
 */
#define CLK_SYSCALLS(X)                                                                            \
    X(DEBUG_WRITE, 1) /* (const char *buf, size_t len) -> bytes written */                         \
    X(EXIT, 2)        /* (int status) -> does not return */                                        \
    X(YIELD, 3)       /* () -> 0 */                                                                \
    X(SLEEP, 4)       /* (uint64_t ns) -> 0 */                                                     \
    X(CLOCK, 5)       /* () -> nanoseconds since boot */                                           \
    X(SPAWN, 6)       /* (const void *elf, size_t len, const char *name, int prio) -> actor id */  \
    X(SELF, 7)        /* () -> the caller's actor id */

enum clk_syscall {
#define CLK_SYSCALL_ENUM(name, nr) CLK_SYS_##name = nr,
    CLK_SYSCALLS(CLK_SYSCALL_ENUM)
#undef CLK_SYSCALL_ENUM
        CLK_SYS_COUNT
};

/* Scheduling priorities: higher runs first; equal ones share the CPU. */
#define CLK_PRIO_MIN     0
#define CLK_PRIO_DEFAULT 8
#define CLK_PRIO_MAX     31

#define CLK_NAME_MAX 32 /* actor names, including the NUL */

/*
 * What the root actor finds at entry: rdi points at this structure, mapped
 * read-only. The initrd (a newc cpio archive) is mapped read-only too.
 */
#define CLK_BOOTINFO_MAGIC 0x434C4B424F4F5431ULL /* "CLKBOOT1" */
struct clk_bootinfo {
    unsigned long long magic;
    unsigned long long initrd;     /* user address of the initrd archive */
    unsigned long long initrd_len; /* its size in bytes */
    char cmdline[512];             /* the kernel command line */
};
_Static_assert(sizeof(struct clk_bootinfo) == 536, "clk_bootinfo layout is ABI");

#endif
