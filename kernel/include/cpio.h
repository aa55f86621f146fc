/*
 * cpio.h: reading "newc" cpio archives, the initrd format. Pure code, fuzzed
 * on the host: a malformed archive yields CLK_EINVAL, never a bad access.
 *
 * The build packs initrd/ with `cpio -o -H newc` (see docs/architecture.md).
 */
#ifndef CLK_CPIO_H
#define CLK_CPIO_H

#include <kdefs.h>

struct cpio_entry {
    const char *name; /* NUL-terminated, without a leading "./" */
    const void *data;
    uint64_t size;
    uint32_t mode;  /* file type and permission bits, as in st_mode */
    uint32_t mtime; /* seconds since 1970 */
};

#define CPIO_S_IFMT  0170000
#define CPIO_S_IFREG 0100000
#define CPIO_S_IFDIR 0040000

/*
 * Read the entry at *OFF of the archive (LEN bytes) into E and advance *OFF.
 * Returns 1 with an entry, 0 at the end (trailer), or CLK_EINVAL.
 */
int cpio_next(const void *archive, size_t len, size_t *off, struct cpio_entry *e);

/* Find the regular file NAME. Returns 0, CLK_ENOENT or CLK_EINVAL. */
int cpio_find(const void *archive, size_t len, const char *name, struct cpio_entry *e);

#endif
