/*
 * tqueue.h: FIFO queues of threads, linked through thread->next (a thread
 * is in at most one: a run queue or an object's queue of waiters).
 */
#ifndef CLK_TQUEUE_H
#define CLK_TQUEUE_H

#include <actor.h>

struct tqueue {
    struct thread *head, *tail;
};

static inline void tq_push(struct tqueue *q, struct thread *t)
{
    t->next = NULL;
    if (q->tail)
        q->tail->next = t;
    else
        q->head = t;
    q->tail = t;
}

static inline struct thread *tq_pop(struct tqueue *q)
{
    struct thread *t = q->head;
    if (t) {
        q->head = t->next;
        if (!q->head)
            q->tail = NULL;
        t->next = NULL;
    }
    return t;
}

/* Take T out of Q, wherever it is (it must be in Q or in no queue). */
static inline void tq_remove(struct tqueue *q, struct thread *t)
{
    struct thread *prev = NULL;
    for (struct thread *p = q->head; p; prev = p, p = p->next)
        if (p == t) {
            if (prev)
                prev->next = t->next;
            else
                q->head = t->next;
            if (q->tail == t)
                q->tail = prev;
            t->next = NULL;
            return;
        }
}

#endif
