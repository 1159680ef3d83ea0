/* libFuzzer: any request target; the query parser (what follows the first
 * '?') must never crash or leak, and keep its invariants. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *target = xstrndup((const char *)data, size);
	const char *q = strchr(target, '?');
	struct http_kv *kv = form_parse_query(target);

	/* No '?': no query at all. */
	if (q == NULL && kv != NULL)
		abort();
	for (struct http_kv *p = kv; p != NULL; p = p->next) {
		/* Decoding only shrinks (NULs are refused, so strlen is the
		 * length), names are never empty, and a name is found. */
		if (p->name[0] == '\0' ||
		    strlen(p->name) + strlen(p->value) > strlen(q + 1) ||
		    form_get(kv, p->name) == NULL)
			abort();
	}
	form_free(kv);
	free(target);
	return 0;
}
