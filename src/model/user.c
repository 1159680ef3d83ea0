/* Users (include/model.h). */
#include "model.h"

#include <string.h>

#include <mysqld_error.h>

#include "db.h"
#include "internal.h"
#include "xalloc.h"

bool
model_user_name_valid(const char *name)
{
	size_t n = 0;

	if (name == NULL)
		return false;
	for (; name[n] != '\0'; n++) {
		char c = name[n];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-'))
			return false;
	}
	return n >= 1 && n <= MODEL_NAME_MAX;
}

int
model_user_create(struct db_conn *conn, const char *name,
                  const char *password_hash, bool is_admin, long long *id)
{
	uint64_t insert_id;

	if (!model_user_name_valid(name))
		return MODEL_INVALID;
	if (db_exec(conn, NULL, &insert_id,
	            "INSERT INTO users (name, password_hash, is_admin, "
	            "created_at) VALUES (?, ?, ?, UTC_TIMESTAMP())",
	            "ssi", name, password_hash, (long long)is_admin) != 0)
		return db_errno(conn) == ER_DUP_ENTRY ? MODEL_DUPLICATE
		                                      : MODEL_ERR;
	if (id != NULL)
		*id = (long long)insert_id;
	return MODEL_OK;
}

static void
user_from_row(const struct db_rows *rows, size_t r, struct model_user *u)
{
	u->id = db_cell_int(rows, r, 0);
	u->name = model_cell_dup(rows, r, 1);
	u->password_hash = model_cell_dup(rows, r, 2);
	u->is_admin = db_cell_int(rows, r, 3) != 0;
	u->created_at = model_cell_dup(rows, r, 4);
	u->totp = rows->ncols > 5 && db_cell_int(rows, r, 5) != 0;
}

static int
user_one(struct db_rows *rows, struct model_user *out)
{
	int rc = MODEL_NOT_FOUND;

	if (rows->nrows == 1) {
		user_from_row(rows, 0, out);
		rc = MODEL_OK;
	}
	db_rows_free(rows);
	return rc;
}

int
model_user_find(struct db_conn *conn, const char *name, struct model_user *out)
{
	struct db_rows rows;

	memset(out, 0, sizeof(*out));
	if (db_query(conn, &rows,
	             "SELECT id, name, password_hash, is_admin, created_at, "
	             "totp_secret IS NOT NULL FROM users WHERE name = ?",
	             "s", name) != 0)
		return MODEL_ERR;
	return user_one(&rows, out);
}

int
model_user_rehash(struct db_conn *conn, long long id, const char *password_hash)
{
	if (db_exec(conn, NULL, NULL,
	            "UPDATE users SET password_hash = ? WHERE id = ?", "si",
	            password_hash, id) != 0)
		return MODEL_ERR;
	/* affected rows is 0 for an unchanged value too: ask directly. */
	return model_row_exists(conn, "SELECT 1 FROM users WHERE id = ?", id);
}

int
model_user_set_password(struct db_conn *conn, long long id,
                        const char *password_hash, const char *keep)
{
	int rc;

	/* One transaction: no moment with the new password and old
	 * sessions, nor sessions ended for a change that did not happen. */
	if (db_begin(conn) != 0)
		return MODEL_ERR;
	rc = model_user_rehash(conn, id, password_hash);
	if (rc == MODEL_OK &&
	    (db_exec(conn, NULL, NULL,
	             "DELETE FROM sessions WHERE user_id = ? "
	             "AND (? IS NULL OR token_hash <> UNHEX(?))",
	             "iss", id, keep, keep) != 0 ||
	     db_exec(conn, NULL, NULL,
	             "DELETE FROM login_pending WHERE user_id = ?", "i",
	             id) != 0))
		rc = MODEL_ERR;
	if (rc != MODEL_OK) {
		(void)db_rollback(conn);
		return rc;
	}
	return db_commit(conn) == 0 ? MODEL_OK : MODEL_ERR;
}

int
model_user_list(struct db_conn *conn, struct model_user_list *out)
{
	struct db_rows rows;
	size_t r;

	memset(out, 0, sizeof(*out));
	if (db_query(conn, &rows,
	             "SELECT id, name, NULL, is_admin, created_at FROM users "
	             "ORDER BY name",
	             "") != 0)
		return MODEL_ERR;
	out->items = xcalloc(rows.nrows, sizeof(*out->items));
	out->n = rows.nrows;
	for (r = 0; r < rows.nrows; r++)
		user_from_row(&rows, r, &out->items[r]);
	db_rows_free(&rows);
	return MODEL_OK;
}

int
model_user_delete(struct db_conn *conn, const char *name)
{
	struct db_rows rows;
	uint64_t affected;
	bool has_posts;

	/* Sessions go by ON DELETE CASCADE; posts are kept, so their author
	 * must stay (the foreign key would refuse anyway). */
	if (db_query(conn, &rows,
	             "SELECT 1 FROM posts p JOIN users u ON u.id = p.author_id "
	             "WHERE u.name = ? LIMIT 1",
	             "s", name) != 0)
		return MODEL_ERR;
	has_posts = rows.nrows > 0;
	db_rows_free(&rows);
	if (has_posts)
		return MODEL_INVALID;
	if (db_exec(conn, &affected, NULL, "DELETE FROM users WHERE name = ?",
	            "s", name) != 0)
		return MODEL_ERR;
	return affected > 0 ? MODEL_OK : MODEL_NOT_FOUND;
}

void
model_user_free(struct model_user *u)
{
	if (u == NULL)
		return;
	free(u->name);
	xfree_secret(u->password_hash);
	free(u->created_at);
	memset(u, 0, sizeof(*u));
}

void
model_user_list_free(struct model_user_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		model_user_free(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}
