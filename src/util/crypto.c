/* Cryptographic helpers (include/crypto.h) over sha256.c and getrandom(2). */
#include "crypto.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <mbedtls/platform_util.h>

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

void
crypto_sha256(const void *data, size_t len, unsigned char out[32])
{
	struct sha256 s;

	sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_finish(&s, out);
}

/* A SHA-256 state after one 64-byte block of key ^ pad (RFC 2104). */
static void
crypto_hmac_pad(struct sha256 *s, const unsigned char key[64],
                unsigned char pad)
{
	unsigned char block[64];

	for (size_t i = 0; i < sizeof(block); i++)
		block[i] = key[i] ^ pad;
	sha256_init(s);
	sha256_update(s, block, sizeof(block));
	mbedtls_platform_zeroize(block, sizeof(block));
}

void
crypto_hmac_key_init(struct crypto_hmac_key *k, const void *key, size_t keylen)
{
	unsigned char block[64] = {0};

	/* Longer keys are hashed first, shorter ones zero-padded. */
	if (keylen > sizeof(block))
		crypto_sha256(key, keylen, block);
	else
		memcpy(block, key, keylen);
	crypto_hmac_pad(&k->inner, block, 0x36);
	crypto_hmac_pad(&k->outer, block, 0x5c);
	mbedtls_platform_zeroize(block, sizeof(block));
}

void
crypto_hmac_key_clear(struct crypto_hmac_key *k)
{
	mbedtls_platform_zeroize(k, sizeof(*k));
}

void
crypto_hmac_start(struct crypto_hmac *h, const struct crypto_hmac_key *k)
{
	h->inner = k->inner;
	h->key = k;
}

void
crypto_hmac_update(struct crypto_hmac *h, const void *data, size_t len)
{
	sha256_update(&h->inner, data, len);
}

void
crypto_hmac_finish(struct crypto_hmac *h, unsigned char out[32])
{
	struct sha256 outer = h->key->outer;
	unsigned char inner[32];

	sha256_finish(&h->inner, inner);
	sha256_update(&outer, inner, sizeof(inner));
	sha256_finish(&outer, out);
	mbedtls_platform_zeroize(inner, sizeof(inner));
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

bool
crypto_equal(const void *a, const void *b, size_t len)
{
	const volatile unsigned char *pa = a, *pb = b;
	unsigned char diff = 0;

	for (size_t i = 0; i < len; i++)
		diff |= pa[i] ^ pb[i];
	return diff == 0;
}
