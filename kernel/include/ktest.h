/*
 * ktest.h: in-kernel test cases, run when the kernel is booted with
 * "test=NAME". Each KTEST() registers a named case in the .ktest section;
 * "test=all" runs every case that is not KTEST_FATAL. Fatal cases crash the
 * kernel on purpose (to check panic reports) and run only by name.
 *
 * Output, which tests/ reads over the serial console:
 *   ktest: NAME: start
 *   ktest: NAME: PASS            or   ktest: NAME: FAIL: reason (file:line)
 *   ktest: done: P passed, F failed
 * after which QEMU is told to exit (isa-debug-exit) with F ? 1 : 0.
 */
#ifndef CLK_KTEST_H
#define CLK_KTEST_H

#include <kdefs.h>

enum ktest_kind { KTEST_PLAIN, KTEST_KIND_FATAL, KTEST_KIND_BENCH };

struct ktest {
    const char *name;
    void (*fn)(void);
    enum ktest_kind kind;
};

#define KTEST_DEFINE(id, k)                                                                        \
    static void ktest_##id(void);                                                                  \
    static const struct ktest ktest_entry_##id                                                     \
        __attribute__((section(".ktest"), used, aligned(8))) = { #id, ktest_##id, k };             \
    static void ktest_##id(void)

#define KTEST(id)       KTEST_DEFINE(id, KTEST_PLAIN)
#define KTEST_FATAL(id) KTEST_DEFINE(id, KTEST_KIND_FATAL)
#define KTEST_BENCH(id) KTEST_DEFINE(id, KTEST_KIND_BENCH)

/* Record a failure of the running test (it goes on; one report per test). */
void ktest_fail(const char *file, int line, const char *fmt, ...) printf_like(3, 4);

#define KTEST_CHECK(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            ktest_fail(__FILE__, __LINE__, "%s", #cond);                                           \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define KTEST_CHECKF(cond, ...)                                                                    \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            ktest_fail(__FILE__, __LINE__, __VA_ARGS__);                                           \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* Run the case NAME, or every non-fatal case for "all"; then exit QEMU. */
void ktest_run(const char *name);

/* A small deterministic PRNG for randomized tests (xorshift64*). */
uint64_t ktest_rand(void);

#endif
