/*
 * console.c: fan-out of console output, the console input ring, and the
 * threads waiting in CONSOLE_READ.
 */
#include <actor.h>
#include <arch/cpu.h>
#include <async.h>
#include <console.h>
#include <panic.h>
#include <param.h>
#include <sched.h>
#include <tqueue.h>

static struct console_dev *devices;

/* Input ring: written by the interrupt handler; read with interrupts off.
 * Invariant: while bytes wait in it, no reader waits (console_input hands
 * them over at once). */
static char inbuf[CONSOLE_INBUF];
static unsigned in_head, in_tail;
static struct tqueue readers;   /* BLOCKED_READ, first come first served */
static unsigned reading_actors; /* live actors with console_reader set */

/* CONSOLE_INTR: ^C signals these bits on this notification, for this actor. */
static struct notification *intr;
static uint64_t intr_bits;
static struct actor *intr_owner;

void console_register(struct console_dev *dev)
{
    struct console_dev **p = &devices;
    while (*p)
        p = &(*p)->next;
    dev->next = NULL;
    *p = dev;
}

void console_write(const char *s, size_t n)
{
    for (struct console_dev *d = devices; d; d = d->next)
        d->write(s, n);
}

/* Copy up to LEN waiting bytes to BUF in T's space and take them out of
 * the ring. Returns the count (0 when none waits), or CLK_EFAULT with the
 * bytes left in the ring. Interrupts are off. */
static int64_t take(struct thread *t, uint64_t buf, uint64_t len)
{
    char bytes[CONSOLE_INBUF];
    unsigned n = 0;
    for (unsigned i = in_tail; i != in_head && n < len; i = (i + 1) % CONSOLE_INBUF)
        bytes[n++] = inbuf[i];
    int err = copy_to_user(&t->actor->vs, buf, bytes, n);
    if (err < 0)
        return err;
    in_tail = (in_tail + n) % CONSOLE_INBUF;
    return n;
}

_Static_assert(CLK_CONSOLE_INPUT_MAX < CONSOLE_INBUF, "a whole CONSOLE_INPUT fits the empty ring");

/* Free bytes in the ring (one slot stays empty: head == tail means none). */
static unsigned ring_room(void)
{
    return (in_tail + CONSOLE_INBUF - in_head - 1) % CONSOLE_INBUF;
}

void console_input(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == 0x03 && intr) {
            notification_signal(intr, intr_bits); /* the interrupt key, taken */
            continue;
        }
        unsigned next = (in_head + 1) % CONSOLE_INBUF;
        if (next == in_tail)
            break; /* full: drop the rest, as a UART would */
        inbuf[in_head] = s[i];
        in_head = next;
    }
    struct thread *t;
    while (in_tail != in_head && (t = tq_pop(&readers)))
        sched_wake(t, take(t, t->read_buf, t->read_len));
}

size_t console_input_whole(const char *s, size_t n)
{
    if (n > ring_room())
        return 0;
    console_input(s, n);
    return n;
}

int console_getc(void)
{
    uint64_t flags = read_rflags();
    irq_disable();
    int c = -1;
    if (in_tail != in_head) {
        c = (unsigned char)inbuf[in_tail];
        in_tail = (in_tail + 1) % CONSOLE_INBUF;
    }
    if (flags & RFLAGS_IF)
        irq_enable();
    return c;
}

bool console_getc_pending(void)
{
    return in_head != in_tail;
}

int64_t console_read(struct thread *t, uint64_t buf, uint64_t len, uint64_t timeout)
{
    if (!t->actor->console_reader) {
        t->actor->console_reader = true;
        reading_actors++;
    }
    if (in_tail != in_head) {
        KASSERT(!readers.head);
        return take(t, buf, len);
    }
    if (timeout == 0)
        return CLK_ETIMEDOUT;
    t->read_buf = buf;
    t->read_len = len;
    tq_push(&readers, t);
    sched_block_timeout(THREAD_BLOCKED_READ, timeout);
    return SYSCALL_NO_RESULT;
}

void console_read_cancel(struct thread *t)
{
    if (t->state == THREAD_BLOCKED_READ)
        tq_remove(&readers, t);
}

int console_intr(struct actor *a, struct notification *n, uint64_t bits)
{
    if (n && !bits)
        return CLK_EINVAL;
    if (!n && a != intr_owner)
        return 0; /* someone else's, or nobody's: nothing to give back */
    if (n)
        n->refs++; /* first: N may be the one held already */
    if (intr)
        notification_release(intr);
    intr = n;
    intr_bits = bits;
    intr_owner = n ? a : NULL;
    return 0;
}

void console_actor_gone(struct actor *a)
{
    if (a == intr_owner)
        console_intr(a, NULL, 0);
    if (a->console_reader) {
        a->console_reader = false;
        reading_actors--;
    }
}

bool console_claimed(void)
{
    return reading_actors > 0;
}
