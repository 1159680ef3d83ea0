/* CSRF tokens (include/csrf.h). */
#include "csrf.h"

#include <string.h>

#include "app.h"
#include "crypto.h"
#include "http.h"
#include "log.h"
#include "session.h"

#define CSRF_SCOPE_ANON "anon"
#define CSRF_SCOPE_SESS "sess"

void
csrf_derive(const struct crypto_hmac_key *key, const char *scope,
            const char *binding, char out[CSRF_HEX_LEN + 1])
{
	struct crypto_hmac h;
	unsigned char mac[32];

	/* The MAC of "scope:binding", fed in pieces: no copy. */
	crypto_hmac_start(&h, key);
	crypto_hmac_update(&h, scope, strlen(scope));
	crypto_hmac_update(&h, ":", 1);
	crypto_hmac_update(&h, binding, strlen(binding));
	crypto_hmac_finish(&h, mac);
	crypto_hex(mac, sizeof(mac), out);
}

bool
csrf_cookie_valid(const char *value)
{
	return crypto_hex_valid(value, CSRF_HEX_LEN);
}

/* True when token is the token of scope and binding (constant time). */
static bool
csrf_match(const struct crypto_hmac_key *key, const char *scope,
           const char *binding, const char *token)
{
	char want[CSRF_HEX_LEN + 1];

	if (token == NULL || strlen(token) != CSRF_HEX_LEN)
		return false;
	csrf_derive(key, scope, binding, want);
	return crypto_equal(want, token, CSRF_HEX_LEN);
}

bool
csrf_anon_check(const struct crypto_hmac_key *key, const char *cookie,
                const char *token)
{
	return csrf_cookie_valid(cookie) &&
	       csrf_match(key, CSRF_SCOPE_ANON, cookie, token);
}

/* A fresh cookie value, sent with the response. 0 or -1. */
static int
csrf_new_cookie(struct http_request *req, char value[CSRF_HEX_LEN + 1])
{
	unsigned char raw[CSRF_RANDOM_LEN];

	if (crypto_random(raw, sizeof(raw)) != 0) {
		log_err("csrf: no random bytes for a cookie");
		return -1;
	}
	crypto_hex(raw, sizeof(raw), value);
	http_set_cookie(req, CSRF_COOKIE, value, CSRF_COOKIE_MAX_AGE, true);
	return 0;
}

int
csrf_token_for(struct http_request *req, char out[CSRF_HEX_LEN + 1])
{
	const struct session_user *user = session_current(req);
	const char *cookie = http_cookie(req, CSRF_COOKIE);
	char fresh[CSRF_HEX_LEN + 1];

	if (user != NULL) {
		csrf_derive(&http_req_app(req)->csrf_key, CSRF_SCOPE_SESS,
		            user->binding, out);
		return 0;
	}
	if (!csrf_cookie_valid(cookie)) {
		if (csrf_new_cookie(req, fresh) != 0)
			return -1;
		cookie = fresh;
	}
	csrf_derive(&http_req_app(req)->csrf_key, CSRF_SCOPE_ANON, cookie, out);
	return 0;
}

void
csrf_session_token(const struct crypto_hmac_key *key, const char *binding,
                   char out[CSRF_HEX_LEN + 1])
{
	csrf_derive(key, CSRF_SCOPE_SESS, binding, out);
}

bool
csrf_session_check(const struct crypto_hmac_key *key, const char *binding,
                   const char *token)
{
	return binding != NULL && *binding != '\0' &&
	       csrf_match(key, CSRF_SCOPE_SESS, binding, token);
}

bool
csrf_check(struct http_request *req)
{
	const struct session_user *user = session_current(req);

	if (user != NULL)
		return csrf_session_check(&http_req_app(req)->csrf_key,
		                          user->binding,
		                          http_form(req, CSRF_FIELD));
	return csrf_anon_check(&http_req_app(req)->csrf_key,
	                       http_cookie(req, CSRF_COOKIE),
	                       http_form(req, CSRF_FIELD));
}
