/*
 * ipc.c: the nic protocol (actor/nic.h): small decode-and-reply handlers
 * and their table, and the loop's notifications. Frames never come in
 * messages: the interrupt and the client's doorbell both mean "look at the
 * device's queues and the client's rings", which nic_serve does.
 */
#include "nic.h"

static void info(struct actor_req *req)
{
    struct nic_info i;
    nic_info(&nic, &i);
    actor_reply(req, 0, &i, sizeof(i));
}

/* A new client: keep its doorbell, make sure the device reads no buffer it
 * is about to own, and hand it fresh rings. */
static void attach(struct actor_req *req)
{
    if (req->cap <= 0) {
        actor_reply(req, CLK_EINVAL, NULL, 0);
        return;
    }
    if (nic.client_doorbell)
        clk_cap_delete(nic.client_doorbell); /* the old client's: it is served no more */
    nic.client_doorbell = req->cap;
    req->cap = 0; /* ours now */
    nic_quiesce(&nic);
    nic_bufs_attach(&nic.bufs, nic.region.va);
    nic_serve(&nic); /* RX buffers back to the device; counters published */
    struct nic_info i;
    nic_info(&nic, &i);
    actor_reply_cap(req, 0, &i, sizeof(i), nic.client_cap);
}

static void doorbell(struct actor_req *req)
{
    actor_reply_cap(req, 0, NULL, 0, nic.doorbell);
}

void nic_notified(uint64_t bits)
{
    struct nic_stats *s = &nic.bufs.stats;
    s->interrupts += (bits & NIC_IRQ_BIT) != 0;
    s->doorbells += (bits & NIC_DOORBELL_BIT) != 0;
    if (nic_serve(&nic) && nic.client_doorbell)
        clk_signal(nic.client_doorbell, 1);
    if (bits & NIC_IRQ_BIT)
        clk_irq_ack(nic.irq); /* one that came meanwhile is delivered now */
}

const struct actor_handler nic_handlers[] = {
    { NIC_INFO, 0, 0, info },
    { NIC_ATTACH, 0, 0, attach },
    { NIC_DOORBELL, 0, 0, doorbell },
    { 0, 0, 0, NULL },
};
