/*
 * log.c: the kernel log (see log.h).
 */
#include <arch/cpu.h>
#include <clock.h>
#include <console.h>
#include <fmt.h>
#include <kstring.h>
#include <log.h>
#include <param.h>

int log_level = LOG_LEVEL_DEFAULT;

/* Ring of log text; ring_len counts all bytes ever written. */
static char ring[LOG_BUF_SIZE];
static uint64_t ring_len;

static void ring_append(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ring[(ring_len + i) % LOG_BUF_SIZE] = s[i];
    ring_len += n;
}

static void log_sink(void *ctx, const char *s, size_t n)
{
    bool show = *(bool *)ctx;
    ring_append(s, n);
    if (show)
        console_write(s, n);
}

static const char *level_tag(int level)
{
    switch (level) {
    case LOG_EMERG: return "PANIC: ";
    case LOG_ERR: return "error: ";
    case LOG_WARN: return "warning: ";
    default: return "";
    }
}

/* Format one log line; interrupts stay off so lines never interleave. */
static void log_line(bool show, bool stamp, int level, const char *fmt, va_list ap)
{
    uint64_t flags = read_rflags();
    irq_disable();
    char head[40];
    size_t n = 0;
    if (stamp) {
        uint64_t us = clock_us();
        n = ksnprintf(head, sizeof(head), "[%5lu.%06lu] %s", (unsigned long)(us / 1000000),
                      (unsigned long)(us % 1000000), level_tag(level));
    }
    log_sink(&show, head, n);
    fmt_vformat(log_sink, &show, fmt, ap);
    size_t len = strlen(fmt);
    if (stamp && (len == 0 || fmt[len - 1] != '\n'))
        log_sink(&show, "\n", 1);
    if (flags & RFLAGS_IF)
        irq_enable();
}

void klog(int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_line(level <= log_level, true, level, fmt, ap);
    va_end(ap);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_line(true, false, LOG_INFO, fmt, ap);
    va_end(ap);
}

size_t log_snapshot(char *buf, size_t n)
{
    size_t have = ring_len < LOG_BUF_SIZE ? ring_len : LOG_BUF_SIZE;
    if (n > have)
        n = have;
    for (size_t i = 0; i < n; i++)
        buf[i] = ring[(ring_len - n + i) % LOG_BUF_SIZE];
    return n;
}
