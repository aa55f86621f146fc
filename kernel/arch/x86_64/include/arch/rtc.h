/*
 * arch/rtc.h: the PC's CMOS real-time clock, read once at boot.
 */
#ifndef CLK_ARCH_RTC_H
#define CLK_ARCH_RTC_H

#include <calendar.h>

/* The date and time the clock holds (UTC, as QEMU and most PCs keep it);
 * false when it does not answer sensibly. */
bool rtc_read(struct calendar_time *t);

#endif
