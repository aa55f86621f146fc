/*
 * calendar.h: the wall clock. The kernel reads the battery-backed clock
 * once at boot (arch rtc_read) and keeps what it said as seconds since
 * 1970 (UTC); STATS(CLK_STAT_BOOT_TIME) tells user space, which adds the
 * time since boot (CLOCK) to know the time of day.
 */
#ifndef CLK_CALENDAR_H
#define CLK_CALENDAR_H

#include <kdefs.h>

/* A date and time of day as a clock chip gives it. */
struct calendar_time {
    unsigned year, month, day; /* 1970.., 1..12, 1..31 */
    unsigned hour, minute, second;
};

/* Seconds from 1970-01-01 00:00:00 UTC to T, or -1 when T is not a real
 * date from 1970 to 9999 (a month 13, February 30, an hour 24, ...). */
int64_t calendar_to_epoch(const struct calendar_time *t);

/* Read the clock chip and remember the time (kmain, once). */
void calendar_init(void);

/* What calendar_init read, in seconds since 1970; 0 when it read nothing usable. */
int64_t calendar_boot_time(void);

#endif
