/*
 * fmt.c: printf-style formatting (see fmt.h). Pure code: host unit tests
 * compare it with the C library's snprintf.
 */
#include <fmt.h>
#include <kstring.h>

enum {
    F_LEFT = 1 << 0,  /* '-' */
    F_ZERO = 1 << 1,  /* '0' */
    F_SPACE = 1 << 2, /* ' ' */
    F_PLUS = 1 << 3,  /* '+' */
    F_ALT = 1 << 4,   /* '#' */
};

struct spec {
    unsigned flags;
    int width;     /* -1: none */
    int precision; /* -1: none */
};

struct out {
    fmt_sink_t *sink;
    void *ctx;
    size_t count;
};

static void emit(struct out *o, const char *s, size_t n)
{
    if (n) {
        o->sink(o->ctx, s, n);
        o->count += n;
    }
}

static void pad(struct out *o, char c, int n)
{
    char buf[16];
    memset(buf, c, sizeof(buf));
    while (n > 0) {
        int k = n < (int)sizeof(buf) ? n : (int)sizeof(buf);
        emit(o, buf, k);
        n -= k;
    }
}

/* Emit BODY (LEN chars) with PREFIX, honouring width, '-' and zero padding. */
static void emit_field(struct out *o, const struct spec *sp, const char *prefix, const char *body,
                       int len, int zeros)
{
    int plen = (int)strlen(prefix);
    int total = plen + zeros + len;
    int fill = sp->width > total ? sp->width - total : 0;

    if (!(sp->flags & F_LEFT) && !(sp->flags & F_ZERO))
        pad(o, ' ', fill);
    emit(o, prefix, plen);
    if (!(sp->flags & F_LEFT) && (sp->flags & F_ZERO))
        pad(o, '0', fill);
    pad(o, '0', zeros);
    emit(o, body, len);
    if (sp->flags & F_LEFT)
        pad(o, ' ', fill);
}

static void format_int(struct out *o, struct spec *sp, unsigned long long v, bool neg,
                       unsigned base, bool upper, const char *alt_prefix)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[24];
    int len = 0;
    const char *prefix = "";

    if (!(v == 0 && sp->precision == 0))
        do {
            buf[sizeof(buf) - 1 - len++] = digits[v % base];
            v /= base;
        } while (v);

    if (neg)
        prefix = "-";
    else if (sp->flags & F_PLUS)
        prefix = "+";
    else if (sp->flags & F_SPACE)
        prefix = " ";
    else if (alt_prefix)
        prefix = alt_prefix;

    int zeros = sp->precision > len ? sp->precision - len : 0;
    if (base == 8 && prefix == alt_prefix && (zeros || (len && buf[sizeof(buf) - len] == '0')))
        prefix = ""; /* '#' with %o: a leading 0 only when there is none yet */
    if (sp->precision >= 0)
        sp->flags &= ~F_ZERO;
    emit_field(o, sp, prefix, buf + sizeof(buf) - len, len, zeros);
}

/* Parse a decimal number at *P, advancing it. */
static int parse_num(const char **p)
{
    int n = 0;
    while (**p >= '0' && **p <= '9') {
        if (n < 100000)
            n = n * 10 + (**p - '0');
        (*p)++;
    }
    return n;
}

enum len { L_INT, L_CHAR, L_SHORT, L_LONG, L_LLONG, L_SIZE };

static enum len parse_len(const char **p)
{
    switch (**p) {
    case 'h':
        if ((*p)[1] == 'h') {
            *p += 2;
            return L_CHAR;
        }
        (*p)++;
        return L_SHORT;
    case 'l':
        if ((*p)[1] == 'l') {
            *p += 2;
            return L_LLONG;
        }
        (*p)++;
        return L_LONG;
    case 'z':
    case 't':
    case 'j': (*p)++; return L_SIZE;
    default: return L_INT;
    }
}

static long long get_signed(va_list *ap, enum len l)
{
    switch (l) {
    case L_CHAR: return (signed char)va_arg(*ap, int);
    case L_SHORT: return (short)va_arg(*ap, int);
    case L_LONG: return va_arg(*ap, long);
    case L_LLONG: return va_arg(*ap, long long);
    case L_SIZE: return va_arg(*ap, long);
    default: return va_arg(*ap, int);
    }
}

static unsigned long long get_unsigned(va_list *ap, enum len l)
{
    switch (l) {
    case L_CHAR: return (unsigned char)va_arg(*ap, unsigned);
    case L_SHORT: return (unsigned short)va_arg(*ap, unsigned);
    case L_LONG: return va_arg(*ap, unsigned long);
    case L_LLONG: return va_arg(*ap, unsigned long long);
    case L_SIZE: return va_arg(*ap, unsigned long);
    default: return va_arg(*ap, unsigned);
    }
}

/* Parse flags, width and precision of the conversion at *P. */
static void parse_spec(const char **p, va_list *ap, struct spec *sp)
{
    sp->flags = 0;
    for (;; (*p)++) {
        if (**p == '-')
            sp->flags |= F_LEFT;
        else if (**p == '0')
            sp->flags |= F_ZERO;
        else if (**p == ' ')
            sp->flags |= F_SPACE;
        else if (**p == '+')
            sp->flags |= F_PLUS;
        else if (**p == '#')
            sp->flags |= F_ALT;
        else
            break;
    }
    sp->width = -1;
    if (**p == '*') {
        (*p)++;
        sp->width = va_arg(*ap, int);
        if (sp->width < 0) {
            sp->flags |= F_LEFT;
            sp->width = -sp->width;
        }
    } else if (**p >= '0' && **p <= '9') {
        sp->width = parse_num(p);
    }
    sp->precision = -1;
    if (**p == '.') {
        (*p)++;
        if (**p == '*') {
            (*p)++;
            sp->precision = va_arg(*ap, int);
            if (sp->precision < 0)
                sp->precision = -1;
        } else {
            sp->precision = parse_num(p);
        }
    }
    if (sp->flags & F_LEFT)
        sp->flags &= ~F_ZERO;
}

/* Format one conversion C with spec SP; returns false for an unknown one. */
static bool convert(struct out *o, char c, struct spec *sp, enum len l, va_list *ap)
{
    switch (c) {
    case 'd':
    case 'i': {
        long long v = get_signed(ap, l);
        unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
        format_int(o, sp, u, v < 0, 10, false, NULL);
        return true;
    }
    case 'u':
        sp->flags &= ~(F_PLUS | F_SPACE); /* signs are for signed conversions */
        format_int(o, sp, get_unsigned(ap, l), false, 10, false, NULL);
        return true;
    case 'x':
    case 'X': {
        unsigned long long v = get_unsigned(ap, l);
        const char *alt = (sp->flags & F_ALT) && v ? (c == 'x' ? "0x" : "0X") : NULL;
        sp->flags &= ~(F_PLUS | F_SPACE);
        format_int(o, sp, v, false, 16, c == 'X', alt);
        return true;
    }
    case 'o':
        sp->flags &= ~(F_PLUS | F_SPACE);
        format_int(o, sp, get_unsigned(ap, l), false, 8, false, (sp->flags & F_ALT) ? "0" : NULL);
        return true;
    case 'p':
        sp->flags &= ~(F_PLUS | F_SPACE);
        format_int(o, sp, (uintptr_t)va_arg(*ap, void *), false, 16, false, "0x");
        return true;
    case 'c': {
        char ch = (char)va_arg(*ap, int);
        emit_field(o, sp, "", &ch, 1, 0);
        return true;
    }
    case 's': {
        const char *s = va_arg(*ap, const char *);
        if (!s)
            s = "(null)";
        int len = (int)(sp->precision >= 0 ? strnlen(s, sp->precision) : strlen(s));
        sp->flags &= ~F_ZERO;
        emit_field(o, sp, "", s, len, 0);
        return true;
    }
    case '%': emit(o, "%", 1); return true;
    default: return false;
    }
}

size_t fmt_vformat(fmt_sink_t *sink, void *ctx, const char *fmt, va_list ap0)
{
    struct out o = { sink, ctx, 0 };
    va_list ap;
    va_copy(ap, ap0);

    const char *p = fmt;
    while (*p) {
        const char *start = p;
        while (*p && *p != '%')
            p++;
        emit(&o, start, p - start);
        if (!*p)
            break;
        const char *conv = p++;
        struct spec sp;
        parse_spec(&p, &ap, &sp);
        enum len l = parse_len(&p);
        if (!*p || !convert(&o, *p, &sp, l, &ap)) {
            /* Unknown conversion: print it literally rather than guess. */
            emit(&o, conv, (*p ? p + 1 : p) - conv);
        }
        if (*p)
            p++;
    }
    va_end(ap);
    return o.count;
}

struct bufctx {
    char *buf;
    size_t size, len;
};

static void buf_sink(void *ctx, const char *s, size_t n)
{
    struct bufctx *b = ctx;
    if (b->len + 1 < b->size) {
        size_t room = b->size - 1 - b->len;
        memcpy(b->buf + b->len, s, n < room ? n : room);
    }
    b->len += n;
}

size_t kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct bufctx b = { buf, size, 0 };
    fmt_vformat(buf_sink, &b, fmt, ap);
    if (size)
        buf[b.len < size ? b.len : size - 1] = '\0';
    return b.len;
}

size_t ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
