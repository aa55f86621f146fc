/*
 * nlu-bench.c: the time nlu_interpret takes in ring 3 on CLKernel (under
 * QEMU), over the held-out phrases. tools/nlu-bench builds it against the
 * SDK with the phrases in nlu-bench-lines.h and boots it; it prints
 *   the first call (cold: pages and, under TCG, code translated first),
 *   the worst call of the first round over all lines,
 *   then over ROUNDS more rounds: the mean, the slowest line at its best
 *   (its own cost, without interrupts and preemption), the worst call and
 *   how many calls took over 100 us and over 1 ms.
 */
#include "nlu-bench-lines.h"
#include "nlu.h"
#include <stdio.h>
#include <time.h>

#define NLINES (sizeof(lines) / sizeof(lines[0]))
#define ROUNDS 20

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double timed(const char *line, const struct nlu_context *ctx)
{
    struct nlu_result r;
    double t = now_us();
    nlu_interpret(line, ctx, &r);
    return now_us() - t;
}

int main(void)
{
    static const char *const services[] = { "supervisor", "block", "vfs", "net", "shell", "httpd" };
    static double us[ROUNDS][NLINES];
    const struct nlu_context ctx = { services, 6 };
    double first = timed(lines[0], &ctx), cold = 0;
    for (unsigned i = 0; i < NLINES; i++) {
        double t = timed(lines[i], &ctx);
        cold = t > cold ? t : cold;
    }
    double total = 0, worst = 0, slowest = 0;
    unsigned over100 = 0, over1000 = 0;
    for (int k = 0; k < ROUNDS; k++)
        for (unsigned i = 0; i < NLINES; i++) {
            double t = us[k][i] = timed(lines[i], &ctx);
            total += t;
            worst = t > worst ? t : worst;
            over100 += t > 100;
            over1000 += t > 1000;
        }
    for (unsigned i = 0; i < NLINES; i++) {
        double best = us[0][i];
        for (int k = 1; k < ROUNDS; k++)
            best = us[k][i] < best ? us[k][i] : best;
        slowest = best > slowest ? best : slowest;
    }
    printf("nlu-bench: first call %.0f us; first round: worst %.0f us\n", first, cold);
    printf("nlu-bench: %u lines x %d: mean %.1f us, slowest line at its best %.1f us, "
           "worst %.0f us, %u over 100 us, %u over 1 ms\n",
           (unsigned)NLINES, ROUNDS, total / (ROUNDS * NLINES), slowest, worst, over100, over1000);
    return 0;
}
