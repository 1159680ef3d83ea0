/*
 * Admin sessions. The cookie blogd_session carries 256 random bits as hex;
 * the database keeps only their SHA-256, so a leaked table opens nothing.
 * A session ends after SESSION_IDLE_SECONDS without a request, after
 * SESSION_MAX_SECONDS whatever happens, or at logout; a login always makes
 * a new token (and deletes the one presented), so a token planted before
 * login is worthless after it.
 *
 * The lookup result is cached in the request's state (http_req_state;
 * session.c owns it for the length of the request), so CSRF checks and
 * handlers can ask again for free.
 */
#ifndef BLOGD_SESSION_H
#define BLOGD_SESSION_H

#include <stdbool.h>

#include "model.h"

struct db_conn;
struct http_request;

#define SESSION_COOKIE       "blogd_session"
#define SESSION_TOKEN_LEN    32 /* random bytes */
#define SESSION_HEX_LEN      64 /* cookie value: hex of the random bytes */
#define SESSION_IDLE_SECONDS (2 * 60 * 60)
#define SESSION_MAX_SECONDS  (12 * 60 * 60)
/* last_seen is written at most this often, to keep requests read-only. */
#define SESSION_TOUCH_SECONDS 60

/*
 * Read-your-writes with read replicas (database.replicas). The answer to a
 * write (a comment, an admin save, publish, delete or approval) sets the
 * cookie blogd_fresh: the Unix time until which this client's reads go to
 * the primary and skip the page cache, max(replica_max_lag,
 * SESSION_FRESH_MIN) + SESSION_FRESH_MARGIN seconds on. It carries no
 * secret and grants nothing: a client that forges one only makes its own
 * pages slower. Without replicas it is never set.
 */
#define SESSION_FRESH_COOKIE "blogd_fresh"
#define SESSION_FRESH_MIN    5
#define SESSION_FRESH_MARGIN 5

struct session_user {
	long long id;
	char name[MODEL_NAME_MAX + 1];
	bool is_admin;
	/* Hex of the token hash: the CSRF binding of this session. */
	char binding[2 * MODEL_SESSION_HASH_LEN + 1];
};

/* Pure: true when value looks like a token we issued (64 lower-case hex). */
bool session_token_valid(const char *value);
/* Pure: the stored hash of a cookie value (SHA-256 of its 64 characters). */
void session_token_hash(const char *value,
                        unsigned char out[MODEL_SESSION_HASH_LEN]);

/*
 * The signed-in user of this request: 0 with *user set (NULL when there is
 * no valid session), or -1 when the database could not be asked (answer
 * 503). Borrows a connection of its own: call it while holding none.
 */
int session_get(struct http_request *req, const struct session_user **user);
/* session_get for callers that treat an error as "no session". */
const struct session_user *session_current(struct http_request *req);

/* After a write of this client's: sets blogd_fresh (with replicas). */
void session_note_write(struct http_request *req);
/* Whether this client must read the primary, bypassing the page cache: it
 * is signed in (any session cookie) or wrote a moment ago (blogd_fresh). */
bool session_reads_primary(struct http_request *req);

/*
 * After a successful login: deletes the session the request presented (if
 * any) and expired ones, stores a new one for user_id and sets the cookie.
 * conn is borrowed. 0 or -1 (nothing is set then).
 */
int session_start(struct http_request *req, struct db_conn *conn,
                  long long user_id);
/* Logout: deletes the request's session row and the cookie. 0 or -1. */
int session_end(struct http_request *req, struct db_conn *conn);

#endif
