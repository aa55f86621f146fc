/*
 * query.c: questions the server answers for a session: ICMP echo (ping,
 * over one raw pcb) and host names (lwIP's DNS client). Each finished
 * question calls its DONE once with the context its session gave; the
 * session may be gone by then, which ipc.c checks.
 */
#include "net.h"
#include <errno.h>
#include <lwip/dns.h>
#include <lwip/icmp.h>
#include <lwip/inet_chksum.h>
#include <lwip/ip.h>
#include <lwip/prot/ip4.h>
#include <lwip/raw.h>
#include <string.h>

#define PINGS_MAX  16
#define PING_ID    0xC1C1
#define PING_BYTES 1024

struct ping {
    bool used;
    uint64_t ctx;
    query_done_fn *done;
    uint32_t ip;
    uint16_t seq;
    uint64_t sent;
};

static struct ping pings[PINGS_MAX];
static struct raw_pcb *icmp;

static u8_t ping_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *from)
{
    (void)arg, (void)pcb;
    struct ip_hdr iph;
    struct icmp_echo_hdr e;
    if (p->tot_len < sizeof(iph) || pbuf_copy_partial(p, &iph, sizeof(iph), 0) != sizeof(iph))
        return 0;
    u16_t hlen = (u16_t)(IPH_HL(&iph) * 4);
    if (p->tot_len < hlen + sizeof(e) || pbuf_copy_partial(p, &e, sizeof(e), hlen) != sizeof(e) ||
        e.type != ICMP_ER || e.id != PP_HTONS(PING_ID))
        return 0; /* not ours: lwIP goes on with it */
    for (unsigned i = 0; i < PINGS_MAX; i++) {
        struct ping *q = &pings[i];
        if (q->used && q->seq == lwip_ntohs(e.seqno) && q->ip == ip4_addr_get_u32(ip_2_ip4(from))) {
            struct net_ping_resp r = { .rtt_ns = net_now_ns() - q->sent,
                                       .ttl = IPH_TTL(&iph),
                                       .len = (uint32_t)(p->tot_len - hlen - sizeof(e)) };
            q->used = false;
            q->done(q->ctx, 0, &r, q->ip);
            break;
        }
    }
    pbuf_free(p);
    return 1;
}

int ping_start(const struct net_ping_req *r, uint64_t ctx, query_done_fn *done)
{
    if (r->len > PING_BYTES)
        return EINVAL;
    if (!icmp) {
        if (!(icmp = raw_new(IP_PROTO_ICMP)))
            return ENOMEM;
        raw_recv(icmp, ping_recv, NULL);
    }
    unsigned i = 0;
    while (i < PINGS_MAX && pings[i].used)
        i++;
    if (i == PINGS_MAX)
        return EAGAIN;
    struct pbuf *p = pbuf_alloc(PBUF_IP, (u16_t)(sizeof(struct icmp_echo_hdr) + r->len), PBUF_RAM);
    if (!p)
        return ENOMEM;
    struct icmp_echo_hdr *e = p->payload;
    memset(e, 0, p->len);
    e->type = ICMP_ECHO;
    e->id = PP_HTONS(PING_ID);
    e->seqno = lwip_htons(r->seq);
    for (unsigned k = 0; k < r->len; k++)
        ((uint8_t *)(e + 1))[k] = (uint8_t)k;
    e->chksum = inet_chksum(e, p->len);
    ip_addr_t to;
    ip_addr_set_ip4_u32(&to, r->ip);
    pings[i] = (struct ping){ true, ctx, done, r->ip, r->seq, net_now_ns() };
    err_t err = raw_sendto(icmp, p, &to);
    pbuf_free(p);
    if (err != ERR_OK) {
        pings[i].used = false;
        return err == ERR_RTE ? EHOSTUNREACH : ENOMEM;
    }
    return 0;
}

void ping_cancel(uint64_t ctx)
{
    for (unsigned i = 0; i < PINGS_MAX; i++)
        if (pings[i].used && pings[i].ctx == ctx)
            pings[i].used = false;
}

/* ---- names ---- */

struct lookup {
    uint64_t ctx;
    query_done_fn *done;
};

static void resolved(const char *name, const ip_addr_t *ip, void *arg)
{
    (void)name;
    struct lookup *l = arg;
    l->done(l->ctx, ip ? 0 : ENOENT, NULL, ip ? ip4_addr_get_u32(ip_2_ip4(ip)) : 0);
    free(l);
}

int resolve_start(const char *name, uint64_t ctx, query_done_fn *done, uint32_t *ip)
{
    if (!link_up())
        return ENETDOWN;
    struct lookup *l = malloc(sizeof(*l));
    if (!l)
        return ENOMEM;
    *l = (struct lookup){ ctx, done };
    ip_addr_t a;
    err_t err = dns_gethostbyname(name, &a, resolved, l);
    if (err == ERR_INPROGRESS)
        return EINPROGRESS;
    free(l);
    if (err != ERR_OK)
        return err == ERR_ARG ? EINVAL : ENOENT;
    *ip = ip4_addr_get_u32(ip_2_ip4(&a));
    return 0;
}
