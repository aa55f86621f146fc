/*
 * panic.c: the panic report for software-detected failures. Exceptions
 * have their own, richer report in arch/x86_64/trap.c; both end here.
 */
#include <arch/cpu.h>
#include <arch/trap.h>
#include <fmt.h>
#include <log.h>
#include <panic.h>

__noreturn void kpanic(const char *fmt, ...)
{
    irq_disable();
    if (!panic_enter())
        arch_halt_forever();

    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    kprintf("\n*** PANIC: %s\n", msg);
    arch_backtrace(read_rbp(), 0);
    kprintf("*** System halted.\n");
    arch_halt_forever();
}
