/*
 * CSRF tokens and form stamps.
 *
 * A token's secret is HMAC-SHA256(site secret, scope ":" binding).
 * Anonymous forms (comments) use scope "anon" and bind to a random value
 * kept in the cookie blogd_csrf, so only a page served to this browser can
 * post back. A session-bound variant (scope "sess", binding the hash of the
 * session token) is a second caller of csrf_derive(): csrf_token_for() and
 * csrf_check() are where a handler asks, whatever the binding.
 *
 * Pages never show the secret itself: every token written into a page is
 * masked as Django does, hex(mask || (mask XOR secret)) with 32 fresh
 * random mask bytes, so no two responses carry the same token bytes and a
 * compressed page (BREACH) tells nothing about the secret. Any mask of the
 * right secret is accepted; so is the bare secret (64 hex digits), which is
 * what a blogd before masking wrote, so forms opened during an upgrade
 * still post.
 *
 * A form stamp is hex(t) || hex(HMAC(site secret, "stamp:" hex(t))), t the
 * Unix time the form was served: the comment form carries one, so the
 * handler can tell a form filled too fast (a robot) or too long ago.
 *
 * The secret is shared by every instance through the database, so a token
 * or stamp made by one instance verifies on another.
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
#define CSRF_RANDOM_LEN     32           /* bytes behind the cookie value */
#define CSRF_HEX_LEN        64           /* hex digits of a cookie value */
#define CSRF_SECRET_LEN     32           /* bytes of a token's secret (a MAC) */
#define CSRF_TOKEN_LEN      128          /* hex digits of a masked token */
#define CSRF_STAMP_FIELD    "form_stamp" /* hidden input of comment forms */
#define CSRF_STAMP_LEN      80           /* hex digits: 16 of time, 64 of MAC */

/* Pure: out = HMAC(key, scope ":" binding), the secret of a token. */
void csrf_derive(const struct crypto_hmac_key *key, const char *scope,
                 const char *binding, unsigned char out[CSRF_SECRET_LEN]);
/* out (CSRF_TOKEN_LEN + 1 bytes) = secret masked with fresh random bytes.
 * 0, or -1 when no random bytes could be had. */
int csrf_mask(const unsigned char secret[CSRF_SECRET_LEN],
              char out[CSRF_TOKEN_LEN + 1]);
/* Pure: the secret behind token (masked, or bare: see above); false when
 * token is neither (NULL, wrong length, not lower-case hex). */
bool csrf_unmask(const char *token, unsigned char secret[CSRF_SECRET_LEN]);
/* Pure: true when value looks like a cookie we issued (64 lower-case hex). */
bool csrf_cookie_valid(const char *value);
/* A masked anonymous token for cookie. 0 or -1 (no random bytes). */
int csrf_anon_token(const struct crypto_hmac_key *key, const char *cookie,
                    char out[CSRF_TOKEN_LEN + 1]);
/* Pure: true when token is an anonymous token for cookie (constant time). */
bool csrf_anon_check(const struct crypto_hmac_key *key, const char *cookie,
                     const char *token);
/* Pure: true when token is a token of the session whose CSRF binding
 * (session.h: hex of the token hash) is binding (constant time). */
bool csrf_session_check(const struct crypto_hmac_key *key, const char *binding,
                        const char *token);
/* A masked token of the session whose CSRF binding is binding. 0 or -1
 * (no random bytes). */
int csrf_session_token(const struct crypto_hmac_key *key, const char *binding,
                       char out[CSRF_TOKEN_LEN + 1]);

/*
 * A masked token for a form on the page being answered: bound to the
 * session when the request has a valid one (session.h), else anonymous.
 * Without a valid blogd_csrf cookie in the request, the anonymous case
 * makes one and adds its Set-Cookie to the response (HttpOnly,
 * SameSite=Lax, Secure over HTTPS, one year). Call it at most once per
 * request. 0, or -1 when no random bytes could be had.
 */
int csrf_token_for(struct http_request *req, char out[CSRF_TOKEN_LEN + 1]);
/* For a POST: true when the csrf_token field matches the request's session
 * or, without one, its blogd_csrf cookie.
 * The caller answers 403 (http_error) when false. */
bool csrf_check(struct http_request *req);

/* Pure: the stamp of a form served at Unix time now. */
void csrf_stamp(const struct crypto_hmac_key *key, long long now,
                char out[CSRF_STAMP_LEN + 1]);
/* Pure: the time stamp was made at, or -1 when it is not a stamp made
 * with key (NULL, wrong shape, wrong MAC; constant-time comparison). */
long long csrf_stamp_time(const struct crypto_hmac_key *key, const char *stamp);
/* csrf_stamp for now, with the request's key: the stamp changes once a
 * second, so each thread keeps its last one. */
void csrf_stamp_for(const struct http_request *req,
                    char out[CSRF_STAMP_LEN + 1]);

#endif
