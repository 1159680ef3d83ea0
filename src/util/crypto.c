/* Cryptographic helpers (include/crypto.h) over mbedtls and getrandom(2). */
#include "crypto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <mbedtls/md.h>
#include <mbedtls/sha256.h>

int
crypto_random(void *buf, size_t len)
{
	unsigned char *p = buf;

	/* getrandom never returns short reads of <= 256 bytes, but a signal
	 * may interrupt larger ones. */
	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void
crypto_hex(const void *data, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 0xf];
	}
	out[2 * len] = '\0';
}

bool
crypto_hex_valid(const char *s, size_t hexlen)
{
	if (s == NULL || strlen(s) != hexlen)
		return false;
	for (size_t i = 0; i < hexlen; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* These mbedtls calls fail only on misuse (a bad md type), never on input;
 * the void interface has no way to report that, so stop loudly. */
static void
crypto_check(int rc, const char *what)
{
	if (rc != 0) {
		fprintf(stderr, "blogd: %s failed: -0x%04x\n", what, -rc);
		abort();
	}
}

void
crypto_sha256(const void *data, size_t len, unsigned char out[32])
{
	crypto_check(mbedtls_sha256_ret(data, len, out, 0), "sha256");
}

void
crypto_hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
                   unsigned char out[32])
{
	const mbedtls_md_info_t *md =
	    mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);

	crypto_check(
	    md == NULL ? -1 : mbedtls_md_hmac(md, key, keylen, data, len, out),
	    "hmac-sha256");
}

bool
crypto_equal(const void *a, const void *b, size_t len)
{
	const volatile unsigned char *pa = a, *pb = b;
	unsigned char diff = 0;

	for (size_t i = 0; i < len; i++)
		diff |= pa[i] ^ pb[i];
	return diff == 0;
}
