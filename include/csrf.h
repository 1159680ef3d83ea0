/*
 * CSRF tokens for forms.
 *
 * A token is hex(HMAC-SHA256(site secret, scope ":" binding)). Anonymous
 * forms (comments) use scope "anon" and bind to a random value kept in the
 * cookie blogd_csrf, so only a page served to this browser can post back.
 * A session-bound variant (scope "sess", binding the hash of the session
 * token) is a second caller of csrf_derive(): csrf_token_for() and
 * csrf_check() are where a handler asks, whatever the binding.
 *
 * The secret is shared by every instance through the database, so a token
 * made by one instance verifies on another.
 */
#ifndef BLOGD_CSRF_H
#define BLOGD_CSRF_H

#include <stdbool.h>
#include <stddef.h>

struct crypto_hmac_key;

struct http_request;

#define CSRF_COOKIE         "blogd_csrf"
#define CSRF_FIELD          "csrf_token" /* hidden input of every form */
#define CSRF_COOKIE_MAX_AGE (365L * 24 * 60 * 60)
#define CSRF_RANDOM_LEN     32 /* bytes behind the cookie value */
#define CSRF_HEX_LEN        64 /* hex digits of a cookie value or a token */

/* Pure: out (CSRF_HEX_LEN + 1 bytes) = hex(HMAC(key, scope ":" binding)). */
void csrf_derive(const struct crypto_hmac_key *key, const char *scope,
                 const char *binding, char out[CSRF_HEX_LEN + 1]);
/* Pure: true when value looks like a cookie we issued (64 lower-case hex). */
bool csrf_cookie_valid(const char *value);
/* Pure: true when token is the anonymous token for cookie (constant time). */
bool csrf_anon_check(const struct crypto_hmac_key *key, const char *cookie,
                     const char *token);
/* Pure: true when token is the token of the session whose CSRF binding
 * (session.h: hex of the token hash) is binding (constant time). */
bool csrf_session_check(const struct crypto_hmac_key *key, const char *binding,
                        const char *token);
/* Pure: the token of the session whose CSRF binding is binding. */
void csrf_session_token(const struct crypto_hmac_key *key, const char *binding,
                        char out[CSRF_HEX_LEN + 1]);

/*
 * The token for a form on the page being answered: bound to the session
 * when the request has a valid one (session.h), else anonymous. Without a
 * valid blogd_csrf cookie in the request, the anonymous case makes one and
 * adds its Set-Cookie to the response (HttpOnly, SameSite=Lax, Secure over
 * HTTPS, one year). Call it at most once per request. 0, or -1 when no
 * random bytes could be had.
 */
int csrf_token_for(struct http_request *req, char out[CSRF_HEX_LEN + 1]);
/* For a POST: true when the csrf_token field matches the request's session
 * or, without one, its blogd_csrf cookie.
 * The caller answers 403 (http_error) when false. */
bool csrf_check(struct http_request *req);

#endif
