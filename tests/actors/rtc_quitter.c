/*
 * rtc_quitter.c: claims the RTC's interrupt (GSI 8), binds it, turns on the
 * RTC's periodic interrupt and exits without cleaning up: the kernel must
 * mask and give back the input when the actor's capabilities go, so that
 * the next driver (tests/actors/rtc.c) can claim it. Slot 1 should hold a
 * copy of the device authority.
 */
#include <actor/sys.h>

#define DEV 1

int main(void)
{
    long io = clk_ioport_create(DEV, 0x70, 2), irq = clk_irq_create(DEV, 8);
    long n = clk_notification_create();
    long bind = clk_irq_bind(irq, n, 1);
    clk_io_out(io, 0x70, 1, 0x0B);
    uint32_t b = (uint32_t)clk_io_in(io, 0x71, 1);
    clk_io_out(io, 0x70, 1, 0x0B);
    clk_io_out(io, 0x71, 1, b | 0x40); /* periodic interrupt on */
    clk_printf("rtc_quitter: IRQ_CREATE(GSI 8) -> %s, IRQ_BIND -> %ld; leaving it on\n",
               irq > 0 ? "a capability" : "error", bind);
    return 0;
}
