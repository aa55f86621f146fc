/*
 * check.h: one-line checks for test actors that try many things in one
 * run. Define CHECK_WHO (the line prefix) before including it. Each check
 * prints "WHO: ok NAME" or "WHO: FAIL NAME: got G, want W"; the tests
 * count the lines.
 */
#ifndef TEST_CHECK_H
#define TEST_CHECK_H

#include <actor/sys.h>

static int failures;

static void check(const char *name, long got, long want)
{
    if (got == want) {
        clk_printf(CHECK_WHO ": ok %s\n", name);
    } else {
        clk_printf(CHECK_WHO ": FAIL %s: got %ld, want %ld\n", name, got, want);
        failures++;
    }
}

#endif
