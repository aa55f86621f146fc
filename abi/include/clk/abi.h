/*
 * clk/abi.h: the CLKernel kernel/user ABI. This is the one place that
 * defines error codes (and, with the kernel core, syscall numbers, the
 * register convention and message layouts). The kernel, libactor and
 * libc-port all include it; the build installs it into the sysroot.
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

#endif
