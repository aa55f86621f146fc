/*
 * actor/windows.h: where a server maps its clients' transfer buffers (the
 * VFS's and the net server's sessions). Window I is MAX bytes at VA + I *
 * (MAX + a page), followed by a page that is always mapped (a fence).
 *
 * A client says how big the memory object it passes is; MAP maps a whole
 * object, whose size the server cannot ask. So: one larger than the window
 * runs into the fence and cannot be mapped, and for one smaller than it
 * says, a page mapped at its last page must collide (CLK_EEXIST), or the
 * object is short and refused. Header-only: a server includes it.
 */
#ifndef ACTOR_WINDOWS_H
#define ACTOR_WINDOWS_H

#include <actor/sys.h>

#define ACTOR_WINDOW_PAGE 4096UL

struct actor_windows {
    unsigned long va; /* the first window */
    uint64_t max;     /* bytes of a window, a multiple of the page */
    unsigned count;
    long fence; /* the fence page's memory object */
};

static inline unsigned long actor_window(const struct actor_windows *w, unsigned i)
{
    return w->va + i * (w->max + ACTOR_WINDOW_PAGE);
}

/* Lay out COUNT windows of MAX bytes from VA, and map their fences. 0 or
 * MEMORY_CREATE's and MAP's errors. */
static inline long actor_windows_init(struct actor_windows *w, unsigned long va, uint64_t max,
                                      unsigned count)
{
    *w = (struct actor_windows){ va, max, count, clk_memory_create(1) };
    if (w->fence < 0)
        return w->fence;
    for (unsigned i = 0; i < count; i++) {
        long err = clk_map(w->fence, actor_window(w, i) + max, 0);
        if (err < 0)
            return err;
    }
    return 0;
}

/* Map the client's memory object CAP, said to be SIZE bytes (MIN to the
 * window's size, whole pages), writable at window I: 0, or CLK_EINVAL (a
 * size out of range, or an object larger or smaller than it says) and
 * MAP's errors. clk_unmap(actor_window(W, I)) undoes it. */
static inline long actor_window_map(const struct actor_windows *w, unsigned i, long cap,
                                    uint64_t size, uint64_t min)
{
    unsigned long va = actor_window(w, i), last = va + size - ACTOR_WINDOW_PAGE;
    if (i >= w->count || size < min || size > w->max || size % ACTOR_WINDOW_PAGE)
        return CLK_EINVAL;
    long err = clk_map(cap, va, CLK_MAP_WRITE);
    if (err < 0)
        return err;
    if ((err = clk_map(w->fence, last, 0)) != CLK_EEXIST) {
        if (err == 0)
            clk_unmap(last);
        clk_unmap(va);
        return CLK_EINVAL;
    }
    return 0;
}

#endif
