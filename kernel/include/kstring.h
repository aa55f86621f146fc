/*
 * kstring.h: the C string and memory functions the kernel provides.
 * Prototypes match ISO C, so host-compiled tests may use the C library's.
 */
#ifndef CLK_KSTRING_H
#define CLK_KSTRING_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);

/* Copy at most size-1 bytes of SRC and NUL-terminate; returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);

#endif
