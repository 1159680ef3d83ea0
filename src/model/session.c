/*
 * Sessions and login failures (include/model.h). Times come from the
 * database clock, so every instance agrees on what has expired.
 */
#include "model.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "internal.h"

int
model_session_create(struct db_conn *conn,
                     const unsigned char hash[MODEL_SESSION_HASH_LEN],
                     long long user_id, long long max_age)
{
	return model_rc(db_exec(
	    conn, NULL, NULL,
	    "INSERT INTO sessions (token_hash, user_id, created_at, "
	    "last_seen, expires_at) VALUES (?, ?, UTC_TIMESTAMP(), "
	    "UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL ? SECOND)",
	    "bii", hash, (size_t)MODEL_SESSION_HASH_LEN, user_id, max_age));
}

int
model_session_get(struct db_conn *conn,
                  const unsigned char hash[MODEL_SESSION_HASH_LEN],
                  long long idle_max, struct model_session *out)
{
	struct db_rows rows;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = model_query_row(
	    conn, &rows,
	    "SELECT u.id, u.name, u.is_admin, "
	    "TIMESTAMPDIFF(SECOND, s.last_seen, UTC_TIMESTAMP()) "
	    "FROM sessions s JOIN users u ON u.id = s.user_id "
	    "WHERE s.token_hash = ? "
	    "AND s.expires_at > UTC_TIMESTAMP() "
	    "AND s.last_seen > UTC_TIMESTAMP() - INTERVAL ? SECOND",
	    "bi", hash, (size_t)MODEL_SESSION_HASH_LEN, idle_max);
	if (rc != MODEL_OK)
		return rc;
	out->user_id = db_cell_int(&rows, 0, 0);
	out->user_name = model_cell_dup(&rows, 0, 1);
	out->is_admin = db_cell_int(&rows, 0, 2) != 0;
	out->idle = db_cell_int(&rows, 0, 3);
	db_rows_free(&rows);
	return MODEL_OK;
}

int
model_session_touch(struct db_conn *conn,
                    const unsigned char hash[MODEL_SESSION_HASH_LEN])
{
	return model_rc(
	    db_exec(conn, NULL, NULL,
	            "UPDATE sessions SET last_seen = UTC_TIMESTAMP() "
	            "WHERE token_hash = ?",
	            "b", hash, (size_t)MODEL_SESSION_HASH_LEN));
}

int
model_session_delete(struct db_conn *conn,
                     const unsigned char hash[MODEL_SESSION_HASH_LEN])
{
	return model_rc(db_exec(conn, NULL, NULL,
	                        "DELETE FROM sessions WHERE token_hash = ?",
	                        "b", hash, (size_t)MODEL_SESSION_HASH_LEN));
}

int
model_session_purge(struct db_conn *conn, long long idle_max)
{
	return model_rc(
	    db_exec(conn, NULL, NULL,
	            "DELETE FROM sessions WHERE expires_at <= UTC_TIMESTAMP() "
	            "OR last_seen <= UTC_TIMESTAMP() - INTERVAL ? SECOND",
	            "i", idle_max));
}

void
model_session_free(struct model_session *s)
{
	if (s == NULL)
		return;
	free(s->user_name);
	memset(s, 0, sizeof(*s));
}

int
model_login_failure_add(struct db_conn *conn, const char *account,
                        const char *client_ip)
{
	return model_rc(
	    db_exec(conn, NULL, NULL,
	            "INSERT INTO login_failures (account, client_ip, at) "
	            "VALUES (?, ?, UTC_TIMESTAMP())",
	            "ss", account, client_ip));
}

/* Ages in seconds of the failures keyed by column within window seconds. */
#define FAILURES_SINCE(column)                                                 \
	"SELECT TIMESTAMPDIFF(SECOND, at, UTC_TIMESTAMP()) "                   \
	"FROM login_failures WHERE " column " = ? "                            \
	"AND at > UTC_TIMESTAMP() - INTERVAL ? SECOND "                        \
	"ORDER BY at DESC LIMIT ?"

int
model_login_failure_recent(struct db_conn *conn, const char *account,
                           const char *client_ip, long long window, size_t max,
                           long long *ages, size_t *n)
{
	struct db_rows rows;
	size_t r;
	int rc;

	/* Newest first: either statement reads one of the (key, at) indexes
	 * backwards and stops after max rows. */
	if (account != NULL)
		rc = db_query(conn, &rows, FAILURES_SINCE("account"), "sii",
		              account, window, (long long)max);
	else
		rc = db_query(conn, &rows, FAILURES_SINCE("client_ip"), "sii",
		              client_ip, window, (long long)max);
	if (rc != 0)
		return MODEL_ERR;
	*n = rows.nrows < max ? rows.nrows : max;
	for (r = 0; r < *n; r++)
		ages[r] = db_cell_int(&rows, r, 0);
	db_rows_free(&rows);
	return MODEL_OK;
}

int
model_login_failure_clear(struct db_conn *conn, const char *account)
{
	return model_rc(db_exec(conn, NULL, NULL,
	                        "DELETE FROM login_failures WHERE account = ?",
	                        "s", account));
}

int
model_login_failure_purge(struct db_conn *conn, long long window)
{
	return model_rc(
	    db_exec(conn, NULL, NULL,
	            "DELETE FROM login_failures "
	            "WHERE at <= UTC_TIMESTAMP() - INTERVAL ? SECOND",
	            "i", window));
}
