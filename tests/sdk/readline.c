/*
 * readline.c: an ordinary C program that reads standard input, built
 * against the sysroot. It reads the first line in pieces of 4 bytes with
 * read(), to see that the rest of a line waits for the next read; then
 * lines with fgets after a prompt, which sscanf parses, until end of file
 * (Ctrl-D). tests/test_console.py types the lines and checks what it
 * prints. The exit status is 40 plus the number of lines fgets read.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Print the LEN bytes at S with '\n' written as "\n". */
static void show(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n')
            fputs("\\n", stdout);
        else
            putchar(s[i]);
    }
}

static void pieces(void)
{
    char buf[4];
    ssize_t n;
    printf("readline: ready for pieces\n");
    fflush(stdout);
    printf("readline: pieces");
    do {
        n = read(0, buf, sizeof(buf));
        printf(" [");
        show(buf, n > 0 ? (size_t)n : 0);
        printf("]");
    } while (n > 0 && buf[n - 1] != '\n');
    printf("\n");
}

int main(void)
{
    char line[128];
    int lines = 0;
    pieces();
    for (;;) {
        printf("readline> "); /* no newline: reading stdin flushes it */
        if (!fgets(line, sizeof(line), stdin))
            break;
        lines++;
        int a, b;
        if (sscanf(line, "add %d %d", &a, &b) == 2) {
            printf("readline: %d + %d = %d\n", a, b, a + b);
        } else {
            printf("readline: got %zu bytes [", strlen(line));
            show(line, strlen(line));
            printf("]\n");
        }
    }
    printf("\nreadline: end of file after %d lines, feof %d\n", lines, feof(stdin) != 0);
    return 40 + lines;
}
