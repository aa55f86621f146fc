/*
 * test_calendar.c: dates to seconds since 1970 (kernel/calendar.c),
 * checked against the host's timegm for every day from 1970 to 2400 and
 * random times of day, and malformed dates refused.
 */
#define _GNU_SOURCE
#include <arch/rtc.h>
#include <calendar.h>
#include <log.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>
#include <unit.h>

/* calendar_init's clock chip and log, as the tests want them. */
static struct calendar_time chip;
static bool chip_ok;
static char logged[256];

bool rtc_read(struct calendar_time *t)
{
    *t = chip;
    return chip_ok;
}

void klog(int level, const char *fmt, ...)
{
    va_list ap;
    (void)level;
    va_start(ap, fmt);
    vsnprintf(logged, sizeof(logged), fmt, ap);
    va_end(ap);
}

static int64_t host(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
    struct tm tm = { .tm_year = (int)y - 1900,
                     .tm_mon = (int)mo - 1,
                     .tm_mday = (int)d,
                     .tm_hour = (int)h,
                     .tm_min = (int)mi,
                     .tm_sec = (int)s };
    return (int64_t)timegm(&tm);
}

int main(void)
{
    struct calendar_time t = { 1970, 1, 1, 0, 0, 0 };
    CHECK_EQ(calendar_to_epoch(&t), 0);
    t = (struct calendar_time){ 2026, 12, 4, 15, 56, 7 };
    CHECK_EQ(calendar_to_epoch(&t), 1796399767);
    srand(7);
    unsigned days = 0;
    for (unsigned y = 1970; y <= 2400; y++)
        for (unsigned mo = 1; mo <= 12; mo++)
            for (unsigned d = 1; d <= 31; d++) {
                unsigned h = (unsigned)rand() % 24, mi = (unsigned)rand() % 60,
                         s = (unsigned)rand() % 60;
                t = (struct calendar_time){ y, mo, d, h, mi, s };
                int64_t want = host(y, mo, d, h, mi, s);
                struct tm back;
                time_t tt = (time_t)want;
                gmtime_r(&tt, &back);
                bool real = back.tm_mday == (int)d; /* timegm rolls February 30 over */
                CHECK_EQ(calendar_to_epoch(&t), real ? want : -1);
                days += real;
            }
    CHECK_EQ(days, 157420); /* the days from 1970 to 2400 */
    static const struct calendar_time bad[] = {
        { 1969, 12, 31, 23, 59, 59 }, { 2024, 0, 1, 0, 0, 0 },  { 2024, 13, 1, 0, 0, 0 },
        { 2024, 1, 0, 0, 0, 0 },      { 2023, 2, 29, 0, 0, 0 }, { 2024, 1, 1, 24, 0, 0 },
        { 2024, 1, 1, 0, 60, 0 },     { 2024, 1, 1, 0, 0, 60 }, { 10000, 1, 1, 0, 0, 0 },
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK_EQ(calendar_to_epoch(&bad[i]), -1);
    t = (struct calendar_time){ 2024, 2, 29, 12, 0, 0 };
    CHECK(calendar_to_epoch(&t) > 0);
    /* a chip that answers nonsense leaves the time unknown, and says so */
    chip = (struct calendar_time){ 2024, 2, 30, 0, 0, 0 };
    chip_ok = true;
    calendar_init();
    CHECK_EQ(calendar_boot_time(), 0);
    CHECK(strstr(logged, "unknown"));
    chip = (struct calendar_time){ 2026, 12, 4, 15, 56, 7 };
    calendar_init();
    CHECK_EQ(calendar_boot_time(), 1796399767);
    CHECK(strstr(logged, "2026-12-04 15:56:07 UTC"));
    puts("test_calendar: ok");
    return 0;
}
