/* Site-wide rows: the shared secret and the content version. */
#include "model.h"

#include <string.h>

#include "crypto.h"
#include "db.h"
#include "internal.h"
#include "log.h"

int
model_bump_version(struct db_conn *conn)
{
	return db_exec(conn, NULL, NULL,
	               "UPDATE content_version SET version = version + 1 "
	               "WHERE id = 1",
	               "");
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
	struct db_rows rows;
	long long v = -1;

	if (db_query(conn, &rows,
	             "SELECT version FROM content_version WHERE id = 1",
	             "") != 0)
		return -1;
	if (rows.nrows == 1)
		v = db_cell_int(&rows, 0, 0);
	db_rows_free(&rows);
	return v;
}
