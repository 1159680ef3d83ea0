/* CSRF token derivation and checking (include/csrf.h), pure parts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "app.h"
#include "crypto.h"
#include "csrf.h"

static const unsigned char raw_a[APP_SECRET_LEN] =
    "0123456789abcdef0123456789abcde";
static const unsigned char raw_b[APP_SECRET_LEN] =
    "fedcba9876543210fedcba987654321";
/* The prepared keys of raw_a and raw_b (setup). */
static struct crypto_hmac_key key_a, key_b;
static const struct crypto_hmac_key *const secret_a = &key_a;
static const struct crypto_hmac_key *const secret_b = &key_b;
static const char cookie_a[] =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
static const char cookie_b[] =
    "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

static void
test_round_trip(void **state)
{
	char token[CSRF_HEX_LEN + 1];

	(void)state;
	csrf_derive(secret_a, "anon", cookie_a, token);
	assert_int_equal(strlen(token), CSRF_HEX_LEN);
	assert_true(csrf_anon_check(secret_a, cookie_a, token));
}

static void
test_matches_hmac(void **state)
{
	char token[CSRF_HEX_LEN + 1], want[CSRF_HEX_LEN + 1];
	unsigned char mac[32];
	char msg[128];

	(void)state;
	strcpy(msg, "anon:");
	strcat(msg, cookie_a);
	crypto_hmac_sha256(secret_a, msg, strlen(msg), mac);
	crypto_hex(mac, sizeof(mac), want);
	csrf_derive(secret_a, "anon", cookie_a, token);
	assert_string_equal(token, want);
}

static void
test_wrong_token(void **state)
{
	char token[CSRF_HEX_LEN + 1];

	(void)state;
	csrf_derive(secret_a, "anon", cookie_a, token);
	token[10] = token[10] == '0' ? '1' : '0';
	assert_false(csrf_anon_check(secret_a, cookie_a, token));
	assert_false(csrf_anon_check(secret_a, cookie_a, NULL));
	assert_false(csrf_anon_check(secret_a, cookie_a, ""));
	token[CSRF_HEX_LEN - 1] = '\0';
	assert_false(csrf_anon_check(secret_a, cookie_a, token));
}

static void
test_wrong_cookie_or_secret(void **state)
{
	char token[CSRF_HEX_LEN + 1], sess[CSRF_HEX_LEN + 1];

	(void)state;
	csrf_derive(secret_a, "anon", cookie_a, token);
	assert_false(csrf_anon_check(secret_a, cookie_b, token));
	assert_false(csrf_anon_check(secret_b, cookie_a, token));
	assert_false(csrf_anon_check(secret_a, NULL, token));
	/* A token of another scope never passes as an anonymous one. */
	csrf_derive(secret_a, "sess", cookie_a, sess);
	assert_string_not_equal(sess, token);
	assert_false(csrf_anon_check(secret_a, cookie_a, sess));
}

static void
test_cookie_shape(void **state)
{
	char upper[sizeof(cookie_a)];

	(void)state;
	assert_true(csrf_cookie_valid(cookie_a));
	assert_false(csrf_cookie_valid(NULL));
	assert_false(csrf_cookie_valid(""));
	assert_false(csrf_cookie_valid("abc"));
	strcpy(upper, cookie_a);
	upper[20] = 'A';
	assert_false(csrf_cookie_valid(upper));
	upper[20] = 'g';
	assert_false(csrf_cookie_valid(upper));
}

static int
setup(void **state)
{
	(void)state;
	crypto_hmac_key_init(&key_a, raw_a, sizeof(raw_a));
	crypto_hmac_key_init(&key_b, raw_b, sizeof(raw_b));
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	crypto_hmac_key_clear(&key_a);
	crypto_hmac_key_clear(&key_b);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_matches_hmac),
	    cmocka_unit_test(test_wrong_token),
	    cmocka_unit_test(test_wrong_cookie_or_secret),
	    cmocka_unit_test(test_cookie_shape),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
