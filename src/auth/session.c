/* Admin sessions (include/session.h). */
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "xalloc.h"

/* The request's handler state (http_req_state): the first lookup's answer. */
struct session_state {
	bool looked_up;
	bool found;
	struct session_user user;
};

static void
session_state_free(void *p)
{
	free(p);
}

/* The request's cached state, made on first use; NULL when another
 * subsystem has taken handler_state (a programming error, logged). */
static struct session_state *
session_state(struct http_request *req)
{
	struct session_state *st = http_req_state(req, session_state_free);

	if (st != NULL)
		return st;
	st = xcalloc(1, sizeof(*st));
	if (!http_req_set_state(req, st, session_state_free)) {
		log_err("session: the request state is in use by someone else");
		free(st);
		return NULL;
	}
	return st;
}

bool
session_token_valid(const char *value)
{
	return crypto_hex_valid(value, SESSION_HEX_LEN);
}

void
session_token_hash(const char *value, unsigned char out[MODEL_SESSION_HASH_LEN])
{
	crypto_sha256(value, strlen(value), out);
}

void
session_note_write(struct http_request *req)
{
	const struct config *cfg = http_req_app(req)->cfg;
	unsigned window = cfg->database.replica_max_lag;
	char value[32];

	if (cfg->database.replicas[0] == '\0')
		return;
	if (window < SESSION_FRESH_MIN)
		window = SESSION_FRESH_MIN;
	window += SESSION_FRESH_MARGIN;
	snprintf(value, sizeof(value), "%lld", (long long)time(NULL) + window);
	http_set_cookie(req, SESSION_FRESH_COOKIE, value, (long)window, true);
}

bool
session_reads_primary(struct http_request *req)
{
	const char *fresh = http_cookie(req, SESSION_FRESH_COOKIE);
	char *end;
	long long until;

	if (http_cookie(req, SESSION_COOKIE) != NULL)
		return true;
	if (http_req_app(req)->cfg->database.replicas[0] == '\0' ||
	    fresh == NULL || *fresh < '0' || *fresh > '9')
		return false;
	until = strtoll(fresh, &end, 10);
	return *end == '\0' && until > (long long)time(NULL);
}

/* Asks the database about the request's cookie; fills st. 0 or -1. */
static int
session_lookup(struct http_request *req, struct session_state *st)
{
	const char *cookie = http_cookie(req, SESSION_COOKIE);
	unsigned char hash[MODEL_SESSION_HASH_LEN];
	struct model_session s;
	struct db_conn *conn;
	int rc;

	if (!session_token_valid(cookie))
		return 0;
	session_token_hash(cookie, hash);
	if ((conn = db_acquire(http_req_app(req)->db)) == NULL)
		return -1;
	rc = model_session_get(conn, hash, SESSION_IDLE_SECONDS, &s);
	/* A failed touch costs at most an early idle expiry: carry on. */
	if (rc == MODEL_OK && s.idle >= SESSION_TOUCH_SECONDS)
		(void)model_session_touch(conn, hash);
	db_release(conn);
	if (rc == MODEL_ERR)
		return -1;
	if (rc == MODEL_OK) {
		st->found = true;
		st->user.id = s.user_id;
		snprintf(st->user.name, sizeof(st->user.name), "%s",
		         s.user_name);
		st->user.is_admin = s.is_admin;
		crypto_hex(hash, sizeof(hash), st->user.binding);
	}
	model_session_free(&s);
	return 0;
}

int
session_get(struct http_request *req, const struct session_user **user)
{
	struct session_state *st = session_state(req);

	*user = NULL;
	if (st == NULL)
		return -1;
	if (!st->looked_up) {
		if (session_lookup(req, st) != 0)
			return -1; /* not cached: a later call may succeed */
		st->looked_up = true;
	}
	if (st->found)
		*user = &st->user;
	return 0;
}

const struct session_user *
session_current(struct http_request *req)
{
	const struct session_user *user;

	return session_get(req, &user) == 0 ? user : NULL;
}

/* Forgets the cached answer: the request's session has just changed. */
static void
session_forget(struct http_request *req)
{
	struct session_state *st = session_state(req);

	if (st != NULL)
		memset(st, 0, sizeof(*st));
}

/* Deletes the row of the session the request presented, if any. */
static int
session_delete_presented(struct http_request *req, struct db_conn *conn)
{
	const char *cookie = http_cookie(req, SESSION_COOKIE);
	unsigned char hash[MODEL_SESSION_HASH_LEN];

	if (!session_token_valid(cookie))
		return 0;
	session_token_hash(cookie, hash);
	return model_session_delete(conn, hash) == MODEL_OK ? 0 : -1;
}

int
session_start(struct http_request *req, struct db_conn *conn, long long user_id)
{
	unsigned char raw[SESSION_TOKEN_LEN], hash[MODEL_SESSION_HASH_LEN];
	char value[SESSION_HEX_LEN + 1];
	int rc = -1;

	if (session_delete_presented(req, conn) != 0 ||
	    model_session_purge(conn, SESSION_IDLE_SECONDS) != MODEL_OK)
		return -1;
	if (crypto_random(raw, sizeof(raw)) != 0) {
		log_err("session: no random bytes for a token");
		return -1;
	}
	crypto_hex(raw, sizeof(raw), value);
	session_token_hash(value, hash);
	if (model_session_create(conn, hash, user_id, SESSION_MAX_SECONDS) ==
	    MODEL_OK) {
		http_set_cookie(req, SESSION_COOKIE, value, SESSION_MAX_SECONDS,
		                true);
		session_forget(req);
		rc = 0;
	}
	explicit_bzero(raw, sizeof(raw));
	explicit_bzero(value, sizeof(value));
	return rc;
}

int
session_end(struct http_request *req, struct db_conn *conn)
{
	if (session_delete_presented(req, conn) != 0)
		return -1;
	http_set_cookie(req, SESSION_COOKIE, "", 0, true);
	session_forget(req);
	return 0;
}
