/* Unit tests for the pure parts of src/auth/totp.c: RFC 6238's test
 * vectors, the window, recovery codes and the key URI. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "crypto.h"
#include "totp.h"

/* RFC 6238 appendix B's SHA-1 key (20 bytes). */
static const unsigned char rfc_key[MODEL_TOTP_SECRET_LEN] =
    "12345678901234567890";

/* Appendix B's SHA-1 column, cut to the 6 digits apps show (the 8-digit
 * values mod 10^6). */
static void
test_rfc6238_vectors(void **state)
{
	static const struct {
		long long t;
		unsigned code;
	} v[] = {
	    {59, 287082},       {1111111109, 81804},  {1111111111, 50471},
	    {1234567890, 5924}, {2000000000, 279037}, {20000000000, 353130},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_int_equal(totp_code(rfc_key, sizeof(rfc_key),
		                           totp_step((time_t)v[i].t)),
		                 v[i].code);
}

static void
code_at(long long step, char out[8])
{
	snprintf(out, 8, "%06u", totp_code(rfc_key, sizeof(rfc_key), step));
}

static void
test_match_window(void **state)
{
	const long long now = totp_step(1234567890);
	char code[8], spaced[16];

	(void)state;
	for (long long d = -1; d <= 1; d++) {
		code_at(now + d, code);
		assert_int_equal(totp_match(rfc_key, code, now), now + d);
	}
	/* Two steps away is outside the window. */
	code_at(now - 2, code);
	assert_int_equal(totp_match(rfc_key, code, now), -1);
	code_at(now + 2, code);
	assert_int_equal(totp_match(rfc_key, code, now), -1);
	/* "005 924" as an app groups it; leading zeros count. */
	code_at(now, code);
	snprintf(spaced, sizeof(spaced), "%.3s %s", code, code + 3);
	assert_int_equal(totp_match(rfc_key, spaced, now), now);
	assert_int_equal(totp_match(rfc_key, "5924", now), -1);
	assert_int_equal(totp_match(rfc_key, "0059240", now), -1);
	assert_int_equal(totp_match(rfc_key, "00592x", now), -1);
	assert_int_equal(totp_match(rfc_key, "", now), -1);
}

static void
test_recovery(void **state)
{
	char codes[MODEL_TOTP_RECOVERY_N][TOTP_RECOVERY_SIZE];
	unsigned char hashes[MODEL_TOTP_RECOVERY_N][MODEL_TOTP_RECOVERY_LEN];
	unsigned char h[MODEL_TOTP_RECOVERY_LEN];
	char upper[TOTP_RECOVERY_SIZE];

	(void)state;
	assert_int_equal(totp_recovery_new(codes, hashes), 0);
	for (size_t i = 0; i < MODEL_TOTP_RECOVERY_N; i++) {
		assert_int_equal(strlen(codes[i]), TOTP_RECOVERY_SIZE - 1);
		assert_true(codes[i][4] == '-' && codes[i][9] == '-' &&
		            codes[i][14] == '-');
		assert_true(totp_recovery_hash(codes[i], h));
		assert_memory_equal(h, hashes[i], sizeof(h));
		/* Typed in upper case and without dashes: the same code. */
		size_t k = 0;
		for (const char *p = codes[i]; *p != '\0'; p++)
			if (*p != '-')
				upper[k++] = (char)(*p >= 'a' && *p <= 'z'
				                        ? *p - 'a' + 'A'
				                        : *p);
		upper[k] = '\0';
		assert_true(totp_recovery_hash(upper, h));
		assert_memory_equal(h, hashes[i], sizeof(h));
		if (i > 0)
			assert_string_not_equal(codes[i], codes[i - 1]);
	}
	assert_false(totp_recovery_hash("abcd-efgh-ijkl-mno", h));
	assert_false(totp_recovery_hash("abcd-efgh-ijkl-mnop2", h));
	assert_false(totp_recovery_hash("abcd-efgh-ijkl-mn01", h));
	assert_false(totp_recovery_hash("287082", h));
}

static void
test_uri(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	totp_uri(&b, "My Blog & Co", "ed.itor", rfc_key);
	assert_string_equal(buf_cstr(&b),
	                    "otpauth://totp/My%20Blog%20%26%20Co:ed.itor"
	                    "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	                    "&issuer=My%20Blog%20%26%20Co");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc6238_vectors),
	    cmocka_unit_test(test_match_window),
	    cmocka_unit_test(test_recovery),
	    cmocka_unit_test(test_uri),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
