/* Site-wide rows: the shared secret, the content version and the
 * session-ticket keys. */
#include "model.h"

#include <string.h>

#include "crypto.h"
#include "db.h"
#include "internal.h"
#include "log.h"

/* The earliest time a scheduled post will show, or NULL: one probe of
 * posts_status_published per kind. */
#define NEXT_PUBLISH                                                           \
	"(SELECT MIN(published_at) FROM posts "                                \
	"WHERE status = 'published' AND kind IN ('post', 'page') "             \
	"AND published_at > UTC_TIMESTAMP())"

int
model_bump_version(struct db_conn *conn)
{
	return db_exec(conn, NULL, NULL,
	               "UPDATE content_version SET version = version + 1, "
	               "next_publish = " NEXT_PUBLISH " WHERE id = 1",
	               "");
}

int
model_delete_visible(struct db_conn *conn, const char *sql, long long id)
{
	uint64_t affected;

	if (db_exec(conn, &affected, NULL, sql, "i", id) != 0)
		return MODEL_ERR;
	if (affected == 0)
		return MODEL_NOT_FOUND;
	return model_bump_version(conn) == 0 ? MODEL_OK : MODEL_ERR;
}

int
model_site_secret(struct db_conn *conn, unsigned char out[APP_SECRET_LEN])
{
	unsigned char fresh[APP_SECRET_LEN];
	struct db_rows rows;
	int rc = -1;

	/* Every instance offers a secret; the first one to arrive wins and
	 * all of them read that one back. */
	if (crypto_random(fresh, sizeof(fresh)) != 0) {
		log_err("site secret: no randomness");
		return -1;
	}
	if (db_exec(conn, NULL, NULL,
	            "INSERT IGNORE INTO site_secret (id, secret) VALUES (1, ?)",
	            "b", fresh, sizeof(fresh)) != 0)
		goto out;
	if (db_query(conn, &rows, "SELECT secret FROM site_secret WHERE id = 1",
	             "") != 0)
		goto out;
	if (rows.nrows == 1 && rows.lengths[0] == APP_SECRET_LEN) {
		memcpy(out, rows.cells[0], APP_SECRET_LEN);
		rc = 0;
	} else {
		log_err("site secret: table site_secret holds no valid row");
	}
	db_rows_free(&rows);
out:
	explicit_bzero(fresh, sizeof(fresh));
	return rc;
}

long long
model_content_version(struct db_conn *conn)
{
	long long v;

	if (model_query_int(conn, &v,
	                    "SELECT version FROM content_version WHERE id = 1",
	                    "") != MODEL_OK)
		return -1;
	return v;
}

/*
 * A scheduled post shows when the database's clock passes its time, and
 * no row changes then: so the poll also asks whether next_publish has
 * passed, and the poller that finds it so bumps the version (and sets the
 * next time) with one conditional UPDATE, which only one instance's
 * poller wins; the others read the bumped version next time round.
 */
long long
model_content_version_due(struct db_conn *conn)
{
	struct db_rows rows;
	long long v = -1;
	bool due = false;

	if (db_query(conn, &rows,
	             "SELECT version, next_publish <= UTC_TIMESTAMP() "
	             "FROM content_version WHERE id = 1",
	             "") != 0)
		return -1;
	if (rows.nrows == 1) {
		v = db_cell_int(&rows, 0, 0);
		due = db_cell_int(&rows, 0, 1) == 1;
	}
	db_rows_free(&rows);
	if (!due)
		return v;
	if (db_exec(conn, NULL, NULL,
	            "UPDATE content_version SET version = version + 1, "
	            "next_publish = " NEXT_PUBLISH
	            " WHERE id = 1 AND next_publish <= UTC_TIMESTAMP()",
	            "") != 0)
		return -1;
	return model_content_version(conn);
}

/* Offers a fresh key for the current period; the first offer stands. */
static int
ticket_key_offer(struct db_conn *conn, long long period_s)
{
	unsigned char fresh[MODEL_TICKET_NAME_LEN + MODEL_TICKET_KEY_LEN];
	int rc;

	if (crypto_random(fresh, sizeof(fresh)) != 0) {
		log_err("tls ticket keys: no randomness");
		return -1;
	}
	rc = db_exec(
	    conn, NULL, NULL,
	    "INSERT IGNORE INTO tls_ticket_keys (period, name, secret) "
	    "VALUES (UNIX_TIMESTAMP() DIV ?, ?, ?)",
	    "ibb", period_s, fresh, (size_t)MODEL_TICKET_NAME_LEN,
	    fresh + MODEL_TICKET_NAME_LEN, (size_t)MODEL_TICKET_KEY_LEN);
	explicit_bzero(fresh, sizeof(fresh));
	return rc;
}

int
model_ticket_keys(struct db_conn *conn, long long period_s,
                  struct model_ticket_key keys[2], size_t *n)
{
	struct db_rows rows;
	int rc = -1;

	*n = 0;
	if (ticket_key_offer(conn, period_s) != 0 ||
	    db_exec(conn, NULL, NULL,
	            "DELETE FROM tls_ticket_keys "
	            "WHERE period < UNIX_TIMESTAMP() DIV ? - 1",
	            "i", period_s) != 0 ||
	    db_query(conn, &rows,
	             "SELECT period, name, secret FROM tls_ticket_keys "
	             "ORDER BY period DESC LIMIT 2",
	             "") != 0)
		return -1;
	for (size_t i = 0; i < rows.nrows; i++) {
		if (rows.lengths[i * 3 + 1] != MODEL_TICKET_NAME_LEN ||
		    rows.lengths[i * 3 + 2] != MODEL_TICKET_KEY_LEN) {
			log_err("tls ticket keys: a row of tls_ticket_keys "
			        "has the wrong size");
			goto out;
		}
		keys[i].period = db_cell_int(&rows, i, 0);
		memcpy(keys[i].name, rows.cells[i * 3 + 1],
		       MODEL_TICKET_NAME_LEN);
		memcpy(keys[i].key, rows.cells[i * 3 + 2],
		       MODEL_TICKET_KEY_LEN);
	}
	*n = rows.nrows;
	rc = *n > 0 ? 0 : -1;
out:
	/* The result block holds the keys too. */
	model_rows_free_secret(&rows);
	return rc;
}
