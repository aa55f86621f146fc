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
 * in the IPC buffer.
 */
#ifndef ACTOR_ACTOR_H
#define ACTOR_ACTOR_H

#include <actor/sys.h>
#include <stdbool.h>

/* A request, as a handler sees it. */
struct actor_req {
    unsigned type;    /* the message type */
    const void *data; /* the payload... */
    size_t len;       /* ...of LEN bytes */
    uint64_t badge;   /* the badge of the capability the client called with */
    /* the loop's own */
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

struct actor_def {
    const struct actor_handler *handlers;
    void (*notified)(uint64_t bits); /* timers (actor_timer) and signals; may be NULL */
};

/* Serve the endpoint in slot EP (receive right) as DEF says. Returns only
 * on an error from the kernel. */
long actor_serve(long ep, const struct actor_def *def);

/* Answer REQ with STATUS (0 or a CLK_E* code) and LEN bytes of DATA. A
 * long answer goes through the IPC buffer, so REQ's own long payload is
 * gone after it. A handler that neither answers nor defers answers
 * CLK_EIO. The loop and actor_call use the first thread's IPC buffer. */
void actor_reply(struct actor_req *req, long status, const void *data, size_t len);

/* Answer REQ later, from anywhere: returns a token for actor_reply_later,
 * or a CLK_E* code. The loop goes on serving meanwhile. */
long actor_defer(struct actor_req *req);
long actor_reply_later(long token, long status, const void *data, size_t len);

/* In NS nanoseconds, have the loop call DEF's notified handler with BITS
 * (one timer at a time; a new one replaces it). Only while serving. */
long actor_timer(uint64_t ns, uint64_t bits);

/* Call SERVER (a slot with the send right) with a request of TYPE and LEN
 * bytes of DATA; the reply's payload goes to RESP, at most *RESP_LEN bytes
 * (and *RESP_LEN becomes its length). Returns the server's status, or the
 * kernel's error: CLK_EDEAD when the server is gone. */
long actor_call(long server, unsigned type, const void *data, size_t len, void *resp,
                size_t *resp_len);

#endif
