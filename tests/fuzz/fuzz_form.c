/* libFuzzer: percent-decoding and urlencoded bodies must never crash or
 * leak, nor the e-mail check on a decoded value (a comment's address).
 * (Cookies: fuzz_cookie; queries of a target: fuzz_query.) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *src = (const char *)data;
	char *s;
	struct http_kv *kv;

	for (int plus = 0; plus < 2; plus++) {
		s = form_decode(src, size, plus);
		/* A result never holds a NUL and never grows. */
		if (s != NULL && strlen(s) > size)
			abort();
		free(s);
	}
	kv = form_parse(src, size);
	for (struct http_kv *p = kv; p != NULL; p = p->next)
		if (p->name[0] == '\0' || form_get(kv, p->name) == NULL ||
		    (text_is_email(p->value) && strchr(p->value, '@') == NULL))
			abort();
	form_free(kv);
	return 0;
}
