/* libFuzzer: any csrf_token or form_stamp field a client may send; the
 * decoders must never crash, and a token they accept must mean one secret
 * whatever its mask. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "csrf.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char cookie[] =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct crypto_hmac_key key;
	static int ready;
	char *field = xstrndup((const char *)data, size), *again;
	unsigned char secret[CSRF_SECRET_LEN], back[CSRF_SECRET_LEN];
	size_t len = strlen(field);
	bool ok;

	if (!ready) {
		crypto_hmac_key_init(&key, "fuzz key", 8);
		ready = 1;
	}
	/* Accepted: exactly a masked or a bare token in lower-case hex. */
	ok = csrf_unmask(field, secret);
	if (ok != ((len == CSRF_TOKEN_LEN || len == 2 * CSRF_SECRET_LEN) &&
	           strspn(field, "0123456789abcdef") == len))
		abort();
	if (ok) {
		/* Masked again, it carries the same secret. */
		again = xmalloc(CSRF_TOKEN_LEN + 1);
		if (csrf_mask(secret, again) != 0 ||
		    !csrf_unmask(again, back) ||
		    memcmp(secret, back, sizeof(secret)) != 0)
			abort();
		free(again);
	}
	(void)csrf_anon_check(&key, cookie, field);
	(void)csrf_session_check(&key, cookie, field);
	/* A stamp is only ever one made with the key. */
	if (csrf_stamp_time(&key, field) >= 0 && len != CSRF_STAMP_LEN)
		abort();
	free(field);
	return 0;
}
