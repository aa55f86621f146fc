/*
 * ktest.c: the in-kernel test runner (see ktest.h).
 */
#include <arch/trap.h>
#include <fmt.h>
#include <kstring.h>
#include <ktest.h>
#include <log.h>

extern const struct ktest __ktest_start[], __ktest_end[];

static const char *const kind_tag[] = { "", "(fatal)", "(bench)" };
static const struct ktest *current;
static bool current_failed;
static uint64_t rand_state = 0x9E3779B97F4A7C15ULL;

uint64_t ktest_rand(void)
{
    rand_state ^= rand_state >> 12;
    rand_state ^= rand_state << 25;
    rand_state ^= rand_state >> 27;
    return rand_state * 0x2545F4914F6CDD1DULL;
}

void ktest_fail(const char *file, int line, const char *fmt, ...)
{
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (!current_failed)
        kprintf("ktest: %s: FAIL: %s (%s:%d)\n", current->name, msg, file, line);
    current_failed = true;
}

static bool run_one(const struct ktest *t)
{
    current = t;
    current_failed = false;
    kprintf("ktest: %s: start\n", t->name);
    t->fn();
    if (!current_failed)
        kprintf("ktest: %s: PASS\n", t->name);
    return !current_failed;
}

void ktest_run(const char *name)
{
    unsigned passed = 0, failed = 0;
    bool all = strcmp(name, "all") == 0;
    for (const struct ktest *t = __ktest_start; t < __ktest_end; t++) {
        if (all ? t->kind != KTEST_PLAIN : strcmp(t->name, name) != 0)
            continue;
        if (run_one(t))
            passed++;
        else
            failed++;
    }
    if (passed + failed == 0) {
        kprintf("ktest: no test called \"%s\". Known tests:", name);
        for (const struct ktest *t = __ktest_start; t < __ktest_end; t++)
            kprintf(" %s%s", t->name, kind_tag[t->kind]);
        kprintf("\n");
        failed = 1;
    }
    kprintf("ktest: done: %u passed, %u failed\n", passed, failed);
    arch_qemu_exit(failed ? 1 : 0);
}
