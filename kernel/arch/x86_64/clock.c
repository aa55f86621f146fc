/*
 * clock.c: the PIT, used once to measure the TSC, and the TSC-based clock.
 */
#include <arch/cpu.h>
#include <arch/platform.h>
#include <clock.h>
#include <log.h>

#define PIT_HZ  1193182
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PORT_B  0x61 /* bit 0: channel 2 gate, bit 5: channel 2 output */

static uint64_t tsc_freq; /* Hz */
static uint64_t tsc_zero; /* TSC at kernel entry */
static uint64_t ns_mult;  /* ns = (delta * ns_mult) >> 32 */
static bool calibrated;

void clock_mark_boot(void)
{
    tsc_zero = rdtsc();
}

uint64_t clock_boot_tsc(void)
{
    return tsc_zero;
}

uint64_t pit_measure_tsc(unsigned us)
{
    uint32_t count = (uint64_t)PIT_HZ * us / 1000000;
    if (count > 0xFFFF)
        count = 0xFFFF;
    outb(PORT_B, (inb(PORT_B) & ~0x02) | 0x01); /* gate on, speaker off */
    outb(PIT_CMD, 0xB0);                        /* ch 2, lo/hi, mode 0 */
    outb(PIT_CH2, count & 0xFF);
    outb(PIT_CH2, count >> 8);
    uint8_t b = inb(PORT_B) & ~0x01;
    outb(PORT_B, b); /* restart the count */
    outb(PORT_B, b | 0x01);
    uint64_t t0 = rdtsc();
    while (!(inb(PORT_B) & 0x20))
        cpu_pause();
    return rdtsc() - t0;
}

void tsc_calibrate(void)
{
    /* Best of three 10 ms windows: the shortest is least disturbed. */
    uint64_t best = ~0ULL;
    for (int i = 0; i < 3; i++) {
        uint64_t t = pit_measure_tsc(10000);
        best = t < best ? t : best;
    }
    tsc_freq = best * 100;
    ns_mult = (1000000000ULL << 32) / tsc_freq;
    calibrated = true;

    uint32_t r[4];
    cpuid(0x80000000, 0, r);
    bool invariant = false;
    if (r[0] >= 0x80000007) {
        cpuid(0x80000007, 0, r);
        invariant = r[3] & (1 << 8);
    }
    log_info("tsc: %lu.%03lu MHz (measured against the PIT)%s", (unsigned long)(tsc_freq / 1000000),
             (unsigned long)(tsc_freq / 1000 % 1000), invariant ? ", invariant" : "");
}

uint64_t tsc_hz(void)
{
    return tsc_freq;
}

uint64_t clock_ns(void)
{
    if (!calibrated)
        return 0;
    uint64_t delta = rdtsc() - tsc_zero;
    return (uint64_t)(((unsigned __int128)delta * ns_mult) >> 32);
}

uint64_t clock_us(void)
{
    return clock_ns() / 1000;
}

void clock_delay_us(uint64_t us)
{
    uint64_t end = clock_ns() + us * 1000;
    while (clock_ns() < end)
        cpu_pause();
}
