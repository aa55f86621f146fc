/*
 * actor/nic.h: the network interface protocol. servers/nic, the
 * virtio-net driver, serves it under the name "nic" (NIC_NAME); its one
 * client is the network stack (servers/net).
 *
 * Frames never travel in messages. NIC_ATTACH hands the client a region
 * of shared DMA memory (NIC_REGION_SIZE bytes, read and write) that holds
 * four rings (actor/ring.h) and NIC_BUFS frame buffers of NIC_BUF_SIZE
 * bytes each:
 *
 *   ring        producer -> consumer   message (struct clk_ring_msg)
 *   NIC_RX      nic -> client          tag = buffer, w[0] = frame length
 *   NIC_RXFREE  client -> nic          tag = buffer: done with it
 *   NIC_TX      client -> nic          tag = buffer, w[0] = frame length
 *   NIC_TXDONE  nic -> client          tag = buffer: sent (or dropped)
 *
 * Buffers 0 .. NIC_RX_BUFS-1 are for receiving and belong to the nic
 * until it passes one on NIC_RX; the client gives it back on NIC_RXFREE.
 * Buffers NIC_RX_BUFS .. NIC_BUFS-1 are for sending and belong to the
 * client until it passes one on NIC_TX; the nic gives it back on
 * NIC_TXDONE. A frame (an Ethernet frame without its FCS, 14 to
 * NIC_FRAME_MAX bytes) starts NIC_HEADROOM bytes into its buffer; the
 * headroom is the driver's (virtio's header goes there).
 *
 * Sleeping and waking. Each side rings the other's doorbell (a badged
 * notification, actor_doorbell) after putting messages into a ring that
 * was empty, and never otherwise; a consumer that wakes takes messages
 * until the ring is empty. So in a steady stream no side enters the
 * kernel per frame. The client passes its doorbell with NIC_ATTACH and
 * gets the nic's with NIC_DOORBELL.
 *
 * Requests:
 *   NIC_INFO      -> struct nic_info
 *   NIC_ATTACH    the client's doorbell (a capability; nothing else) ->
 *                 struct nic_info, and a capability to the region. The
 *                 rings are laid out afresh and every buffer is back
 *                 where it starts: a new client (the net server after a
 *                 restart) begins clean, and the old one's region is no
 *                 longer served.
 *   NIC_DOORBELL  -> nothing, and a capability: the nic's doorbell
 *
 * Errors: CLK_EINVAL (NIC_ATTACH without a capability), CLK_ENOSYS (an
 * unknown request), CLK_EDEAD (from the kernel: the nic died). A message
 * in a ring that names a buffer out of range, one the sender does not
 * own, or a length out of range is dropped and counted (rx_errors or
 * tx_errors), never obeyed.
 *
 * Restarts. Each instance has an id (nic_info.id, its actor id, never
 * reused). The client calls NIC_INFO now and then (the net server: every
 * second); when the id changed, or the call ends in CLK_EDEAD, it
 * attaches again.
 */
#ifndef ACTOR_NIC_H
#define ACTOR_NIC_H

#include <actor/actor.h>
#include <actor/ring.h>

#define NIC_NAME "nic"

enum nic_type {
    NIC_INFO = 1,
    NIC_ATTACH = 2,
    NIC_DOORBELL = 3,
};

/* The region's layout. */
#define NIC_RX_BUFS     256
#define NIC_TX_BUFS     256
#define NIC_BUFS        (NIC_RX_BUFS + NIC_TX_BUFS)
#define NIC_BUF_SIZE    2048
#define NIC_HEADROOM    64
#define NIC_FRAME_MAX   1514        /* bytes: a 1500-byte MTU and the Ethernet header */
#define NIC_RING_BYTES  (12 * 1024) /* each ring: 256 slots and the indices */
#define NIC_RING_OFF(r) ((unsigned long)(r)*NIC_RING_BYTES)
#define NIC_STATS_OFF   (4 * NIC_RING_BYTES) /* struct nic_stats, kept by the nic */
#define NIC_BUFS_OFF    (64 * 1024)
#define NIC_BUF_OFF(i)  (NIC_BUFS_OFF + (unsigned long)(i)*NIC_BUF_SIZE)
#define NIC_REGION_SIZE (NIC_BUFS_OFF + NIC_BUFS * NIC_BUF_SIZE)

enum nic_ring { NIC_RX = 0, NIC_RXFREE = 1, NIC_TX = 2, NIC_TXDONE = 3 };

struct nic_info {
    uint8_t mac[6];
    uint16_t mtu;      /* 1500 */
    uint32_t id;       /* the instance: its actor id */
    uint32_t flags;    /* NIC_LINK_UP */
    uint64_t reserved; /* 0 */
};
_Static_assert(sizeof(struct nic_info) == 24, "nic_info is part of the protocol");

#define NIC_LINK_UP 0x1

/* Counters the nic keeps in the region (the client only reads them). */
struct nic_stats {
    uint64_t rx_packets, rx_bytes, rx_dropped, rx_errors;
    uint64_t tx_packets, tx_bytes, tx_dropped, tx_errors;
    uint64_t interrupts, doorbells;
};

static inline struct clk_ring *nic_ring(void *region, enum nic_ring r)
{
    return (struct clk_ring *)((char *)region + NIC_RING_OFF(r));
}

static inline uint8_t *nic_frame(void *region, unsigned buf)
{
    return (uint8_t *)region + NIC_BUF_OFF(buf) + NIC_HEADROOM;
}

#endif
