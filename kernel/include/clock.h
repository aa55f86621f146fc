/*
 * clock.h: time since boot, from the calibrated TSC.
 */
#ifndef CLK_CLOCK_H
#define CLK_CLOCK_H

#include <arch/cpu.h>
#include <stdint.h>

/* Record time zero (the TSC at kernel entry); kmain() calls it first. */
void clock_mark_boot(void);

/* The TSC at kernel entry; under QEMU -icount, guest instructions since reset. */
uint64_t clock_boot_tsc(void);

/* Microseconds since kernel entry; 0 until the TSC is calibrated. */
uint64_t clock_us(void);

/* Nanoseconds since kernel entry; 0 until the TSC is calibrated. */
uint64_t clock_ns(void);

/* A raw, cheap time stamp (the TSC); clock_ticks_to_ns() converts. */
static inline uint64_t clock_ticks(void)
{
    return arch_ticks();
}
uint64_t clock_ticks_to_ns(uint64_t ticks);

/* Busy-wait for US microseconds (needs a calibrated clock). */
void clock_delay_us(uint64_t us);

#endif
