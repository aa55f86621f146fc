/*
 * ksyms.c: address-to-name lookup in the built-in symbol table.
 */
#include <kstring.h>
#include <ksyms.h>

const char *ksym_lookup_in(const struct ksym_table *t, uint64_t addr, uint64_t *offset)
{
    uint64_t lo = 0, hi = t->count; /* find the last symbol with addr <= ADDR */
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (t->addr[mid] <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    uint64_t i = lo - 1, off = addr - t->addr[i];
    if (t->size[i] && off >= t->size[i])
        return NULL;
    *offset = off;
    return t->strtab + t->name[i];
}

/* Filled in by the second link (build/kernel/ksymtab.S, from tools/gen-ksyms). */
extern const uint64_t ksym_count;
extern const uint64_t ksym_addr[];
extern const uint32_t ksym_size[], ksym_name[];
extern const char ksym_strtab[];

static const struct ksym_table *kernel_table(void)
{
    static struct ksym_table t;
    t = (struct ksym_table){ ksym_count, ksym_addr, ksym_size, ksym_name, ksym_strtab };
    return &t;
}

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
    return ksym_lookup_in(kernel_table(), addr, offset);
}

uint64_t ksym_address(const char *name)
{
    const struct ksym_table *t = kernel_table();
    for (uint64_t i = 0; i < t->count; i++)
        if (strcmp(t->strtab + t->name[i], name) == 0)
            return t->addr[i];
    return 0;
}
