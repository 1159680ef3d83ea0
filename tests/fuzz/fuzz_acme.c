/*
 * libFuzzer: what an ACME server answers (header lines, authorization
 * JSON) must never crash, and a token that passes must be one blogd can
 * store and serve as a URL segment.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/acme/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_headers(const char *src, size_t size)
{
	static const char *const names[] = {"Replay-Nonce", "Location",
	                                    "Content-Type"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *v = acme_header_value(src, size, names[i]);
		/* A value is part of the line, trimmed: never longer. */
		if (v != NULL && strlen(v) >= size)
			abort();
		free(v);
	}
}

static void
check_authz(const json_t *authz)
{
	const char *token = NULL, *url = NULL;
	char why[512];
	bool bad;

	if (acme_http01(authz, &token, &url, &bad) != NULL && !bad) {
		size_t n = strlen(token);
		if (n < 16 || n > ACME_TOKEN_MAX || url == NULL ||
		    strspn(token,
		           "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		           "abcdefghijklmnopqrstuvwxyz0123456789-_") != n)
			abort();
	}
	acme_authz_reason(authz, "blog.test", why, sizeof(why));
	if (memchr(why, '\0', sizeof(why)) == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *src = (const char *)data;
	json_error_t je;
	json_t *j;

	check_headers(src, size);
	j = json_loadb(src, size, 0, &je);
	if (j != NULL)
		check_authz(j);
	json_decref(j);
	return 0;
}
