/*
 * bootinfo.h: what the boot loader told us, copied into kernel memory and
 * checked, so nothing later reads the loader's structures directly.
 */
#ifndef CLK_BOOTINFO_H
#define CLK_BOOTINFO_H

#include <kdefs.h>
#include <param.h>

enum mem_type {
    MEM_USABLE = 1,
    MEM_RESERVED = 2,
    MEM_ACPI_RECLAIM = 3,
    MEM_ACPI_NVS = 4,
    MEM_BAD = 5,
};

struct mem_region {
    uint64_t base, len;
    uint32_t type; /* enum mem_type; unknown types count as reserved */
};

struct boot_module {
    uint64_t start, end; /* physical, end exclusive */
    char name[48];       /* the string after the module's path in grub.cfg */
};

struct bootinfo {
    char cmdline[CMDLINE_MAX];
    char loader[64];
    struct mem_region mem[MEMMAP_MAX];
    unsigned nmem;
    struct boot_module mods[MODULES_MAX];
    unsigned nmods;
    unsigned dropped;              /* entries beyond MEMMAP_MAX or MODULES_MAX */
    uint64_t info_start, info_end; /* the loader's own structure, physical */
    uint8_t rsdp[36];              /* a copy of the ACPI RSDP (v1: 20 bytes) */
    unsigned rsdp_len;             /* 0: the loader gave none */
};

/*
 * Parse the multiboot2 information at INFO (LEN bytes readable) into BI.
 * Returns 0, or CLK_EINVAL when the structure is malformed; every tag's
 * size is checked against the buffer.
 */
int multiboot2_parse(const void *info, size_t len, uint64_t info_pa, struct bootinfo *bi);

#endif
