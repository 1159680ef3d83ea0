/* libFuzzer: any Cookie header; the parser must never crash or leak, and
 * what it returns must be what a header of cookies can say. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Optional white space, which the parser trims around names and values. */
static int
ows(char c)
{
	return c == ' ' || c == '\t';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *header = xstrndup((const char *)data, size);
	struct http_kv *kv = form_parse_cookies(header);
	size_t len = strlen(header);

	for (struct http_kv *p = kv; p != NULL; p = p->next) {
		size_t n = strlen(p->name), v = strlen(p->value);

		/* A name is there, trimmed, without the separators; a value
		 * has no ';' (it ends a cookie) and neither outgrows the
		 * header; the first cookie of a name is the one found. */
		if (n == 0 || ows(p->name[0]) || ows(p->name[n - 1]) ||
		    strchr(p->name, '=') != NULL ||
		    strchr(p->name, ';') != NULL ||
		    strchr(p->value, ';') != NULL || n + v >= len ||
		    form_get(kv, p->name) == NULL)
			abort();
	}
	form_free(kv);
	free(header);
	return 0;
}
