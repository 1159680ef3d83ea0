/* CSRF tokens, their masks and form stamps (include/csrf.h), pure parts. */
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

/* A masked anonymous token for cookie under key. */
static void
anon_token(const struct crypto_hmac_key *key, const char *cookie,
           char out[CSRF_TOKEN_LEN + 1])
{
	assert_int_equal(csrf_anon_token(key, cookie, out), 0);
}

static void
test_round_trip(void **state)
{
	char token[CSRF_TOKEN_LEN + 1];

	(void)state;
	anon_token(secret_a, cookie_a, token);
	assert_int_equal(strlen(token), CSRF_TOKEN_LEN);
	assert_true(csrf_anon_check(secret_a, cookie_a, token));
}

static void
test_masks_differ(void **state)
{
	char t1[CSRF_TOKEN_LEN + 1], t2[CSRF_TOKEN_LEN + 1];
	unsigned char s1[CSRF_SECRET_LEN], s2[CSRF_SECRET_LEN];

	(void)state;
	anon_token(secret_a, cookie_a, t1);
	anon_token(secret_a, cookie_a, t2);
	/* Fresh masks: no byte pattern repeats between two pages... */
	assert_string_not_equal(t1, t2);
	assert_memory_not_equal(t1 + CSRF_TOKEN_LEN / 2,
	                        t2 + CSRF_TOKEN_LEN / 2, CSRF_TOKEN_LEN / 2);
	/* ...yet both carry the one secret, and both pass. */
	assert_true(csrf_unmask(t1, s1));
	assert_true(csrf_unmask(t2, s2));
	assert_memory_equal(s1, s2, sizeof(s1));
	assert_true(csrf_anon_check(secret_a, cookie_a, t1));
	assert_true(csrf_anon_check(secret_a, cookie_a, t2));
}

static void
test_matches_hmac(void **state)
{
	unsigned char secret[CSRF_SECRET_LEN], want[32];
	char msg[128], hex[2 * CSRF_SECRET_LEN + 1];

	(void)state;
	strcpy(msg, "anon:");
	strcat(msg, cookie_a);
	crypto_hmac_sha256(secret_a, msg, strlen(msg), want);
	csrf_derive(secret_a, "anon", cookie_a, secret);
	assert_memory_equal(secret, want, sizeof(want));
	/* The bare secret in hex (what blogd wrote before masking) passes. */
	crypto_hex(secret, sizeof(secret), hex);
	assert_true(csrf_anon_check(secret_a, cookie_a, hex));
}

static void
test_unmask_shapes(void **state)
{
	char token[CSRF_TOKEN_LEN + 1], bad[CSRF_TOKEN_LEN + 2];
	unsigned char secret[CSRF_SECRET_LEN];

	(void)state;
	anon_token(secret_a, cookie_a, token);
	assert_false(csrf_unmask(NULL, secret));
	assert_false(csrf_unmask("", secret));
	assert_false(csrf_unmask("abc", secret));
	strcpy(bad, token);
	bad[CSRF_TOKEN_LEN - 1] = '\0'; /* truncated by one */
	assert_false(csrf_unmask(bad, secret));
	strcpy(bad, token);
	strcat(bad, "0"); /* one too many */
	assert_false(csrf_unmask(bad, secret));
	strcpy(bad, token);
	bad[5] = 'G';
	assert_false(csrf_unmask(bad, secret));
	bad[5] = 'A'; /* upper case is not what we write */
	assert_false(csrf_unmask(bad, secret));
}

static void
test_wrong_token(void **state)
{
	char token[CSRF_TOKEN_LEN + 1], was;

	(void)state;
	anon_token(secret_a, cookie_a, token);
	/* A changed digit in the mask half or the masked half. */
	for (size_t i = 10; i < CSRF_TOKEN_LEN; i += 90) {
		was = token[i];
		token[i] = was == '0' ? '1' : '0';
		assert_false(csrf_anon_check(secret_a, cookie_a, token));
		token[i] = was;
	}
	assert_true(csrf_anon_check(secret_a, cookie_a, token));
	assert_false(csrf_anon_check(secret_a, cookie_a, NULL));
	assert_false(csrf_anon_check(secret_a, cookie_a, ""));
	/* Cut to the length of a bare secret: the mask alone fails. */
	token[2 * CSRF_SECRET_LEN] = '\0';
	assert_false(csrf_anon_check(secret_a, cookie_a, token));
}

static void
test_wrong_cookie_or_secret(void **state)
{
	char token[CSRF_TOKEN_LEN + 1], sess[CSRF_TOKEN_LEN + 1];

	(void)state;
	anon_token(secret_a, cookie_a, token);
	assert_false(csrf_anon_check(secret_a, cookie_b, token));
	assert_false(csrf_anon_check(secret_b, cookie_a, token));
	assert_false(csrf_anon_check(secret_a, NULL, token));
	/* A token of another scope never passes as an anonymous one. */
	assert_int_equal(csrf_session_token(secret_a, cookie_a, sess), 0);
	assert_false(csrf_anon_check(secret_a, cookie_a, sess));
	assert_true(csrf_session_check(secret_a, cookie_a, sess));
	assert_false(csrf_session_check(secret_a, cookie_b, sess));
	assert_false(csrf_session_check(secret_a, "", sess));
	assert_false(csrf_session_check(secret_a, cookie_a, token));
}

static void
test_stamp(void **state)
{
	char stamp[CSRF_STAMP_LEN + 1], other[CSRF_STAMP_LEN + 1];
	const long long t = 1764900000;

	(void)state;
	csrf_stamp(secret_a, t, stamp);
	assert_int_equal(strlen(stamp), CSRF_STAMP_LEN);
	assert_int_equal(csrf_stamp_time(secret_a, stamp), t);
	/* Another time, another key, an altered digit, odd shapes. */
	csrf_stamp(secret_a, t + 1, other);
	assert_string_not_equal(stamp, other);
	assert_int_equal(csrf_stamp_time(secret_b, stamp), -1);
	strcpy(other, stamp);
	other[15] = other[15] == '0' ? '1' : '0'; /* the time, backdated */
	assert_int_equal(csrf_stamp_time(secret_a, other), -1);
	other[15] = stamp[15];
	other[40] = other[40] == '0' ? '1' : '0';
	assert_int_equal(csrf_stamp_time(secret_a, other), -1);
	assert_int_equal(csrf_stamp_time(secret_a, NULL), -1);
	assert_int_equal(csrf_stamp_time(secret_a, ""), -1);
	other[CSRF_STAMP_LEN - 1] = '\0';
	assert_int_equal(csrf_stamp_time(secret_a, other), -1);
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
	    cmocka_unit_test(test_masks_differ),
	    cmocka_unit_test(test_matches_hmac),
	    cmocka_unit_test(test_unmask_shapes),
	    cmocka_unit_test(test_wrong_token),
	    cmocka_unit_test(test_wrong_cookie_or_secret),
	    cmocka_unit_test(test_stamp),
	    cmocka_unit_test(test_cookie_shape),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
