/* The ACME client's cryptography (src/tls/acme_keys.c): base64url, keys,
 * the JWK and its thumbprint, ES256 signatures and the CSR. The CA side
 * (pebble verifying them) is tests/integration/acme.test.mjs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "acme_keys.h"
#include "xalloc.h"

static bool
is_b64url(const char *s)
{
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                 "0123456789-_") == strlen(s);
}

static void
test_b64url(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} cases[] = {
	    {"", 0, ""},        {"f", 1, "Zg"},         {"fo", 2, "Zm8"},
	    {"foo", 3, "Zm9v"}, {"\xfb\xff", 2, "-_8"}, /* base64 "+/8=" */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *b = acme_b64url(cases[i].in, cases[i].len);
		assert_non_null(b);
		assert_string_equal(b, cases[i].out);
		free(b);
	}
}

static void
test_key_jwk_thumbprint(void **state)
{
	char err[256] = "", t1[44], t2[44];
	char *pem = acme_key_generate(err, sizeof(err));

	(void)state;
	assert_non_null(pem);
	assert_non_null(strstr(pem, "-----BEGIN EC PRIVATE KEY-----"));
	struct acme_key *k1 = acme_key_load(pem, err, sizeof(err));
	struct acme_key *k2 = acme_key_load(pem, err, sizeof(err));
	assert_non_null(k1);
	assert_non_null(k2);
	char *jwk = acme_key_jwk(k1);
	assert_non_null(jwk);
	/* RFC 7638: exactly these members, in this order. */
	const char head[] = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"";
	assert_memory_equal(jwk, head, sizeof(head) - 1);
	/* 32-byte coordinates: 43 base64url characters each. */
	assert_int_equal(strlen(jwk), sizeof(head) - 1 + 43 + 7 + 43 + 2);
	assert_int_equal(acme_key_thumbprint(k1, t1), 0);
	assert_int_equal(acme_key_thumbprint(k2, t2), 0);
	assert_int_equal(strlen(t1), 43);
	assert_true(is_b64url(t1));
	assert_string_equal(t1, t2);
	free(jwk);
	acme_key_free(k1);
	acme_key_free(k2);
	xfree_secret(pem);
}

static void
test_sign(void **state)
{
	char err[256] = "";
	char *pem = acme_key_generate(err, sizeof(err));
	struct acme_key *k = acme_key_load(pem, err, sizeof(err));

	(void)state;
	assert_non_null(k);
	char *s1 = acme_key_sign(k, "abc.def", 7);
	char *s2 = acme_key_sign(k, "abc.deg", 7);
	assert_non_null(s1);
	assert_non_null(s2);
	/* r||s: 64 bytes are 86 base64url characters. */
	assert_int_equal(strlen(s1), 86);
	assert_true(is_b64url(s1));
	assert_string_not_equal(s1, s2);
	free(s1);
	free(s2);
	acme_key_free(k);
	xfree_secret(pem);
}

static void
test_csr(void **state)
{
	const char *domains[] = {"blog.example", "www.blog.example"};
	char err[256] = "";
	char *pem = acme_key_generate(err, sizeof(err));

	(void)state;
	char *csr = acme_csr(pem, domains, 2, err, sizeof(err));
	assert_non_null(csr);
	assert_true(is_b64url(csr));
	/* DER SEQUENCE with a two-byte length: 0x30 0x82 is "MI". */
	assert_memory_equal(csr, "MI", 2);
	free(csr);
	assert_null(acme_csr("not a key", domains, 2, err, sizeof(err)));
	assert_non_null(strstr(err, "private key"));
	xfree_secret(pem);
}

static void
test_load_refuses(void **state)
{
	char err[256] = "";

	(void)state;
	assert_null(acme_key_load("-----BEGIN EC PRIVATE KEY-----\nAAAA\n"
	                          "-----END EC PRIVATE KEY-----\n",
	                          err, sizeof(err)));
	assert_non_null(strstr(err, "private key"));
	assert_int_equal(acme_cert_check("junk", "junk",
	                                 &(struct acme_cert_info){0}, err,
	                                 sizeof(err)),
	                 -1);
	assert_non_null(strstr(err, "certificate chain"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_b64url),
	    cmocka_unit_test(test_key_jwk_thumbprint),
	    cmocka_unit_test(test_sign),
	    cmocka_unit_test(test_csr),
	    cmocka_unit_test(test_load_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
