/*
 * fmt.h: printf-style formatting, free of any output device.
 *
 * Supported: %d %i %u %x %X %o %p %s %c %%, flags '-' '0' ' ' '+' '#',
 * field width and precision (also '*'), length modifiers hh h l ll z t j.
 */
#ifndef CLK_FMT_H
#define CLK_FMT_H

#include <kdefs.h>
#include <stdarg.h>

/* Receives formatted output one run of characters at a time. */
typedef void fmt_sink_t(void *ctx, const char *s, size_t n);

/* Format into SINK; returns the number of characters produced. */
size_t fmt_vformat(fmt_sink_t *sink, void *ctx, const char *fmt, va_list ap);

/*
 * Format into BUF of SIZE bytes, always NUL-terminated when SIZE > 0.
 * Returns the length the full output would have had (as C99 vsnprintf).
 */
size_t kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
size_t ksnprintf(char *buf, size_t size, const char *fmt, ...) printf_like(3, 4);

#endif
