/* The ACME tables (include/model_acme.h). */
#include "model_acme.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "internal.h"
#include "xalloc.h"

int
model_acme_account_get(struct db_conn *conn, const char *directory,
                       char **key_pem, char **url)
{
	struct db_rows rows;
	int rc = model_query_row(
	    conn, &rows,
	    "SELECT key_pem, url FROM acme_account WHERE directory = ?", "s",
	    directory);

	if (rc != MODEL_OK)
		return rc;
	*key_pem = model_cell_dup(&rows, 0, 0);
	*url = model_cell_dup(&rows, 0, 1);
	model_rows_free_secret(&rows);
	return MODEL_OK;
}

int
model_acme_account_offer(struct db_conn *conn, const char *directory,
                         const char *key_pem)
{
	return model_rc(db_exec(conn, NULL, NULL,
	                        "INSERT IGNORE INTO acme_account "
	                        "(directory, key_pem) VALUES (?, ?)",
	                        "ss", directory, key_pem));
}

int
model_acme_account_set_url(struct db_conn *conn, const char *directory,
                           const char *url)
{
	return model_rc(db_exec(conn, NULL, NULL,
	                        "UPDATE acme_account SET url = ? "
	                        "WHERE directory = ?",
	                        "ss", url, directory));
}

int
model_acme_cert_version(struct db_conn *conn, long long *version)
{
	return model_query_int(
	    conn, version, "SELECT version FROM acme_certificate WHERE id = 1",
	    "");
}

int
model_acme_cert_get(struct db_conn *conn, struct model_acme_cert *out)
{
	struct db_rows rows;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = model_query_row(
	    conn, &rows,
	    "SELECT version, domains, chain_pem, key_pem, not_before, "
	    "not_after, issued_at FROM acme_certificate WHERE id = 1",
	    "");
	if (rc != MODEL_OK)
		return rc;
	out->version = db_cell_int(&rows, 0, 0);
	out->domains = model_cell_dup(&rows, 0, 1);
	out->chain_pem = model_cell_dup(&rows, 0, 2);
	out->key_pem = model_cell_dup(&rows, 0, 3);
	out->not_before = db_cell_int(&rows, 0, 4);
	out->not_after = db_cell_int(&rows, 0, 5);
	out->issued_at = db_cell_int(&rows, 0, 6);
	model_rows_free_secret(&rows);
	return MODEL_OK;
}

void
model_acme_cert_free(struct model_acme_cert *c)
{
	free(c->domains);
	free(c->chain_pem);
	xfree_secret(c->key_pem);
	memset(c, 0, sizeof(*c));
}

int
model_acme_cert_put(struct db_conn *conn, const char *domains,
                    const char *chain_pem, const char *key_pem,
                    long long not_before, long long not_after)
{
	return model_rc(db_exec(
	    conn, NULL, NULL,
	    "INSERT INTO acme_certificate (id, version, domains, chain_pem, "
	    "key_pem, not_before, not_after, issued_at) "
	    "VALUES (1, 1, ?, ?, ?, ?, ?, UNIX_TIMESTAMP()) "
	    "ON DUPLICATE KEY UPDATE version = version + 1, "
	    "domains = VALUES(domains), chain_pem = VALUES(chain_pem), "
	    "key_pem = VALUES(key_pem), not_before = VALUES(not_before), "
	    "not_after = VALUES(not_after), issued_at = VALUES(issued_at)",
	    "sssii", domains, chain_pem, key_pem, not_before, not_after));
}

int
model_acme_challenge_put(struct db_conn *conn, const char *token,
                         const char *key_auth)
{
	/* Answers an order left behind (a crash mid-order) go first: a
	 * token is never asked for again after a day. */
	if (db_exec(conn, NULL, NULL,
	            "DELETE FROM acme_challenges "
	            "WHERE created_at < UNIX_TIMESTAMP() - 86400",
	            "") != 0)
		return MODEL_ERR;
	return model_rc(db_exec(conn, NULL, NULL,
	                        "REPLACE INTO acme_challenges (token, "
	                        "key_authorization, created_at) "
	                        "VALUES (?, ?, UNIX_TIMESTAMP())",
	                        "ss", token, key_auth));
}

int
model_acme_challenge_del(struct db_conn *conn, const char *token)
{
	return model_rc(db_exec(conn, NULL, NULL,
	                        "DELETE FROM acme_challenges WHERE token = ?",
	                        "s", token));
}

int
model_acme_challenge_get(struct db_conn *conn, const char *token,
                         char **key_auth)
{
	return model_query_text(conn, key_auth,
	                        "SELECT key_authorization FROM acme_challenges "
	                        "WHERE token = ?",
	                        "s", token);
}

int
model_acme_lease_take(struct db_conn *conn, const char *owner, unsigned seconds)
{
	uint64_t affected = 0;

	/* One statement decides, so two instances cannot both win. */
	if (db_exec(conn, &affected, NULL,
	            "UPDATE acme_state SET lease_owner = ?, "
	            "lease_until = UNIX_TIMESTAMP() + ? WHERE id = 1 AND "
	            "(lease_owner IS NULL OR lease_owner = ? OR "
	            "lease_until < UNIX_TIMESTAMP())",
	            "sis", owner, (long long)seconds, owner) != 0)
		return MODEL_ERR;
	return affected == 1 ? MODEL_OK : MODEL_NOT_FOUND;
}

int
model_acme_lease_drop(struct db_conn *conn, const char *owner)
{
	return model_rc(db_exec(conn, NULL, NULL,
	                        "UPDATE acme_state SET lease_owner = NULL, "
	                        "lease_until = NULL WHERE id = 1 AND "
	                        "lease_owner = ?",
	                        "s", owner));
}

int
model_acme_state_get(struct db_conn *conn, struct model_acme_state *st)
{
	struct db_rows rows;

	/* The migration writes the one row: without it, the table is
	 * broken, not empty. */
	if (model_query_row(conn, &rows,
	                    "SELECT COALESCE(next_attempt, 0), failures, "
	                    "orders, UNIX_TIMESTAMP() FROM acme_state "
	                    "WHERE id = 1",
	                    "") != MODEL_OK)
		return MODEL_ERR;
	st->next_attempt = db_cell_int(&rows, 0, 0);
	st->failures = (unsigned)db_cell_int(&rows, 0, 1);
	st->orders = db_cell_int(&rows, 0, 2);
	st->now = db_cell_int(&rows, 0, 3);
	db_rows_free(&rows);
	return MODEL_OK;
}

int
model_acme_order_started(struct db_conn *conn, const char *order_url)
{
	return model_rc(db_exec(conn, NULL, NULL,
	                        "UPDATE acme_state SET orders = orders + 1, "
	                        "order_url = ?, order_status = 'pending' "
	                        "WHERE id = 1",
	                        "s", order_url));
}

int
model_acme_attempt_done(struct db_conn *conn, bool ok, const char *result,
                        unsigned failures, long long next_attempt)
{
	return model_rc(
	    db_exec(conn, NULL, NULL,
	            "UPDATE acme_state SET order_status = ?, last_result = ?, "
	            "failures = ?, last_attempt = UNIX_TIMESTAMP(), "
	            "next_attempt = NULLIF(?, 0) WHERE id = 1",
	            "ssii", ok ? "valid" : "failed", result,
	            (long long)failures, next_attempt));
}
