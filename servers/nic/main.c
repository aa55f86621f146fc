/*
 * main.c: the virtio-net driver, the service "nic" (protocol:
 * actor/nic.h). The supervisor starts it with the device authority
 * (manifest: caps=device; the environment's CLK_DEVICE names its slot).
 * It sets the first virtio-net device up, then libactor's loop serves
 * requests, the device's interrupt and the client's doorbell. Without a
 * device it says so and exits with SUP_EXIT_IGNORE, which the supervisor
 * does not restart.
 */
#include "nic.h"
#include <actor/supervisor.h>
#include <stdio.h>
#include <stdlib.h>

struct nic nic;

static void describe(const struct nic *n)
{
    const uint8_t *m = n->mac;
    printf("nic: MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s; RX queue %u, TX queue %u; "
           "%u+%u buffers of %u bytes\n",
           m[0], m[1], m[2], m[3], m[4], m[5], nic_link_up(n) ? "up" : "down", n->rxq.size,
           n->txq.size, NIC_RX_BUFS, NIC_TX_BUFS, NIC_BUF_SIZE);
}

static long init(int argc, char **argv)
{
    (void)argc, (void)argv;
    const char *dev = getenv("CLK_DEVICE");
    if (!dev) {
        printf("nic: no device authority: start me with caps=device\n");
        return CLK_EPERM;
    }
    long r = nic_probe(&nic, strtol(dev, NULL, 10));
    if (r == CLK_ENOENT || r == CLK_ENOSYS) {
        printf("nic: no virtio-net device %s; nothing to serve\n",
               r == CLK_ENOENT ? "on PCI" : "that this driver can drive");
        exit(SUP_EXIT_IGNORE);
    }
    if (r < 0) {
        printf("nic: cannot set the device up: %s\n", actor_strerror(r));
        return r;
    }
    describe(&nic);
    return 0;
}

const struct actor_def actor = {
    .name = NIC_NAME,
    .handlers = nic_handlers,
    .notified = nic_notified,
    .init = init,
};
