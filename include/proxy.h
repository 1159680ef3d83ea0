/*
 * Clients behind load balancers (src/http/proxy.c): the PROXY protocol
 * header (haproxy's spec, v1 text and v2 binary) that a balancer sends
 * before a connection's first byte, and the X-Forwarded-For and
 * X-Forwarded-Proto headers of a request. The parsers are pure (unit
 * tests, fuzz targets); proxy_header_read reads a socket. What may believe
 * them ([server] trusted_proxies, proxy_protocol) is the callers' part:
 * server.c, accept.c and the TLS front.
 */
#ifndef BLOGD_PROXY_H
#define BLOGD_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "netaddr.h"

struct config;

/* The longest PROXY header taken: v1 lines are at most 107 bytes; a v2
 * header is 16 bytes, the addresses and any TLVs, and balancers send a few
 * hundred at most. */
#define PROXY_HEADER_MAX 4096
/* X-Forwarded-For: trusted hops walked from the right before giving up. */
#define PROXY_XFF_MAX_HOPS 16

enum proxy_status {
	PROXY_MORE, /* a prefix of a header: wait for more bytes */
	PROXY_DONE,
	PROXY_BAD, /* not a header (or the connection ended first) */
};

struct proxy_header {
	size_t len; /* bytes the header takes, to drop before the stream */
	/* The client's address and port; false for a v2 LOCAL command (the
	 * balancer's own health check), v1 UNKNOWN and the families blogd
	 * does not take (UNIX, datagrams): then the peer is the client. */
	bool has_addr;
	struct net_addr addr;
	unsigned port;
};

/* The header at the start of buf[0..n). */
enum proxy_status proxy_header_parse(const void *buf, size_t n,
                                     struct proxy_header *h);
/*
 * From non-blocking socket fd: peeks at what has come, and once a whole
 * header is there reads exactly its bytes, so the stream after it (a TLS
 * ClientHello, a request) stays in the socket. PROXY_MORE: call again when
 * fd is readable.
 */
enum proxy_status proxy_header_read(int fd, struct proxy_header *h);

/*
 * The client of a request that came from a trusted peer with
 * X-Forwarded-For value v[0..len) (several header lines joined by commas,
 * in order): walking from the right, the first hop not in trusted, or the
 * left-most when all are. False (keep the peer) when a hop walked is not
 * an address or more than PROXY_XFF_MAX_HOPS trusted hops come first; the
 * hops left of the answer are never looked at, so a client cannot spoil
 * them.
 */
bool proxy_forwarded_for(const char *v, size_t len,
                         const struct net_list *trusted,
                         struct net_addr *client);
/* X-Forwarded-Proto value v (the last header line) says https: its last
 * comma-separated element, as the nearest proxy wrote it. */
bool proxy_forwarded_https(const char *v);

/* The listener (https or plain) expects PROXY headers ([server]
 * proxy_protocol). */
bool proxy_expected(const struct config *cfg, bool https);
/* Such a listener takes a connection from peer: any when trusted_proxies
 * is empty, else only its members. */
bool proxy_peer_allowed(const struct config *cfg, const struct sockaddr *peer);
/* Whether peer is in trusted_proxies. */
bool proxy_trusted(const struct config *cfg, const struct sockaddr *peer);

#endif
