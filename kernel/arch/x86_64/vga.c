/*
 * vga.c: the VGA text screen (80x25), a mirror of the serial console.
 */
#include <arch/platform.h>
#include <console.h>
#include <kstring.h>
#include <memlayout.h>

#define COLS 80
#define ROWS 25
#define ATTR 0x0700 /* light grey on black */

static uint16_t *screen;
static unsigned row, col;

static void scroll(void)
{
    memmove(screen, screen + COLS, (ROWS - 1) * COLS * 2);
    for (unsigned c = 0; c < COLS; c++)
        screen[(ROWS - 1) * COLS + c] = ATTR | ' ';
    row = ROWS - 1;
}

/* The few escape sequences a line editor sends (ESC [ N X): cursor left
 * and right (D, C), up and down (A, B), to a place (H: row;col, 1-based),
 * erase to the end of the line (K) or the screen (J; 2J: all of it). The
 * rest is swallowed, never drawn. */
static struct {
    int state; /* 0: text; 1: after ESC; 2: in ESC [ ... */
    unsigned arg[2], nargs;
} esc;

static void erase(unsigned from, unsigned to)
{
    for (unsigned i = from; i < to; i++)
        screen[i] = ATTR | ' ';
}

static void csi(char final)
{
    unsigned n = esc.nargs && esc.arg[0] ? esc.arg[0] : 1;
    switch (final) {
    case 'D': col = col > n ? col - n : 0; break;
    case 'C': col = col + n < COLS ? col + n : COLS - 1; break;
    case 'A': row = row > n ? row - n : 0; break;
    case 'B': row = row + n < ROWS ? row + n : ROWS - 1; break;
    case 'H':
        row = esc.nargs && esc.arg[0] ? (esc.arg[0] <= ROWS ? esc.arg[0] - 1 : ROWS - 1) : 0;
        col = esc.nargs > 1 && esc.arg[1] ? (esc.arg[1] <= COLS ? esc.arg[1] - 1 : COLS - 1) : 0;
        break;
    case 'K': erase(row * COLS + col, (row + 1) * COLS); break;
    case 'J':
        if (esc.nargs && esc.arg[0] == 2)
            erase(0, ROWS * COLS);
        else
            erase(row * COLS + col, ROWS * COLS);
        break;
    }
}

/* Take C as part of an escape sequence: false when it is plain text. */
static bool escape(char c)
{
    if (esc.state == 0 && c != 0x1B)
        return false;
    if (esc.state == 0) {
        esc.state = 1;
    } else if (esc.state == 1) {
        esc.state = c == '[' ? 2 : 0;
        esc.nargs = 0;
        esc.arg[0] = esc.arg[1] = 0;
    } else if (c >= '0' && c <= '9') {
        if (!esc.nargs)
            esc.nargs = 1;
        unsigned *a = &esc.arg[esc.nargs - 1];
        *a = *a < 1000 ? *a * 10 + (unsigned)(c - '0') : *a;
    } else if (c == ';') {
        esc.nargs = esc.nargs < 2 ? esc.nargs + 1 : 2;
    } else {
        csi(c);
        esc.state = 0;
    }
    return true;
}

static void vga_putc(char c)
{
    if (escape(c))
        return;
    if (c == '\n') {
        col = 0;
        row++;
    } else if (c == '\r') {
        col = 0;
    } else if (c == '\b') {
        col = col ? col - 1 : 0;
    } else if (c == '\t') {
        col = (col + 8) & ~7u;
    } else if ((unsigned char)c >= ' ') {
        screen[row * COLS + col++] = ATTR | (uint8_t)c;
    }
    if (col >= COLS) {
        col = 0;
        row++;
    }
    if (row >= ROWS)
        scroll();
}

static void vga_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        vga_putc(s[i]);
}

static struct console_dev vga_console = { .name = "vga", .write = vga_write };

void vga_init(void)
{
    screen = phys_to_virt(0xB8000); /* chunk 0 is always direct-mapped */
    for (unsigned i = 0; i < COLS * ROWS; i++)
        screen[i] = ATTR | ' ';
    row = col = 0;
    console_register(&vga_console);
}
