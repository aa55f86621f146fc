/*
 * keys.c: shows what console input a program gets, for
 * tests/test_keyboard.py, which types on the PS/2 keyboard through QEMU's
 * monitor. It takes the console first (a CONSOLE_READ that only looks), so
 * that the kernel's idle loop leaves typed input alone, and then says it
 * is ready.
 *
 *   keys        raw bytes (CONSOLE_READ): gathered until Ctrl-D, then
 *               printed as one line "keys: N bytes [...]", every byte
 *               outside printable ASCII (and '\' and ']') as \xHH
 *   keys lines  lines of standard input (fgets, through libc-port's line
 *               discipline), each printed as "keys: line [...]" the same
 *               way, until end of file
 *
 * Printing once per batch keeps its output from mixing with the monitor's.
 */
#include <actor/sys.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void show(const char *what, const char *s, size_t len)
{
    printf("keys: %s [", what);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c > ' ' && c < 0x7F && c != '\\' && c != ']')
            putchar(c);
        else
            printf("\\x%02x", c);
    }
    printf("]\n");
    fflush(stdout);
}

static int raw(void)
{
    char batch[4096];
    size_t len = 0;
    for (;;) {
        char buf[64];
        long n = clk_console_read(buf, sizeof(buf), CLK_FOREVER);
        if (n < 0) {
            printf("keys: CONSOLE_READ -> %ld\n", n);
            return 1;
        }
        for (long i = 0; i < n; i++) {
            if (len < sizeof(batch))
                batch[len++] = buf[i];
            if (buf[i] == 0x04) {
                char what[32];
                snprintf(what, sizeof(what), "%zu bytes", len);
                show(what, batch, len);
                len = 0;
            }
        }
    }
}

static int lines(void)
{
    char line[256];
    while (fgets(line, sizeof(line), stdin))
        show("line", line, strlen(line));
    printf("keys: end of file\n");
    return 0;
}

int main(int argc, char **argv)
{
    char c;
    clk_console_read(&c, 1, 0); /* takes the console; nothing is typed yet */
    bool by_line = argc > 1 && strcmp(argv[1], "lines") == 0;
    printf("keys: ready for %s\n", by_line ? "lines" : "raw bytes");
    fflush(stdout);
    return by_line ? lines() : raw();
}
