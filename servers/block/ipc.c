/*
 * ipc.c: the block protocol (actor/block.h): small decode-and-reply
 * handlers and their table, and the interrupt. A READ, WRITE, WRITEV or
 * FLUSH is checked, deferred and put on the queue; the interrupt's
 * handler answers it when the device is done (with all of a WRITEV's
 * entries), so many may be in flight.
 */
#include "block.h"
#include <string.h>

_Static_assert(BLK_SLOTS_MAX * sizeof(struct block_io) <= CLK_MSG_MAX,
               "a WRITEV of every slot fits a message");

static void info(struct actor_req *req)
{
    struct block_info i;
    blk_info(&blk, &i);
    actor_reply(req, 0, &i, sizeof(i));
}

static void buffer(struct actor_req *req)
{
    actor_reply_cap(req, 0, &blk.buffer_id, sizeof(blk.buffer_id), blk.client_cap);
}

/* A request for the device: check, defer, submit. */
static void queue(struct actor_req *req, const struct block_io *io)
{
    long err = blk_check(&blk, req->type, io);
    long token = err ? err : actor_defer(req);
    if (token < 0) {
        actor_reply(req, token, NULL, 0);
        return;
    }
    blk_submit(&blk, req->type, io, (uint64_t)token);
}

static void transfer(struct actor_req *req)
{
    struct block_io io;
    memcpy(&io, req->data, sizeof(io)); /* the payload's bytes need not be aligned */
    queue(req, &io);
}

/* A WRITEV: whole entries (the handler table lets 1 to BLK_SLOTS_MAX
 * through), all checked, then deferred and submitted together. */
static void write_vector(struct actor_req *req)
{
    struct block_io ios[BLK_SLOTS_MAX];
    unsigned n = (unsigned)(req->len / sizeof(ios[0]));
    long err = req->len % sizeof(ios[0]) ? CLK_EINVAL : 0;
    if (!err) {
        memcpy(ios, req->data, req->len); /* the payload's bytes need not be aligned */
        err = blk_check_writev(&blk, ios, n);
    }
    long token = err ? err : actor_defer(req);
    if (token < 0) {
        actor_reply(req, token, NULL, 0);
        return;
    }
    blk_submit_writev(&blk, ios, n, (uint64_t)token);
}

static void flush(struct actor_req *req)
{
    static const struct block_io none;
    if (!blk.has_flush)
        actor_reply(req, 0, NULL, 0); /* no write cache: every write is stable when answered */
    else
        queue(req, &none);
}

static void done(uint64_t cookie, long status)
{
    actor_reply_later((long)cookie, status, NULL, 0);
}

void blk_notified(uint64_t bits)
{
    if (!(bits & BLK_IRQ_BIT))
        return;
    blk_complete(&blk, done);
    clk_irq_ack(blk.irq); /* one that came meanwhile is delivered now */
}

const struct actor_handler blk_handlers[] = {
    { BLOCK_INFO, 0, 0, info },
    { BLOCK_BUFFER, 0, 0, buffer },
    { BLOCK_READ, sizeof(struct block_io), sizeof(struct block_io), transfer },
    { BLOCK_WRITE, sizeof(struct block_io), sizeof(struct block_io), transfer },
    { BLOCK_FLUSH, 0, 0, flush },
    { BLOCK_WRITEV, sizeof(struct block_io), BLK_SLOTS_MAX * sizeof(struct block_io),
      write_vector },
    { 0, 0, 0, NULL },
};
