/*
 * ksyms.h: the kernel's own symbol table, for naming addresses in panic
 * reports. The build links the kernel twice: the first image's function
 * symbols become the .ksyms section of the second (tools/gen-ksyms), which
 * sits last in the image so that no other address moves.
 */
#ifndef CLK_KSYMS_H
#define CLK_KSYMS_H

#include <kdefs.h>

struct ksym_table {
    uint64_t count;
    const uint64_t *addr; /* sorted ascending */
    const uint32_t *size; /* bytes; 0 when unknown */
    const uint32_t *name; /* offsets into strtab */
    const char *strtab;
};

/* The name of the function containing ADDR, with *OFFSET into it; NULL when
 * ADDR lies in no known function. */
const char *ksym_lookup_in(const struct ksym_table *t, uint64_t addr, uint64_t *offset);

/* ksym_lookup_in() on the kernel's own table. */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);

/* The address of the function called NAME, or 0. */
uint64_t ksym_address(const char *name);

#endif
