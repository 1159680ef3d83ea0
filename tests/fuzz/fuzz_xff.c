/* libFuzzer: X-Forwarded-For and -Proto values. The first byte picks the
 * trusted networks; the rest is the header value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netaddr.h"
#include "proxy.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_trusted[] = {
    "",
    "10.0.0.0/8, 2001:db8::/32",
    "0.0.0.0/0, ::/0",
    "127.0.0.1, ::1, 192.168.0.0/16",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net_list trusted, nets;
	struct net_addr client;
	char bad[64], text[NET_ADDR_TEXT], *copy;
	const char *v;

	if (size == 0)
		return 0;
	if (net_list_parse(fuzz_trusted[data[0] % 4], &trusted, bad,
	                   sizeof(bad)) != 0)
		abort();
	/* Exactly size - 1 bytes, so ASan sees any read past them. */
	copy = xmalloc(size - 1 != 0 ? size - 1 : 1);
	memcpy(copy, data + 1, size - 1);
	v = copy;
	if (proxy_forwarded_for(v, size - 1, &trusted, &client)) {
		/* The answer is an address that reads back as itself. */
		struct net_addr back;

		net_addr_text(&client, text);
		if (!net_addr_parse(text, strlen(text), &back) ||
		    memcmp(&back, &client, sizeof(client)) != 0)
			abort();
	}
	free(copy);
	net_list_free(&trusted);
	/* The same bytes as a NUL-terminated X-Forwarded-Proto value. */
	copy = xstrndup((const char *)data + 1, size - 1);
	(void)proxy_forwarded_https(copy);
	free(copy);
	/* And as a trusted_proxies value. */
	copy = xstrndup((const char *)data + 1, size - 1);
	if (net_list_parse(copy, &nets, bad, sizeof(bad)) == 0) {
		/* Every network holds its own (masked) address. */
		for (size_t i = 0; i < nets.n; i++)
			if (nets.v[i].bits > 128 ||
			    !net_list_match(&nets, &nets.v[i].addr))
				abort();
		net_list_free(&nets);
	}
	free(copy);
	return 0;
}
