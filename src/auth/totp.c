/*
 * Two-factor sign-in (include/totp.h). The HMAC is libnettle's
 * (crypto_hmac_sha1); this file does RFC 4226's dynamic truncation, which
 * picks digits out of the MAC and is no cryptographic primitive.
 */
#include "totp.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "crypto.h"
#include "http.h"
#include "log.h"
#include "session.h"
#include "text.h"

long long
totp_step(time_t t)
{
	return (long long)t / TOTP_PERIOD;
}

unsigned
totp_code(const unsigned char *secret, size_t len, long long step)
{
	unsigned char msg[8], mac[CRYPTO_SHA1_LEN];
	unsigned long long s = (unsigned long long)step;
	unsigned value, off;

	/* The counter is 8 bytes, big-endian (RFC 4226 section 5.2). */
	for (int i = 7; i >= 0; i--, s >>= 8)
		msg[i] = (unsigned char)(s & 0xff);
	crypto_hmac_sha1(secret, len, msg, sizeof(msg), mac);
	off = mac[CRYPTO_SHA1_LEN - 1] & 0x0f;
	value = (unsigned)(mac[off] & 0x7f) << 24 |
	        (unsigned)mac[off + 1] << 16 | (unsigned)mac[off + 2] << 8 |
	        (unsigned)mac[off + 3];
	explicit_bzero(mac, sizeof(mac));
	return value % 1000000;
}

/* code without spaces into out when it is exactly TOTP_DIGITS digits. */
static bool
totp_digits(const char *code, char out[TOTP_DIGITS + 1])
{
	size_t n = 0;

	for (; *code != '\0'; code++) {
		if (*code == ' ')
			continue;
		if (!isdigit((unsigned char)*code) || n == TOTP_DIGITS)
			return false;
		out[n++] = *code;
	}
	out[n] = '\0';
	return n == TOTP_DIGITS;
}

long long
totp_match(const unsigned char secret[MODEL_TOTP_SECRET_LEN], const char *code,
           long long now_step)
{
	char typed[TOTP_DIGITS + 1], want[16];
	long long step, found = -1;

	if (!totp_digits(code, typed))
		return -1;
	/* Every step of the window is computed and compared, so the time
	 * taken does not say which one matched. */
	for (step = now_step - TOTP_WINDOW; step <= now_step + TOTP_WINDOW;
	     step++) {
		snprintf(want, sizeof(want), "%06u",
		         totp_code(secret, MODEL_TOTP_SECRET_LEN, step));
		if (crypto_equal(want, typed, TOTP_DIGITS) && found < 0)
			found = step;
	}
	explicit_bzero(want, sizeof(want));
	return found;
}

bool
totp_recovery_hash(const char *code, unsigned char out[MODEL_TOTP_RECOVERY_LEN])
{
	char norm[TEXT_BASE32_LEN(TOTP_RECOVERY_BYTES) + 1];
	size_t n = 0;

	for (; *code != '\0'; code++) {
		unsigned char c = (unsigned char)toupper((unsigned char)*code);

		if (c == '-' || c == ' ')
			continue;
		if (!((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7')) ||
		    n == sizeof(norm) - 1)
			return false;
		norm[n++] = (char)c;
	}
	if (n != sizeof(norm) - 1)
		return false;
	crypto_sha256(norm, n, out);
	explicit_bzero(norm, sizeof(norm));
	return true;
}

void
totp_secret_text(const unsigned char secret[MODEL_TOTP_SECRET_LEN],
                 char out[TOTP_SECRET_B32_LEN + 1])
{
	text_base32_encode(out, secret, MODEL_TOTP_SECRET_LEN);
}

/* Appends s percent-encoded (RFC 3986 unreserved characters kept). */
static void
totp_uri_part(struct buf *out, const char *s)
{
	size_t n = strlen(s);

	buf_reserve(out, 3 * n + 1);
	out->len += text_url_encode(out->data + out->len, s, n);
	out->data[out->len] = '\0';
}

void
totp_uri(struct buf *out, const char *issuer, const char *account,
         const unsigned char secret[MODEL_TOTP_SECRET_LEN])
{
	char b32[TOTP_SECRET_B32_LEN + 1];

	totp_secret_text(secret, b32);
	buf_puts(out, "otpauth://totp/");
	totp_uri_part(out, issuer);
	buf_putc(out, ':');
	totp_uri_part(out, account);
	buf_printf(out, "?secret=%s&issuer=", b32);
	totp_uri_part(out, issuer);
	explicit_bzero(b32, sizeof(b32));
}

int
totp_secret_new(unsigned char out[MODEL_TOTP_SECRET_LEN])
{
	if (crypto_random(out, MODEL_TOTP_SECRET_LEN) != 0) {
		log_err("totp: no random bytes for a secret");
		return -1;
	}
	return 0;
}

int
totp_recovery_new(char codes[][TOTP_RECOVERY_SIZE],
                  unsigned char hashes[][MODEL_TOTP_RECOVERY_LEN])
{
	unsigned char raw[TOTP_RECOVERY_BYTES];
	char b32[TEXT_BASE32_LEN(TOTP_RECOVERY_BYTES) + 1];

	for (size_t i = 0; i < MODEL_TOTP_RECOVERY_N; i++) {
		if (crypto_random(raw, sizeof(raw)) != 0) {
			log_err("totp: no random bytes for recovery codes");
			return -1;
		}
		text_base32_encode(b32, raw, sizeof(raw));
		/* Lower case in groups of four: easier to copy by hand. */
		for (size_t j = 0, k = 0; j < sizeof(b32) - 1; j++) {
			if (j > 0 && j % 4 == 0)
				codes[i][k++] = '-';
			codes[i][k++] = (char)tolower((unsigned char)b32[j]);
			codes[i][k] = '\0';
		}
		(void)totp_recovery_hash(codes[i], hashes[i]);
	}
	explicit_bzero(raw, sizeof(raw));
	explicit_bzero(b32, sizeof(b32));
	return 0;
}

int
totp_check(struct db_conn *conn, long long id, const struct model_totp *t,
           const char *code)
{
	unsigned char hash[MODEL_TOTP_RECOVERY_LEN];
	long long step;
	int rc;

	if (!t->enabled || strlen(code) > TOTP_CODE_MAX)
		return 0;
	step = totp_match(t->secret, code, totp_step(time(NULL)));
	if (step >= 0)
		rc = model_totp_use_step(conn, id, step);
	else if (totp_recovery_hash(code, hash))
		rc = model_totp_use_recovery(conn, id, hash);
	else
		return 0;
	if (rc == MODEL_ERR)
		return -1;
	return rc == MODEL_OK ? 1 : 0;
}

/* The hash of the request's pending cookie; false when it has none. */
static bool
totp_pending_hash(struct http_request *req,
                  unsigned char hash[MODEL_SESSION_HASH_LEN])
{
	const char *cookie = http_cookie(req, TOTP_PENDING_COOKIE);

	/* Made like a session token, so checked and hashed like one. */
	if (!session_token_valid(cookie))
		return false;
	session_token_hash(cookie, hash);
	return true;
}

int
totp_pending_start(struct http_request *req, struct db_conn *conn,
                   long long user_id)
{
	unsigned char raw[SESSION_TOKEN_LEN], hash[MODEL_SESSION_HASH_LEN];
	char value[SESSION_HEX_LEN + 1];
	int rc = -1;

	if (crypto_random(raw, sizeof(raw)) != 0) {
		log_err("totp: no random bytes for a pending sign-in");
		return -1;
	}
	crypto_hex(raw, sizeof(raw), value);
	session_token_hash(value, hash);
	if (model_login_pending_create(conn, hash, user_id,
	                               TOTP_PENDING_SECONDS) == MODEL_OK) {
		http_set_cookie(req, TOTP_PENDING_COOKIE, value,
		                TOTP_PENDING_SECONDS, true);
		rc = 0;
	}
	explicit_bzero(raw, sizeof(raw));
	explicit_bzero(value, sizeof(value));
	return rc;
}

int
totp_pending_get(struct http_request *req, struct db_conn *conn,
                 long long *user_id)
{
	unsigned char hash[MODEL_SESSION_HASH_LEN];

	if (!totp_pending_hash(req, hash))
		return MODEL_NOT_FOUND;
	return model_login_pending_get(conn, hash, user_id);
}

int
totp_pending_end(struct http_request *req, struct db_conn *conn)
{
	unsigned char hash[MODEL_SESSION_HASH_LEN];

	if (totp_pending_hash(req, hash) &&
	    model_login_pending_delete(conn, hash) != MODEL_OK)
		return -1;
	http_set_cookie(req, TOTP_PENDING_COOKIE, "", 0, true);
	return 0;
}
