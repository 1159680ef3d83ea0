/*
 * Keys, JWS signatures and certificate requests for the ACME client
 * (include/acme_keys.h), with mbedtls 3.6. Lives in src/tls/ because only
 * src/tls/ and src/util/crypto.c call mbedtls.
 */
#include "acme_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/base64.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ecp.h>
#include <mbedtls/error.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/x509_csr.h>
#include <psa/crypto.h>

#include "buf.h"
#include "crypto.h"
#include "xalloc.h"

#define ACME_PEM_MAX 4096 /* a P-256 key in PEM is ~230 bytes */
#define ACME_CSR_MAX 4096
#define P256_LEN     32

struct acme_key {
	mbedtls_pk_context pk;
};

/* mbedtls's random callback over the kernel's generator (getrandom). */
static int
acme_rng(void *unused, unsigned char *buf, size_t len)
{
	(void)unused;
	return crypto_random(buf, len) == 0 ? 0
	                                    : MBEDTLS_ERR_ERROR_GENERIC_ERROR;
}

static void
acme_mbed_error(char *err, size_t errlen, const char *what, int rc)
{
	char msg[160];

	mbedtls_strerror(rc, msg, sizeof(msg));
	snprintf(err, errlen, "%s: %s", what, msg);
}

/* mbedtls 3.6 runs parts of pk through PSA, which must be initialised
 * first; the call is cheap once done. */
static int
acme_psa(char *err, size_t errlen)
{
	if (psa_crypto_init() != PSA_SUCCESS) {
		snprintf(err, errlen, "cannot initialise PSA crypto");
		return -1;
	}
	return 0;
}

char *
acme_key_generate(char *err, size_t errlen)
{
	mbedtls_pk_context pk;
	unsigned char pem[ACME_PEM_MAX];
	char *out = NULL;
	int rc;

	if (acme_psa(err, errlen) == -1)
		return NULL;
	mbedtls_pk_init(&pk);
	if ((rc = mbedtls_pk_setup(
	         &pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY))) != 0 ||
	    (rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1,
	                              mbedtls_pk_ec(pk), acme_rng, NULL)) !=
	        0 ||
	    (rc = mbedtls_pk_write_key_pem(&pk, pem, sizeof(pem))) != 0)
		acme_mbed_error(err, errlen, "generating a P-256 key", rc);
	else
		out = xstrdup((const char *)pem);
	mbedtls_platform_zeroize(pem, sizeof(pem));
	mbedtls_pk_free(&pk);
	return out;
}

static int
acme_pk_parse(mbedtls_pk_context *pk, const char *pem, char *err, size_t errlen)
{
	int rc = mbedtls_pk_parse_key(pk, (const unsigned char *)pem,
	                              strlen(pem) + 1, NULL, 0, acme_rng, NULL);

	if (rc != 0) {
		acme_mbed_error(err, errlen, "private key", rc);
		return -1;
	}
	if (mbedtls_pk_get_type(pk) != MBEDTLS_PK_ECKEY ||
	    mbedtls_ecp_keypair_get_group_id(mbedtls_pk_ec(*pk)) !=
	        MBEDTLS_ECP_DP_SECP256R1) {
		snprintf(err, errlen, "private key: not a P-256 key");
		return -1;
	}
	return 0;
}

struct acme_key *
acme_key_load(const char *pem, char *err, size_t errlen)
{
	struct acme_key *k;

	if (acme_psa(err, errlen) == -1)
		return NULL;
	k = xcalloc(1, sizeof(*k));
	mbedtls_pk_init(&k->pk);
	if (acme_pk_parse(&k->pk, pem, err, errlen) == -1) {
		acme_key_free(k);
		return NULL;
	}
	return k;
}

void
acme_key_free(struct acme_key *k)
{
	if (k == NULL)
		return;
	mbedtls_pk_free(&k->pk);
	free(k);
}

char *
acme_b64url(const void *data, size_t len)
{
	size_t cap = 4 * ((len + 2) / 3) + 1, olen = 0;
	unsigned char *out = xmalloc(cap);

	/* The size is exact, so this cannot fail. */
	if (mbedtls_base64_encode(out, cap, &olen, data, len) != 0) {
		free(out);
		return NULL;
	}
	/* base64 → base64url: other alphabet, no padding (RFC 7515 2). */
	for (size_t i = 0; i < olen; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}
	while (olen > 0 && out[olen - 1] == '=')
		olen--;
	out[olen] = '\0';
	return (char *)out;
}

char *
acme_key_jwk(const struct acme_key *k)
{
	unsigned char pub[1 + 2 * P256_LEN];
	size_t olen = 0;
	struct buf b = BUF_INIT;

	/* Uncompressed point: 0x04 || X || Y. */
	if (mbedtls_ecp_write_public_key(mbedtls_pk_ec(k->pk),
	                                 MBEDTLS_ECP_PF_UNCOMPRESSED, &olen,
	                                 pub, sizeof(pub)) != 0 ||
	    olen != sizeof(pub))
		return NULL;
	char *x = acme_b64url(pub + 1, P256_LEN);
	char *y = acme_b64url(pub + 1 + P256_LEN, P256_LEN);
	if (x != NULL && y != NULL)
		buf_printf(&b,
		           "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\","
		           "\"y\":\"%s\"}",
		           x, y);
	free(x);
	free(y);
	return buf_detach(&b);
}

int
acme_key_thumbprint(const struct acme_key *k, char out[44])
{
	unsigned char hash[32];
	char *jwk = acme_key_jwk(k);

	if (jwk == NULL)
		return -1;
	crypto_sha256(jwk, strlen(jwk), hash);
	free(jwk);
	char *b = acme_b64url(hash, sizeof(hash));
	if (b == NULL || strlen(b) != 43) {
		free(b);
		return -1;
	}
	memcpy(out, b, 44);
	free(b);
	return 0;
}

/* mbedtls signs in DER (SEQUENCE { r INTEGER, s INTEGER }); JWS wants
 * the two numbers as fixed 32-byte big-endian strings. */
static int
acme_der_to_raw(const unsigned char *der, size_t len,
                unsigned char raw[2 * P256_LEN])
{
	unsigned char *p = (unsigned char *)der;
	const unsigned char *end = der + len;
	mbedtls_mpi r, s;
	size_t seq;
	int rc;

	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	if ((rc = mbedtls_asn1_get_tag(&p, end, &seq,
	                               MBEDTLS_ASN1_CONSTRUCTED |
	                                   MBEDTLS_ASN1_SEQUENCE)) == 0 &&
	    (rc = mbedtls_asn1_get_mpi(&p, end, &r)) == 0 &&
	    (rc = mbedtls_asn1_get_mpi(&p, end, &s)) == 0 &&
	    (rc = mbedtls_mpi_write_binary(&r, raw, P256_LEN)) == 0)
		rc = mbedtls_mpi_write_binary(&s, raw + P256_LEN, P256_LEN);
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	return rc == 0 ? 0 : -1;
}

char *
acme_key_sign(const struct acme_key *k, const void *data, size_t len)
{
	unsigned char hash[32], der[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
	unsigned char raw[2 * P256_LEN];
	size_t der_len = 0;

	crypto_sha256(data, len, hash);
	/* pk_sign does not change the key; the cast is its API's. */
	if (mbedtls_pk_sign((mbedtls_pk_context *)&k->pk, MBEDTLS_MD_SHA256,
	                    hash, sizeof(hash), der, sizeof(der), &der_len,
	                    acme_rng, NULL) != 0 ||
	    acme_der_to_raw(der, der_len, raw) == -1)
		return NULL;
	return acme_b64url(raw, sizeof(raw));
}

/* Builds the CSR into der[0..size); mbedtls writes it at the end. */
static int
acme_csr_write(mbedtls_pk_context *pk, const char *const *domains, size_t n,
               unsigned char *der, size_t size, char *err, size_t errlen)
{
	mbedtls_x509write_csr csr;
	mbedtls_x509_san_list *sans = xcalloc(n, sizeof(*sans));
	char cn[300];
	int rc;

	for (size_t i = 0; i < n; i++) {
		sans[i].node.type = MBEDTLS_X509_SAN_DNS_NAME;
		sans[i].node.san.unstructured_name.tag =
		    MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_X509_SAN_DNS_NAME;
		sans[i].node.san.unstructured_name.p =
		    (unsigned char *)domains[i];
		sans[i].node.san.unstructured_name.len = strlen(domains[i]);
		sans[i].next = i + 1 < n ? &sans[i + 1] : NULL;
	}
	/* The names were checked by config_load: no ',' '=' or '\\'. */
	snprintf(cn, sizeof(cn), "CN=%s", domains[0]);
	mbedtls_x509write_csr_init(&csr);
	mbedtls_x509write_csr_set_md_alg(&csr, MBEDTLS_MD_SHA256);
	mbedtls_x509write_csr_set_key(&csr, pk);
	if ((rc = mbedtls_x509write_csr_set_subject_name(&csr, cn)) != 0 ||
	    (rc = mbedtls_x509write_csr_set_subject_alternative_name(
	         &csr, sans)) != 0 ||
	    (rc = mbedtls_x509write_csr_der(&csr, der, size, acme_rng, NULL)) <
	        0)
		acme_mbed_error(err, errlen, "certificate request", rc);
	mbedtls_x509write_csr_free(&csr);
	free(sans);
	return rc;
}

char *
acme_csr(const char *key_pem, const char *const *domains, size_t n, char *err,
         size_t errlen)
{
	mbedtls_pk_context pk;
	unsigned char der[ACME_CSR_MAX];
	char *out = NULL;

	if (n == 0 || acme_psa(err, errlen) == -1)
		return NULL;
	mbedtls_pk_init(&pk);
	if (acme_pk_parse(&pk, key_pem, err, errlen) == 0) {
		int len = acme_csr_write(&pk, domains, n, der, sizeof(der), err,
		                         errlen);
		if (len > 0)
			out = acme_b64url(der + sizeof(der) - (size_t)len,
			                  (size_t)len);
	}
	mbedtls_pk_free(&pk);
	return out;
}

static time_t
acme_x509_time(const mbedtls_x509_time *t)
{
	struct tm tm = {
	    .tm_year = t->year - 1900,
	    .tm_mon = t->mon - 1,
	    .tm_mday = t->day,
	    .tm_hour = t->hour,
	    .tm_min = t->min,
	    .tm_sec = t->sec,
	};

	return timegm(&tm);
}

int
acme_cert_check(const char *chain_pem, const char *key_pem,
                struct acme_cert_info *info, char *err, size_t errlen)
{
	mbedtls_x509_crt chain;
	mbedtls_pk_context pk;
	int rc = -1, r;

	if (acme_psa(err, errlen) == -1)
		return -1;
	mbedtls_x509_crt_init(&chain);
	mbedtls_pk_init(&pk);
	r = mbedtls_x509_crt_parse(&chain, (const unsigned char *)chain_pem,
	                           strlen(chain_pem) + 1);
	if (r != 0) {
		if (r < 0)
			acme_mbed_error(err, errlen, "certificate chain", r);
		else
			snprintf(err, errlen,
			         "certificate chain: %d certificate(s) cannot "
			         "be parsed",
			         r);
		goto out;
	}
	if (acme_pk_parse(&pk, key_pem, err, errlen) == -1)
		goto out;
	if (mbedtls_pk_check_pair(&chain.pk, &pk, acme_rng, NULL) != 0) {
		snprintf(err, errlen,
		         "the certificate does not match its private key");
		goto out;
	}
	info->not_before = acme_x509_time(&chain.valid_from);
	info->not_after = acme_x509_time(&chain.valid_to);
	if (mbedtls_x509_serial_gets(info->serial, sizeof(info->serial),
	                             &chain.serial) < 0)
		snprintf(info->serial, sizeof(info->serial), "?");
	if (mbedtls_x509_dn_gets(info->issuer, sizeof(info->issuer),
	                         &chain.issuer) < 0)
		snprintf(info->issuer, sizeof(info->issuer), "?");
	rc = 0;
out:
	mbedtls_pk_free(&pk);
	mbedtls_x509_crt_free(&chain);
	return rc;
}
