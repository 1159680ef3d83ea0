/* Cryptographic helpers: SHA-256, HMAC (SHA-256; SHA-1 for TOTP), PBKDF2,
 * base64 and constant-time
 * comparison from libnettle, random bytes from getrandom(2). Outside
 * src/tls/ (mbedtls), the only place that calls a crypto library. */
#ifndef BLOGD_CRYPTO_H
#define BLOGD_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include <nettle/hmac.h>

/* Fills buf from the kernel CSPRNG. 0 or -1. */
int crypto_random(void *buf, size_t len);
/* Lower-case hex of len bytes into out (2*len+1 bytes). */
void crypto_hex(const void *data, size_t len, char *out);
/* True when s is exactly hexlen characters of lower-case hex, as
 * crypto_hex writes them (cookie values, tokens). s may be NULL. */
bool crypto_hex_valid(const char *s, size_t hexlen);
void crypto_sha256(const void *data, size_t len, unsigned char out[32]);
/*
 * An HMAC-SHA-256 key with its pads already hashed. Read-only after
 * crypto_hmac_key_init, so threads share it; the owner clears it.
 */
struct crypto_hmac_key {
	struct hmac_sha256_ctx keyed;
};
void crypto_hmac_key_init(struct crypto_hmac_key *k, const void *key,
                          size_t keylen);
void crypto_hmac_key_clear(struct crypto_hmac_key *k);
/* One MAC over a message given in pieces: a stack value that
 * crypto_hmac_start fills and crypto_hmac_finish wipes. */
struct crypto_hmac {
	struct hmac_sha256_ctx ctx;
};
void crypto_hmac_start(struct crypto_hmac *h, const struct crypto_hmac_key *k);
void crypto_hmac_update(struct crypto_hmac *h, const void *data, size_t len);
void crypto_hmac_finish(struct crypto_hmac *h, unsigned char out[32]);
/* The three above over one buffer. */
void crypto_hmac_sha256(const struct crypto_hmac_key *k, const void *data,
                        size_t len, unsigned char out[32]);
/* HMAC-SHA-1 of data under key, for TOTP (RFC 6238 fixes SHA-1 for the
 * codes authenticator apps make; HMAC-SHA-1 is not weakened by SHA-1's
 * collisions). */
#define CRYPTO_SHA1_LEN 20
void crypto_hmac_sha1(const void *key, size_t keylen, const void *data,
                      size_t len, unsigned char out[CRYPTO_SHA1_LEN]);
/* PBKDF2-HMAC-SHA-256 (Django's pbkdf2_sha256). 0 or -1. */
int crypto_pbkdf2_sha256(const void *password, size_t passlen, const void *salt,
                         size_t saltlen, unsigned iterations, void *out,
                         size_t outlen);
/* Standard base64 (with padding) into out; 0, or -1 when in is not base64
 * or does not fit outmax. */
int crypto_base64_decode(const char *in, size_t inlen, void *out, size_t outmax,
                         size_t *outlen);
/* Standard base64 (with padding) of in into out, NUL-terminated; 0, or -1
 * when it does not fit outmax (4 * ceil(inlen / 3) + 1 bytes do). */
int crypto_base64_encode(const void *in, size_t inlen, char *out,
                         size_t outmax);
/* Constant-time comparison of two equal-length buffers. */
bool crypto_equal(const void *a, const void *b, size_t len);

#endif
