/*
 * service.c: the steps every libc-port session with a server takes
 * (files.c with the VFS, sockets.c with the net server): finding the
 * server by name, again after a restart, and making the transfer buffer.
 */
#include "port.h"
#include <actor/actor.h>
#include <actor/names.h>
#include <errno.h>
#include <string.h>

int __clk_find_server(const char *name, uint64_t wait_ns, long *server, uint64_t *serial)
{
    struct names_req r = { .wait_ns = wait_ns, .newer_than = *serial };
    size_t n = strlen(name);
    if (n >= sizeof(r.name))
        return EINVAL;
    memcpy(r.name, name, n + 1);
    long cap = 0;
    uint64_t got = 0;
    size_t got_len = sizeof(got);
    long err =
        actor_call_blocking(ACTOR_NAMES_SLOT, NAMES_LOOKUP, &r, sizeof(r), 0, &got, &got_len, &cap);
    if (err || !cap) {
        if (cap)
            clk_cap_delete(cap);
        return ENOSYS; /* no such service */
    }
    if (*server)
        clk_cap_delete(*server);
    *server = cap;
    *serial = got;
    return 0;
}

int __clk_map_buffer(size_t size, uintptr_t va, long *mem)
{
    long m = clk_memory_create((size + 4095) / 4096);
    if (m < 0)
        return ENOMEM;
    if (clk_map(m, va, CLK_MAP_WRITE) < 0) {
        clk_cap_delete(m);
        return ENOMEM;
    }
    *mem = m;
    return 0;
}
