/*
 * multi.c: one thread serving an endpoint (slot 1), a mailbox (slot 2) and
 * a notification (slot 3) through a single WAIT loop. It answers calls as
 * echo_server does (every word plus one, the badge in m7, long messages
 * reversed), counts mailbox
 * messages from producer.c (checking their order) and notification wakes,
 * and stops when it has 1020 calls, 1000 messages and the bits 0x6.
 */
#include <actor/sys.h>
#include <stdbool.h>

enum { EP = 1, MB = 2, NT = 3 };

int main(long ncaps)
{
    struct clk_msg m = { 0 };
    uint64_t badge, bits = 0;
    long calls = 0, msgs = 0, in_order = 0, wakes = 0, r = 0;
    if (ncaps != 3 || clk_bind(EP) || clk_bind(MB) || clk_bind(NT)) {
        clk_printf("multi: cannot bind its 3 capabilities\n");
        return 1;
    }
    bool owe = false;
    while (calls < 1020 || msgs < 1000 || bits != 0x6) {
        r = owe ? clk_reply_wait(2000000000, &m, &badge) : clk_wait(2000000000, &m, &badge);
        owe = false;
        if (r == EP) {
            unsigned len = CLK_TAG_LEN(m.tag);
            uint8_t *b = clk_ipc_buffer();
            calls++;
            for (unsigned i = 0; len > 8 * CLK_MSG_REGS && i < len / 2; i++) {
                uint8_t x = b[i];
                b[i] = b[len - 1 - i];
                b[len - 1 - i] = x;
            }
            for (int i = 0; i < CLK_MSG_REGS; i++)
                m.w[i] += 1;
            m.w[7] = badge;
            owe = true;
        } else if (r == MB) {
            in_order += m.w[0] == (uint64_t)msgs && m.w[1] == (uint64_t)(msgs * msgs);
            msgs++;
        } else if (r == NT) {
            wakes++;
            bits |= m.w[0];
        } else {
            break;
        }
    }
    if (owe)
        clk_reply(&m);
    clk_printf("multi: %ld calls, %ld of %ld messages in order, %ld notification wakes, bits %#lx, "
               "status %ld\n",
               calls, in_order, msgs, wakes, (unsigned long)bits, r < 0 ? r : 0);
    return 0;
}
