/* CSRF tokens and form stamps for requests (include/csrf.h); the pure
 * part is csrf_token.c. */
#include "csrf.h"

#include <string.h>
#include <time.h>

#include "app.h"
#include "crypto.h"
#include "http.h"
#include "log.h"
#include "session.h"

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
csrf_token_for(struct http_request *req, char out[CSRF_TOKEN_LEN + 1])
{
	const struct session_user *user = session_current(req);
	const char *cookie = http_cookie(req, CSRF_COOKIE);
	char fresh[CSRF_HEX_LEN + 1];

	if (user != NULL)
		return csrf_session_token(&http_req_app(req)->csrf_key,
		                          user->binding, out);
	if (!csrf_cookie_valid(cookie)) {
		if (csrf_new_cookie(req, fresh) != 0)
			return -1;
		cookie = fresh;
	}
	return csrf_anon_token(&http_req_app(req)->csrf_key, cookie, out);
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

void
csrf_stamp_for(const struct http_request *req, char out[CSRF_STAMP_LEN + 1])
{
	/* This thread's last stamp: one MAC a second instead of one per
	 * page. */
	static _Thread_local struct {
		const struct crypto_hmac_key *key;
		long long at;
		char stamp[CSRF_STAMP_LEN + 1];
	} last;
	const struct crypto_hmac_key *key = &http_req_app(req)->csrf_key;
	long long now = (long long)time(NULL);

	if (last.key != key || last.at != now) {
		csrf_stamp(key, now, last.stamp);
		last.key = key;
		last.at = now;
	}
	memcpy(out, last.stamp, CSRF_STAMP_LEN + 1);
}
