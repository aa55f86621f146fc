/*
 * panic.h: stopping the kernel when its own invariants break.
 *
 * A panic prints a report on the console (message, backtrace with symbol
 * names) and halts. Nothing user space does may lead here.
 */
#ifndef CLK_PANIC_H
#define CLK_PANIC_H

#include <kdefs.h>

__noreturn void kpanic(const char *fmt, ...) printf_like(1, 2);

#define KASSERT(cond)                                                                              \
    do {                                                                                           \
        if (unlikely(!(cond)))                                                                     \
            kpanic("assertion failed: %s (%s:%d, %s)", #cond, __FILE__, __LINE__, __func__);       \
    } while (0)

#endif
