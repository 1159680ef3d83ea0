/*
 * IP addresses and lists of networks (src/util/netaddr.c), pure and
 * unit-tested: [server] trusted_proxies, the addresses that PROXY headers
 * and X-Forwarded-For give, and the keys of the connection budget.
 *
 * An address is kept as 16 bytes, IPv4 as v4-mapped IPv6
 * (::ffff:a.b.c.d), so that one comparison serves both families and the
 * IPv4 peer of a dual-stack socket matches an IPv4 network.
 */
#ifndef BLOGD_NETADDR_H
#define BLOGD_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* The longest text net_addr_text writes, with its NUL (INET6_ADDRSTRLEN). */
#define NET_ADDR_TEXT 46

struct net_addr {
	unsigned char b[16];
};

struct net_cidr {
	struct net_addr addr; /* host bits cleared */
	unsigned bits;        /* prefix length of the 16-byte form */
};

/* A list parsed once at start-up and only read afterwards. */
struct net_list {
	struct net_cidr *v;
	size_t n;
};

/* An IPv4 or IPv6 address in text, s[0..len) (need not be NUL-terminated),
 * as inet_pton reads it: no port, brackets, zone or white space. */
bool net_addr_parse(const char *s, size_t len, struct net_addr *out);
/* The address of an AF_INET or AF_INET6 sockaddr; false for others. */
bool net_addr_from_sockaddr(const struct sockaddr *sa, struct net_addr *out);
/* A sockaddr for addr and port: AF_INET for a v4-mapped address. Returns
 * its length. */
socklen_t net_addr_to_sockaddr(const struct net_addr *addr, unsigned port,
                               struct sockaddr_storage *out);
/* inet_ntop's text; a v4-mapped address as dotted IPv4. */
void net_addr_text(const struct net_addr *addr, char out[NET_ADDR_TEXT]);

/*
 * A comma-separated list of networks: "a.b.c.d/n", "v6::/n", or a bare
 * address (/32 or /128); white space around entries is ignored, host bits
 * under the prefix are cleared. "" is the empty list. On a bad entry returns
 * -1, leaves *out empty and copies the entry (cut to fit) into bad.
 */
int net_list_parse(const char *spec, struct net_list *out, char *bad,
                   size_t badlen);
bool net_list_match(const struct net_list *l, const struct net_addr *a);
void net_list_free(struct net_list *l);

#endif
