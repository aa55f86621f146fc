/*
 * echo_server.c: receives on the endpoint it was given (slot in its
 * argument) and answers each call: every word plus one, or a long message
 * reversed. Label 1 asks it to count, label 2 to quit after replying, and
 * label 3 to die at once without replying; label 4 gets the message back
 * unchanged at once (for benchmarks).
 */
#include <actor/sys.h>

enum { OP_ECHO = 0, OP_COUNT = 1, OP_QUIT = 2, OP_DIE = 3, OP_NULL = 4 };

int main(long cap)
{
    struct clk_msg m = { 0 };
    uint64_t badge, served = 0;
    long err = clk_recv(cap, &m, &badge);
    while (err == 0) {
        unsigned len = CLK_TAG_LEN(m.tag), label = CLK_TAG_LABEL(m.tag);
        served++;
        if (label == OP_NULL) { /* benchmarks: answer at once, unchanged */
            err = clk_reply_recv(cap, &m, &badge);
            continue;
        }
        if (label == OP_DIE) {
            clk_printf("echo_server: told to die by %lu\n", (unsigned long)badge);
            return 3;
        }
        if (len > 8 * CLK_MSG_REGS) {
            uint8_t *b = clk_ipc_buffer();
            for (unsigned i = 0; i < len / 2; i++) {
                uint8_t x = b[i];
                b[i] = b[len - 1 - i];
                b[len - 1 - i] = x;
            }
        } else {
            for (int i = 0; i < CLK_MSG_REGS; i++)
                m.w[i] += 1;
        }
        m.w[0] = label == OP_COUNT ? served : m.w[0];
        m.w[7] = badge; /* tell the caller who we think it is */
        if (label == OP_QUIT) {
            clk_reply(&m);
            break;
        }
        err = clk_reply_recv(cap, &m, &badge);
    }
    clk_printf("echo_server: served %lu calls, last status %ld\n", (unsigned long)served, err);
    return 0;
}
