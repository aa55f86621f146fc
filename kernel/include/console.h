/*
 * console.h: the kernel console. Output goes to every registered device
 * (COM1 first, then the VGA text screen); input arrives from interrupt
 * handlers into a small ring. Threads in CONSOLE_READ take it from there,
 * first come, first served; while no live actor has asked, the idle loop
 * echoes it (idle.c).
 */
#ifndef CLK_CONSOLE_H
#define CLK_CONSOLE_H

#include <kdefs.h>

struct actor;
struct thread;

struct console_dev {
    const char *name;
    void (*write)(const char *s, size_t n);
    struct console_dev *next;
};

/* Add DEV to the list of outputs; it receives everything written after. */
void console_register(struct console_dev *dev);

/* Write N bytes to every console device. Safe with interrupts off. */
void console_write(const char *s, size_t n);

/* Called from interrupt context with N received bytes: they join the ring
 * (what does not fit is dropped, as a UART would) and go to the waiting
 * readers. */
void console_input(const char *s, size_t n);

/* CONSOLE_INPUT: N bytes from a driver (at most CLK_CONSOLE_INPUT_MAX) as
 * console_input takes them, but all or none: returns N, or 0 when the ring
 * has no room for all of them. Interrupts are off. */
size_t console_input_whole(const char *s, size_t n);

struct notification;

/* CONSOLE_INTR for actor A: from now on a ^C (0x03) typed or added by a
 * driver signals BITS on N instead of joining the input; N NULL gives ^C
 * back to the input (only A, the actor that took it, can). One actor holds
 * it at a time: the last call wins. 0, or CLK_EINVAL (BITS 0). */
int console_intr(struct actor *a, struct notification *n, uint64_t bits);

/* Next received byte, or -1 when none is waiting. */
int console_getc(void);

/* True when input is waiting. Call with interrupts disabled. */
bool console_getc_pending(void);

/*
 * CONSOLE_READ for the current thread T, with BUF checked writable for LEN
 * (1 to CLK_CONSOLE_READ_MAX) bytes: the number of bytes copied, at once
 * when input is waiting; else CLK_ETIMEDOUT for a TIMEOUT of 0, or
 * SYSCALL_NO_RESULT when T waits (the input or the deadline gives its
 * result: the count, CLK_EFAULT if BUF went away meanwhile, CLK_ETIMEDOUT).
 */
int64_t console_read(struct thread *t, uint64_t buf, uint64_t len, uint64_t timeout);

/* If T waits in CONSOLE_READ, take it off the queue of readers (its
 * deadline passed or it is going away). */
void console_read_cancel(struct thread *t);

/* Actor A is being destroyed (its threads have left the readers). */
void console_actor_gone(struct actor *a);

/* True while a live actor has called CONSOLE_READ: the console's input is
 * for actors then, and the idle loop leaves it alone. */
bool console_claimed(void);

#endif
