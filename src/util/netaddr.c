/* IP addresses and lists of networks (include/netaddr.h). */
#include "netaddr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static void
net_addr_v4(struct net_addr *out, const void *in4)
{
	memset(out->b, 0, 10);
	out->b[10] = out->b[11] = 0xff;
	memcpy(out->b + 12, in4, 4);
}

static bool
net_addr_is_v4(const struct net_addr *a)
{
	static const unsigned char prefix[12] = {0, 0, 0, 0, 0,    0,
	                                         0, 0, 0, 0, 0xff, 0xff};

	return memcmp(a->b, prefix, sizeof(prefix)) == 0;
}

bool
net_addr_parse(const char *s, size_t len, struct net_addr *out)
{
	char text[NET_ADDR_TEXT];
	unsigned char bin[16];

	if (len == 0 || len >= sizeof(text) || memchr(s, '\0', len) != NULL)
		return false;
	memcpy(text, s, len);
	text[len] = '\0';
	if (inet_pton(AF_INET, text, bin) == 1) {
		net_addr_v4(out, bin);
		return true;
	}
	if (inet_pton(AF_INET6, text, bin) == 1) {
		memcpy(out->b, bin, 16);
		return true;
	}
	return false;
}

bool
net_addr_from_sockaddr(const struct sockaddr *sa, struct net_addr *out)
{
	if (sa != NULL && sa->sa_family == AF_INET) {
		net_addr_v4(
		    out,
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr);
		return true;
	}
	if (sa != NULL && sa->sa_family == AF_INET6) {
		memcpy(
		    out->b,
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		    16);
		return true;
	}
	return false;
}

socklen_t
net_addr_to_sockaddr(const struct net_addr *addr, unsigned port,
                     struct sockaddr_storage *out)
{
	memset(out, 0, sizeof(*out));
	if (net_addr_is_v4(addr)) {
		struct sockaddr_in *in = (struct sockaddr_in *)out;

		in->sin_family = AF_INET;
		in->sin_port = htons((unsigned short)port);
		memcpy(&in->sin_addr, addr->b + 12, 4);
		return sizeof(*in);
	}
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;

	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons((unsigned short)port);
	memcpy(&in6->sin6_addr, addr->b, 16);
	return sizeof(*in6);
}

void
net_addr_text(const struct net_addr *addr, char out[NET_ADDR_TEXT])
{
	bool v4 = net_addr_is_v4(addr);

	if (inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? addr->b + 12 : addr->b, out,
	              NET_ADDR_TEXT) == NULL)
		memcpy(out, "-", 2);
}

/* Clears the bits of a past the first bits. */
static void
net_mask(struct net_addr *a, unsigned bits)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = bits >= 8 * (i + 1) ? 8
		                : bits > 8 * i      ? bits - 8 * i
		                                    : 0;

		a->b[i] &= (unsigned char)(0xff00u >> keep);
	}
}

/* One entry, s[0..len) without surrounding white space. */
static bool
net_cidr_parse(const char *s, size_t len, struct net_cidr *out)
{
	const char *slash = memchr(s, '/', len);
	size_t alen = slash != NULL ? (size_t)(slash - s) : len;
	unsigned max, bits = 0;

	if (!net_addr_parse(s, alen, &out->addr))
		return false;
	max = net_addr_is_v4(&out->addr) && memchr(s, ':', alen) == NULL ? 32
	                                                                 : 128;
	if (slash == NULL) {
		bits = max;
	} else {
		const char *p = slash + 1, *end = s + len;

		if (p == end || end - p > 3)
			return false;
		for (; p < end; p++) {
			if (!isdigit((unsigned char)*p))
				return false;
			bits = bits * 10 + (unsigned)(*p - '0');
		}
		if (bits > max)
			return false;
	}
	/* An IPv4 prefix counts the 96 bits of the v4-mapped form too. */
	out->bits = max == 32 ? bits + 96 : bits;
	net_mask(&out->addr, out->bits);
	return true;
}

int
net_list_parse(const char *spec, struct net_list *out, char *bad, size_t badlen)
{
	const char *p = spec;

	out->v = NULL;
	out->n = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return 0;
	for (;;) {
		size_t len = strcspn(p, ",");
		const char *next = p + len;

		while (len > 0 && (*p == ' ' || *p == '\t'))
			p++, len--;
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		out->v = xrealloc(out->v, (out->n + 1) * sizeof(out->v[0]));
		if (!net_cidr_parse(p, len, &out->v[out->n])) {
			snprintf(bad, badlen, "%.*s", (int)len, p);
			net_list_free(out);
			return -1;
		}
		out->n++;
		if (*next == '\0')
			return 0;
		p = next + 1;
	}
}

bool
net_list_match(const struct net_list *l, const struct net_addr *a)
{
	for (size_t i = 0; i < l->n; i++) {
		struct net_addr m = *a;

		net_mask(&m, l->v[i].bits);
		if (memcmp(m.b, l->v[i].addr.b, 16) == 0)
			return true;
	}
	return false;
}

void
net_list_free(struct net_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
