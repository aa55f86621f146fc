/*
 * netdb.h for CLKernel: names to addresses (libc-port/sockets.c). Numeric
 * IPv4 addresses and "localhost" are answered in libc; other names are
 * asked of the net server's DNS resolver. Services are port numbers, or
 * one of a few well-known names ("http", "https", "echo", "domain").
 */
#ifndef _NETDB_H
#define _NETDB_H

#include <netinet/in.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

struct addrinfo {
    int ai_flags;
    int ai_family;
    int ai_socktype;
    int ai_protocol;
    socklen_t ai_addrlen;
    struct sockaddr *ai_addr;
    char *ai_canonname;
    struct addrinfo *ai_next;
};

/* ai_flags (Linux's values) */
#define AI_PASSIVE     0x0001 /* no host: INADDR_ANY, to bind to */
#define AI_CANONNAME   0x0002
#define AI_NUMERICHOST 0x0004 /* never resolve the host */
#define AI_V4MAPPED    0x0008
#define AI_ALL         0x0010
#define AI_ADDRCONFIG  0x0020
#define AI_NUMERICSERV 0x0400 /* never look the service up by name */

/* getaddrinfo's results (Linux's values) */
#define EAI_BADFLAGS -1
#define EAI_NONAME   -2
#define EAI_AGAIN    -3
#define EAI_FAIL     -4
#define EAI_NODATA   -5
#define EAI_FAMILY   -6
#define EAI_SOCKTYPE -7
#define EAI_SERVICE  -8
#define EAI_MEMORY   -10
#define EAI_SYSTEM   -11
#define EAI_OVERFLOW -12

/* getnameinfo: numeric answers only (there is no reverse lookup). */
#define NI_MAXHOST     1025
#define NI_MAXSERV     32
#define NI_NUMERICHOST 0x01
#define NI_NUMERICSERV 0x02
#define NI_NOFQDN      0x04
#define NI_NAMEREQD    0x08
#define NI_DGRAM       0x10

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                struct addrinfo **res);
void freeaddrinfo(struct addrinfo *res);
const char *gai_strerror(int err);
int getnameinfo(const struct sockaddr *addr, socklen_t addr_len, char *host, socklen_t host_len,
                char *serv, socklen_t serv_len, int flags);

/* The old interface, for small programs: one IPv4 address. */
struct hostent {
    char *h_name;
    char **h_aliases;
    int h_addrtype; /* AF_INET */
    int h_length;   /* 4 */
    char **h_addr_list;
};
#define h_addr h_addr_list[0]

#define HOST_NOT_FOUND 1
#define TRY_AGAIN      2
#define NO_RECOVERY    3
#define NO_DATA        4
extern int h_errno;

/* NAME's address in a static struct hostent (overwritten by the next
 * call), or NULL with h_errno set. */
struct hostent *gethostbyname(const char *name);

#ifdef __cplusplus
}
#endif

#endif
