/*
 * async.c: checks mailboxes, notifications and WAIT within one actor, and
 * prints one line per check ("async: ok NAME" or "async: FAIL NAME ...")
 * and a summary.
 */
#define CHECK_WHO "async"
#include "check.h"

static struct clk_msg msg(unsigned label, uint64_t w0, uint64_t w1)
{
    struct clk_msg m = { CLK_TAG(label, 16), { w0, w1 } };
    return m;
}

int main(void)
{
    struct clk_msg m = { 0 };
    uint64_t badge;

    check("mailbox of 0 slots", clk_mailbox_create(0), CLK_EINVAL);
    check("mailbox too large", clk_mailbox_create(CLK_MAILBOX_MAX + 1), CLK_EINVAL);
    long mb = clk_mailbox_create(4);
    check("wait with nothing bound", clk_wait(0, &m, &badge), CLK_ENOENT);

    long sent = 0;
    for (unsigned i = 0; i < 4; i++) {
        m = msg(10 + i, i * 3, ~(uint64_t)i);
        sent += clk_send(mb, &m, 0) == 0;
    }
    check("4 sends fill 4 slots", sent, 4);
    m = msg(99, 0, 0);
    check("send to a full mailbox", clk_send(mb, &m, 0), CLK_EFULL);
    m.tag = CLK_TAG(1, 8 * CLK_MSG_REGS + 1);
    check("send of a long message", clk_send(mb, &m, 0), CLK_EINVAL);
    uint64_t t0 = clk_clock_ns();
    m = msg(99, 0, 0);
    long r = clk_send(mb, &m, 5000000);
    check("blocking send times out", r, CLK_ETIMEDOUT);
    check("after at least 5 ms", clk_clock_ns() - t0 >= 5000000, 1);

    check("bind", clk_bind(mb), 0);
    check("bind twice", clk_bind(mb), CLK_EEXIST);
    long in_order = 0;
    for (unsigned i = 0; i < 4; i++) {
        r = clk_wait(0, &m, &badge);
        in_order += r == mb && CLK_TAG_LABEL(m.tag) == 10 + i && m.w[0] == i * 3 &&
                    m.w[1] == ~(uint64_t)i && badge == 0;
    }
    check("4 messages in order with payloads", in_order, 4);
    check("wait on an empty mailbox", clk_wait(0, &m, &badge), CLK_ETIMEDOUT);
    t0 = clk_clock_ns();
    check("wait with a timeout", clk_wait(3000000, &m, &badge), CLK_ETIMEDOUT);
    check("after at least 3 ms", clk_clock_ns() - t0 >= 3000000, 1);

    long badged = clk_cap_mint(mb, CLK_RIGHT_SEND, 7);
    m = msg(5, 1, 2);
    clk_send(badged, &m, 0);
    r = clk_wait(0, &m, &badge);
    check("a badged send shows its badge", r == mb && badge == 7, 1);
    check("bind needs the receive right", clk_bind(badged), CLK_EPERM);

    long n = clk_notification_create();
    check("bind a notification", clk_bind(n), 0);
    clk_signal(n, 0x5);
    clk_signal(n, 0x30);
    r = clk_wait(0, &m, &badge);
    check("signals merge into one wake", r == n && CLK_TAG_LABEL(m.tag) == CLK_LABEL_NOTIFY, 1);
    check("with the bits ORed", (long)m.w[0], 0x35);
    check("and taken", clk_wait(0, &m, &badge), CLK_ETIMEDOUT);
    long nb = clk_cap_mint(n, CLK_RIGHT_SEND, 0x100);
    clk_signal(nb, 1);
    clk_wait(0, &m, &badge);
    check("a badged signal sets its badge", (long)m.w[0], 0x100);

    /* Both have something: WAIT goes round them. */
    m = msg(1, 0, 0);
    clk_send(mb, &m, 0);
    clk_send(mb, &m, 0);
    clk_signal(n, 1);
    long seq[3];
    for (int i = 0; i < 3; i++)
        seq[i] = clk_wait(0, &m, &badge);
    check("round robin between sources",
          (seq[0] == n || seq[1] == n) && seq[0] != seq[1] && seq[1] != seq[2], 1);

    t0 = clk_clock_ns();
    clk_timer(n, 20000000, 0x40);
    r = clk_wait(CLK_FOREVER, &m, &badge);
    check("a timer signals its notification", r == n && m.w[0] == 0x40, 1);
    check("no sooner than asked", clk_clock_ns() - t0 >= 20000000, 1);
    clk_timer(n, 5000000, 1);
    clk_timer(n, CLK_FOREVER, 0);
    check("a cancelled timer stays silent", clk_wait(30000000, &m, &badge), CLK_ETIMEDOUT);
    clk_timer(n, 50000000, 1);
    clk_timer(n, 5000000, 2);
    r = clk_wait(CLK_FOREVER, &m, &badge);
    check("a new timer replaces the old", r == n && m.w[0] == 2, 1);
    check("which never fires", clk_wait(80000000, &m, &badge), CLK_ETIMEDOUT);
    check("a timer on a mailbox", clk_timer(mb, 1000, 1), CLK_EBADF);
    check("send on a notification", clk_send(n, &m, 0), CLK_EBADF);
    check("signal on a mailbox", clk_signal(mb, 1), CLK_EBADF);
    check("unbind", clk_unbind(n), 0);
    check("unbind twice", clk_unbind(n), CLK_ENOENT);
    check("deleting a bound capability unbinds",
          clk_cap_delete(mb) == 0 && clk_wait(0, &m, &badge) == CLK_ENOENT, 1);
    check("send with no receiver left", clk_send(badged, &m, 0), CLK_EDEAD);
    clk_printf("async: %d failures\n", failures);
    return failures != 0;
}
