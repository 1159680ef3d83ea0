/* Small cryptographic helpers over SHA-256 (sha256.h) and getrandom(2). */
#ifndef BLOGD_CRYPTO_H
#define BLOGD_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include "sha256.h"

/* Fills buf from the kernel CSPRNG. 0 or -1. */
int crypto_random(void *buf, size_t len);
/* Lower-case hex of len bytes into out (2*len+1 bytes). */
void crypto_hex(const void *data, size_t len, char *out);
/* True when s is exactly hexlen characters of lower-case hex, as
 * crypto_hex writes them (cookie values, tokens). s may be NULL. */
bool crypto_hex_valid(const char *s, size_t hexlen);
void crypto_sha256(const void *data, size_t len, unsigned char out[32]);
/*
 * An HMAC-SHA-256 key with its two padded key blocks hashed once: a MAC
 * then costs three SHA-256 blocks instead of five, and no allocation (a
 * cached post page derives one per request). Read-only after
 * crypto_hmac_key_init, so threads share it; the owner clears it.
 */
struct crypto_hmac_key {
	struct sha256 inner; /* after the key ^ ipad block */
	struct sha256 outer; /* after the key ^ opad block */
};
void crypto_hmac_key_init(struct crypto_hmac_key *k, const void *key,
                          size_t keylen);
void crypto_hmac_key_clear(struct crypto_hmac_key *k);
/* One MAC over a message given in pieces: a stack value that
 * crypto_hmac_finish wipes; the key must outlive it. */
struct crypto_hmac {
	struct sha256 inner;
	const struct crypto_hmac_key *key;
};
void crypto_hmac_start(struct crypto_hmac *h, const struct crypto_hmac_key *k);
void crypto_hmac_update(struct crypto_hmac *h, const void *data, size_t len);
void crypto_hmac_finish(struct crypto_hmac *h, unsigned char out[32]);
/* The three above over one buffer. */
void crypto_hmac_sha256(const struct crypto_hmac_key *k, const void *data,
                        size_t len, unsigned char out[32]);
/* Constant-time comparison of two equal-length buffers. */
bool crypto_equal(const void *a, const void *b, size_t len);

#endif
