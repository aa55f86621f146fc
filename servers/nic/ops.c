/*
 * ops.c: frames between the device's virtqueues and the region's buffers.
 * Zero copy: each buffer is one descriptor, the 12-byte virtio-net header
 * right before the frame (NIC_HDR_OFF), so the device reads and writes
 * the frames where the client does. bufs.c decides whose each buffer is.
 */
#include "nic.h"
#include <string.h>

/* An RX descriptor takes the rest of its buffer: the header and any frame. */
#define RX_DESC_LEN (NIC_BUF_SIZE - (NIC_HEADROOM - NIC_NET_HDR))

/* Give queue Q the buffers waiting in F while it has room: RX buffers to
 * fill, or frames to send (their headers zeroed: no offloads). BUF_OF
 * remembers each chain's buffer. Notifies the device once for the batch. */
static void feed(struct nic *n, struct virtq *q, const struct nic_fifo *f, uint16_t *buf_of)
{
    bool rx = q == &n->rxq, added = false;
    int buf;
    while ((buf = nic_fifo_first(f)) >= 0) {
        uint64_t at = n->region.phys + NIC_HDR_OFF(buf);
        struct virtq_buf d = { at, RX_DESC_LEN, true };
        if (!rx) {
            d = (struct virtq_buf){ at, NIC_NET_HDR + n->bufs.len[buf], false };
            memset((char *)n->region.va + NIC_HDR_OFF(buf), 0, NIC_NET_HDR);
        }
        long head = virtq_add(q, &d, 1);
        if (head < 0)
            break; /* full: the rest goes when the device gives some back */
        buf_of[head] = (uint16_t)buf;
        if (rx)
            nic_bufs_posted(&n->bufs);
        else
            nic_bufs_queued(&n->bufs);
        added = true;
    }
    if (added)
        virtq_kick(q);
}

void nic_post(struct nic *n)
{
    feed(n, &n->rxq, &n->bufs.post, n->rx_buf);
}

void nic_send(struct nic *n)
{
    feed(n, &n->txq, &n->bufs.tx, n->tx_buf);
}

void nic_complete(struct nic *n)
{
    uint32_t len;
    for (long head; (head = virtq_take(&n->rxq, &len)) != CLK_ENOENT;)
        if (head >= 0)
            nic_bufs_received(&n->bufs, n->rx_buf[head], len);
    for (long head; (head = virtq_take(&n->txq, &len)) != CLK_ENOENT;)
        if (head >= 0)
            nic_bufs_sent(&n->bufs, n->tx_buf[head]);
}

bool nic_serve(struct nic *n)
{
    nic_complete(n);
    nic_bufs_take(&n->bufs, n->region.va);
    nic_post(n);
    nic_send(n);
    return nic_bufs_give(&n->bufs, n->region.va);
}

void nic_info(const struct nic *n, struct nic_info *info)
{
    *info =
        (struct nic_info){ .mtu = 1500, .id = n->id, .flags = nic_link_up(n) ? NIC_LINK_UP : 0 };
    memcpy(info->mac, n->mac, sizeof(info->mac));
}
