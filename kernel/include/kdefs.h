/*
 * kdefs.h: small macros every kernel file may use.
 */
#ifndef CLK_KDEFS_H
#define CLK_KDEFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a)    (sizeof(a) / sizeof((a)[0]))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define ALIGN_UP(x, a)   ALIGN_DOWN((x) + (__typeof__(x))(a)-1, (a))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)
#define MIN(a, b)        ((a) < (b) ? (a) : (b))
#define MAX(a, b)        ((a) > (b) ? (a) : (b))

/* The structure of type TYPE whose MEMBER is at PTR. */
#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

#define likely(x)         __builtin_expect(!!(x), 1)
#define unlikely(x)       __builtin_expect(!!(x), 0)
#define __noreturn        __attribute__((noreturn))
#define unused            __attribute__((unused))
#define packed            __attribute__((packed))
#define printf_like(f, a) __attribute__((format(printf, f, a)))

#endif
