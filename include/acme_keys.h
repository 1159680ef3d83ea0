/*
 * The cryptography of the ACME client (src/tls/acme_keys.c, mbedtls):
 * P-256 keys, the JWK and its thumbprint (RFC 7638), ES256 signatures as
 * JWS wants them (raw r||s, RFC 7518 3.4), the certificate request, and
 * what blogd needs to know about a certificate chain it received.
 *
 * Secrets: a PEM private key returned here is heap memory the caller owns
 * and frees with xfree_secret (xalloc.h: zeroed first). Nothing here logs.
 * Thread-safe: no shared state; a struct acme_key belongs to one thread.
 */
#ifndef BLOGD_ACME_KEYS_H
#define BLOGD_ACME_KEYS_H

#include <stddef.h>
#include <time.h>

struct acme_key;

/* A new P-256 private key as PEM (caller frees with xfree_secret), or
 * NULL with err. */
char *acme_key_generate(char *err, size_t errlen);
/* Parses a PEM private key (P-256 only). NULL with err. */
struct acme_key *acme_key_load(const char *pem, char *err, size_t errlen);
void acme_key_free(struct acme_key *k);
/* {"crv":"P-256","kty":"EC","x":"...","y":"..."}: members in the order
 * RFC 7638 hashes them. Caller frees. */
char *acme_key_jwk(const struct acme_key *k);
/* base64url(SHA-256(JWK)), 43 characters + NUL. */
int acme_key_thumbprint(const struct acme_key *k, char out[44]);
/* ES256 signature of data, base64url of r||s. Caller frees; NULL on
 * failure. */
char *acme_key_sign(const struct acme_key *k, const void *data, size_t len);
/* base64url without padding. Caller frees. */
char *acme_b64url(const void *data, size_t len);
/* A CSR (DER, base64url) for key_pem naming the n domains as
 * subjectAltName (the first also as CN). Caller frees; NULL with err. */
char *acme_csr(const char *key_pem, const char *const *domains, size_t n,
               char *err, size_t errlen);

struct acme_cert_info {
	time_t not_before, not_after;
	char serial[100]; /* hex, as mbedtls prints it */
	char issuer[256]; /* distinguished name */
};
/* Parses a PEM chain (leaf first) and checks that key_pem belongs to the
 * leaf. 0, or -1 with err. */
int acme_cert_check(const char *chain_pem, const char *key_pem,
                    struct acme_cert_info *info, char *err, size_t errlen);

#endif
