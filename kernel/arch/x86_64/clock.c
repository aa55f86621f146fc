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

#define PIT_SPIN_LIMIT 20000000ULL    /* polls before the PIT counts as dead */
#define TSC_MIN_HZ     50000000ULL    /* a plausible TSC runs at 50 MHz ... */
#define TSC_MAX_HZ     20000000000ULL /* ... to 20 GHz */

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

uint64_t pit_measure_tsc(uint16_t count)
{
    outb(PORT_B, (inb(PORT_B) & ~0x02) | 0x01); /* gate high, speaker off */
    outb(PIT_CMD, 0xB0);                        /* ch 2, lo/hi, mode 0: OUT low */
    outb(PIT_CH2, count & 0xFF);
    outb(PIT_CH2, count >> 8); /* counting starts at the next PIT clock */
    uint64_t t0 = rdtsc();
    for (uint64_t spins = 0; !(inb(PORT_B) & 0x20); spins++) /* OUT rises at zero */
        if (spins > PIT_SPIN_LIMIT)
            return 0;
    return rdtsc() - t0;
}

/* The TSC frequency CPUID reports (leaf 0x15, else 0x16), or 0. */
static uint64_t tsc_hz_from_cpuid(void)
{
    uint32_t r[4];
    cpuid(0, 0, r);
    unsigned max = r[0];
    if (max >= 0x15) {
        cpuid(0x15, 0, r); /* TSC = crystal * EBX / EAX */
        if (r[0] && r[1] && r[2])
            return (uint64_t)r[2] * r[1] / r[0];
    }
    if (max >= 0x16) {
        cpuid(0x16, 0, r); /* base frequency in MHz */
        if (r[0] & 0xFFFF)
            return (uint64_t)(r[0] & 0xFFFF) * 1000000;
    }
    return 0;
}

static void sort3(uint64_t v[3])
{
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2 - i; j++)
            if (v[j] > v[j + 1]) {
                uint64_t t = v[j];
                v[j] = v[j + 1];
                v[j + 1] = t;
            }
}

void tsc_calibrate(void)
{
    /* The median of three 10 ms windows: a delay (an SMI, a busy host)
     * can lengthen or shorten one window, but hardly two. */
    const uint16_t count = PIT_HZ / 100; /* 10 ms */
    uint64_t t[3];
    for (int i = 0; i < 3; i++)
        t[i] = pit_measure_tsc(count);
    sort3(t);
    tsc_freq = t[1] * PIT_HZ / count;
    const char *how = "measured against the PIT";
    if (t[0] == 0 || tsc_freq < TSC_MIN_HZ || tsc_freq > TSC_MAX_HZ) {
        tsc_freq = tsc_hz_from_cpuid();
        how = "from CPUID: the PIT measurement failed";
        if (tsc_freq < TSC_MIN_HZ || tsc_freq > TSC_MAX_HZ) {
            tsc_freq = 1000000000;
            how = "GUESSED: neither the PIT nor CPUID gave a frequency";
        }
    }
    ns_mult = (1000000000ULL << 32) / tsc_freq;
    calibrated = true;

    uint32_t r[4];
    cpuid(0x80000000, 0, r);
    bool invariant = false;
    if (r[0] >= 0x80000007) {
        cpuid(0x80000007, 0, r);
        invariant = r[3] & (1 << 8);
    }
    klog(how[0] == 'm' ? LOG_INFO : LOG_WARN, "tsc: %lu.%03lu MHz (%s)%s",
         (unsigned long)(tsc_freq / 1000000), (unsigned long)(tsc_freq / 1000 % 1000), how,
         invariant ? ", invariant" : "");
}

uint64_t tsc_hz(void)
{
    return tsc_freq;
}

uint64_t clock_ticks_to_ns(uint64_t ticks)
{
    return calibrated ? (uint64_t)(((unsigned __int128)ticks * ns_mult) >> 32) : 0;
}

uint64_t clock_ns(void)
{
    return clock_ticks_to_ns(rdtsc() - tsc_zero);
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
