/*
 * client.c: calls the endpoint it was given (slot in its argument): 1000
 * short calls with checked payloads, then 20 long ones through the IPC
 * buffer, then reports. Without a capability it reports the error it got.
 */
#include <actor/sys.h>
#include <kstring.h>

static long fail(const char *what, long err, int i)
{
    clk_printf("client %ld: %s failed at %d: %ld\n", clk_self(), what, i, err);
    return 1;
}

int main(long cap)
{
    struct clk_msg m = { 0 };
    uint64_t badge = 0;
    if (cap <= 0) {
        m.tag = CLK_TAG(0, 8);
        clk_printf("client %ld: no capability: call -> %ld\n", clk_self(), clk_call(1, &m));
        return 0;
    }
    for (int i = 0; i < 1000; i++) {
        m.tag = CLK_TAG(0, 64);
        for (int k = 0; k < CLK_MSG_REGS; k++)
            m.w[k] = (uint64_t)i * 100 + k;
        long err = clk_call(cap, &m);
        if (err)
            return fail("call", err, i);
        for (int k = 0; k < CLK_MSG_REGS - 1; k++)
            if (m.w[k] != (uint64_t)i * 100 + k + 1)
                return fail("payload check", (long)m.w[k], i);
        badge = m.w[7];
    }
    uint8_t *b = clk_ipc_buffer();
    for (int i = 0; i < 20; i++) {
        unsigned len = 100 + i * 200;
        for (unsigned k = 0; k < len; k++)
            b[k] = (uint8_t)(k * 7 + i);
        m.tag = CLK_TAG(0, len);
        long err = clk_call(cap, &m);
        if (err || CLK_TAG_LEN(m.tag) != len)
            return fail("long call", err, i);
        for (unsigned k = 0; k < len; k++)
            if (b[k] != (uint8_t)((len - 1 - k) * 7 + i))
                return fail("long payload check", k, i);
    }
    m.tag = CLK_TAG(0, CLK_MSG_MAX + 1);
    long toolong = clk_call(cap, &m);
    clk_printf("client %ld: 1000 short and 20 long calls ok, badge %lu, too long -> %ld\n",
               clk_self(), (unsigned long)badge, toolong);
    return 0;
}
