/*
 * PROXY headers and X-Forwarded-* (include/proxy.h). The format is
 * haproxy's "PROXY protocol" text, versions 1 and 2.
 */
#include "proxy.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "config.h"

#define PROXY_V1_MAX 107 /* "PROXY TCP6 " + two addresses, ports, CRLF */

static const unsigned char proxy_v2_sig[12] = {
    0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

/* A port: 1 to 5 digits, at most 65535. */
static bool
proxy_port(const char *s, size_t len, unsigned *port)
{
	unsigned v = 0;

	if (len == 0 || len > 5)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*port = v;
	return v <= 65535;
}

/* "TCP4 src dst sport dport" or "TCP6 ...", each field one space apart. */
static bool
proxy_v1_tcp(const char *s, size_t len, struct proxy_header *h)
{
	const char *f[5], *end = s + len;
	size_t flen[5];
	bool v6;
	struct net_addr dst;
	unsigned dport;

	for (int i = 0; i < 5; i++) {
		const char *sp = memchr(s, ' ', (size_t)(end - s));

		f[i] = s;
		flen[i] = (size_t)((sp != NULL && i < 4 ? sp : end) - s);
		if (flen[i] == 0 || (i < 4 && sp == NULL))
			return false;
		s = f[i] + flen[i] + 1;
	}
	if (f[4] + flen[4] != end || flen[0] != 4)
		return false;
	if (memcmp(f[0], "TCP4", 4) == 0)
		v6 = false;
	else if (memcmp(f[0], "TCP6", 4) == 0)
		v6 = true;
	else
		return false;
	/* Each address of the family the line names. */
	if ((memchr(f[1], ':', flen[1]) != NULL) != v6 ||
	    (memchr(f[2], ':', flen[2]) != NULL) != v6 ||
	    !net_addr_parse(f[1], flen[1], &h->addr) ||
	    !net_addr_parse(f[2], flen[2], &dst) ||
	    !proxy_port(f[3], flen[3], &h->port) ||
	    !proxy_port(f[4], flen[4], &dport))
		return false;
	h->has_addr = true;
	return true;
}

static enum proxy_status
proxy_v1(const char *p, size_t n, struct proxy_header *h)
{
	size_t look = n < PROXY_V1_MAX ? n : PROXY_V1_MAX, len;
	const char *lf;

	if (memcmp(p, "PROXY ", n < 6 ? n : 6) != 0)
		return PROXY_BAD;
	/* The line, without "PROXY " and CRLF; a bare LF ends nothing. */
	if ((lf = memchr(p, '\n', look)) == NULL)
		return n >= PROXY_V1_MAX ? PROXY_BAD : PROXY_MORE;
	if (lf == p || lf[-1] != '\r')
		return PROXY_BAD;
	len = (size_t)(lf - 1 - p);
	h->len = len + 2;
	h->has_addr = false;
	if (len < 6)
		return PROXY_BAD;
	p += 6;
	len -= 6;
	/* UNKNOWN: the balancer could not tell; the rest means nothing. */
	if (len >= 7 && memcmp(p, "UNKNOWN", 7) == 0 &&
	    (len == 7 || p[7] == ' '))
		return PROXY_DONE;
	return proxy_v1_tcp(p, len, h) ? PROXY_DONE : PROXY_BAD;
}

static enum proxy_status
proxy_v2(const unsigned char *p, size_t n, struct proxy_header *h)
{
	size_t body;

	if (memcmp(p, proxy_v2_sig, n < 12 ? n : 12) != 0)
		return PROXY_BAD;
	if (n < 16)
		return PROXY_MORE;
	/* Version 2; command LOCAL (0) or PROXY (1). */
	if ((p[12] & 0xf0) != 0x20 || (p[12] & 0x0f) > 1)
		return PROXY_BAD;
	body = (size_t)p[14] << 8 | p[15];
	if (16 + body > PROXY_HEADER_MAX)
		return PROXY_BAD;
	if (n < 16 + body)
		return PROXY_MORE;
	h->len = 16 + body;
	h->has_addr = false;
	if ((p[12] & 0x0f) == 0)
		return PROXY_DONE;
	/* TCP over IPv4: src, dst, sport, dport; over IPv6 likewise. What
	 * follows the addresses (TLVs) is skipped. */
	if (p[13] == 0x11) {
		if (body < 12)
			return PROXY_BAD;
		memset(h->addr.b, 0, 10);
		h->addr.b[10] = h->addr.b[11] = 0xff;
		memcpy(h->addr.b + 12, p + 16, 4);
		h->port = (unsigned)p[24] << 8 | p[25];
		h->has_addr = true;
	} else if (p[13] == 0x21) {
		if (body < 36)
			return PROXY_BAD;
		memcpy(h->addr.b, p + 16, 16);
		h->port = (unsigned)p[48] << 8 | p[49];
		h->has_addr = true;
	}
	return PROXY_DONE;
}

enum proxy_status
proxy_header_parse(const void *buf, size_t n, struct proxy_header *h)
{
	const unsigned char *p = buf;

	if (n == 0)
		return PROXY_MORE;
	if (p[0] == 'P')
		return proxy_v1(buf, n, h);
	if (p[0] == proxy_v2_sig[0])
		return proxy_v2(p, n, h);
	return PROXY_BAD;
}

enum proxy_status
proxy_header_read(int fd, struct proxy_header *h)
{
	unsigned char buf[PROXY_HEADER_MAX];
	enum proxy_status st;
	ssize_t n;

	do
		n = recv(fd, buf, sizeof(buf), MSG_PEEK);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return errno == EAGAIN || errno == EWOULDBLOCK ? PROXY_MORE
		                                               : PROXY_BAD;
	if (n == 0)
		return PROXY_BAD; /* closed before a whole header */
	if ((st = proxy_header_parse(buf, (size_t)n, h)) != PROXY_DONE)
		return st;
	/* The peeked bytes are queued: this takes exactly them. */
	do
		n = recv(fd, buf, h->len, 0);
	while (n == -1 && errno == EINTR);
	return n == (ssize_t)h->len ? PROXY_DONE : PROXY_BAD;
}

static bool
proxy_ows(char c)
{
	return c == ' ' || c == '\t';
}

bool
proxy_forwarded_for(const char *v, size_t len, const struct net_list *trusted,
                    struct net_addr *client)
{
	size_t end = len;

	for (unsigned hops = 0; hops <= PROXY_XFF_MAX_HOPS; hops++) {
		size_t start = end, e = end;

		while (start > 0 && v[start - 1] != ',')
			start--;
		/* The hop is v[s..e) without white space around it. */
		size_t s = start;
		while (s < e && proxy_ows(v[s]))
			s++;
		while (e > s && proxy_ows(v[e - 1]))
			e--;
		if (!net_addr_parse(v + s, e - s, client))
			return false;
		if (start == 0 || !net_list_match(trusted, client))
			return true;
		end = start - 1;
	}
	return false;
}

bool
proxy_forwarded_https(const char *v)
{
	const char *last = strrchr(v, ',');
	size_t len;

	last = last != NULL ? last + 1 : v;
	while (proxy_ows(*last))
		last++;
	len = strlen(last);
	while (len > 0 && proxy_ows(last[len - 1]))
		len--;
	return len == 5 && strncasecmp(last, "https", 5) == 0;
}

bool
proxy_expected(const struct config *cfg, bool https)
{
	const char *p = cfg->server.proxy_protocol;

	return strcmp(p, "both") == 0 ||
	       strcmp(p, https ? "https" : "http") == 0;
}

bool
proxy_trusted(const struct config *cfg, const struct sockaddr *peer)
{
	struct net_addr a;

	return net_addr_from_sockaddr(peer, &a) &&
	       net_list_match(&cfg->server.trusted_proxies, &a);
}

bool
proxy_peer_allowed(const struct config *cfg, const struct sockaddr *peer)
{
	return cfg->server.trusted_proxies.n == 0 || proxy_trusted(cfg, peer);
}
