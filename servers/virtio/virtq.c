/*
 * virtq.c: split virtqueues (see virtq.h; virtio 1.0, section 2.4).
 */
#include "virtq.h"

/* The rings of a queue of SIZE entries, one after another: descriptors
 * (16-byte aligned), the available ring (2), the used ring (4). */
size_t virtq_avail_offset(unsigned size)
{
    return sizeof(struct virtq_desc) * size;
}

size_t virtq_used_offset(unsigned size)
{
    return (virtq_avail_offset(size) + 6 + 2 * size + 3) & ~(size_t)3;
}

/* Link all of Q's descriptors into the free list. */
static void free_all(struct virtq *q)
{
    for (unsigned i = 0; i < q->size; i++) {
        q->desc[i].next = (uint16_t)(i + 1);
        q->chain[i] = 0;
    }
    q->free_head = 0;
    q->nfree = q->size;
}

size_t virtq_bytes(unsigned size)
{
    return virtq_used_offset(size) + 6 + sizeof(struct virtq_used_elem) * size;
}

void virtq_init(struct virtq *q, uint16_t index, uint16_t size, void *mem,
                volatile uint16_t *notify)
{
    uint8_t *base = mem;
    *q = (struct virtq){ .index = index, .size = size, .notify = notify };
    q->desc = (struct virtq_desc *)base;
    q->avail = (volatile struct virtq_avail *)(base + virtq_avail_offset(size));
    q->used = (volatile struct virtq_used *)(base + virtq_used_offset(size));
    free_all(q);
}

long virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned n)
{
    if (n == 0)
        return CLK_EINVAL;
    if (n > q->nfree)
        return CLK_EAGAIN;
    uint16_t head = q->free_head, i = head;
    for (unsigned k = 0; k < n; k++) {
        struct virtq_desc *d = &q->desc[i];
        d->addr = bufs[k].phys;
        d->len = bufs[k].len;
        d->flags = (uint16_t)((bufs[k].writable ? VIRTQ_DESC_F_WRITE : 0) |
                              (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
        i = d->next; /* the free list's next is the chain's next */
    }
    q->free_head = i;
    q->nfree = (uint16_t)(q->nfree - n);
    q->chain[head] = (uint16_t)n;
    q->avail->ring[q->avail_idx & (q->size - 1)] = head;
    q->avail_idx++;
    return head;
}

void virtq_kick(struct virtq *q)
{
    __atomic_thread_fence(__ATOMIC_RELEASE); /* the chains before the index */
    q->avail->idx = q->avail_idx;
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* the index before reading the flags */
    if (!(q->used->flags & VIRTQ_USED_F_NO_NOTIFY))
        *q->notify = q->index;
}

long virtq_take(struct virtq *q, uint32_t *len)
{
    if (q->used->idx == q->last_used)
        return CLK_ENOENT;
    __atomic_thread_fence(__ATOMIC_ACQUIRE); /* the index before the entry */
    struct virtq_used_elem e = { q->used->ring[q->last_used & (q->size - 1)].id,
                                 q->used->ring[q->last_used & (q->size - 1)].len };
    q->last_used++;
    if (e.id >= q->size || q->chain[e.id] == 0)
        return CLK_EIO;
    uint16_t tail = (uint16_t)e.id;
    for (unsigned k = 1; k < q->chain[e.id]; k++)
        tail = q->desc[tail].next;
    q->desc[tail].next = q->free_head;
    q->free_head = (uint16_t)e.id;
    q->nfree = (uint16_t)(q->nfree + q->chain[e.id]);
    q->chain[e.id] = 0;
    *len = e.len;
    return e.id;
}
