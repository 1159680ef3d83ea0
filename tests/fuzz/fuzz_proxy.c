/* libFuzzer: the PROXY header parser (v1 text, v2 binary) never reads past
 * what it was given, and what it takes is consistent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes, so ASan sees any read past it. */
	uint8_t *copy = malloc(size != 0 ? size : 1);
	struct proxy_header h, again;
	enum proxy_status st;

	memcpy(copy, data, size);
	st = proxy_header_parse(copy, size, &h);
	if (st == PROXY_DONE) {
		/* A header lies within the bytes and the limit, and parses
		 * the same from exactly its own bytes; a shorter prefix is
		 * never a header. */
		if (h.len == 0 || h.len > size || h.len > PROXY_HEADER_MAX)
			abort();
		if (proxy_header_parse(copy, h.len, &again) != PROXY_DONE ||
		    again.len != h.len || again.has_addr != h.has_addr ||
		    (h.has_addr &&
		     memcmp(&again.addr, &h.addr, sizeof(h.addr)) != 0))
			abort();
		if (proxy_header_parse(copy, h.len - 1, &again) != PROXY_MORE)
			abort();
		if (h.has_addr && h.port > 65535)
			abort();
	} else if (st == PROXY_MORE && size >= PROXY_HEADER_MAX) {
		abort(); /* waiting for more than the limit */
	}
	free(copy);
	return 0;
}
