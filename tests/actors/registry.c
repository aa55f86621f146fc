/*
 * registry.c: a one-name registry on the endpoint in its first slot.
 * Label 1 registers the capability passed with the call; label 2 looks it
 * up (the reply passes a copy); label 3 quits. Each reply's m0 is 0, or
 * CLK_ENOENT when there is nothing to look up, or CLK_EINVAL when a
 * register call brought no capability.
 */
#include <actor/sys.h>

int main(long ncaps)
{
    struct clk_msg m = { 0 };
    uint64_t badge;
    long stored = 0, served = 0;
    long err = ncaps == 1 ? clk_recv(1, &m, &badge) : CLK_EBADF;
    while (err == 0) {
        unsigned label = CLK_TAG_LABEL(m.tag), got = CLK_TAG_CAP(m.tag);
        served++;
        if (label == 3)
            break;
        if (label == 1) {
            if (got && stored)
                clk_cap_delete(stored);
            stored = got ? (long)got : stored;
            m.tag = CLK_TAG(0, 8);
            m.w[0] = got ? 0 : (uint64_t)CLK_EINVAL;
        } else if (label == 2 && stored) {
            m.tag = CLK_TAG_WITH_CAP(CLK_TAG(0, 8), stored);
            m.w[0] = 0;
        } else {
            m.tag = CLK_TAG(0, 8);
            m.w[0] = (uint64_t)CLK_ENOENT;
        }
        err = clk_reply_recv(1, &m, &badge);
    }
    clk_reply(&(struct clk_msg){ CLK_TAG(0, 8), { 0 } });
    clk_printf("registry: served %ld calls, status %ld\n", served, err);
    return 0;
}
