/*
 * arch/frame_asm.h: where each register lives in struct trap_frame
 * (arch/trap.h checks these offsets), and assembler macros that save and
 * restore the general registers in that order. The macros are for isr.S
 * and syscall.S only.
 */
#ifndef CLK_ARCH_FRAME_ASM_H
#define CLK_ARCH_FRAME_ASM_H

/* clang-format off */
#define TF_R15    (0 * 8)
#define TF_R14    (1 * 8)
#define TF_R13    (2 * 8)
#define TF_R12    (3 * 8)
#define TF_R11    (4 * 8)
#define TF_R10    (5 * 8)
#define TF_R9     (6 * 8)
#define TF_R8     (7 * 8)
#define TF_RBP    (8 * 8)
#define TF_RDI    (9 * 8)
#define TF_RSI    (10 * 8)
#define TF_RDX    (11 * 8)
#define TF_RCX    (12 * 8)
#define TF_RBX    (13 * 8)
#define TF_RAX    (14 * 8)
#define TF_VECTOR (15 * 8)
#define TF_ERROR  (16 * 8)
#define TF_RIP    (17 * 8)
#define TF_CS     (18 * 8)
#define TF_RFLAGS (19 * 8)
#define TF_RSP    (20 * 8)
#define TF_SS     (21 * 8)
#define TF_SIZE   (22 * 8)

/* Trap-frame "vector" of a frame built by SYSCALL rather than an interrupt. */
#define VEC_SYSCALL 0x100

#ifdef __ASSEMBLER__
.macro PUSH_GPRS
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
.endm

.macro POP_GPRS
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
.endm
#endif
/* clang-format on */

#endif
