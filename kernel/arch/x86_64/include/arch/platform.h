/*
 * arch/platform.h: the PC platform: consoles, firmware tables, interrupt
 * controllers and timers.
 */
#ifndef CLK_ARCH_PLATFORM_H
#define CLK_ARCH_PLATFORM_H

#include <bootinfo.h>
#include <kdefs.h>

void serial_init(void);
void serial_enable_input(void);
void vga_init(void);

/* What the ACPI MADT says about interrupt controllers. */
#define ACPI_SDT_HEADER  36 /* bytes in every ACPI table header */
#define MADT_MAX_IOAPICS 4
#define MADT_ISA_IRQS    16
struct madt_info {
    uint64_t lapic_pa;
    unsigned nioapics;
    struct {
        uint8_t id;
        uint32_t pa, gsi_base;
    } ioapic[MADT_MAX_IOAPICS];
    struct {
        uint32_t gsi;
        bool active_low, level;
    } isa[MADT_ISA_IRQS]; /* ISA IRQ n -> GSI, after interrupt source overrides */
    unsigned ncpus;
};

/* Parse a MADT of LEN bytes (header included) into M. Returns 0 or CLK_EINVAL;
 * M holds the PC defaults (identity ISA routing) plus what was read. */
int madt_parse(const uint8_t *madt, size_t len, struct madt_info *m);
void madt_defaults(struct madt_info *m);
bool acpi_checksum_ok(const uint8_t *p, size_t n);

/* Find the MADT through the RSDP in BI; fills M with PC defaults when absent. */
void acpi_init(const struct bootinfo *bi, struct madt_info *m);

/* What the FADT and the DSDT say about powering off (S5) and resetting. */
#define ACPI_SPACE_MEMORY 0 /* generic address structure: address spaces */
#define ACPI_SPACE_IO     1
#define ACPI_SPACE_PCI    2
struct acpi_power {
    uint64_t dsdt_pa;            /* the DSDT, or 0 */
    uint16_t pm1a_cnt, pm1b_cnt; /* I/O ports of the PM1 control registers; 0: none */
    uint8_t slp_typa, slp_typb;  /* \_S5's sleep types, 0..7 */
    bool s5_valid;               /* PM1a and \_S5 are both known */
    bool reset_valid;            /* the FADT names a reset register */
    uint8_t reset_space;         /* ACPI_SPACE_* */
    uint8_t reset_value;
    uint64_t reset_addr;
};

/* Parse a FADT of LEN bytes (header included) into P: the DSDT's address,
 * the PM1 control ports (I/O space only) and the reset register (when
 * its flag is set and it is an 8-bit register). Returns 0 or CLK_EINVAL
 * (bad header, length or checksum); P is zeroed first. */
int fadt_parse(const uint8_t *fadt, size_t len, struct acpi_power *p);

/* Find the \_S5 object in a DSDT of LEN bytes (header included) and put
 * its sleep types in P. Returns 0, CLK_ENOENT (none) or CLK_EINVAL (a bad
 * table, or an \_S5 that is not a package of small integers). */
int acpi_find_s5(const uint8_t *dsdt, size_t len, struct acpi_power *p);

/* Read the FADT and \_S5 through the RSDP in BI and log what they say;
 * arch_bootinfo_power (actor.h) hands it to the root actor. */
void acpi_power_init(const struct bootinfo *bi);

void pic_disable(void);
void lapic_init(const struct madt_info *m);
void lapic_eoi(void);
void ioapic_init(const struct madt_info *m);

/* Route ISA IRQ to this CPU's local APIC. Returns the vector it arrives on,
 * or CLK_ENOENT when no IOAPIC input serves it. */
int ioapic_route_isa(unsigned irq);

/* Measure the TSC against the PIT and start clock_us(). */
void tsc_calibrate(void);
uint64_t tsc_hz(void);

/* Busy-wait for COUNT ticks of PIT channel 2 (1.193182 MHz); returns the
 * TSC ticks that took, or 0 when the PIT never finished. */
uint64_t pit_measure_tsc(uint16_t count);

#endif
