/*
 * netdb.c: names to addresses (<netdb.h>). A numeric IPv4 address and
 * "localhost" are answered here, without a server; any other host name is
 * asked of the net server (NET_RESOLVE, sockets.c). Services are port
 * numbers or a few well-known names. Only IPv4.
 */
#include "port.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int h_errno;

static const struct {
    const char *name;
    uint16_t port;
} services[] = {
    { "echo", 7 }, { "domain", 53 }, { "http", 80 }, { "www", 80 }, { "https", 443 },
};

/* SERVICE as a port (host byte order): 0, or an EAI_* code. */
static int service_port(const char *service, int flags, uint16_t *port)
{
    *port = 0;
    if (!service || !*service)
        return 0;
    char *end;
    unsigned long n = strtoul(service, &end, 10);
    if (!*end && service[0] >= '0' && service[0] <= '9')
        return n > 65535 ? EAI_SERVICE : (*port = (uint16_t)n, 0);
    if (flags & AI_NUMERICSERV)
        return EAI_NONAME;
    for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
        if (!strcmp(service, services[i].name))
            return *port = services[i].port, 0;
    return EAI_SERVICE;
}

/* NODE's IPv4 address (network byte order): 0, or an EAI_* code. */
static int host_ip(const char *node, int flags, uint32_t *ip)
{
    struct in_addr a;
    if (!node) {
        *ip = htonl(flags & AI_PASSIVE ? INADDR_ANY : INADDR_LOOPBACK);
        return 0;
    }
    if (inet_aton(node, &a)) {
        *ip = a.s_addr;
        return 0;
    }
    if (!strcasecmp(node, "localhost") || !strcasecmp(node, "localhost.localdomain")) {
        *ip = htonl(INADDR_LOOPBACK);
        return 0;
    }
    if (flags & AI_NUMERICHOST)
        return EAI_NONAME;
    switch (__clk_net_resolve(node, ip)) {
    case 0: return 0;
    case ENOENT: return EAI_NONAME;
    case ETIMEDOUT:
    case EAGAIN: return EAI_AGAIN;
    default: return EAI_FAIL; /* no net server, or it failed */
    }
}

/* One result, with its address in the same allocation. */
struct gai_entry {
    struct addrinfo ai;
    struct sockaddr_in sin;
};

static struct addrinfo *new_entry(int socktype, int protocol, uint32_t ip, uint16_t port)
{
    struct gai_entry *e = calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    e->sin =
        (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(port), .sin_addr = { ip } };
    e->ai = (struct addrinfo){ .ai_family = AF_INET,
                               .ai_socktype = socktype,
                               .ai_protocol = protocol,
                               .ai_addrlen = sizeof(e->sin),
                               .ai_addr = (struct sockaddr *)&e->sin };
    return &e->ai;
}

#define AI_KNOWN                                                                                   \
    (AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED | AI_ALL | AI_ADDRCONFIG |           \
     AI_NUMERICSERV)

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                struct addrinfo **res)
{
    struct addrinfo h = hints ? *hints : (struct addrinfo){ 0 };
    if (!node && !service)
        return EAI_NONAME;
    if (h.ai_flags & ~AI_KNOWN)
        return EAI_BADFLAGS;
    if (h.ai_family != AF_UNSPEC && h.ai_family != AF_INET)
        return EAI_FAMILY;
    if (h.ai_socktype != 0 && h.ai_socktype != SOCK_STREAM && h.ai_socktype != SOCK_DGRAM)
        return EAI_SOCKTYPE;
    uint16_t port;
    uint32_t ip;
    int err = service_port(service, h.ai_flags, &port);
    if (err || (err = host_ip(node, h.ai_flags, &ip)))
        return err;
    static const int kinds[][2] = { { SOCK_STREAM, IPPROTO_TCP }, { SOCK_DGRAM, IPPROTO_UDP } };
    struct addrinfo *first = NULL, **tail = &first;
    for (int i = 0; i < 2; i++) {
        if ((h.ai_socktype && h.ai_socktype != kinds[i][0]) ||
            (h.ai_protocol && h.ai_protocol != kinds[i][1]))
            continue;
        if (!(*tail = new_entry(kinds[i][0], kinds[i][1], ip, port))) {
            freeaddrinfo(first);
            return EAI_MEMORY;
        }
        tail = &(*tail)->ai_next;
    }
    if (!first)
        return EAI_SOCKTYPE; /* a protocol that is not the type's */
    if ((h.ai_flags & AI_CANONNAME) && !(first->ai_canonname = strdup(node ? node : "localhost"))) {
        freeaddrinfo(first);
        return EAI_MEMORY;
    }
    *res = first;
    return 0;
}

void freeaddrinfo(struct addrinfo *res)
{
    while (res) {
        struct addrinfo *next = res->ai_next;
        free(res->ai_canonname);
        free(res); /* the struct gai_entry it begins */
        res = next;
    }
}

const char *gai_strerror(int err)
{
    switch (err) {
    case 0: return "Success";
    case EAI_BADFLAGS: return "Bad value for ai_flags";
    case EAI_NONAME: return "Name or service not known";
    case EAI_AGAIN: return "Temporary failure in name resolution";
    case EAI_FAIL: return "Non-recoverable failure in name resolution";
    case EAI_NODATA: return "No address associated with hostname";
    case EAI_FAMILY: return "ai_family not supported";
    case EAI_SOCKTYPE: return "ai_socktype not supported";
    case EAI_SERVICE: return "Servname not supported for ai_socktype";
    case EAI_MEMORY: return "Memory allocation failure";
    case EAI_SYSTEM: return "System error";
    case EAI_OVERFLOW: return "Argument buffer overflow";
    default: return "Unknown error";
    }
}

int getnameinfo(const struct sockaddr *addr, socklen_t addr_len, char *host, socklen_t host_len,
                char *serv, socklen_t serv_len, int flags)
{
    if (!addr || addr_len < sizeof(struct sockaddr_in) || addr->sa_family != AF_INET)
        return EAI_FAMILY;
    const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
    if (host && host_len) {
        if (flags & NI_NAMEREQD)
            return EAI_NONAME; /* there is no reverse lookup */
        if (!inet_ntop(AF_INET, &in->sin_addr, host, host_len))
            return EAI_OVERFLOW;
    }
    if (serv && serv_len) {
        int n = snprintf(serv, serv_len, "%u", ntohs(in->sin_port));
        if (n < 0 || (socklen_t)n >= serv_len)
            return EAI_OVERFLOW;
    }
    return 0;
}

struct hostent *gethostbyname(const char *name)
{
    static char host_name[256];
    static uint32_t ip;
    static char *addrs[2] = { (char *)&ip, NULL };
    static char *aliases[1] = { NULL };
    static struct hostent h = { host_name, aliases, AF_INET, 4, addrs };
    int err = name ? host_ip(name, 0, &ip) : EAI_NONAME;
    if (err) {
        h_errno = err == EAI_NONAME ? HOST_NOT_FOUND : err == EAI_AGAIN ? TRY_AGAIN : NO_RECOVERY;
        return NULL;
    }
    snprintf(host_name, sizeof(host_name), "%s", name);
    return &h;
}
