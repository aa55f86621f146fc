/*
 * idle.c: what the kernel does with nothing to run. It halts until an
 * interrupt arrives, then hands the CPU to any thread that became ready.
 * When no actor reads the console (no shell runs: init= chose another root,
 * or user space is down) it also echoes console input and answers each
 * line, so the console is visibly alive; while an actor that has read the
 * console (CONSOLE_READ) lives, input is left to it.
 */
#include <arch/cpu.h>
#include <arch/trap.h>
#include <console.h>
#include <log.h>
#include <sched.h>

#define LINE_MAX 128

static char line[LINE_MAX];
static unsigned len;

static void take_char(char c)
{
    if (c == '\r' || c == '\n') {
        console_write("\n", 1);
        kprintf("kernel: got \"%.*s\" (%u bytes); nobody reads the console\n", (int)len, line, len);
        len = 0;
    } else if ((c == '\b' || c == 0x7F) && len > 0) {
        len--;
        console_write("\b \b", 3);
    } else if (c >= ' ' && c < 0x7F && len < LINE_MAX) {
        line[len++] = c;
        console_write(&c, 1);
    }
}

void idle_loop(void)
{
    static bool announced;
    static uint64_t nmis;
    if (!announced) {
        announced = true;
        log_info("idle: boot complete; halting until an interrupt arrives");
    }
    for (;;) {
        if (arch_nmi_count() != nmis) {
            nmis = arch_nmi_count();
            log_warn("nmi: %lu non-maskable interrupt(s) so far, ignored", (unsigned long)nmis);
        }
        bool mine = !console_claimed(); /* no live actor reads the console */
        int c;
        while (mine && (c = console_getc()) >= 0)
            take_char((char)c);
        irq_disable();
        if (sched_has_ready())
            sched_resume(); /* a timer or device woke a thread */
        if (mine && console_getc_pending())
            irq_enable();
        else
            cpu_idle(); /* sti; hlt: no wake-up can slip in between */
    }
}
