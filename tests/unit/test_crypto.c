/* Unit tests for src/util/crypto.c against published test vectors and
 * against mbedtls called directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <mbedtls/md.h>

#include "crypto.h"

static void
sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char out[32];

	crypto_sha256(data, len, out);
	crypto_hex(out, sizeof(out), hex);
}

static void
test_sha256(void **state)
{
	static char million[1000000];
	char hex[65];

	(void)state;
	/* FIPS 180-2 appendix B: one block, two blocks (the length does
	 * not fit after the message), and a million 'a'. */
	sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a3961"
	                         "77a9cb410ff61f20015ad");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	           56, hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964f"
	                         "f2167f6ecedd419db06c1");
	memset(million, 'a', sizeof(million));
	sha256_hex(million, sizeof(million), hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a49"
	                         "7200e046d39ccc7112cd0");
	sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649"
	                         "b934ca495991b7852b855");
}

/* hex(HMAC-SHA-256(key, msg)) through a prepared key, used twice: the
 * prepared states must come out of a MAC unchanged. */
static void
hmac_hex(const void *key, size_t keylen, const char *msg, char hex[65])
{
	struct crypto_hmac_key k;
	unsigned char out[32], again[32];

	crypto_hmac_key_init(&k, key, keylen);
	crypto_hmac_sha256(&k, msg, strlen(msg), out);
	crypto_hmac_sha256(&k, msg, strlen(msg), again);
	crypto_hmac_key_clear(&k);
	assert_memory_equal(out, again, sizeof(out));
	crypto_hex(out, sizeof(out), hex);
}

static void
test_hmac_sha256(void **state)
{
	unsigned char key20[20], key131[131];
	char hex[65];

	(void)state;
	hmac_hex("key", 3, "The quick brown fox jumps over the lazy dog", hex);
	assert_string_equal(hex, "f7bc83f430538424b13298e6aa6fb143ef4d59a1494"
	                         "6175997479dbc2d1a3cd8");
	/* RFC 4231, test cases 1, 2 and 6 (a key longer than a block). */
	memset(key20, 0x0b, sizeof(key20));
	hmac_hex(key20, sizeof(key20), "Hi There", hex);
	assert_string_equal(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c98"
	                         "33da726e9376c2e32cff7");
	hmac_hex("Jefe", 4, "what do ya want for nothing?", hex);
	assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2"
	                         "739839dec58b964ec3843");
	memset(key131, 0xaa, sizeof(key131));
	hmac_hex(key131, sizeof(key131),
	         "Test Using Larger Than Block-Size Key - Hash Key First", hex);
	assert_string_equal(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc621372"
	                         "8c5140546040f0ee37f54");
}

/* A MAC fed in pieces equals mbedtls's HMAC over the whole message. */
static void
test_hmac_pieces(void **state)
{
	const mbedtls_md_info_t *md =
	    mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	unsigned char key[40], msg[200], want[32], got[32];
	struct crypto_hmac_key k;
	struct crypto_hmac h;

	(void)state;
	assert_int_equal(crypto_random(key, sizeof(key)), 0);
	assert_int_equal(crypto_random(msg, sizeof(msg)), 0);
	crypto_hmac_key_init(&k, key, sizeof(key));
	for (size_t len = 0; len <= sizeof(msg); len += 7) {
		crypto_hmac_start(&h, &k);
		crypto_hmac_update(&h, msg, len / 3);
		crypto_hmac_update(&h, msg + len / 3, len - len / 3);
		crypto_hmac_finish(&h, got);
		assert_int_equal(
		    mbedtls_md_hmac(md, key, sizeof(key), msg, len, want), 0);
		assert_memory_equal(got, want, sizeof(want));
	}
	crypto_hmac_key_clear(&k);
}

static void
test_hex(void **state)
{
	static const unsigned char in[] = {0x00, 0x0f, 0xa5, 0xff};
	char out[9];

	(void)state;
	crypto_hex(in, sizeof(in), out);
	assert_string_equal(out, "000fa5ff");
	crypto_hex(in, 0, out);
	assert_string_equal(out, "");
}

static void
test_hex_valid(void **state)
{
	(void)state;
	assert_true(crypto_hex_valid("000fa5ff", 8));
	assert_true(crypto_hex_valid("", 0));
	assert_false(crypto_hex_valid(NULL, 8));
	assert_false(crypto_hex_valid("000fa5f", 8));   /* short */
	assert_false(crypto_hex_valid("000fa5ff0", 8)); /* long */
	assert_false(crypto_hex_valid("000FA5FF", 8));  /* upper case */
	assert_false(crypto_hex_valid("000fa5fg", 8));
}

static void
test_random(void **state)
{
	unsigned char a[32], b[32], big[4096];

	(void)state;
	assert_int_equal(crypto_random(a, sizeof(a)), 0);
	assert_int_equal(crypto_random(b, sizeof(b)), 0);
	assert_false(crypto_equal(a, b, sizeof(a)));
	assert_int_equal(crypto_random(big, sizeof(big)), 0);
}

/* RFC 2202 section 3: test cases 1, 2 and 6 (a key longer than a block). */
static void
test_hmac_sha1(void **state)
{
	unsigned char key[80], mac[CRYPTO_SHA1_LEN];
	char hex[2 * CRYPTO_SHA1_LEN + 1];
	static const char long_msg[] =
	    "Test Using Larger Than Block-Size Key - Hash Key First";

	(void)state;
	memset(key, 0x0b, 20);
	crypto_hmac_sha1(key, 20, "Hi There", 8, mac);
	crypto_hex(mac, sizeof(mac), hex);
	assert_string_equal(hex, "b617318655057264e28bc0b6fb378c8ef146be00");
	crypto_hmac_sha1("Jefe", 4, "what do ya want for nothing?", 28, mac);
	crypto_hex(mac, sizeof(mac), hex);
	assert_string_equal(hex, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
	memset(key, 0xaa, sizeof(key));
	crypto_hmac_sha1(key, sizeof(key), long_msg, strlen(long_msg), mac);
	crypto_hex(mac, sizeof(mac), hex);
	assert_string_equal(hex, "aa4ae5e15272d00e95705637ce8a3b55ed402112");
}

static void
test_equal(void **state)
{
	(void)state;
	assert_true(crypto_equal("abcd", "abcd", 4));
	assert_false(crypto_equal("abcd", "abce", 4));
	assert_false(crypto_equal("xbcd", "abcd", 4));
	assert_true(crypto_equal("a", "b", 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sha256),
	    cmocka_unit_test(test_hmac_sha256),
	    cmocka_unit_test(test_hmac_pieces),
	    cmocka_unit_test(test_hmac_sha1),
	    cmocka_unit_test(test_hex),
	    cmocka_unit_test(test_random),
	    cmocka_unit_test(test_equal),
	    cmocka_unit_test(test_hex_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
