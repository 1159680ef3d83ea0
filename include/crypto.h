/* Small cryptographic helpers over mbedtls and getrandom(2). */
#ifndef BLOGD_CRYPTO_H
#define BLOGD_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

/* Fills buf from the kernel CSPRNG. 0 or -1. */
int crypto_random(void *buf, size_t len);
/* Lower-case hex of len bytes into out (2*len+1 bytes). */
void crypto_hex(const void *data, size_t len, char *out);
/* True when s is exactly hexlen characters of lower-case hex, as
 * crypto_hex writes them (cookie values, tokens). s may be NULL. */
bool crypto_hex_valid(const char *s, size_t hexlen);
void crypto_sha256(const void *data, size_t len, unsigned char out[32]);
void crypto_hmac_sha256(const void *key, size_t keylen, const void *data,
                        size_t len, unsigned char out[32]);
/* Constant-time comparison of two equal-length buffers. */
bool crypto_equal(const void *a, const void *b, size_t len);

#endif
