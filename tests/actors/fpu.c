/* fpu.c: floating-point work that yields often, done twice; the results must
 * match bit for bit, however other actors used the FPU in between. */
#include <actor/sys.h>

static double work(void)
{
    double x = 1.0, y = 0.5;
    for (int i = 1; i <= 200000; i++) {
        x = x * 1.0000001 + y / i;
        y = y * 0.999999 + 1.0 / (x + i);
        if (i % 20000 == 0)
            clk_yield(); /* live values stay in SSE registers across the switch */
    }
    return x + y;
}

int main(void)
{
    double a = work(), b = work();
    uint64_t ua, ub;
    __builtin_memcpy(&ua, &a, 8);
    __builtin_memcpy(&ub, &b, 8);
    clk_printf("fpu: actor %ld %s (%#lx %#lx)\n", clk_self(), ua == ub ? "ok" : "MISMATCH",
               (unsigned long)ua, (unsigned long)ub);
    return ua == ub ? 0 : 1;
}
