/*
 * calendar.c: the wall clock at boot (see calendar.h). The conversion
 * from a date is pure and unit-tested on the host.
 */
#include <arch/rtc.h>
#include <calendar.h>
#include <log.h>

static int64_t boot_time;

static bool leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(unsigned y, unsigned m)
{
    static const unsigned char days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return days[m - 1] + (m == 2 && leap(y));
}

int64_t calendar_to_epoch(const struct calendar_time *t)
{
    if (t->year < 1970 || t->year > 9999 || t->month < 1 || t->month > 12 || t->day < 1 ||
        t->day > month_days(t->year, t->month) || t->hour > 23 || t->minute > 59 || t->second > 59)
        return -1;
    int64_t days = t->day - 1;
    for (unsigned y = 1970; y < t->year; y++)
        days += leap(y) ? 366 : 365;
    for (unsigned m = 1; m < t->month; m++)
        days += month_days(t->year, m);
    return ((days * 24 + t->hour) * 60 + t->minute) * 60 + t->second;
}

void calendar_init(void)
{
    struct calendar_time t;
    int64_t s = rtc_read(&t) ? calendar_to_epoch(&t) : -1;
    if (s < 0) {
        log_warn("calendar: the real-time clock gave no usable date; the time of day is unknown");
        return;
    }
    boot_time = s;
    log_info("calendar: %04u-%02u-%02u %02u:%02u:%02u UTC (real-time clock)", t.year, t.month,
             t.day, t.hour, t.minute, t.second);
}

int64_t calendar_boot_time(void)
{
    return boot_time;
}
