/*
 * Cryptographic helpers (include/crypto.h): every hash, MAC, key
 * derivation and constant-time comparison outside src/tls/ comes from
 * mbedtls through this file, and random bytes from the kernel's CSPRNG
 * (getrandom(2), which mbedtls's own entropy source reads too). No
 * primitive is written here.
 */
#include "crypto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <mbedtls/base64.h>
#include <mbedtls/constant_time.h>
#include <mbedtls/md.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>

#include "xalloc.h"

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

/* mbedtls fails these calls only on a bad context or out of memory, never
 * on input: a failure is a broken process, not an error to handle. */
static void
crypto_check(int rc, const char *what)
{
	if (rc != 0) {
		fprintf(stderr, "blogd: %s failed (mbedtls -0x%04x)\n", what,
		        (unsigned)-rc);
		abort();
	}
}

void
crypto_sha256(const void *data, size_t len, unsigned char out[32])
{
	crypto_check(mbedtls_sha256(data, len, out, 0), "SHA-256");
}

void
crypto_hmac_key_init(struct crypto_hmac_key *k, const void *key, size_t keylen)
{
	/* RFC 2104: a key longer than the block is hashed first, so the
	 * stored key never needs more than a block. */
	if (keylen > sizeof(k->key)) {
		crypto_sha256(key, keylen, k->key);
		k->len = 32;
	} else {
		memcpy(k->key, key, keylen);
		k->len = keylen;
	}
}

void
crypto_hmac_key_clear(struct crypto_hmac_key *k)
{
	mbedtls_platform_zeroize(k, sizeof(*k));
}

void
crypto_hmac_start(struct crypto_hmac *h, const struct crypto_hmac_key *k)
{
	mbedtls_md_context_t *md = xmalloc(sizeof(*md));

	mbedtls_md_init(md);
	h->md = md;
	crypto_check(mbedtls_md_setup(
	                 md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1),
	             "HMAC setup");
	crypto_check(mbedtls_md_hmac_starts(md, k->key, k->len), "HMAC");
}

void
crypto_hmac_update(struct crypto_hmac *h, const void *data, size_t len)
{
	crypto_check(mbedtls_md_hmac_update(h->md, data, len), "HMAC");
}

void
crypto_hmac_finish(struct crypto_hmac *h, unsigned char out[32])
{
	crypto_check(mbedtls_md_hmac_finish(h->md, out), "HMAC");
	mbedtls_md_free(h->md);
	free(h->md);
	h->md = NULL;
}

void
crypto_hmac_sha256(const struct crypto_hmac_key *k, const void *data,
                   size_t len, unsigned char out[32])
{
	struct crypto_hmac h;

	crypto_hmac_start(&h, k);
	crypto_hmac_update(&h, data, len);
	crypto_hmac_finish(&h, out);
}

int
crypto_pbkdf2_sha256(const void *password, size_t passlen, const void *salt,
                     size_t saltlen, unsigned iterations, void *out,
                     size_t outlen)
{
	return mbedtls_pkcs5_pbkdf2_hmac_ext(MBEDTLS_MD_SHA256, password,
	                                     passlen, salt, saltlen, iterations,
	                                     (uint32_t)outlen, out) == 0
	           ? 0
	           : -1;
}

int
crypto_base64_decode(const char *in, size_t inlen, void *out, size_t outmax,
                     size_t *outlen)
{
	return mbedtls_base64_decode(out, outmax, outlen,
	                             (const unsigned char *)in, inlen) == 0
	           ? 0
	           : -1;
}

int
crypto_base64_encode(const void *in, size_t inlen, char *out, size_t outmax)
{
	size_t n;

	return mbedtls_base64_encode((unsigned char *)out, outmax, &n, in,
	                             inlen) == 0
	           ? 0
	           : -1;
}

bool
crypto_equal(const void *a, const void *b, size_t len)
{
	return mbedtls_ct_memcmp(a, b, len) == 0;
}
