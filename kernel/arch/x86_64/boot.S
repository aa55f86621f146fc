/*
 * boot.S: multiboot2 entry. GRUB enters _start in 32-bit protected mode with
 * paging off, EAX = multiboot2 magic and EBX = physical address of the boot
 * information. We check the CPU, build boot page tables (see memlayout.h),
 * enter long mode and jump to kmain() in the higher half.
 */
#include <memlayout.h>
#include <param.h>

#define MB2_MAGIC        0xE85250D6
#define MB2_BOOT_MAGIC   0x36D76289
#define MB2_ARCH_I386    0

#define PTE_P   0x1
#define PTE_W   0x2
#define PTE_PS  0x80

#define CR0_PG  (1 << 31)
#define CR0_WP  (1 << 16)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xC0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

#define PHYS(sym) ((sym) - KERNEL_VBASE)

/* The boot stack is kstack.c's static stack 0, above its guard page. */
#define boot_stack_top (static_stacks + PAGE_SIZE + KSTACK_PAGES * PAGE_SIZE)

/* ---- Multiboot2 header (must sit in the first 32 KiB of the image) ---- */
    .section .multiboot2, "a"
    .balign 8
mb2_header:
    .long MB2_MAGIC
    .long MB2_ARCH_I386
    .long mb2_header_end - mb2_header
    .long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
    /* entry address tag: the physical address of _start */
    .balign 8
    .short 3, 0
    .long 12
    .long _start
    /* end tag */
    .balign 8
    .short 0, 0
    .long 8
mb2_header_end:

/* ---- 32-bit entry, linked and run at its physical address ---- */
    .section .boot.text, "ax"
    .code32
    .globl _start
_start:
    cli
    cld
    movl $PHYS(boot_stack_top), %esp
    movl %eax, %edi                 /* multiboot2 magic, kept for kmain */
    movl %ebx, %esi                 /* boot information (physical) */

    cmpl $MB2_BOOT_MAGIC, %eax
    jne .Lno_multiboot

    /* Long mode (bit 29) and NX (bit 20) in CPUID 0x80000001 EDX. */
    movl $0x80000000, %eax
    cpuid
    cmpl $0x80000001, %eax
    jb .Lno_long_mode
    movl $0x80000001, %eax
    cpuid
    testl $(1 << 29), %edx
    jz .Lno_long_mode
    testl $(1 << 20), %edx
    jz .Lno_long_mode

    /* Four page directories of 2 MiB pages cover 0..4 GiB. */
    movl $PHYS(boot_pd), %ebx
    xorl %ecx, %ecx
1:  movl %ecx, %eax
    shll $21, %eax                  /* low half of ecx * 2 MiB */
    orl $(PTE_P | PTE_W | PTE_PS), %eax
    movl %eax, (%ebx, %ecx, 8)
    movl %ecx, %eax
    shrl $11, %eax                  /* high half of ecx * 2 MiB */
    movl %eax, 4(%ebx, %ecx, 8)
    incl %ecx
    cmpl $2048, %ecx
    jne 1b

    /* boot_pdpt_low[0..3] -> the four page directories. */
    movl $PHYS(boot_pdpt_low), %ebx
    movl $PHYS(boot_pd) + (PTE_P | PTE_W), %eax
    movl %eax, 0(%ebx)
    addl $4096, %eax
    movl %eax, 8(%ebx)
    addl $4096, %eax
    movl %eax, 16(%ebx)
    addl $4096, %eax
    movl %eax, 24(%ebx)

    /* boot_pdpt_high[510] -> first page directory (KERNEL_VBASE = phys 0). */
    movl $PHYS(boot_pdpt_high), %ebx
    movl $PHYS(boot_pd) + (PTE_P | PTE_W), %eax
    movl %eax, 510 * 8(%ebx)

    /* PML4: identity (0), direct map (256), kernel image (511). */
    movl $PHYS(boot_pml4), %ebx
    movl $PHYS(boot_pdpt_low) + (PTE_P | PTE_W), %eax
    movl %eax, 0(%ebx)
    movl %eax, 256 * 8(%ebx)
    movl $PHYS(boot_pdpt_high) + (PTE_P | PTE_W), %eax
    movl %eax, 511 * 8(%ebx)

    movl %cr4, %eax
    orl $CR4_PAE, %eax
    movl %eax, %cr4
    movl $PHYS(boot_pml4), %eax
    movl %eax, %cr3
    movl $MSR_EFER, %ecx
    rdmsr
    orl $(EFER_LME | EFER_NXE), %eax
    wrmsr
    movl %cr0, %eax
    orl $(CR0_PG | CR0_WP), %eax
    movl %eax, %cr0

    lgdt boot_gdt_ptr
    ljmp $0x08, $long_mode_entry

.Lno_multiboot:
    movl $msg_no_multiboot, %esi
    jmp .Lfatal32
.Lno_long_mode:
    movl $msg_no_long_mode, %esi
/* Print the NUL-terminated string at ESI on COM1 and VGA, then halt. */
.Lfatal32:
    movl $0xB8000, %edi
2:  lodsb
    testb %al, %al
    jz 4f
    movb %al, %bl
    movw $0x3FD, %dx                /* COM1 line status: wait for THR empty */
3:  inb %dx, %al
    testb $0x20, %al
    jz 3b
    movw $0x3F8, %dx
    movb %bl, %al
    outb %al, %dx
    movb %bl, (%edi)
    movb $0x4F, 1(%edi)             /* white on red */
    addl $2, %edi
    jmp 2b
4:  hlt
    jmp 4b

    .code64
long_mode_entry:
    xorl %eax, %eax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw %ax, %fs
    movw %ax, %gs
    movabsq $higher_half_entry, %rax
    jmp *%rax

    .section .boot.data, "a"
    .balign 8
boot_gdt:
    .quad 0
    .quad 0x00AF9A000000FFFF        /* 0x08: 64-bit ring-0 code */
boot_gdt_ptr:
    .short boot_gdt_ptr - boot_gdt - 1
    .long boot_gdt
msg_no_multiboot:
    .asciz "CLKernel: not started by a multiboot2 loader; halted."
msg_no_long_mode:
    .asciz "CLKernel: this CPU lacks x86_64 long mode or NX; halted."

/* ---- 64-bit, higher half ---- */
    .text
higher_half_entry:
    movabsq $boot_stack_top, %rsp
    xorl %ebp, %ebp
    movl %edi, %edi                 /* zero-extend magic and info address */
    movl %esi, %esi
    call kmain
5:  cli
    hlt
    jmp 5b

    .section .bss.boot, "aw", @nobits
    .balign 4096
    .globl boot_pml4
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pdpt_high: .skip 4096
boot_pd:        .skip 4 * 4096
