/*
 * wait_server.c: echo_server's null operation served the way libactor's
 * loop will serve: the endpoint in slot 1 is bound, and one REPLY_WAIT both
 * answers a call and waits for whatever comes next. Label 2 quits.
 */
#include <actor/sys.h>

int main(long ncaps)
{
    struct clk_msg m = { 0 };
    uint64_t badge;
    long served = 0, r = ncaps == 1 ? clk_bind(1) : CLK_EBADF;
    if (r == 0)
        r = clk_wait(CLK_FOREVER, &m, &badge);
    while (r == 1 && CLK_TAG_LABEL(m.tag) != 2) {
        served++;
        r = clk_reply_wait(CLK_FOREVER, &m, &badge); /* the message goes back unchanged */
    }
    if (r == 1)
        clk_reply(&m); /* answer the quit */
    clk_printf("wait_server: served %ld calls, status %ld\n", served, r < 0 ? r : 0);
    return 0;
}
