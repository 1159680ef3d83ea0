/*
 * CSRF tokens and form stamps, the pure part (include/csrf.h): secrets,
 * masks, checks and stamps from a key and strings, nothing of a request,
 * so that a fuzz target can take it alone (tests/fuzz/fuzz_csrf.c).
 */
#include "csrf.h"

#include <stdint.h>
#include <string.h>

#include "crypto.h"
#include "log.h"

#define CSRF_SCOPE_ANON  "anon"
#define CSRF_SCOPE_SESS  "sess"
#define CSRF_SCOPE_STAMP "stamp"
#define CSRF_TIME_HEX    16   /* a stamp's time: 64 bits in hex */
#define CSRF_POOL        4096 /* random bytes fetched at once for masks */

void
csrf_derive(const struct crypto_hmac_key *key, const char *scope,
            const char *binding, unsigned char out[CSRF_SECRET_LEN])
{
	struct crypto_hmac h;

	/* The MAC of "scope:binding", fed in pieces: no copy. */
	crypto_hmac_start(&h, key);
	crypto_hmac_update(&h, scope, strlen(scope));
	crypto_hmac_update(&h, ":", 1);
	crypto_hmac_update(&h, binding, strlen(binding));
	crypto_hmac_finish(&h, out);
}

/*
 * Mask bytes for this thread: every page with a form needs 32, so they
 * come from the kernel CSPRNG CSRF_POOL bytes at a time (one getrandom
 * call per 128 masks instead of one per page, which cost several times
 * the MAC here) and each byte is used once and wiped. 0 or -1.
 */
static int
csrf_mask_bytes(unsigned char *out, size_t n)
{
	static _Thread_local struct {
		unsigned char bytes[CSRF_POOL];
		size_t left;
	} pool;

	if (pool.left < n) {
		if (crypto_random(pool.bytes, sizeof(pool.bytes)) != 0)
			return -1;
		pool.left = sizeof(pool.bytes);
	}
	pool.left -= n;
	memcpy(out, pool.bytes + pool.left, n);
	explicit_bzero(pool.bytes + pool.left, n);
	return 0;
}

int
csrf_mask(const unsigned char secret[CSRF_SECRET_LEN],
          char out[CSRF_TOKEN_LEN + 1])
{
	unsigned char both[2 * CSRF_SECRET_LEN];

	if (csrf_mask_bytes(both, CSRF_SECRET_LEN) != 0) {
		log_err("csrf: no random bytes for a token mask");
		return -1;
	}
	for (size_t i = 0; i < CSRF_SECRET_LEN; i++)
		both[CSRF_SECRET_LEN + i] = both[i] ^ secret[i];
	crypto_hex(both, sizeof(both), out);
	return 0;
}

/* Lower-case hex digit to its value; the caller checked it is one. */
static unsigned
csrf_nibble(char c)
{
	return c <= '9' ? (unsigned)(c - '0') : (unsigned)(c - 'a' + 10);
}

/* n bytes from 2n hex digits that crypto_hex_valid accepted. */
static void
csrf_unhex(const char *hex, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (unsigned char)(csrf_nibble(hex[2 * i]) << 4 |
		                         csrf_nibble(hex[2 * i + 1]));
}

bool
csrf_unmask(const char *token, unsigned char secret[CSRF_SECRET_LEN])
{
	unsigned char both[2 * CSRF_SECRET_LEN];

	if (crypto_hex_valid(token, CSRF_TOKEN_LEN)) {
		csrf_unhex(token, both, sizeof(both));
		for (size_t i = 0; i < CSRF_SECRET_LEN; i++)
			secret[i] = both[i] ^ both[CSRF_SECRET_LEN + i];
		return true;
	}
	if (crypto_hex_valid(token, 2 * CSRF_SECRET_LEN)) {
		csrf_unhex(token, secret, CSRF_SECRET_LEN);
		return true;
	}
	return false;
}

bool
csrf_cookie_valid(const char *value)
{
	return crypto_hex_valid(value, CSRF_HEX_LEN);
}

/* True when token is a token of scope and binding (constant time). */
static bool
csrf_match(const struct crypto_hmac_key *key, const char *scope,
           const char *binding, const char *token)
{
	unsigned char want[CSRF_SECRET_LEN], got[CSRF_SECRET_LEN];

	if (!csrf_unmask(token, got))
		return false;
	csrf_derive(key, scope, binding, want);
	return crypto_equal(want, got, sizeof(want));
}

bool
csrf_anon_check(const struct crypto_hmac_key *key, const char *cookie,
                const char *token)
{
	return csrf_cookie_valid(cookie) &&
	       csrf_match(key, CSRF_SCOPE_ANON, cookie, token);
}

/* A fresh masking of the secret of scope and binding. */
static int
csrf_token(const struct crypto_hmac_key *key, const char *scope,
           const char *binding, char out[CSRF_TOKEN_LEN + 1])
{
	unsigned char secret[CSRF_SECRET_LEN];

	csrf_derive(key, scope, binding, secret);
	return csrf_mask(secret, out);
}

int
csrf_anon_token(const struct crypto_hmac_key *key, const char *cookie,
                char out[CSRF_TOKEN_LEN + 1])
{
	return csrf_token(key, CSRF_SCOPE_ANON, cookie, out);
}

int
csrf_session_token(const struct crypto_hmac_key *key, const char *binding,
                   char out[CSRF_TOKEN_LEN + 1])
{
	return csrf_token(key, CSRF_SCOPE_SESS, binding, out);
}

bool
csrf_session_check(const struct crypto_hmac_key *key, const char *binding,
                   const char *token)
{
	return binding != NULL && *binding != '\0' &&
	       csrf_match(key, CSRF_SCOPE_SESS, binding, token);
}

/* ---- form stamps ---- */

void
csrf_stamp(const struct crypto_hmac_key *key, long long now,
           char out[CSRF_STAMP_LEN + 1])
{
	unsigned char t[CSRF_TIME_HEX / 2], mac[CSRF_SECRET_LEN];
	uint64_t v = (uint64_t)now;

	for (size_t i = 0; i < sizeof(t); i++)
		t[i] = (unsigned char)(v >> (8 * (sizeof(t) - 1 - i)));
	crypto_hex(t, sizeof(t), out);
	csrf_derive(key, CSRF_SCOPE_STAMP, out, mac);
	crypto_hex(mac, sizeof(mac), out + CSRF_TIME_HEX);
}

long long
csrf_stamp_time(const struct crypto_hmac_key *key, const char *stamp)
{
	char want[CSRF_STAMP_LEN + 1];
	unsigned char t[CSRF_TIME_HEX / 2];
	uint64_t v = 0;

	if (!crypto_hex_valid(stamp, CSRF_STAMP_LEN))
		return -1;
	csrf_unhex(stamp, t, sizeof(t));
	for (size_t i = 0; i < sizeof(t); i++)
		v = v << 8 | t[i];
	if (v > INT64_MAX)
		return -1;
	csrf_stamp(key, (long long)v, want);
	if (!crypto_equal(want, stamp, CSRF_STAMP_LEN))
		return -1;
	return (long long)v;
}
