/*
 * arch/cc.h: lwIP's view of the compiler and C library (newlib, in a
 * CLKernel actor).
 */
#ifndef LWIP_ARCH_CC_H
#define LWIP_ARCH_CC_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <limits.h>
#include <sys/types.h> /* ssize_t; newlib's <machine/endian.h> gives BYTE_ORDER */
#define SSIZE_MAX             LONG_MAX
#define LWIP_TIMEVAL_PRIVATE  0
#define LWIP_ERRNO_STDINCLUDE 1
#define LWIP_PROVIDE_ERRNO    0
#include <sys/time.h>

/* A failed assertion is a bug in lwIP or in this server: say where, and
 * end the server (the supervisor restarts it) rather than run on corrupt. */
#define LWIP_PLATFORM_DIAG(x)                                                                      \
    do {                                                                                           \
        printf x;                                                                                  \
    } while (0)
#define LWIP_PLATFORM_ASSERT(x)                                                                    \
    do {                                                                                           \
        printf("net: lwIP assertion \"%s\" failed at %s:%d\n", x, __FILE__, __LINE__);             \
        abort();                                                                                   \
    } while (0)

uint32_t net_random(void);

#endif
