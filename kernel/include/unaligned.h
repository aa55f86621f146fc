/*
 * unaligned.h: loads from byte buffers of firmware or loader data, which need
 * not be aligned (x86_64 is little-endian, like every format read this way).
 */
#ifndef CLK_UNALIGNED_H
#define CLK_UNALIGNED_H

#include <kstring.h>
#include <stdint.h>

static inline uint32_t get_u32(const void *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline uint64_t get_u64(const void *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

#endif
