/*
 * Two-factor sign-in (include/model.h): TOTP secrets, the last time step
 * used, recovery codes and sign-ins waiting for their code (sql/007).
 */
#include "model.h"

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "internal.h"

/* Copies a secret cell of exactly MODEL_TOTP_SECRET_LEN bytes; false for
 * NULL or another length. */
static bool
totp_cell(const struct db_rows *rows, size_t col,
          unsigned char out[MODEL_TOTP_SECRET_LEN])
{
	const char *cell = db_cell(rows, 0, col);

	if (cell == NULL || rows->lengths[col] != MODEL_TOTP_SECRET_LEN)
		return false;
	memcpy(out, cell, MODEL_TOTP_SECRET_LEN);
	return true;
}

int
model_totp_get(struct db_conn *conn, long long id, struct model_totp *out)
{
	struct db_rows rows;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = model_query_row(conn, &rows,
	                     "SELECT totp_secret, totp_pending, "
	                     "(SELECT COUNT(*) FROM totp_recovery_codes "
	                     "WHERE user_id = u.id AND used_at IS NULL), name "
	                     "FROM users u WHERE id = ?",
	                     "i", id);
	if (rc != MODEL_OK)
		return rc;
	out->enabled = totp_cell(&rows, 0, out->secret);
	out->pending = totp_cell(&rows, 1, out->pending_secret);
	out->recovery_left = db_cell_int(&rows, 0, 2);
	snprintf(out->name, sizeof(out->name), "%s", db_cell(&rows, 0, 3));
	model_rows_free_secret(&rows);
	return MODEL_OK;
}

int
model_totp_set_pending(struct db_conn *conn, long long id,
                       const unsigned char secret[MODEL_TOTP_SECRET_LEN])
{
	if (db_exec(conn, NULL, NULL,
	            "UPDATE users SET totp_pending = ? WHERE id = ?", "bi",
	            secret, (size_t)MODEL_TOTP_SECRET_LEN, id) != 0)
		return MODEL_ERR;
	return model_row_exists(conn, "SELECT 1 FROM users WHERE id = ?", id);
}

/* Replaces user id's recovery codes by hashes, in the caller's
 * transaction. */
static int
recovery_store(struct db_conn *conn, long long id,
               unsigned char hashes[][MODEL_TOTP_RECOVERY_LEN])
{
	if (db_exec(conn, NULL, NULL,
	            "DELETE FROM totp_recovery_codes WHERE user_id = ?", "i",
	            id) != 0)
		return MODEL_ERR;
	for (size_t i = 0; i < MODEL_TOTP_RECOVERY_N; i++)
		if (db_exec(conn, NULL, NULL,
		            "INSERT INTO totp_recovery_codes (user_id, "
		            "code_hash) VALUES (?, ?)",
		            "ib", id, hashes[i],
		            (size_t)MODEL_TOTP_RECOVERY_LEN) != 0)
			return MODEL_ERR;
	return MODEL_OK;
}

/* The statements of model_totp_enable, inside its transaction. */
static int
totp_enable_rows(struct db_conn *conn, long long id,
                 const unsigned char secret[MODEL_TOTP_SECRET_LEN],
                 long long step,
                 unsigned char hashes[][MODEL_TOTP_RECOVERY_LEN])
{
	uint64_t affected;

	if (db_exec(conn, &affected, NULL,
	            "UPDATE users SET totp_secret = totp_pending, "
	            "totp_pending = NULL, totp_last_step = ? "
	            "WHERE id = ? AND totp_pending = ?",
	            "iib", step, id, secret,
	            (size_t)MODEL_TOTP_SECRET_LEN) != 0)
		return MODEL_ERR;
	if (affected == 0)
		return MODEL_NOT_FOUND;
	return recovery_store(conn, id, hashes);
}

/* rc of a transaction's statements, after its COMMIT or ROLLBACK. */
static int
totp_txn_end(struct db_conn *conn, int rc)
{
	if (rc == MODEL_OK && db_commit(conn) != 0)
		rc = MODEL_ERR;
	if (rc != MODEL_OK)
		(void)db_rollback(conn);
	return rc;
}

int
model_totp_enable(struct db_conn *conn, long long id,
                  const unsigned char secret[MODEL_TOTP_SECRET_LEN],
                  long long step,
                  unsigned char hashes[][MODEL_TOTP_RECOVERY_LEN])
{
	if (db_begin(conn) != 0)
		return MODEL_ERR;
	return totp_txn_end(conn,
	                    totp_enable_rows(conn, id, secret, step, hashes));
}

int
model_totp_recovery_replace(struct db_conn *conn, long long id,
                            unsigned char hashes[][MODEL_TOTP_RECOVERY_LEN])
{
	int rc;

	if (db_begin(conn) != 0)
		return MODEL_ERR;
	/* Locks the user's row: a concurrent disable waits, so codes are
	 * never stored for an account whose two-factor just went off. */
	rc = model_row_exists(conn,
	                      "SELECT 1 FROM users WHERE id = ? "
	                      "AND totp_secret IS NOT NULL FOR UPDATE",
	                      id);
	if (rc == MODEL_OK)
		rc = recovery_store(conn, id, hashes);
	return totp_txn_end(conn, rc);
}

int
model_totp_disable(struct db_conn *conn, long long id)
{
	/* Recovery codes first: without a secret they would be a way in
	 * once two-factor is turned on again. */
	if (db_exec(conn, NULL, NULL,
	            "DELETE FROM totp_recovery_codes WHERE user_id = ?", "i",
	            id) != 0 ||
	    db_exec(conn, NULL, NULL,
	            "UPDATE users SET totp_secret = NULL, totp_pending = NULL, "
	            "totp_last_step = NULL WHERE id = ?",
	            "i", id) != 0)
		return MODEL_ERR;
	return model_row_exists(conn, "SELECT 1 FROM users WHERE id = ?", id);
}

int
model_totp_use_step(struct db_conn *conn, long long id, long long step)
{
	uint64_t affected;

	if (db_exec(conn, &affected, NULL,
	            "UPDATE users SET totp_last_step = ? WHERE id = ? "
	            "AND (totp_last_step IS NULL OR totp_last_step < ?)",
	            "iii", step, id, step) != 0)
		return MODEL_ERR;
	return affected == 1 ? MODEL_OK : MODEL_NOT_FOUND;
}

int
model_totp_use_recovery(struct db_conn *conn, long long id,
                        const unsigned char hash[MODEL_TOTP_RECOVERY_LEN])
{
	uint64_t affected;

	if (db_exec(conn, &affected, NULL,
	            "UPDATE totp_recovery_codes SET used_at = UTC_TIMESTAMP() "
	            "WHERE user_id = ? AND code_hash = ? AND used_at IS NULL",
	            "ib", id, hash, (size_t)MODEL_TOTP_RECOVERY_LEN) != 0)
		return MODEL_ERR;
	return affected == 1 ? MODEL_OK : MODEL_NOT_FOUND;
}

int
model_login_pending_create(struct db_conn *conn,
                           const unsigned char hash[MODEL_SESSION_HASH_LEN],
                           long long user_id, long long max_age)
{
	if (db_exec(conn, NULL, NULL,
	            "DELETE FROM login_pending "
	            "WHERE expires_at <= UTC_TIMESTAMP()",
	            "") != 0)
		return MODEL_ERR;
	return model_rc(db_exec(
	    conn, NULL, NULL,
	    "INSERT INTO login_pending (token_hash, user_id, expires_at) "
	    "VALUES (?, ?, UTC_TIMESTAMP() + INTERVAL ? SECOND)",
	    "bii", hash, (size_t)MODEL_SESSION_HASH_LEN, user_id, max_age));
}

int
model_login_pending_get(struct db_conn *conn,
                        const unsigned char hash[MODEL_SESSION_HASH_LEN],
                        long long *user_id)
{
	return model_query_int(
	    conn, user_id,
	    "SELECT user_id FROM login_pending WHERE token_hash = ? "
	    "AND expires_at > UTC_TIMESTAMP()",
	    "b", hash, (size_t)MODEL_SESSION_HASH_LEN);
}

int
model_login_pending_delete(struct db_conn *conn,
                           const unsigned char hash[MODEL_SESSION_HASH_LEN])
{
	return model_rc(db_exec(
	    conn, NULL, NULL, "DELETE FROM login_pending WHERE token_hash = ?",
	    "b", hash, (size_t)MODEL_SESSION_HASH_LEN));
}
