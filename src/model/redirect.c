/* Old URLs: kept by an import, or set by hand (include/import.h). */
#include "import.h"

#include <string.h>

#include "db.h"
#include "internal.h"
#include "model.h"
#include "text.h"

/* Where redirect r sends a request: its post's page (p joined), or its
 * target. */
#define REDIRECT_LOCATION                                                      \
	"IF(r.post_id IS NULL, r.target, CONCAT('/posts/', p.slug))"

int
model_redirect_find(struct db_conn *conn, const char *path, char **location)
{
	*location = NULL;
	/* Only what text_is_redirect_path takes can be in the table (ascii,
	 * VARCHAR(500)); anything else is not sent to a server that would
	 * have to convert it. */
	if (!text_is_redirect_path(path))
		return MODEL_NOT_FOUND;
	/* Slugs are a-z, 0-9 and '-' (text_is_slug): nothing to encode. */
	return model_query_text(conn, location,
	                        "SELECT " REDIRECT_LOCATION " FROM redirects r "
	                        "LEFT JOIN posts p ON p.id = r.post_id "
	                        "WHERE r.path = ?",
	                        "s", path);
}

int
model_redirect_any(struct db_conn *conn)
{
	struct db_rows rows;
	int any;

	if (db_query(conn, &rows, "SELECT EXISTS (SELECT 1 FROM redirects)",
	             "") != 0)
		return -1;
	any = db_cell_int(&rows, 0, 0) != 0;
	db_rows_free(&rows);
	return any;
}

enum import_outcome
model_upsert_outcome(uint64_t affected)
{
	return affected == 1   ? IMPORT_ADDED
	       : affected == 0 ? IMPORT_UNCHANGED
	                       : IMPORT_UPDATED;
}

int
model_redirect_set(struct db_conn *conn, const char *path, const char *target,
                   bool over_post, enum import_outcome *out)
{
	uint64_t affected;
	const char *sql =
	    over_post ? "INSERT INTO redirects (path, target) VALUES (?, ?) "
	                "ON DUPLICATE KEY UPDATE post_id = NULL, "
	                "target = VALUES(target)"
	              : "INSERT INTO redirects (path, target) VALUES (?, ?) "
	                "ON DUPLICATE KEY UPDATE "
	                "target = IF(post_id IS NULL, VALUES(target), target)";

	if (!text_is_redirect_path(path) || !text_is_redirect_target(target))
		return MODEL_INVALID;
	if (db_exec(conn, &affected, NULL, sql, "ss", path, target) != 0)
		return MODEL_ERR;
	*out = model_upsert_outcome(affected);
	/* A 404 found no redirect under the old version (redirects.c); a
	 * re-import that changes nothing moves nothing. */
	if (*out != IMPORT_UNCHANGED && model_bump_version(conn) != 0)
		return MODEL_ERR;
	return MODEL_OK;
}

int
model_redirect_delete(struct db_conn *conn, const char *path)
{
	uint64_t affected;

	if (!text_is_redirect_path(path))
		return MODEL_NOT_FOUND;
	if (db_exec(conn, &affected, NULL,
	            "DELETE FROM redirects WHERE path = ?", "s", path) != 0)
		return MODEL_ERR;
	if (affected == 0)
		return MODEL_NOT_FOUND;
	return model_bump_version(conn) == 0 ? MODEL_OK : MODEL_ERR;
}

int
model_redirect_list(struct db_conn *conn, bool posts, struct db_rows *out)
{
	if (db_query(conn, out,
	             "SELECT r.path, " REDIRECT_LOCATION ", "
	             "r.post_id IS NOT NULL FROM redirects r LEFT JOIN posts p "
	             "ON p.id = r.post_id "
	             "WHERE ? OR r.post_id IS NULL ORDER BY r.path",
	             "i", (long long)posts) != 0)
		return MODEL_ERR;
	return MODEL_OK;
}

long long
model_redirect_post_count(struct db_conn *conn)
{
	long long n;

	if (model_query_int(conn, &n,
	                    "SELECT COUNT(*) FROM redirects "
	                    "WHERE post_id IS NOT NULL",
	                    "") != MODEL_OK)
		return -1;
	return n;
}
