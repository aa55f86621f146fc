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

static void vga_putc(char c)
{
    if (c == '\n') {
        col = 0;
        row++;
    } else if (c == '\r') {
        col = 0;
    } else if (c == '\b') {
        col = col ? col - 1 : 0;
    } else if (c == '\t') {
        col = (col + 8) & ~7u;
    } else {
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
