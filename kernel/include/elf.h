/*
 * elf.h: checking an ELF64 executable before it is loaded. Pure code, fuzzed
 * on the host (tests/fuzz/fuzz_elf.c): every field is validated, and a
 * malformed image yields CLK_EINVAL with a one-line reason, never a fault.
 *
 * Accepted: static x86_64 executables (ET_EXEC) whose loadable segments lie
 * in [USER_MIN, USER_BOOTINFO), do not overlap (page granularity), and are
 * never writable and executable at once. Dynamic executables (PT_INTERP,
 * PT_DYNAMIC) and thread-local storage (PT_TLS) are refused.
 */
#ifndef CLK_ELF_H
#define CLK_ELF_H

#include <kdefs.h>
#include <param.h>

/* Reads LEN bytes at OFF of the image into BUF; returns 0 or a CLK_E* code. */
typedef int elf_read_fn(void *ctx, uint64_t off, void *buf, size_t len);

enum elf_seg_flags { ELF_SEG_X = 1, ELF_SEG_W = 2, ELF_SEG_R = 4 };

struct elf_segment {
    uint64_t vaddr, memsz;   /* where it goes and how big it is */
    uint64_t offset, filesz; /* the bytes the file provides; the rest is zero */
    unsigned flags;          /* enum elf_seg_flags */
};

struct elf_image {
    uint64_t entry;
    unsigned nseg;
    struct elf_segment seg[ELF_MAX_SEGMENTS];
};

/* An image in kernel memory, and the elf_read_fn that reads it. */
struct elf_mem {
    const void *data;
    size_t len;
};
int elf_read_mem(void *ctx, uint64_t off, void *buf, size_t len);

/*
 * Check the executable of SIZE bytes that READ returns and describe its
 * loadable segments in IMG. Returns 0, CLK_EINVAL (with *WHY set to the
 * reason), or an error from READ.
 */
int elf_check(elf_read_fn *read, void *ctx, uint64_t size, struct elf_image *img, const char **why);

#endif
