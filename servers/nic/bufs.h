/*
 * bufs.h: the frame buffers of the nic's region and the four rings that
 * pass them (protocol: actor/nic.h). Pure code, no system calls, so the
 * host unit test and fuzz target drive it as the driver does.
 *
 * Every buffer is in exactly one state, and changes state only here:
 *
 *   RX buffers (0 .. NIC_RX_BUFS-1)
 *     NIC ---post---> DEV_RX ---device wrote a frame---> RX_READY
 *      ^                                                    |
 *      +--------- NIC_RXFREE --- CLIENT <---- NIC_RX -------+
 *
 *   TX buffers (NIC_RX_BUFS .. NIC_BUFS-1)
 *     CLIENT ---NIC_TX---> TX_READY ---queued---> DEV_TX ---sent---> TX_DONE
 *       ^                                                              |
 *       +--------------------------- NIC_TXDONE -----------------------+
 *
 * A message from the client that names a buffer in any other state than
 * CLIENT (or of the wrong kind, or with a bad length) is dropped and
 * counted, so a client can neither take a buffer twice nor hand the device
 * one it still writes. Buffers waiting for room somewhere (NIC, RX_READY,
 * TX_READY, TX_DONE) sit in FIFOs, so none is ever lost and order is kept.
 */
#ifndef NIC_BUFS_H
#define NIC_BUFS_H

#include <actor/nic.h>
#include <stdbool.h>
#include <stdint.h>

#define NIC_NET_HDR      12 /* struct virtio_net_hdr with VERSION_1 */
#define NIC_FRAME_MIN    14 /* an Ethernet header */
#define NIC_RING_SLOTS   256
#define NIC_HDR_OFF(buf) (NIC_BUF_OFF(buf) + NIC_HEADROOM - NIC_NET_HDR) /* in the region */

enum nic_buf_state {
    NIC_BUF_NIC,      /* the nic's, to be posted to the device's RX queue */
    NIC_BUF_DEV_RX,   /* in the RX virtqueue: the device may write it */
    NIC_BUF_RX_READY, /* holds a frame, waits for room on NIC_RX */
    NIC_BUF_CLIENT,   /* the client's */
    NIC_BUF_TX_READY, /* a frame to send, waits for room in the TX virtqueue */
    NIC_BUF_DEV_TX,   /* in the TX virtqueue: the device reads it */
    NIC_BUF_TX_DONE,  /* sent, waits for room on NIC_TXDONE */
    NIC_BUF_STATES
};

/* Buffer numbers in order; each buffer is in at most one FIFO at a time,
 * so NIC_BUFS entries never overflow. */
struct nic_fifo {
    uint16_t item[NIC_BUFS];
    unsigned head, count;
};

struct nic_bufs {
    uint8_t state[NIC_BUFS];            /* enum nic_buf_state */
    uint16_t len[NIC_BUFS];             /* the frame's bytes, while RX_READY or TX_READY */
    struct nic_fifo post, rx, tx, done; /* NIC, RX_READY, TX_READY, TX_DONE */
    bool attached;                      /* a client has the rings */
    struct nic_stats stats;             /* the nic's; copied into the region */
};

/* Every RX buffer the nic's (to post), every TX buffer the client's; no
 * client; counters zero. */
void nic_bufs_init(struct nic_bufs *b);

/* A new client attaches (to REGION): every buffer that is not in the
 * device goes back where it starts, and the rings are laid out afresh.
 * Expects no buffer in DEV_TX (the driver waited for them, or reset the
 * device and called nic_bufs_device_reset). */
void nic_bufs_attach(struct nic_bufs *b, void *region);

/* The device was reset: what it held is the nic's again (RX) or goes back
 * to the client (TX, as if sent: counted dropped). */
void nic_bufs_device_reset(struct nic_bufs *b);

/* Take every message the client put on NIC_RXFREE and NIC_TX, checked
 * (a bad one is counted in rx_errors or tx_errors and dropped). Returns
 * how many were accepted. */
unsigned nic_bufs_take(struct nic_bufs *b, void *region);

/* Put frames received and buffers sent on NIC_RX and NIC_TXDONE while
 * there is room, and publish the counters. True when a ring was empty
 * before, so the client may sleep and must be woken. */
bool nic_bufs_give(struct nic_bufs *b, void *region);

/* The device side. The first buffer waiting in F, or -1. */
int nic_fifo_first(const struct nic_fifo *f);

/* The first buffer of post went to the RX queue, of tx to the TX queue. */
void nic_bufs_posted(struct nic_bufs *b);
void nic_bufs_queued(struct nic_bufs *b);

/* The device used BUF: wrote LEN bytes (header included) into an RX
 * buffer, or sent a TX buffer. A buffer the device does not hold is
 * ignored (false). */
bool nic_bufs_received(struct nic_bufs *b, unsigned buf, uint32_t len);
bool nic_bufs_sent(struct nic_bufs *b, unsigned buf);

/* How many buffers are in STATE. */
unsigned nic_bufs_count(const struct nic_bufs *b, enum nic_buf_state state);

/* The invariant (for tests and assertions): every buffer in a valid state
 * of its kind, and in the FIFO of its state exactly once, or in none if
 * its state has none. */
bool nic_bufs_consistent(const struct nic_bufs *b);

#endif
