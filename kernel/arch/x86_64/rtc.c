/*
 * rtc.c: reading the CMOS real-time clock through ports 0x70 (register
 * index; bit 7 clear keeps NMIs enabled) and 0x71 (data). Registers 0-9
 * and the century (0x32, where QEMU and ACPI's FADT default put it) are
 * read twice outside an update until two readings agree; register B says
 * whether they are BCD and whether hours are 12-hour. After boot the
 * kernel leaves the chip to user-space drivers.
 */
#include <arch/cpu.h>
#include <arch/rtc.h>

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71
#define REG_A      0x0A /* bit 7: an update is in progress */
#define REG_B      0x0B /* bit 2: binary (else BCD); bit 1: 24-hour */
#define CENTURY    0x32
#define TRIES      1000

static unsigned cmos(unsigned reg)
{
    outb(CMOS_INDEX, (uint8_t)reg);
    return inb(CMOS_DATA);
}

/* Seconds, minutes, hours, day, month, year, century, between updates. */
static bool read_regs(unsigned r[7])
{
    static const unsigned regs[7] = { 0x00, 0x02, 0x04, 0x07, 0x08, 0x09, CENTURY };
    unsigned again[7];
    for (int tries = 0; tries < TRIES; tries++) {
        while (cmos(REG_A) & 0x80 && ++tries < TRIES)
            ;
        for (int i = 0; i < 7; i++)
            r[i] = cmos(regs[i]);
        for (int i = 0; i < 7; i++)
            again[i] = cmos(regs[i]);
        bool same = true;
        for (int i = 0; i < 7; i++)
            same &= r[i] == again[i];
        if (same)
            return true;
    }
    return false;
}

static unsigned from_bcd(unsigned v, bool binary)
{
    return binary ? v : (v >> 4) * 10 + (v & 0x0F);
}

bool rtc_read(struct calendar_time *t)
{
    unsigned r[7];
    if (!read_regs(r))
        return false;
    unsigned b = cmos(REG_B), hour;
    bool binary = b & 0x04;
    if (b & 0x02)
        hour = from_bcd(r[2], binary);
    else /* 12-hour: 12 is midnight or noon, bit 7 says PM */
        hour = from_bcd(r[2] & 0x7F, binary) % 12 + (r[2] & 0x80 ? 12 : 0);
    unsigned century = from_bcd(r[6], binary);
    unsigned year =
        from_bcd(r[5], binary) + (century >= 19 && century <= 99 ? century * 100 : 2000);
    *t = (struct calendar_time){ year, from_bcd(r[4], binary), from_bcd(r[3], binary),
                                 hour, from_bcd(r[1], binary), from_bcd(r[0], binary) };
    return true;
}
