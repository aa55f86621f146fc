/*
 * busy.c: load for the metrics' tests (tests/test_top.py), a service that
 * never serves. With no argument it spins on the CPU forever; with "chat"
 * it keeps 8 messages waiting in a mailbox of its own and, 100 times a
 * second, sends itself 100 more and takes 100 back: thousands of messages
 * a second out and in (sleeps round up), and a mailbox depth of 8.
 */
#include <actor/sys.h>
#include <stdio.h>
#include <string.h>

#define PARKED 8
#define BURST  100

static int chat(void)
{
    long box = clk_mailbox_create(PARKED + BURST);
    if (box < 0 || clk_bind(box) < 0) {
        printf("busy: no mailbox: %ld\n", box);
        return 1;
    }
    struct clk_msg m = { 0 };
    m.tag = CLK_TAG(1, 8);
    for (int i = 0; i < PARKED; i++)
        clk_send(box, &m, 0);
    for (;;) {
        uint64_t badge;
        for (int i = 0; i < BURST; i++)
            clk_send(box, &m, CLK_FOREVER);
        for (int i = 0; i < BURST; i++)
            clk_wait(CLK_FOREVER, &m, &badge);
        clk_sleep_ns(10000000);
    }
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "chat"))
        return chat();
    for (;;)
        for (volatile int i = 0; i < 100000; i++)
            ;
}
