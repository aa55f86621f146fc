/*
 * multiboot2.c: read the multiboot2 boot information into struct bootinfo.
 * Pure code (host unit tests and a fuzz target run it on arbitrary bytes).
 */
#include <bootinfo.h>
#include <clk/abi.h>
#include <kstring.h>
#include <unaligned.h>

enum {
    TAG_END = 0,
    TAG_CMDLINE = 1,
    TAG_LOADER = 2,
    TAG_MODULE = 3,
    TAG_MMAP = 6,
    TAG_ACPI_OLD = 14,
    TAG_ACPI_NEW = 15,
};

struct mb2_tag {
    uint32_t type, size;
};

/* Copy a NUL-terminated string of at most N bytes from SRC, bounded by DST. */
static void copy_str(char *dst, size_t dstsize, const char *src, size_t n)
{
    size_t len = strnlen(src, n);
    if (len >= dstsize)
        len = dstsize - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static void parse_mmap(const uint8_t *p, uint32_t size, struct bootinfo *bi)
{
    if (size < 16)
        return;
    uint32_t entsize = get_u32(p + 8), off;
    if (entsize < 24)
        return;
    for (off = 16; entsize <= size - off; off += entsize) {
        if (bi->nmem == MEMMAP_MAX) {
            bi->dropped++;
            continue;
        }
        struct mem_region *r = &bi->mem[bi->nmem];
        r->base = get_u64(p + off);
        r->len = get_u64(p + off + 8);
        r->type = get_u32(p + off + 16);
        if (r->type < MEM_USABLE || r->type > MEM_BAD)
            r->type = MEM_RESERVED;
        if (r->len == 0 || r->base + r->len < r->base)
            continue; /* empty or wraps: ignore */
        bi->nmem++;
    }
}

static void parse_module(const uint8_t *p, uint32_t size, struct bootinfo *bi)
{
    if (size < 16)
        return;
    uint32_t start = get_u32(p + 8), end = get_u32(p + 12);
    if (end < start)
        return;
    if (bi->nmods == MODULES_MAX) {
        bi->dropped++;
        return;
    }
    struct boot_module *m = &bi->mods[bi->nmods++];
    m->start = start;
    m->end = end;
    copy_str(m->name, sizeof(m->name), (const char *)p + 16, size - 16);
}

static void parse_tag(const uint8_t *p, uint32_t type, uint32_t size, struct bootinfo *bi)
{
    switch (type) {
    case TAG_CMDLINE:
        copy_str(bi->cmdline, sizeof(bi->cmdline), (const char *)p + 8, size - 8);
        break;
    case TAG_LOADER: copy_str(bi->loader, sizeof(bi->loader), (const char *)p + 8, size - 8); break;
    case TAG_MODULE: parse_module(p, size, bi); break;
    case TAG_MMAP: parse_mmap(p, size, bi); break;
    case TAG_ACPI_OLD:
    case TAG_ACPI_NEW: {
        /* Prefer the ACPI 2.0 RSDP (it carries the XSDT address). */
        unsigned n = MIN(size - 8, (uint32_t)sizeof(bi->rsdp));
        if (n >= 20 && (type == TAG_ACPI_NEW || bi->rsdp_len == 0)) {
            memcpy(bi->rsdp, p + 8, n);
            bi->rsdp_len = n;
        }
        break;
    }
    default: break; /* tags we do not need */
    }
}

int multiboot2_parse(const void *info, size_t len, uint64_t info_pa, struct bootinfo *bi)
{
    const uint8_t *base = info;
    memset(bi, 0, sizeof(*bi));
    if (len < 8)
        return CLK_EINVAL;
    uint32_t total = get_u32(base);
    if (total < 16 || total > len)
        return CLK_EINVAL;
    bi->info_start = info_pa;
    bi->info_end = info_pa + total;

    for (uint64_t off = 8; off + 8 <= total;) {
        struct mb2_tag tag = { get_u32(base + off), get_u32(base + off + 4) };
        if (tag.size < 8 || tag.size > total - off)
            return CLK_EINVAL;
        if (tag.type == TAG_END)
            return 0;
        parse_tag(base + off, tag.type, tag.size, bi);
        off += ALIGN_UP(tag.size, 8u);
    }
    return CLK_EINVAL; /* no end tag */
}
