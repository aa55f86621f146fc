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
    THREAD_BLOCKED_FULL,  /* sending to a full mailbox: waiting for room */
    THREAD_WAITING,       /* in WAIT: for any object bound to it */
    THREAD_BLOCKED_READ,  /* in CONSOLE_READ: waiting for console input */
    THREAD_STOPPED,       /* its actor faulted: it waits for its killer */
};

struct source;

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
    unsigned slice;       /* timer ticks left in its time slice */
    struct thread *next;  /* in a run queue or an object's queue (tqueue.h) */
    struct thread *tnext; /* in the list of deadlines, when TIMED */
    bool timed;           /* blocked with a deadline */
    uint64_t wake_ns;     /* TIMED: when the wait ends */
    uint64_t cpu_ticks;   /* CPU time used, in clock_ticks() */
    uint64_t ran_at;      /* RUNNING: clock_ticks() when it started */
    /* Counters for ACTOR_INFO (monitor.c), per thread so that the hot paths
     * bump a field of a thread they hold already. */
    uint64_t syscalls;       /* syscall.c */
    uint64_t sent, received; /* messages: ipc.c, async.c */
    /* IPC state (ipc.c). */
    void *blocked_on;        /* BLOCKED_SEND, _RECV: its endpoint; _FULL: mailbox */
    uint64_t send_badge;     /* BLOCKED_SEND, _FULL: the badge of the cap it used */
    uint64_t send_since;     /* BLOCKED_SEND on an endpoint: since when (clock_ns) */
    struct source *bound;    /* objects bound to it (BIND), in WAIT's order */
    struct thread *replier;  /* BLOCKED_REPLY: who has its call */
    struct thread *reply_to; /* whose call it received and owes a reply */
    struct reply *deferred;  /* BLOCKED_REPLY: the reply capability its call became */
    uint64_t ipcbuf_pa;      /* its IPC buffer page */
    unsigned index;          /* in its actor: its IPC buffer is page INDEX from CLK_IPC_BUFFER */
    struct thread *sibling;  /* the actor's next thread */
    bool own_stack;          /* its stack was made by THREAD_CREATE (freed with it) */
    /* Console input (console.c). */
    uint64_t read_buf, read_len; /* BLOCKED_READ: where the bytes go, and how many at most */
};

struct actor {
    uint32_t id;
    char name[CLK_NAME_MAX];
    struct vspace vs;
    struct cap_table *caps;
    struct thread *threads; /* linked through sibling */
    unsigned nthreads;
    struct cap fault;       /* a mailbox for its fault messages, or empty */
    struct clk_quota quota; /* its limits (no zero fields) */
    uint32_t mailbox_slots; /* of quota.mailbox_slots, in use */
    bool console_reader;    /* it has called CONSOLE_READ (console.c) */
    struct actor *next;     /* all actors */
    /* For ACTOR_INFO (monitor.c): the counters of its ended threads, and more. */
    uint64_t gone_cpu_ticks, gone_syscalls, gone_sent, gone_received;
    uint64_t faults;     /* exceptions taken (actor_fault) */
    uint64_t started_ns; /* clock_ns() at its start */
};

/* What to spawn. The image is SIZE bytes that READ returns. */
struct spawn_req {
    elf_read_fn *read;
    void *ctx;
    uint64_t size;
    const char *name;
    unsigned prio;
    uint64_t arg;                           /* its first argument register */
    const struct cap *caps[CLK_SPAWN_CAPS]; /* copied to slots 1..NCAPS */
    unsigned ncaps;
    const struct cap *fault; /* a mailbox capability for its faults, or NULL */
    struct clk_quota quota;  /* complete: no zero fields */
    const void *args;        /* its argument block (clk/abi.h), in the kernel */
    size_t args_len;
};

/*
 * Create an actor as R says and make it ready. Returns 0 with *OUT,
 * CLK_EINVAL (bad ELF or argument; logged with the reason), CLK_ENOMEM (no
 * memory, or the image is over its page quota), or an error from READ.
 */
int actor_spawn(const struct spawn_req *r, struct actor **out);

/* The quota of the root actor. */
extern const struct clk_quota root_quota;

/* The live actor with ID, or NULL. */
struct actor *actor_find(uint64_t id);

/* The live actor with the smallest id above AFTER, or NULL. */
struct actor *actor_next(uint64_t after);

/*
 * A new thread in T's actor, at T's priority: it starts at ENTRY with
 * STACK as its stack pointer (0: a stack of USER_STACK_PAGES the kernel
 * maps for it, above a guard page, freed with it), ARG0 and ARG1 in its
 * first and third argument registers and the address of its own IPC
 * buffer in the second. Returns 0 with *OUT, CLK_ENOMEM (no memory, or
 * over the actor's quota of threads or pages) or CLK_EINVAL.
 */
int thread_create(struct thread *t, uint64_t entry, uint64_t stack, uint64_t arg0, uint64_t arg1,
                  struct thread **out);

/* T ends; the actor with it when it was the last. */
void thread_exit(struct thread *t);

/* A's thread T took exception VEC: stop A and tell its fault handler, or
 * destroy A when it has none or it cannot be told. */
void actor_fault(struct thread *t, unsigned vec, const char *what, uint64_t addr, uint64_t rip,
                 uint64_t error, uint64_t rsp);

/* Destroy A: its threads, address space and memory. REASON is logged. */
void actor_destroy(struct actor *a, const char *reason);

/* A ends with STATUS (EXIT, or its last thread ended): its fault mailbox,
 * if it has one, gets an exit message (clk/abi.h); then it is destroyed. */
void actor_exit(struct actor *a, int status);

/* Start the root actor named on the command line (init=PATH in the initrd,
 * by default sbin/supervisor). Returns false when there is none. */
bool actor_start_root(const char *path, const char *cmdline);

/* Arch layer (arch/x86_64/acpi.c): fill the fields of BI that say how to
 * power off and reset, as the firmware told. */
void arch_bootinfo_power(struct clk_bootinfo *bi);

/* Actors alive now. */
unsigned actor_count(void);

/* The deadline of T's wait (sched_block_timeout) passed: take T off what
 * it waits on and return its syscall result. */
int64_t thread_timed_out(struct thread *t);

#endif
