/*
 * fuzz_multiboot2.c: libFuzzer target for the multiboot2 information parser
 * (kernel/arch/x86_64/multiboot2.c). Parses an exactly sized copy of the
 * input and checks what lands in struct bootinfo: counts within their
 * arrays, strings NUL-terminated, regions and modules well formed, and the
 * same result when parsed again.
 */
#include <bootinfo.h>
#include <clk/abi.h>
#include <stdlib.h>
#include <unit.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_bootinfo(const struct bootinfo *bi)
{
    CHECK(memchr(bi->cmdline, '\0', sizeof(bi->cmdline)));
    CHECK(memchr(bi->loader, '\0', sizeof(bi->loader)));
    CHECK(bi->nmem <= MEMMAP_MAX);
    for (unsigned i = 0; i < bi->nmem; i++) {
        const struct mem_region *r = &bi->mem[i];
        CHECK(r->len > 0 && r->base + r->len > r->base);
        CHECK(r->type >= MEM_USABLE && r->type <= MEM_BAD);
    }
    CHECK(bi->nmods <= MODULES_MAX);
    for (unsigned i = 0; i < bi->nmods; i++) {
        CHECK(bi->mods[i].end >= bi->mods[i].start);
        CHECK(memchr(bi->mods[i].name, '\0', sizeof(bi->mods[i].name)));
    }
    CHECK(bi->rsdp_len == 0 || (bi->rsdp_len >= 20 && bi->rsdp_len <= sizeof(bi->rsdp)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct bootinfo bi, again;
    const uint64_t pa = 0x9000;
    uint8_t *copy = malloc(size ? size : 1);
    CHECK(copy);
    memcpy(copy, data, size);

    int r = multiboot2_parse(copy, size, pa, &bi);
    CHECK(r == 0 || r == CLK_EINVAL);
    check_bootinfo(&bi);
    if (r == 0) {
        uint32_t total;
        CHECK(size >= 16);
        memcpy(&total, copy, 4);
        CHECK(total >= 16 && total <= size);
        CHECK(bi.info_start == pa && bi.info_end == pa + total);
    }
    CHECK_EQ(multiboot2_parse(copy, size, pa, &again), r);
    CHECK(memcmp(&bi, &again, sizeof(bi)) == 0);
    CHECK(memcmp(copy, data, size) == 0); /* the input is only read */
    free(copy);
    return 0;
}
