/*
 * crc32.h: the CRC-32 of zlib and Python's zlib.crc32, for test programs
 * whose output the host checks (fstest, nettest).
 */
#ifndef TESTS_SDK_CRC32_H
#define TESTS_SDK_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* CRC continues over N bytes at P (start with 0). */
static inline uint32_t crc32(uint32_t crc, const uint8_t *p, size_t n)
{
    static uint32_t table[256];
    if (!table[1])
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
    crc = ~crc;
    while (n--)
        crc = table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

#endif
