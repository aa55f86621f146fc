/*
 * coninput.c: CONSOLE_INPUT, through which a driver (the console driver,
 * servers/console) types into the kernel console, against
 * tests/test_keyboard.py. With a copy of the device authority in slot 1
 * (runner spec D):
 *
 *   1. errors: no authority, bad lengths, bad buffers; none adds a byte;
 *   2. what it adds, up to CLK_CONSOLE_INPUT_MAX bytes a call, comes back
 *      from its own CONSOLE_READ as typed input would;
 *   3. all or nothing: the input ring holds 255 bytes, and a call that
 *      does not fit adds none of its bytes (0), while one that fits still
 *      goes in;
 *   4. a thread waiting in CONSOLE_READ is woken by it;
 *   5. CONSOLE_INTR: while it holds the interrupt key, a ^C signals its
 *      notification instead of joining the input; given back, ^C is input
 *      again;
 *   6. a line it adds just before it exits goes to the kernel's idle loop,
 *      which answers it as it answers a line typed on the serial console.
 *
 * Without the authority it reports CLK_EBADF and stops. The exit status
 * is the number of failed checks.
 */
#include <actor/sys.h>
#include <stdbool.h>

#define CHECK_WHO "coninput"
#include "check.h"

#define DEV  1
#define RING 255 /* the kernel's input ring: CONSOLE_INBUF - 1 bytes */

static uint8_t stack[16384] __attribute__((aligned(16)));
static volatile long reader_got;
static char reader_buf[8];

static long input(const void *buf, size_t len)
{
    return clk_console_input(DEV, buf, len);
}

static void errors(void)
{
    char buf[CLK_CONSOLE_INPUT_MAX + 1] = "x";
    long nt = clk_notification_create();
    check("slot 0", clk_console_input(0, buf, 1), CLK_EBADF);
    check("a notification, not the authority", clk_console_input(nt, buf, 1), CLK_EBADF);
    check("length 0", input(buf, 0), CLK_EINVAL);
    check("length over the limit", input(buf, CLK_CONSOLE_INPUT_MAX + 1), CLK_EINVAL);
    check("huge length", input(buf, (size_t)-1), CLK_EINVAL);
    check("null buffer", input(NULL, 1), CLK_EFAULT);
    check("unmapped buffer", input((void *)0x1000, 4), CLK_EFAULT);
    check("kernel buffer", input((void *)0xFFFFFFFF80100000ULL, 4), CLK_EFAULT);
    check("buffer past the stack top", input((void *)(0x7FFFFFFFF000ULL - 2), 4), CLK_EFAULT);
    check("none of them added a byte", clk_console_read(buf, sizeof(buf), 0), CLK_ETIMEDOUT);
    clk_cap_delete(nt);
}

/* Read until LEN bytes came; the count read. */
static long read_all(char *buf, long len)
{
    long got = 0;
    while (got < len) {
        long n = clk_console_read(buf + got, (size_t)(len - got), 0);
        if (n <= 0)
            break;
        got += n;
    }
    return got;
}

static void round_trip(void)
{
    char out[CLK_CONSOLE_INPUT_MAX], in[CLK_CONSOLE_INPUT_MAX + 8];
    for (int i = 0; i < CLK_CONSOLE_INPUT_MAX; i++)
        out[i] = (char)(i * 7 + 1);
    check("an arrow key's bytes", input("\x1b[A", 3), 3);
    check("read back: 3 bytes", clk_console_read(in, sizeof(in), 0), 3);
    check("read back: the same", in[0] == 0x1b && in[1] == '[' && in[2] == 'A', 1);
    check("the most bytes a call takes", input(out, sizeof(out)), CLK_CONSOLE_INPUT_MAX);
    long n = read_all(in, sizeof(in));
    check("read back: all of them", n, CLK_CONSOLE_INPUT_MAX);
    check("read back: the same bytes", __builtin_memcmp(in, out, sizeof(out)) == 0, 1);
}

static void all_or_nothing(void)
{
    char out[CLK_CONSOLE_INPUT_MAX], in[RING + 8];
    for (int i = 0; i < CLK_CONSOLE_INPUT_MAX; i++)
        out[i] = (char)('A' + i % 26);
    check("100 bytes", input(out, 100), 100);
    check("100 more", input(out, 100), 100);
    check("100 more do not fit in 55: none added", input(out, 100), 0);
    check("55 fit", input(out, 55), 55);
    check("the ring is full: 1 byte is dropped", input("!", 1), 0);
    long n = read_all(in, sizeof(in));
    check("read back: the ring's 255 bytes", n, RING);
    bool same = true;
    for (long i = 0; i < n; i++)
        same &= in[i] == out[i < 200 ? i % 100 : i - 200];
    check("read back: nothing of the dropped calls", same, 1);
    check("room again", input("!", 1), 1);
    check("read back: !", read_all(in, 1) == 1 && in[0] == '!', 1);
}

static void reader(void *arg, void *ipcbuf)
{
    (void)arg, (void)ipcbuf;
    reader_got = clk_console_read(reader_buf, sizeof(reader_buf), CLK_FOREVER);
}

static void wakes_a_reader(void)
{
    reader_got = 0;
    if (clk_thread_start(reader, NULL, stack, sizeof(stack)) < 0)
        failures++;
    clk_yield(); /* it runs, at our priority, into its CONSOLE_READ */
    clk_yield();
    check("the reader still waits", reader_got, 0);
    check("input for it", input("wake", 4), 4);
    for (int i = 0; i < 100 && reader_got == 0; i++)
        clk_sleep_ns(1000000);
    check("the reader got it", reader_got == 4 && __builtin_memcmp(reader_buf, "wake", 4) == 0, 1);
}

static void interrupt_key(void)
{
    long nt = clk_notification_create();
    long no_send = clk_cap_mint(nt, CLK_RIGHT_RECV, 0);
    char in[8];
    struct clk_msg m = { 0 };
    uint64_t badge;
    check("CONSOLE_INTR: bits 0", clk_console_intr(nt, 0), CLK_EINVAL);
    check("CONSOLE_INTR: not a notification", clk_console_intr(DEV, 1), CLK_EBADF);
    check("CONSOLE_INTR: no SEND right", clk_console_intr(no_send, 1), CLK_EPERM);
    check("giving back what it does not hold", clk_console_intr(CLK_CAP_NONE, 0), 0);
    check("take ^C", clk_console_intr(nt, 4), 0);
    check("a, ^C, b",
          input("a\x03"
                "b",
                3),
          3);
    check("read back: a and b, no ^C", read_all(in, 2) == 2 && in[0] == 'a' && in[1] == 'b', 1);
    check("nothing more to read", clk_console_read(in, sizeof(in), 0), CLK_ETIMEDOUT);
    check("bind the notification", clk_bind(nt), 0);
    check("^C signalled its bits", clk_wait(0, &m, &badge) == nt && m.w[0] == 4, 1);
    check("give ^C back", clk_console_intr(CLK_CAP_NONE, 0), 0);
    check("^C is input again", input("\x03", 1), 1);
    check("read back: ^C", clk_console_read(in, sizeof(in), 0) == 1 && in[0] == 0x03, 1);
    check("no signal for it", clk_wait(0, &m, &badge), CLK_ETIMEDOUT);
    clk_cap_delete(no_send);
    clk_cap_delete(nt);
}

int main(long ncaps)
{
    long r = input("?", 1);
    if (ncaps < 1 || r == CLK_EBADF) {
        clk_printf("coninput: no device authority: CONSOLE_INPUT -> %ld\n", r);
        return 1;
    }
    char c;
    check("the first byte came back", clk_console_read(&c, 1, 0) == 1 && c == '?', 1);
    errors();
    round_trip();
    all_or_nothing();
    wakes_a_reader();
    interrupt_key();
    static const char line[] = "typed by a driver\r";
    check("a line for the idle loop", input(line, sizeof(line) - 1), sizeof(line) - 1);
    clk_printf("coninput: exiting with %d failures\n", failures);
    return failures;
}
