/*
 * tty.h: standard input's line discipline (tty.c), private to libc-port.
 */
#ifndef LIBC_PORT_TTY_H
#define LIBC_PORT_TTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* read(0, BUF, LEN): up to LEN bytes of the next line typed on the console,
 * edited and echoed, waiting for it as long as it takes. Returns the count
 * (0 at end of file, or for LEN 0), or a CLK_E* code. */
long __clk_tty_read(void *buf, size_t len);

/* Whether read(0, ...) would return at once: a line was finished, or the
 * input ended. Edits (and echoes) what is typed meanwhile, waiting up to
 * TIMEOUT ns (0: only look; CLK_FOREVER) for the line to finish. */
bool __clk_tty_ready(uint64_t timeout);

#endif
