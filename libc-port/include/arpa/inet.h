/*
 * arpa/inet.h for CLKernel: IPv4 addresses as text and back
 * (libc-port/inet.c).
 */
#ifndef _ARPA_INET_H
#define _ARPA_INET_H

#include <netinet/in.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "a.b.c.d" (each part decimal, octal with 0 or hex with 0x; fewer parts
 * as BSD allows: "a.b.c", "a.b", "a") into *ADDR: 1, or 0 when malformed. */
int inet_aton(const char *text, struct in_addr *addr);
/* inet_aton's address, or INADDR_NONE. */
in_addr_t inet_addr(const char *text);
/* "a.b.c.d" in a static buffer, overwritten by the next call. */
char *inet_ntoa(struct in_addr addr);
/* AF_INET only: strictly four decimal parts. 1, 0 when malformed, or -1
 * with errno EAFNOSUPPORT. */
int inet_pton(int family, const char *text, void *addr);
/* AF_INET only: TEXT, or NULL with errno ENOSPC or EAFNOSUPPORT. */
const char *inet_ntop(int family, const void *addr, char *text, socklen_t size);

#ifdef __cplusplus
}
#endif

#endif
