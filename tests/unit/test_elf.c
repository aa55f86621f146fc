/*
 * test_elf.c: the ELF64 executable checker (kernel/elf.c). A well-formed
 * image built here passes; each kind of malformation is refused with
 * CLK_EINVAL and its own reason; random byte flips never crash it.
 */
#include <clk/abi.h>
#include <elf.h>
#include <memlayout.h>
#include <stdlib.h>
#include <unit.h>

#define PH 64 /* program headers follow the ELF header */

static uint8_t img[3 * 4096];

static void phdr(unsigned i, uint32_t type, uint32_t flags, uint64_t off, uint64_t va,
                 uint64_t filesz, uint64_t memsz)
{
    uint8_t *p = img + PH + 56 * i;
    put_u32(p, type);
    put_u32(p + 4, flags);
    put_u64(p + 8, off);
    put_u64(p + 16, va);
    put_u64(p + 24, va);
    put_u64(p + 32, filesz);
    put_u64(p + 40, memsz);
    put_u64(p + 48, 4096);
}

/* A static executable: text r-x at 4 MiB, data rw- with bss, a GNU_STACK. */
static void build(void)
{
    memset(img, 0, sizeof(img));
    memcpy(img,
           "\x7f"
           "ELF\x02\x01\x01",
           7);
    put_u16(img + 16, 2);  /* ET_EXEC */
    put_u16(img + 18, 62); /* EM_X86_64 */
    put_u32(img + 20, 1);
    put_u64(img + 24, 0x400010); /* entry */
    put_u64(img + 32, PH);
    put_u16(img + 52, 64);
    put_u16(img + 54, 56);
    put_u16(img + 56, 3);
    phdr(0, 1, ELF_SEG_R | ELF_SEG_X, 4096, 0x400000, 100, 100);
    phdr(1, 1, ELF_SEG_R | ELF_SEG_W, 8192, 0x401000, 50, 5000);
    phdr(2, 0x6474e551, ELF_SEG_R | ELF_SEG_W, 0, 0, 0, 0); /* PT_GNU_STACK */
}

static int check(uint64_t size, struct elf_image *out, const char **why)
{
    struct elf_mem m = { img, sizeof(img) };
    return elf_check(elf_read_mem, &m, size, out, why);
}

static void expect_bad(const char *reason)
{
    struct elf_image out;
    const char *why;
    CHECK_EQ(check(sizeof(img), &out, &why), CLK_EINVAL);
    if (!strstr(why, reason))
        unit_fail(__FILE__, __LINE__, "reason \"%s\" lacks \"%s\"", why, reason);
}

static void test_good(void)
{
    struct elf_image out;
    const char *why;
    build();
    CHECK_EQ(check(sizeof(img), &out, &why), 0);
    CHECK_EQ(out.entry, 0x400010);
    CHECK_EQ(out.nseg, 2);
    CHECK_EQ(out.seg[1].vaddr, 0x401000);
    CHECK_EQ(out.seg[1].filesz, 50);
    CHECK_EQ(out.seg[1].memsz, 5000);
    CHECK_EQ(out.seg[1].flags, ELF_SEG_R | ELF_SEG_W);
    /* an empty PT_LOAD is skipped, not refused */
    phdr(2, 1, ELF_SEG_R | ELF_SEG_W, 0, 0, 0, 0);
    CHECK_EQ(check(sizeof(img), &out, &why), 0);
    CHECK_EQ(out.nseg, 2);
}

static void test_header(void)
{
    build(), img[1] = 'X', expect_bad("bad magic");
    build(), img[4] = 1, expect_bad("ELF64");
    build(), img[5] = 2, expect_bad("little-endian");
    build(), put_u16(img + 16, 3), expect_bad("ET_EXEC");
    build(), put_u16(img + 18, 3), expect_bad("x86_64");
    build(), put_u32(img + 20, 2), expect_bad("e_version");
    build(), put_u16(img + 54, 32), expect_bad("e_phentsize");
    build(), put_u16(img + 56, 0), expect_bad("no program headers");
    build(), put_u16(img + 56, ELF_MAX_PHDRS + 1), expect_bad("ELF_MAX_PHDRS");
    build(), put_u64(img + 32, sizeof(img) - 100), expect_bad("outside the file");
    build(), put_u64(img + 32, ~0ULL - 10), expect_bad("outside the file");
    struct elf_image out;
    const char *why;
    build();
    CHECK_EQ(check(63, &out, &why), CLK_EINVAL);
    CHECK(strstr(why, "shorter than an ELF header"));
}

static void test_segments(void)
{
    build(), phdr(0, 1, 5, 4096, 0x400000, 200, 100), expect_bad("file size exceeds");
    build(), phdr(0, 1, 5, sizeof(img) - 10, 0x400000, 100, 100), expect_bad("outside the file");
    build(), phdr(0, 1, 5, ~0ULL - 10, 0x400000, 100, 100), expect_bad("outside the file");
    build(), phdr(0, 1, 5, 4096, 0x1000, 100, 100), expect_bad("user image area");
    build(), phdr(0, 1, 5, 4096, 0, 100, 100), expect_bad("user image area");
    build(), phdr(0, 1, 5, 4096, USER_BOOTINFO - 50, 100, 100), expect_bad("user image area");
    build(), phdr(0, 1, 5, 4096, 0xFFFFFFFF80000000ULL, 100, 100), expect_bad("user image area");
    build(), phdr(0, 1, 5, 4096, 0x400000, 100, ~0ULL), expect_bad("user image area");
    build(), phdr(1, 1, 7, 8192, 0x401000, 50, 5000), expect_bad("writable and executable");
    build(), phdr(1, 1, 6, 8192, 0x400800, 50, 5000), expect_bad("share a page");
    build(), put_u64(img + PH + 48, 3000), expect_bad("power of two");
    build(), phdr(2, 3, 4, 0, 0, 0, 0), expect_bad("dynamically linked");
    build(), phdr(2, 2, 4, 0, 0, 0, 0), expect_bad("dynamically linked");
    build(), phdr(2, 7, 4, 0, 0x402000, 0, 8), expect_bad("thread-local storage");
    build(), put_u64(img + 24, 0x401000), expect_bad("entry point"); /* in data */
    build(), put_u64(img + 24, 0x400064), expect_bad("entry point"); /* past text's bytes */
    build(), put_u64(img + 24, 0x3FFFFF), expect_bad("entry point");
    build(), phdr(0, 4, 4, 0, 0, 0, 0), phdr(1, 4, 4, 0, 0, 0, 0), expect_bad("no loadable");
}

static void test_too_many_segments(void)
{
    build();
    put_u16(img + 56, ELF_MAX_SEGMENTS + 1);
    for (unsigned i = 0; i <= ELF_MAX_SEGMENTS; i++)
        phdr(i, 1, 5, 4096, 0x400000 + 0x1000 * i, 16, 16);
    expect_bad("ELF_MAX_SEGMENTS");
}

static int failing_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    (void)ctx, (void)buf, (void)len;
    return off == 0 ? CLK_EFAULT : 0;
}

static void test_read_errors_pass_through(void)
{
    struct elf_image out;
    const char *why;
    CHECK_EQ(elf_check(failing_read, NULL, 4096, &out, &why), CLK_EFAULT);
}

/* Random corruptions of a good image: any result, but a consistent one. */
static void test_random_flips(void)
{
    for (int round = 0; round < 20000; round++) {
        build();
        for (int k = 1 + unit_rand_below(4); k; k--)
            img[unit_rand_below(PH + 3 * 56)] ^= 1u << unit_rand_below(8);
        struct elf_image out;
        const char *why;
        if (check(sizeof(img), &out, &why) != 0)
            continue;
        for (unsigned i = 0; i < out.nseg; i++) {
            CHECK(out.seg[i].vaddr >= USER_MIN &&
                  out.seg[i].vaddr + out.seg[i].memsz <= USER_BOOTINFO);
            CHECK(out.seg[i].filesz <= out.seg[i].memsz);
            CHECK(out.seg[i].offset + out.seg[i].filesz <= sizeof(img));
            CHECK((out.seg[i].flags & 3) != 3);
        }
    }
}

int main(void)
{
    RUN(test_good);
    RUN(test_header);
    RUN(test_segments);
    RUN(test_too_many_segments);
    RUN(test_read_errors_pass_through);
    RUN(test_random_flips);
    return 0;
}
