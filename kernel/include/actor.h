/*
 * actor.h: actors and their threads. An actor is a process: an address
 * space plus threads (one each, for now). The kernel starts the root actor
 * from the initrd; actors create further actors from ELF images in their
 * own memory (SPAWN). A fault kills the faulting actor and nothing else.
 */
#ifndef CLK_ACTOR_H
#define CLK_ACTOR_H

#include <arch/context.h>
#include <bootinfo.h>
#include <cap.h>
#include <clk/abi.h>
#include <elf.h>
#include <kdefs.h>
#include <vspace.h>

enum thread_state {
    THREAD_READY,
    THREAD_RUNNING,
    THREAD_SLEEPING,
    THREAD_BLOCKED_SEND,  /* calling: waiting for a receiver */
    THREAD_BLOCKED_RECV,  /* receiving: waiting for a caller */
    THREAD_BLOCKED_REPLY, /* called: waiting for the reply */
};

struct endpoint;

/* A syscall handler's result meaning "the calling thread gets none now": it
 * blocked (its waker sets the result) or it is gone. No syscall returns it
 * (results are counts, ids, times or CLK_E* codes), and it fits in a
 * sign-extended 32-bit immediate, so testing for it costs one compare. */
#define SYSCALL_NO_RESULT ((int64_t)INT32_MIN)

struct thread {
    struct trap_frame ctx;   /* user registers; first, for alignment (arch/context.h) */
    struct arch_thread arch; /* FPU state */
    struct actor *actor;
    /* Scheduling state (sched.c). The kernel is uniprocessor and runs with
     * interrupts off outside the idle loop, so no lock guards it. */
    enum thread_state state;
    unsigned prio;
    unsigned slice;      /* timer ticks left in its time slice */
    struct thread *next; /* in a run queue or the sleep list */
    uint64_t wake_ns;    /* SLEEPING: when to wake */
    uint64_t cpu_ticks;  /* CPU time used, in clock_ticks() */
    uint64_t ran_at;     /* RUNNING: clock_ticks() when it started */
    /* IPC state (ipc.c). */
    struct endpoint *blocked_on; /* BLOCKED_SEND or _RECV: on which endpoint */
    uint64_t send_badge;         /* BLOCKED_SEND: the badge of the cap it called */
    struct thread *replier;      /* BLOCKED_REPLY: who has its call */
    struct thread *reply_to;     /* whose call it received and owes a reply */
    uint64_t ipcbuf_pa;          /* its IPC buffer page (CLK_IPC_BUFFER) */
};

struct actor {
    uint32_t id;
    char name[CLK_NAME_MAX];
    struct vspace vs;
    struct cap_table *caps;
    struct thread *thread;
    struct actor *next; /* all actors */
};

/*
 * Create an actor from the executable of SIZE bytes that READ returns, and
 * make it ready at priority PRIO with ARG in its first argument register.
 * If GIVE is not NULL, the child gets a copy of it in slot CLK_CAP_INIT.
 * Returns 0 with *OUT, CLK_EINVAL (bad ELF or argument; logged with the
 * reason), CLK_ENOMEM, or an error from READ.
 */
int actor_spawn(elf_read_fn *read, void *ctx, uint64_t size, const char *name, unsigned prio,
                uint64_t arg, const struct cap *give, struct actor **out);

/* Destroy A: its threads, address space and memory. REASON is logged. */
void actor_destroy(struct actor *a, const char *reason);

/* Start the root actor named on the command line (init=PATH in the initrd,
 * by default sbin/supervisor). Returns false when there is none. */
bool actor_start_root(const char *path, const char *cmdline);

/* Actors alive now. */
unsigned actor_count(void);

#endif
