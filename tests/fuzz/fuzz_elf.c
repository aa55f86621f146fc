/*
 * fuzz_elf.c: libFuzzer target for the ELF64 checker (kernel/elf.c). Every
 * image it accepts must describe segments the loader can map safely.
 */
#include <clk/abi.h>
#include <elf.h>
#include <memlayout.h>
#include <unit.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct elf_mem m = { data, size };
    struct elf_image img;
    const char *why = NULL;
    int r = elf_check(elf_read_mem, &m, size, &img, &why);
    if (r != 0) {
        CHECK(r == CLK_EINVAL && why && *why);
        return 0;
    }
    CHECK(img.nseg >= 1 && img.nseg <= ELF_MAX_SEGMENTS);
    bool entry_ok = false;
    for (unsigned i = 0; i < img.nseg; i++) {
        const struct elf_segment *s = &img.seg[i];
        CHECK(s->vaddr >= USER_MIN && s->memsz <= USER_BOOTINFO - s->vaddr);
        CHECK(s->filesz <= s->memsz && s->offset <= size && s->filesz <= size - s->offset);
        CHECK((s->flags & (ELF_SEG_W | ELF_SEG_X)) != (ELF_SEG_W | ELF_SEG_X));
        entry_ok |=
            (s->flags & ELF_SEG_X) && img.entry >= s->vaddr && img.entry - s->vaddr < s->filesz;
        for (unsigned j = 0; j < i; j++) /* no shared pages */
            CHECK(ALIGN_UP(img.seg[j].vaddr + img.seg[j].memsz, PAGE_SIZE) <=
                      ALIGN_DOWN(s->vaddr, PAGE_SIZE) ||
                  ALIGN_UP(s->vaddr + s->memsz, PAGE_SIZE) <=
                      ALIGN_DOWN(img.seg[j].vaddr, PAGE_SIZE));
    }
    CHECK(entry_ok);
    return 0;
}
