/*
 * timer.h: the local event timer (the local APIC timer on x86_64), usable as
 * a periodic tick or a one-shot deadline. The scheduler drives time slices
 * with it.
 */
#ifndef CLK_TIMER_H
#define CLK_TIMER_H

#include <kdefs.h>

/* Calibrate the timer against the TSC and leave it stopped. */
void timer_init(void);

/* Interrupt HZ times a second until stopped or re-armed. */
void timer_periodic(unsigned hz);

/* Interrupt once, US microseconds from now (at least one timer tick). */
void timer_oneshot(uint64_t us);

void timer_stop(void);

/* Timer interrupts taken since boot. */
uint64_t timer_interrupts(void);

/* Called from the timer interrupt (with interrupts off); NULL for none. */
void timer_set_callback(void (*fn)(void));

/* The timer's input frequency after its divider, in Hz. */
uint64_t timer_hz(void);

#endif
