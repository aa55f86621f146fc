/*
 * regs.c: what a system call and a preemption leave in the registers.
 * A syscall (SELF, YIELD) must keep every register but rax, rcx and r11,
 * and leave rcx = the return address and r11 = the flags, as SYSRET does.
 * A preempted loop must find every register as it left it: interrupts
 * return with IRETQ, which keeps rcx and r11 too. Run two at one priority
 * so that they preempt each other.
 */
#include <actor/sys.h>
#include <stdbool.h>

enum { RAX, RBX, RCX, RDX, RSI, RDI, RBP, R8, R9, R10, R11, R12, R13, R14, R15, NREGS };

static const char *const names[NREGS] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8",
                                          "r9",  "r10", "r11", "r12", "r13", "r14", "r15" };

/* regs_run(in, out, code): load every register from IN, run CODE (0: a
 * SYSCALL, 1: a loop that counts rax down to 0), store every register to
 * OUT. Written in assembly: the compiler must not own any register here. */
void regs_run(const uint64_t *in, uint64_t *out, long code);
extern char regs_after_syscall[];
__asm__(".text\n"
        ".globl regs_run, regs_after_syscall\n"
        "regs_run:\n"
        "    pushq %rbx; pushq %rbp; pushq %r12; pushq %r13; pushq %r14; pushq %r15\n"
        "    pushq %rsi\n" /* OUT */
        "    pushq %rdx\n" /* CODE */
        "    movq 0*8(%rdi), %rax; movq 1*8(%rdi), %rbx; movq 2*8(%rdi), %rcx\n"
        "    movq 3*8(%rdi), %rdx; movq 4*8(%rdi), %rsi; movq 6*8(%rdi), %rbp\n"
        "    movq 7*8(%rdi), %r8; movq 8*8(%rdi), %r9; movq 9*8(%rdi), %r10\n"
        "    movq 10*8(%rdi), %r11; movq 11*8(%rdi), %r12; movq 12*8(%rdi), %r13\n"
        "    movq 13*8(%rdi), %r14; movq 14*8(%rdi), %r15; movq 5*8(%rdi), %rdi\n"
        "    cmpq $0, (%rsp)\n"
        "    jne 1f\n"
        "    syscall\n"
        "regs_after_syscall:\n"
        "    jmp 2f\n"
        "1:  decq %rax\n"
        "    jnz 1b\n"
        "2:  pushq %r15; pushq %r14; pushq %r13; pushq %r12; pushq %r11; pushq %r10\n"
        "    pushq %r9; pushq %r8; pushq %rbp; pushq %rdi; pushq %rsi; pushq %rdx\n"
        "    pushq %rcx; pushq %rbx; pushq %rax\n"
        "    movq 16*8(%rsp), %rdi\n" /* OUT */
        "    xorl %ecx, %ecx\n"
        "3:  movq (%rsp,%rcx,8), %rax\n"
        "    movq %rax, (%rdi,%rcx,8)\n"
        "    incq %rcx\n"
        "    cmpq $15, %rcx\n"
        "    jne 3b\n"
        "    addq $17*8, %rsp\n"
        "    popq %r15; popq %r14; popq %r13; popq %r12; popq %rbp; popq %rbx\n"
        "    ret\n");

static long id;

/* Values that no kernel would leave in a register by chance. */
static void fill(uint64_t *in, uint64_t rax)
{
    for (int i = 0; i < NREGS; i++)
        in[i] = 0x5EED000000000000ULL | ((uint64_t)id << 32) | (uint64_t)(i * 0x01010101u);
    in[RAX] = rax;
}

/* A syscall: all but rax, rcx and r11 kept; rcx, r11 as SYSRET leaves them. */
static bool check_syscall(long nr, long want_rax)
{
    uint64_t in[NREGS], out[NREGS];
    fill(in, nr);
    regs_run(in, out, 0);
    for (int i = 0; i < NREGS; i++) {
        uint64_t want = i == RAX ? (uint64_t)want_rax : in[i];
        if (i == RCX)
            want = (uint64_t)regs_after_syscall;
        if (i == R11)
            continue;
        if (out[i] != want) {
            clk_printf("regs: actor %ld: syscall %ld changed %s: %#lx, expected %#lx\n", id, nr,
                       names[i], (unsigned long)out[i], (unsigned long)want);
            return false;
        }
    }
    if ((out[R11] & 0x202) != 0x202 || (out[R11] & ~0x3C7FD7UL)) { /* IF, bit 1; no stray bits */
        clk_printf("regs: actor %ld: syscall %ld left r11 = %#lx, not the flags\n", id, nr,
                   (unsigned long)out[R11]);
        return false;
    }
    return true;
}

/* A long loop, preempted many times: every register kept. */
static bool check_preempted(void)
{
    uint64_t in[NREGS], out[NREGS];
    fill(in, 30000000);
    regs_run(in, out, 1);
    in[RAX] = 0;
    for (int i = 0; i < NREGS; i++)
        if (out[i] != in[i]) {
            clk_printf("regs: actor %ld: a preempted loop found %s = %#lx, expected %#lx\n", id,
                       names[i], (unsigned long)out[i], (unsigned long)in[i]);
            return false;
        }
    return true;
}

int main(void)
{
    id = clk_self();
    bool ok = true;
    for (int i = 0; i < 100 && ok; i++)
        ok = check_syscall(CLK_SYS_SELF, id) && check_syscall(CLK_SYS_YIELD, 0) &&
             check_syscall(1000, CLK_ENOSYS);
    ok = ok && check_preempted();
    clk_printf("regs: actor %ld %s\n", id, ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
