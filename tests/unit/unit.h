/*
 * unit.h: a tiny framework for host unit tests and fuzz targets of pure
 * kernel code. A failed CHECK prints file:line and the expression and exits
 * non-zero (aborts in fuzz targets, so libFuzzer reports a crash).
 *
 * kpanic() is provided by unit.c: inside EXPECT_PANIC it returns to the test
 * with the formatted message; anywhere else it prints the message and aborts.
 * After a panic the code under test may be inconsistent: give each panic
 * test a fresh instance (or a child process, see unit_run_isolated()).
 */
#ifndef CLK_UNIT_H
#define CLK_UNIT_H

#include <kdefs.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            unit_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);                                     \
    } while (0)

/* CHECK that two integers are equal, printing both on failure. */
#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_)                                                                              \
            unit_fail(__FILE__, __LINE__, "CHECK_EQ(%s, %s): %lld != %lld", #a, #b, a_, b_);       \
    } while (0)

/* CHECK that two strings are equal (neither NULL), printing both on failure. */
#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                                     \
            unit_fail(__FILE__, __LINE__, "CHECK_STR(%s, %s): \"%s\" != \"%s\"", #a, #b,           \
                      a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                     \
    } while (0)

/* Run STATEMENT, which must call kpanic() with a message containing SUBSTR. */
#define EXPECT_PANIC(statement, substr)                                                            \
    do {                                                                                           \
        jmp_buf jb_;                                                                               \
        if (setjmp(jb_) == 0) {                                                                    \
            unit_panic_jmp = &jb_;                                                                 \
            statement;                                                                             \
            unit_panic_jmp = NULL;                                                                 \
            unit_fail(__FILE__, __LINE__, "no panic from: %s", #statement);                        \
        }                                                                                          \
        unit_check_panic(__FILE__, __LINE__, substr);                                              \
    } while (0)

/* Armed by EXPECT_PANIC; kpanic() disarms it and jumps back. */
extern jmp_buf *volatile unit_panic_jmp;

/* The message of the last kpanic(). */
extern char unit_panic_msg[512];

/* Set by fuzz targets: failures abort() instead of exit(1). */
extern bool unit_abort_on_fail;

__noreturn void unit_fail(const char *file, int line, const char *fmt, ...) printf_like(3, 4);

/* Fail unless the last panic's message contains SUBSTR. */
void unit_check_panic(const char *file, int line, const char *substr);

/* Run FN and print "ok NAME". */
void unit_run(const char *name, void (*fn)(void));

/* Run FN in a child process (fresh global state) and print "ok NAME". */
void unit_run_isolated(const char *name, void (*fn)(void));

#define RUN(fn)          unit_run(#fn, fn)
#define RUN_ISOLATED(fn) unit_run_isolated(#fn, fn)

/* Store little-endian values at unaligned P (building firmware tables). */
static inline void put_u16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, 2);
}

static inline void put_u32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static inline void put_u64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

/* Deterministic pseudo-random numbers (seed from UNIT_SEED, else fixed). */
void unit_srand(uint64_t seed);
uint64_t unit_rand(void);
uint64_t unit_rand_below(uint64_t n); /* 0..n-1, n > 0 */
uint64_t unit_seed(void);             /* the seed in use */

#endif
