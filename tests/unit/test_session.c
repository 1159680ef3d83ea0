/* Pure parts of sessions, throttling and session-bound CSRF tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crypto.h"
#include "csrf.h"
#include "session.h"
#include "throttle.h"

static const char token_a[] =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

static void
test_token_valid(void **state)
{
	char upper[SESSION_HEX_LEN + 1];

	(void)state;
	assert_true(session_token_valid(token_a));
	assert_false(session_token_valid(NULL));
	assert_false(session_token_valid(""));
	/* One short, one long, upper case, a non-hex byte. */
	assert_false(session_token_valid(token_a + 1));
	assert_false(session_token_valid("00112233445566778899aabbccddeeff00112"
	                                 "233445566778899aabbccddeeff0"));
	memcpy(upper, token_a, sizeof(upper));
	upper[20] = 'A';
	assert_false(session_token_valid(upper));
	upper[20] = 'g';
	assert_false(session_token_valid(upper));
}

static void
test_token_hash(void **state)
{
	unsigned char got[MODEL_SESSION_HASH_LEN], want[32];

	(void)state;
	/* The stored hash is SHA-256 of the cookie text, as a client can
	 * check (tests/integration/admin.test.mjs does). */
	session_token_hash(token_a, got);
	crypto_sha256(token_a, strlen(token_a), want);
	assert_memory_equal(got, want, sizeof(want));
}

static void
test_throttle_wait(void **state)
{
	long long ages[THROTTLE_MAX_FAILURES] = {10, 20, 30, 40, 100};

	(void)state;
	assert_int_equal(throttle_wait(ages, 0), 0);
	assert_int_equal(throttle_wait(ages, THROTTLE_MAX_FAILURES - 1), 0);
	/* The fifth newest (here the oldest) leaves the window first. */
	assert_int_equal(throttle_wait(ages, THROTTLE_MAX_FAILURES),
	                 THROTTLE_WINDOW - 100);
	/* At the edge of the window the wait never drops to 0. */
	ages[THROTTLE_MAX_FAILURES - 1] = THROTTLE_WINDOW;
	assert_int_equal(throttle_wait(ages, THROTTLE_MAX_FAILURES), 1);
}

static void
test_csrf_session(void **state)
{
	static const unsigned char raw[APP_SECRET_LEN] =
	    "0123456789abcdef0123456789abcde";
	struct crypto_hmac_key key;
	const struct crypto_hmac_key *secret = &key;
	char token[CSRF_TOKEN_LEN + 1], anon[CSRF_TOKEN_LEN + 1];

	(void)state;
	crypto_hmac_key_init(&key, raw, sizeof(raw));
	assert_int_equal(csrf_session_token(secret, token_a, token), 0);
	assert_true(csrf_session_check(secret, token_a, token));
	assert_false(csrf_session_check(secret, token_a, NULL));
	assert_false(csrf_session_check(secret, "", token));
	assert_false(csrf_session_check(secret, token_a + 1, token));
	/* The anonymous token of the same value is no session token, and
	 * the other way round. */
	assert_int_equal(csrf_anon_token(secret, token_a, anon), 0);
	assert_false(csrf_session_check(secret, token_a, anon));
	assert_false(csrf_anon_check(secret, token_a, token));
	token[5] ^= 1;
	assert_false(csrf_session_check(secret, token_a, token));
	crypto_hmac_key_clear(&key);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_token_valid),
	    cmocka_unit_test(test_token_hash),
	    cmocka_unit_test(test_throttle_wait),
	    cmocka_unit_test(test_csrf_session),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
