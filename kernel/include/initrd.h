/*
 * initrd.h: boot modules. GRUB loads the initrd (a newc cpio archive, module
 * name "initrd") next to the kernel; the kernel lists every module and the
 * files in the initrd at boot, and later starts the root actor from it.
 */
#ifndef CLK_INITRD_H
#define CLK_INITRD_H

#include <bootinfo.h>

/* Remember the boot modules in BI, and log each with its size and the
 * initrd's files. A malformed initrd is reported, not fatal. */
void initrd_init(const struct bootinfo *bi);

/* The initrd archive. Returns 0 or CLK_ENOENT when no module is named "initrd". */
int initrd_archive(const void **archive, size_t *len);

#endif
