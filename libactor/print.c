/*
 * print.c: clk_printf, on the kernel's own formatting code (kernel/fmt.c)
 * until newlib's printf arrives with the SDK.
 */
#include <actor/sys.h>
#include <fmt.h>

int clk_printf(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    size_t n = kvsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n >= sizeof(buf))
        n = sizeof(buf) - 1;
    return (int)clk_debug_write(buf, n);
}
