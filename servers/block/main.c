/*
 * main.c: the virtio-blk driver, the service "block" (protocol:
 * actor/block.h). The supervisor starts it with the device authority
 * (manifest: caps=device; the environment's CLK_DEVICE names its slot).
 * It sets the first virtio-blk device up, then libactor's loop serves
 * requests and the device's interrupt. Without a device it says so and
 * exits with SUP_EXIT_IGNORE, which the supervisor does not restart.
 */
#include "block.h"
#include <actor/supervisor.h>
#include <stdio.h>
#include <stdlib.h>

struct blk blk;

static void describe(const struct blk *b)
{
    printf("block: %lu sectors of %u bytes (%lu MiB), %s, %s; requests of up to %u KiB, "
           "%u in flight; a buffer of %lu KiB\n",
           (unsigned long)b->sectors, BLOCK_SECTOR,
           (unsigned long)(b->sectors * BLOCK_SECTOR >> 20),
           b->read_only ? "read-only" : "read-write",
           b->has_flush ? "with a write cache (flush)" : "write-through", b->max_transfer / 1024,
           b->nslots, (unsigned long)(b->buffer.size / 1024));
}

static long init(int argc, char **argv)
{
    (void)argc, (void)argv;
    const char *dev = getenv("CLK_DEVICE");
    if (!dev) {
        printf("block: no device authority: start me with caps=device\n");
        return CLK_EPERM;
    }
    long r = blk_probe(&blk, strtol(dev, NULL, 10));
    if (r == CLK_ENOENT || r == CLK_ENOSYS) {
        printf("block: no virtio-blk device %s; nothing to serve\n",
               r == CLK_ENOENT ? "on PCI" : "that this driver can drive");
        exit(SUP_EXIT_IGNORE);
    }
    if (r < 0) {
        printf("block: cannot set the device up: %s\n", actor_strerror(r));
        return r;
    }
    describe(&blk);
    return 0;
}

const struct actor_def actor = {
    .name = BLOCK_NAME,
    .handlers = blk_handlers,
    .notified = blk_notified,
    .init = init,
};
