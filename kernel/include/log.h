/*
 * log.h: the kernel log. Every line is kept in a ring buffer; lines at or
 * below the current level (command line "loglevel=N") also go to the
 * console. Lines carry the time since boot in microseconds.
 */
#ifndef CLK_LOG_H
#define CLK_LOG_H

#include <kdefs.h>

enum log_level {
    LOG_EMERG = 0, /* panics */
    LOG_ERR = 1,
    LOG_WARN = 2,
    LOG_INFO = 3,
    LOG_DEBUG = 4,
};

extern int log_level;

/* Log one line (a trailing newline is added when missing). */
void klog(int level, const char *fmt, ...) printf_like(2, 3);

#define log_err(...)   klog(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  klog(LOG_WARN, __VA_ARGS__)
#define log_info(...)  klog(LOG_INFO, __VA_ARGS__)
#define log_debug(...) klog(LOG_DEBUG, __VA_ARGS__)

/* Raw console output with no timestamp (banner, panic reports); also logged. */
void kprintf(const char *fmt, ...) printf_like(1, 2);

/* Copy the newest log text, up to N bytes, into BUF; returns bytes copied. */
size_t log_snapshot(char *buf, size_t n);

#endif
