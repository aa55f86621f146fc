/*
 * lwipopts.h: how lwIP is built for the network server. lwIP runs in one
 * thread of one actor, driven by its event loop (NO_SYS: the raw API,
 * callbacks, no threads or locks); servers/net turns its callbacks into
 * answers to the socket protocol (actor/net.h).
 *
 * Every pool is fixed here, so a flood can use up a pool (and be refused)
 * but never the actor's memory. docs/net.md tells the sizes' reasons.
 */
#ifndef LWIPOPTS_H
#define LWIPOPTS_H

#define NO_SYS                     1
#define SYS_LIGHTWEIGHT_PROT       0
#define LWIP_SOCKET                0
#define LWIP_NETCONN               0
#define LWIP_IPV4                  1
#define LWIP_IPV6                  0
#define LWIP_ARP                   1
#define LWIP_ETHERNET              1
#define LWIP_ICMP                  1
#define LWIP_RAW                   1 /* ping */
#define LWIP_UDP                   1
#define LWIP_TCP                   1
#define LWIP_DHCP                  1
#define LWIP_DHCP_DOES_ACD_CHECK   0
#define DHCP_DOES_ARP_CHECK        0 /* QEMU's DHCP server hands out a free address */
#define LWIP_DNS                   1
#define DNS_MAX_SERVERS            2
#define DNS_TABLE_SIZE             8
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK   1
#define LWIP_NETIF_HOSTNAME        1
#define LWIP_STATS                 1
#define LWIP_STATS_DISPLAY         0
#define LWIP_TIMERS                1
#define LWIP_NETIF_LOOPBACK        1 /* 127.0.0.1 and the own address reach the own sockets */
#define LWIP_HAVE_LOOPIF           1
#define LWIP_LOOPBACK_MAX_PBUFS    64
#define IP_REASSEMBLY              1
#define IP_FRAG                    1
#define SO_REUSE                   1
#define LWIP_SO_RCVBUF             0
#define LWIP_TCP_KEEPALIVE         1
#define LWIP_CHECKSUM_ON_COPY      1
#define LWIP_RAND()                ((u32_t)net_random())

/* Memory: the heap for outgoing data (TCP_SND_BUF per connection draws on
 * it), pools for protocol control blocks and incoming frames. */
#define MEM_ALIGNMENT           8
#define MEM_SIZE                (4 * 1024 * 1024)
#define MEMP_NUM_PBUF           1024
#define MEMP_NUM_RAW_PCB        8
#define MEMP_NUM_UDP_PCB        64
#define MEMP_NUM_TCP_PCB        256
#define MEMP_NUM_TCP_PCB_LISTEN 32
#define MEMP_NUM_TCP_SEG        4096
#define MEMP_NUM_REASSDATA      8
#define IP_REASS_MAX_PBUFS      64
#define MEMP_NUM_FRAG_PBUF      32
#define MEMP_NUM_ARP_QUEUE      64
#define MEMP_NUM_SYS_TIMEOUT    (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 4)
#define PBUF_POOL_SIZE          1024
#define PBUF_POOL_BUFSIZE       1536
#define ARP_TABLE_SIZE          16
#define ARP_QUEUEING            1

/* TCP: a 1460-byte MSS on a 1500-byte Ethernet; the largest window that
 * needs no scaling, and as much send buffer. A socket's unread bytes are
 * at most its window, so they fit one pbuf chain (16-bit lengths). */
#define TCP_MSS                    1460
#define TCP_WND                    (44 * TCP_MSS)
#define TCP_SND_BUF                (44 * TCP_MSS)
#define TCP_SND_QUEUELEN           ((4 * TCP_SND_BUF + TCP_MSS - 1) / TCP_MSS)
#define TCP_SNDLOWAT               (32 * 1024)
#define TCP_QUEUE_OOSEQ            1
#define TCP_OOSEQ_MAX_PBUFS        64
#define TCP_LISTEN_BACKLOG         1
#define TCP_DEFAULT_LISTEN_BACKLOG 64
#define LWIP_TCP_SACK_OUT          0

#define LWIP_DEBUG_TIMERNAMES  0
#define LWIP_NOASSERT_ON_ERROR 1

#endif
