/*
 * elf.c: validate an ELF64 executable (see elf.h).
 */
#include <clk/abi.h>
#include <elf.h>
#include <kstring.h>
#include <memlayout.h>
#include <unaligned.h>

#define EHDR_SIZE  64
#define PHDR_SIZE  56
#define ET_EXEC    2
#define EM_X86_64  62
#define PT_LOAD    1
#define PT_DYNAMIC 2
#define PT_INTERP  3
#define PT_TLS     7

struct phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, filesz, memsz, align;
};

static int fail(const char **why, const char *reason)
{
    *why = reason;
    return CLK_EINVAL;
}

static void decode_phdr(const uint8_t *p, struct phdr *ph)
{
    ph->type = get_u32(p);
    ph->flags = get_u32(p + 4);
    ph->offset = get_u64(p + 8);
    ph->vaddr = get_u64(p + 16);
    ph->filesz = get_u64(p + 32);
    ph->memsz = get_u64(p + 40);
    ph->align = get_u64(p + 48);
}

/* Check the ELF header; *PHOFF and *PHNUM locate the program headers. */
static int check_ehdr(const uint8_t *e, uint64_t size, struct elf_image *img, uint64_t *phoff,
                      unsigned *phnum, const char **why)
{
    if (e[0] != 0x7F || e[1] != 'E' || e[2] != 'L' || e[3] != 'F')
        return fail(why, "not an ELF file (bad magic)");
    if (e[4] != 2 || e[5] != 1 || e[6] != 1)
        return fail(why, "not a little-endian ELF64 file of version 1");
    if ((e[16] | e[17] << 8) != ET_EXEC)
        return fail(why, "not an executable (e_type is not ET_EXEC)");
    if ((e[18] | e[19] << 8) != EM_X86_64)
        return fail(why, "not built for x86_64 (e_machine)");
    if (get_u32(e + 20) != 1)
        return fail(why, "e_version is not 1");
    if ((e[52] | e[53] << 8) != EHDR_SIZE || (e[54] | e[55] << 8) != PHDR_SIZE)
        return fail(why, "e_ehsize or e_phentsize has the wrong size");
    img->entry = get_u64(e + 24);
    *phoff = get_u64(e + 32);
    *phnum = e[56] | e[57] << 8;
    if (*phnum == 0 || *phnum > ELF_MAX_PHDRS)
        return fail(why, "no program headers, or more than ELF_MAX_PHDRS");
    if (*phoff > size || (uint64_t)*phnum * PHDR_SIZE > size - *phoff)
        return fail(why, "program headers lie outside the file");
    return 0;
}

/* Check one PT_LOAD header against the file and the segments so far. */
static int check_load(const struct phdr *ph, uint64_t size, const struct elf_image *img,
                      const char **why)
{
    if (img->nseg == ELF_MAX_SEGMENTS)
        return fail(why, "more loadable segments than ELF_MAX_SEGMENTS");
    if (ph->filesz > ph->memsz)
        return fail(why, "a segment's file size exceeds its memory size");
    if (ph->offset > size || ph->filesz > size - ph->offset)
        return fail(why, "a segment's bytes lie outside the file");
    if (ph->vaddr < USER_MIN || ph->vaddr >= USER_BOOTINFO || ph->memsz > USER_BOOTINFO - ph->vaddr)
        return fail(why, "a segment lies outside the user image area");
    if ((ph->flags & ELF_SEG_W) && (ph->flags & ELF_SEG_X))
        return fail(why, "a segment is both writable and executable (W^X)");
    if (ph->align > 1 && (ph->align & (ph->align - 1)))
        return fail(why, "a segment's alignment is not a power of two");
    uint64_t lo = ALIGN_DOWN(ph->vaddr, PAGE_SIZE);
    uint64_t hi = ALIGN_UP(ph->vaddr + ph->memsz, PAGE_SIZE);
    for (unsigned i = 0; i < img->nseg; i++) {
        const struct elf_segment *s = &img->seg[i];
        if (lo < ALIGN_UP(s->vaddr + s->memsz, PAGE_SIZE) && ALIGN_DOWN(s->vaddr, PAGE_SIZE) < hi)
            return fail(why, "two segments share a page");
    }
    return 0;
}

int elf_check(elf_read_fn *read, void *ctx, uint64_t size, struct elf_image *img, const char **why)
{
    uint8_t ehdr[EHDR_SIZE], p[PHDR_SIZE];
    uint64_t phoff;
    unsigned phnum;
    int err;

    img->nseg = 0;
    *why = "";
    if (size < EHDR_SIZE)
        return fail(why, "shorter than an ELF header");
    if ((err = read(ctx, 0, ehdr, EHDR_SIZE)) < 0)
        return err;
    if ((err = check_ehdr(ehdr, size, img, &phoff, &phnum, why)) < 0)
        return err;

    bool entry_ok = false;
    for (unsigned i = 0; i < phnum; i++) {
        struct phdr ph;
        if ((err = read(ctx, phoff + (uint64_t)i * PHDR_SIZE, p, PHDR_SIZE)) < 0)
            return err;
        decode_phdr(p, &ph);
        if (ph.type == PT_INTERP || ph.type == PT_DYNAMIC)
            return fail(why, "dynamically linked executables are not supported");
        if (ph.type == PT_TLS)
            return fail(why, "thread-local storage (PT_TLS) is not supported");
        if (ph.type != PT_LOAD || (ph.memsz == 0 && ph.filesz == 0))
            continue; /* notes, GNU_STACK, empty segments: nothing to load */
        if ((err = check_load(&ph, size, img, why)) < 0)
            return err;
        img->seg[img->nseg++] =
            (struct elf_segment){ ph.vaddr, ph.memsz, ph.offset, ph.filesz, ph.flags & 7 };
        entry_ok |=
            (ph.flags & ELF_SEG_X) && img->entry >= ph.vaddr && img->entry - ph.vaddr < ph.filesz;
    }
    if (img->nseg == 0)
        return fail(why, "no loadable segment");
    if (!entry_ok)
        return fail(why, "the entry point is not in an executable segment");
    return 0;
}

int elf_read_mem(void *ctx, uint64_t off, void *buf, size_t len)
{
    const struct elf_mem *m = ctx;
    if (off > m->len || len > m->len - off)
        return CLK_EINVAL;
    memcpy(buf, (const uint8_t *)m->data + off, len);
    return 0;
}
