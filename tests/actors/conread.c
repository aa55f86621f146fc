/*
 * conread.c: CONSOLE_READ, the raw console input call, against
 * tests/test_console.py, which types when it sees a "waits" line:
 *
 *   1. errors, with nothing typed: timeouts (0, and 30 ms that must pass),
 *      bad buffers, bad lengths;
 *   2. what the test types ("abc") while the actor sleeps waits for it (the
 *      idle loop leaves it alone), and reads get all of it;
 *   3. readers queue first come, first served: threads A and B and then
 *      the main thread wait, and each byte typed goes to the next of them;
 *   4. thread C waits in CONSOLE_READ while the actor exits: the kernel
 *      must forget the reader (the test then types to the idle kernel).
 *
 * The exit status is the number of failed checks.
 */
#include <actor/sys.h>

#define CHECK_WHO "conread"
#include "check.h"

#define MS 1000000ULL

static uint8_t stacks[3][16384] __attribute__((aligned(16)));
static volatile long started;

/* Wait for bytes and print them with ARG's name. */
static void reader(void *arg, void *ipcbuf)
{
    char buf[8];
    (void)ipcbuf;
    __atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
    long n = clk_console_read(buf, sizeof(buf), CLK_FOREVER);
    clk_printf("conread: %s got %ld [%.*s]\n", (const char *)arg, n, n > 0 ? (int)n : 0, buf);
}

/* Start a reader thread named NAME on stack I and let it block. */
static void start_reader(const char *name, int i)
{
    long before = started;
    if (clk_thread_start(reader, (void *)name, stacks[i], sizeof(stacks[i])) < 0)
        failures++;
    while (started == before)
        clk_yield(); /* it runs now, up to its CONSOLE_READ */
    clk_yield();     /* one of ours, the same priority: it blocked before this returns */
}

static void errors(void)
{
    char buf[16];
    check("nothing typed, timeout 0", clk_console_read(buf, sizeof(buf), 0), CLK_ETIMEDOUT);
    uint64_t t0 = clk_clock_ns();
    check("nothing typed, timeout 30 ms", clk_console_read(buf, sizeof(buf), 30 * MS),
          CLK_ETIMEDOUT);
    check("the 30 ms passed", clk_clock_ns() - t0 >= 30 * MS, 1);
    check("null buffer", clk_console_read(NULL, 8, 0), CLK_EFAULT);
    check("unmapped buffer", clk_console_read((void *)0x1000, 8, CLK_FOREVER), CLK_EFAULT);
    check("kernel buffer", clk_console_read((void *)0xFFFFFFFF80100000ULL, 8, 0), CLK_EFAULT);
    check("read-only buffer", clk_console_read((void *)(uintptr_t)errors, 8, 0), CLK_EFAULT);
    check("buffer past the stack top", clk_console_read((void *)(0x7FFFFFFFF000ULL - 4), 8, 0),
          CLK_EFAULT);
    check("length 0", clk_console_read(buf, 0, CLK_FOREVER), CLK_EINVAL);
    check("length over the limit", clk_console_read(buf, CLK_CONSOLE_READ_MAX + 1, 0), CLK_EINVAL);
    check("huge length", clk_console_read(buf, (size_t)-1, 0), CLK_EINVAL);
}

/* Read until LEN bytes came (a read returns what has arrived: maybe less). */
static void read_all(char *buf, long len)
{
    long got = 0, first = 0;
    while (got < len) {
        long n = clk_console_read(buf + got, (size_t)(len - got), CLK_FOREVER);
        if (n <= 0) {
            check("read", n, 1);
            return;
        }
        first = first ? first : n;
        got += n;
    }
    check("the first read returned bytes", first >= 1, 1);
}

int main(void)
{
    char buf[8];
    errors();

    clk_printf("conread: waits for abc\n");
    clk_sleep_ns(200 * MS); /* the CPU idles, and the idle loop must leave "abc" to us */
    read_all(buf, 3);
    clk_printf("conread: read got [%.3s]\n", buf);

    start_reader("A", 0);
    start_reader("B", 1);
    clk_printf("conread: A, B and main wait\n");
    long n = clk_console_read(buf, sizeof(buf), CLK_FOREVER);
    clk_printf("conread: main got %ld [%.*s]\n", n, n > 0 ? (int)n : 0, buf);

    start_reader("C", 2);
    clk_printf("conread: C waits; exiting with %d failures\n", failures);
    return failures;
}
