/*
 * actor/actor.h: the actor runtime. As in the seL4 Microkit, libactor owns
 * the receive loop: an actor describes its protocol as a table of message
 * types, each with the payload sizes it accepts and a handler, plus a
 * handler for notifications and timers, and calls actor_serve(). The loop
 * answers unknown types (CLK_ENOSYS) and malformed payloads (CLK_EINVAL)
 * itself, so a bad message never reaches a handler or stops the server.
 *
 * On the wire a request is a tag (label = the type, length = the payload)
 * and its payload; a reply's label is the status (0 or a CLK_E* code).
 * Payloads up to 64 bytes travel in registers, longer ones (up to 4 KiB)
 * in the IPC buffer. A request or a reply may also carry one capability.
 *
 * Each request is handled on a fiber (as HelenOS's fibrils): when a handler
 * calls another server with actor_call, the fiber waits for the reply and
 * the loop goes on serving other requests meanwhile. Fibers belong to the
 * actor's first thread; a worker thread makes the blocking call for them.
 * See docs/writing-an-actor.md for a walk through all of it.
 */
#ifndef ACTOR_ACTOR_H
#define ACTOR_ACTOR_H

#include <actor/sys.h>
#include <stdbool.h>

/* A request, as a handler sees it. */
struct actor_req {
    unsigned type;    /* the message type */
    const void *data; /* the payload (a copy that stays valid for the handler)... */
    size_t len;       /* ...of LEN bytes */
    uint64_t badge;   /* the badge of the capability the client called with */
    long cap;         /* a capability that came with it (a slot), or 0; the
                         loop deletes it after the handler unless the handler
                         sets this to 0 to keep it */
    bool oneway;      /* it came through the mailbox: answers go nowhere */
    /* the loop's own */
    void *reply_buf; /* where a long answer waits until it is sent */
    bool answered;
    long deferred;            /* reply capability, after actor_defer */
    struct clk_msg reply_msg; /* what actor_reply packed */
};

typedef void actor_handler_fn(struct actor_req *req);

/* A message type of a protocol: requests of TYPE whose payload has MIN to
 * MAX bytes go to FN. A table ends with an entry whose FN is NULL. */
struct actor_handler {
    unsigned type;
    size_t min, max;
    actor_handler_fn *fn;
};

/* A fault of an actor whose fault mailbox is actor_fault_mailbox()'s. */
struct actor_fault {
    uint64_t actor, vector, address, rip, error, rsp; /* as in clk/abi.h */
    uint64_t badge;                                   /* of the mailbox capability given at SPAWN */
};

/* An actor: give the fields you need by name (.handlers = ..., and so on);
 * every one may be left out. */
struct actor_def {
    const struct actor_handler *handlers;
    /* Timers (actor_timer) and signals. Bits 56-63 are the runtime's own. */
    void (*notified)(uint64_t bits);
    /* Live update (see "State transfer" below). */
    long (*save_state)(void *buf, size_t size);         /* bytes used, or CLK_E* */
    long (*restore_state)(const void *buf, size_t len); /* 0 or CLK_E* */
    /* For the library's main() (below): the name to register, and what to
     * do before serving (a nonzero result ends the actor with it). */
    const char *name;
    long (*init)(int argc, char **argv);
    /* Supervisors: fault and exit messages from actor_fault_mailbox(). */
    void (*fault)(const struct actor_fault *f);
    void (*exited)(uint64_t actor, long status, uint64_t badge);
    /* A service NAME that this one depends on has failed for good (the
     * supervisor says so; see ACTOR_CTL_DEPENDENCY_FAILED). */
    void (*dependency_failed)(const char *name);
};

/*
 * The library owns main(), as in the seL4 Microkit: an actor that defines
 *     const struct actor_def actor = { .name = "kv", .handlers = ..., ... };
 * and no main() of its own gets libactor's, which calls actor_main(&actor,
 * argc, argv): init, then serve, and exit with 0 after handing its state
 * over, 1 after an error. What it serves: the endpoint in the slot that the
 * environment's ACTOR_ENDPOINT names (the supervisor starts services so,
 * after restoring the state that ACTOR_STATE=SLOT,LEN hands over, or, with
 * ACTOR_HANDOVER=SLOT, once the state came through that endpoint), else an
 * endpoint registered under .name, else a private one (an actor that only
 * runs fibers and timers). An actor with a main() of its own calls
 * actor_serve or actor_main from it.
 */
long actor_main(const struct actor_def *def, int argc, char **argv);

/* A short description of a CLK_E* code ("no such object or name", ...). */
const char *actor_strerror(long err);
/* Serve the endpoint in slot EP (receive right) as DEF says. Returns 0
 * after the actor handed its state over (ACTOR_CTL_SAVE), or a CLK_E* code
 * from the kernel. */
long actor_serve(long ep, const struct actor_def *def);

/* Make an endpoint, register it under NAME (actor_register) and serve it. */
long actor_serve_named(const char *name, const struct actor_def *def);

/* A live update's new instance: serve only HANDOVER (the supervisor's
 * ACTOR_CTL_PING and ACTOR_CTL_RESTORE) until the state is restored, then
 * EP. So the instance is started and warm before the old one stops. */
long actor_serve_handover(long handover, long ep, const struct actor_def *def);

/* Answer REQ with STATUS (0 or a CLK_E* code) and LEN bytes of DATA. A
 * handler that neither answers nor defers answers CLK_EIO. */
void actor_reply(struct actor_req *req, long status, const void *data, size_t len);

/* The same, passing the capability in slot CAP (a copy: CAP stays). */
void actor_reply_cap(struct actor_req *req, long status, const void *data, size_t len, long cap);

/* Answer REQ later, from anywhere: returns a token for actor_reply_later,
 * or a CLK_E* code. The loop goes on serving meanwhile. */
long actor_defer(struct actor_req *req);
long actor_reply_later(long token, long status, const void *data, size_t len);
long actor_reply_later_cap(long token, long status, const void *data, size_t len, long cap);

/* In NS nanoseconds, have the loop call DEF's notified handler with BITS
 * (not 0, and none of bits 56-63, the runtime's). A timer with the same
 * BITS is replaced; up to 16 run at once. They fire while serving. */
long actor_timer(uint64_t ns, uint64_t bits);

/* A doorbell: a send-only copy of the loop's notification, badged with
 * BITS (not 0, none of bits 56-63), to give another actor. Whatever bits
 * it signals with, the loop calls DEF's notified handler with BITS, so
 * each doorbell handed out is told apart by its own. For shared-memory
 * rings (actor/ring.h): the producer rings after filling an empty ring.
 * Its slot, or CLK_EINVAL (BITS) and CAP_MINT's errors. */
long actor_doorbell(uint64_t bits);

/* Drivers: when interrupt IRQ (an interrupt capability) fires, have the
 * loop call DEF's notified handler with BITS (not 0, none of bits 56-63),
 * which acknowledges it with clk_irq_ack once the device is served. 0, or
 * CLK_EINVAL (BITS) and IRQ_BIND's errors. */
long actor_bind_irq(long irq, uint64_t bits);

/* Call SERVER (a slot with the send right) with a request of TYPE and LEN
 * bytes of DATA; the reply's payload goes to RESP, at most *RESP_LEN bytes
 * (and *RESP_LEN becomes its length). Returns the server's status, or the
 * kernel's error: CLK_EDEAD when the server is gone. On a fiber (in a
 * handler, or actor_go), only the fiber waits. */
long actor_call(long server, unsigned type, const void *data, size_t len, void *resp,
                size_t *resp_len);

/* The same, passing the capability in slot SEND_CAP (0: none; the server
 * needs GRANT) and taking one from the reply into *RECV_CAP (0: none). */
long actor_call_cap(long server, unsigned type, const void *data, size_t len, long send_cap,
                    void *resp, size_t *resp_len, long *recv_cap);

/* As actor_call_cap, but the calling thread itself waits for the reply,
 * even on a fiber, so the loop serves nothing meanwhile: for a server that
 * must do one request at a time (the VFS calling its disk) and for libc's
 * file calls, which block as system calls do. Payloads over 64 bytes
 * travel in the first thread's IPC buffer: only that thread may send or
 * receive them this way. */
long actor_call_blocking(long server, unsigned type, const void *data, size_t len, long send_cap,
                         void *resp, size_t *resp_len, long *recv_cap);

/* ---- fibers ---- */

/* Run FN(ARG) on a new fiber of the loop: it starts when actor_serve next
 * gets control, and its actor_calls wait without stopping the loop. */
long actor_go(void (*fn)(void *arg), void *arg);

/* How many fibers wait for replies right now. */
unsigned actor_fibers_waiting(void);

/* The actor's mailbox, of SLOTS messages (made once; its slot, to hand out
 * copies of): the loop takes messages from it as it takes requests, by
 * the same table of types, but they get no answer (actor_reply does
 * nothing). A malformed or unknown one is dropped. */
long actor_mailbox(unsigned slots);

/* An endpoint of this instance's own (made once; its slot, with every
 * right), which the loop serves by the same table of types as the main
 * one; control requests never come through it. Mint badged send
 * capabilities to it for clients, one per client, so the badge tells the
 * handler who calls (a session, say). Unlike the main endpoint, which the
 * supervisor owns, it dies with the instance: its clients' calls then end
 * with CLK_EDEAD, and they come back through the main one. */
long actor_endpoint(void);

/* Send a message of TYPE with LEN (at most 64) bytes of DATA to MAILBOX:
 * never waits. 0, or CLK_EFULL when it is full, CLK_EDEAD when its owner
 * is gone, CLK_EINVAL when LEN is too long. */
long actor_send(long mailbox, unsigned type, const void *data, size_t len);

/* A mailbox for the fault messages of actors this one starts (its slot, to
 * put in clk_spawn.fault; the same one every time): the loop hands them to
 * DEF's fault handler. */
long actor_fault_mailbox(void);

/* ---- the name registry ---- */

/* The registry is the first capability an actor is given (slot 1), as
 * standard input is file descriptor 0; its protocol is <actor/names.h>. */
#define ACTOR_NAMES_SLOT 1
#define ACTOR_NAME_MAX   32 /* including the NUL */

/* Register NAME for the endpoint in slot EP: clients get a send (and
 * grant) capability to it with badge ACTOR_BADGE_CLIENT. A name belongs to
 * the badge of the registry capability that first registered it; the
 * same badge (a restarted instance) may register it again. Returns 0,
 * CLK_EEXIST (taken by another), CLK_ENOMEM (the registry is full) or
 * CLK_EINVAL (an empty or too long name). */
long actor_register(const char *name, long ep);

/* A send capability (a new slot) to the server registered as NAME. Waits
 * up to WAIT_NS for it to appear (0: not at all). CLK_ENOENT or
 * CLK_ETIMEDOUT when it did not. */
long actor_lookup(const char *name, uint64_t wait_ns);

#define ACTOR_BADGE_CLIENT 1

/* ---- calling a server by name, with recovery ---- */

/* A client's handle on a named server: calls through it look the name up
 * when needed, and when the server has died (CLK_EDEAD) they look it up
 * again, waiting up to WAIT_NS for a new instance to register. A request
 * whose type's bit is set in IDEMPOTENT (types 0-63) is then sent again,
 * up to three times; any other gets CLK_EDEAD, as it may have been done.
 * Declare one with ACTOR_SERVICE in the protocol's header. */
struct actor_service {
    const char *name;
    uint64_t idempotent; /* ACTOR_IDEMPOTENT(type) | ... */
    uint64_t wait_ns;
    long cap;          /* the runtime's: a send capability, or 0 */
    uint64_t serial;   /* the runtime's: the registration it came from */
    unsigned inflight; /* the runtime's: calls under way (fibers share a service) */
    long dead;         /* the runtime's: a dead server's slot, freed when none uses it */
};
#define ACTOR_IDEMPOTENT(type) (1ULL << (type))
#define ACTOR_SERVICE(name_, idempotent_)                                                          \
    {                                                                                              \
        .name = (name_), .idempotent = (idempotent_), .wait_ns = 5000000000ULL                     \
    }

long actor_call_service(struct actor_service *s, unsigned type, const void *data, size_t len,
                        void *resp, size_t *resp_len);

/* ---- state transfer (live update) ----
 *
 * A supervisor that holds an unbadged capability to a server's endpoint
 * may send it these control requests (labels no protocol uses); with any
 * other badge they are unknown types:
 *   ACTOR_CTL_PING     answered at once with 0: the loop is alive.
 *   ACTOR_CTL_SAVE     the loop calls save_state() on a fresh memory object
 *                      of 4 KiB (again with ACTOR_STATE_MAX bytes when it
 *                      answers CLK_ERANGE), answers with the length
 *                      used (a uint64_t) and the object, and actor_serve
 *                      returns 0: the instance takes no more requests, so
 *                      the state it handed over stays the latest. Without
 *                      the hook it hands over nothing (length 0, no
 *                      object) and stops all the same. A payload of one
 *                      uint64_t names the actor meant: another answers
 *                      CLK_ENOENT and serves on.
 *   ACTOR_CTL_RESTORE  with the length (a uint64_t) and that object: the
 *                      loop calls restore_state() on it and answers its
 *                      result.
 * RESTORE of length 0 without an object restores nothing and succeeds;
 * otherwise, without the hook, RESTORE answers CLK_ENOSYS.
 */
#define ACTOR_CTL_PING    0xFFFFFF01u
#define ACTOR_CTL_SAVE    0xFFFFFF02u
#define ACTOR_CTL_RESTORE 0xFFFFFF03u
#define ACTOR_STATE_MAX   (64 * 1024)

/* Also from an unbadged capability:
 *   ACTOR_CTL_DEPENDENCY_FAILED  a service name (ACTOR_NAME_MAX bytes): the
 *                                loop calls dependency_failed, answers 0
 *   ACTOR_CTL_INJECT             a uint32_t enum sup_fault (actor/supervisor.h):
 *                                answered 0, then carried out; CLK_EPERM
 *                                unless actor_allow_injection() was called
 *                                (ACTOR_INJECT=1 in the environment) */
#define ACTOR_CTL_DEPENDENCY_FAILED 0xFFFFFF04u
#define ACTOR_CTL_INJECT            0xFFFFFF05u

void actor_allow_injection(void);

/* For an actor whose first thread does something else than serve (the
 * shell reads the console): a thread of its own answers the supervisor's
 * control requests on the endpoint the environment names (ACTOR_ENDPOINT,
 * after ACTOR_HANDOVER during a live update): PING; SAVE, which hands over
 * no state and ends the actor; RESTORE of no state; INJECT of a crash or
 * a hang (with ACTOR_INJECT); anything else is CLK_ENOSYS. 0 (also when
 * no supervisor started it), or THREAD_CREATE's error. */
long actor_serve_control(void);

/* Restore DEF's state from the memory object in slot CAP (LEN bytes), as
 * ACTOR_CTL_RESTORE does; the object is unmapped and its slot freed. */
long actor_restore(const struct actor_def *def, long cap, uint64_t len);

#endif
