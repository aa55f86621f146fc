/*
 * arch/gdt.h: segment selectors. The order of the user selectors is the one
 * SYSRET requires (32-bit code, data, 64-bit code).
 */
#ifndef CLK_ARCH_GDT_H
#define CLK_ARCH_GDT_H

#define SEL_KCODE   0x08
#define SEL_KDATA   0x10
#define SEL_UCODE32 0x1B /* 0x18 | RPL 3 */
#define SEL_UDATA   0x23 /* 0x20 | RPL 3 */
#define SEL_UCODE   0x2B /* 0x28 | RPL 3 */
#define SEL_TSS     0x30

#endif
