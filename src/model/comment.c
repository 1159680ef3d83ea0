/* Comments (include/model.h). */
#include "model.h"

#include <stdint.h>
#include <string.h>

#include "db.h"
#include "internal.h"
#include "text.h"
#include "xalloc.h"

/* An email a visitor gives: none ("" or NULL), or one text_is_email takes. */
static bool
comment_email_ok(const char *email)
{
	return email == NULL || email[0] == '\0' || text_is_email(email);
}

int
model_comment_create(struct db_conn *conn, const struct model_comment_new *c,
                     long long *id)
{
	const char *name = c->name, *body = c->body;
	uint64_t insert_id;
	size_t nlen, blen;

	nlen = name != NULL ? strlen(name) : 0;
	blen = body != NULL ? strlen(body) : 0;
	if (nlen == 0 || blen == 0 || blen > MODEL_COMMENT_BODY_MAX ||
	    !text_utf8_valid(name, nlen) || !text_utf8_valid(body, blen) ||
	    text_utf8_len(name) > MODEL_COMMENT_NAME_MAX ||
	    !comment_email_ok(c->email))
		return MODEL_INVALID;
	/* One transaction: a comment answered as failed must not be kept,
	 * nor one shown without the version moving. */
	if (db_begin(conn) != 0)
		return MODEL_ERR;
	if (db_exec(conn, NULL, &insert_id,
	            "INSERT INTO comments (post_id, name, email, body, status, "
	            "created_at, client_ip) "
	            "VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(), ?)",
	            "isssss", c->post_id, name, c->email ? c->email : "", body,
	            c->approved ? "approved" : "pending", c->client_ip) != 0 ||
	    (c->approved && model_bump_version(conn) != 0)) {
		(void)db_rollback(conn);
		return MODEL_ERR;
	}
	if (db_commit(conn) != 0) {
		/* The COMMIT may have reached the server: take it back. */
		db_undo(conn, "DELETE FROM comments WHERE id = ?",
		        (long long)insert_id);
		return MODEL_ERR;
	}
	if (id != NULL)
		*id = (long long)insert_id;
	return MODEL_OK;
}

void
model_comment_from_row(const struct db_rows *rows, size_t r, size_t col,
                       struct model_comment *c)
{
	c->id = db_cell_int(rows, r, col);
	c->name = model_cell_dup(rows, r, col + 1);
	c->body = model_cell_dup(rows, r, col + 2);
	c->created_at = model_cell_dup(rows, r, col + 3);
}

/* The first limit rows into out. Columns: id, name, body, created_at,
 * title, slug, email. */
static int
fill_list(struct db_rows *rows, size_t limit, struct model_comment_list *out)
{
	struct model_comment *c;
	size_t r;

	out->n = rows->nrows < limit ? rows->nrows : limit;
	out->items = xcalloc(out->n, sizeof(*out->items));
	for (r = 0; r < out->n; r++) {
		c = &out->items[r];
		model_comment_from_row(rows, r, 0, c);
		c->post_title = model_cell_dup(rows, r, 4);
		c->post_slug = model_cell_dup(rows, r, 5);
		c->email = model_cell_dup(rows, r, 6);
	}
	db_rows_free(rows);
	return MODEL_OK;
}

int
model_comment_list_approved(struct db_conn *conn, long long post_id,
                            struct model_comment_list *out)
{
	struct db_rows rows;

	memset(out, 0, sizeof(*out));
	if (db_query(conn, &rows,
	             "SELECT id, name, body, created_at, NULL, NULL, NULL "
	             "FROM comments "
	             "WHERE post_id = ? AND status = 'approved' "
	             "ORDER BY created_at, id",
	             "i", post_id) != 0)
		return MODEL_ERR;
	return fill_list(&rows, SIZE_MAX, out);
}

/* The admin's lists (fill_list's columns), before their WHERE. */
#define ADMIN_LIST_FROM                                                        \
	"SELECT c.id, c.name, c.body, c.created_at, p.title, p.slug, "         \
	"c.email FROM comments c JOIN posts p ON p.id = c.post_id "

int
model_comment_list_pending(struct db_conn *conn, struct model_comment_list *out)
{
	struct db_rows rows;

	memset(out, 0, sizeof(*out));
	if (db_query(conn, &rows,
	             ADMIN_LIST_FROM "WHERE c.status = 'pending' "
	                             "ORDER BY c.created_at, c.id LIMIT 1000",
	             "") != 0)
		return MODEL_ERR;
	return fill_list(&rows, SIZE_MAX, out);
}

int
model_comment_list_published(struct db_conn *conn, long long page,
                             long long per_page, struct model_comment_list *out,
                             bool *more)
{
	struct db_rows rows;

	memset(out, 0, sizeof(*out));
	*more = false;
	/* One row more than shown tells whether an older page follows. */
	if (db_query(conn, &rows,
	             ADMIN_LIST_FROM "WHERE c.status = 'approved' "
	                             "ORDER BY c.created_at DESC, c.id DESC "
	                             "LIMIT ? OFFSET ?",
	             "ii", per_page + 1, (page - 1) * per_page) != 0)
		return MODEL_ERR;
	*more = rows.nrows > (size_t)per_page;
	return fill_list(&rows, (size_t)per_page, out);
}

int
model_comment_approve(struct db_conn *conn, long long id)
{
	uint64_t affected;

	if (db_exec(conn, &affected, NULL,
	            "UPDATE comments SET status = 'approved' WHERE id = ?", "i",
	            id) != 0)
		return MODEL_ERR;
	/* None changed: already approved, or no such comment. */
	if (affected == 0)
		return model_row_exists(
		    conn, "SELECT 1 FROM comments WHERE id = ?", id);
	return model_bump_version(conn) == 0 ? MODEL_OK : MODEL_ERR;
}

int
model_comment_delete(struct db_conn *conn, long long id)
{
	uint64_t affected;

	/* Most deletions are spam from the moderation queue, which no page
	 * shows: those leave every instance's page cache alone. */
	if (db_exec(conn, &affected, NULL,
	            "DELETE FROM comments WHERE id = ? AND status = 'pending'",
	            "i", id) != 0)
		return MODEL_ERR;
	if (affected > 0)
		return MODEL_OK;
	return model_delete_visible(conn, "DELETE FROM comments WHERE id = ?",
	                            id);
}

long long
model_comment_count_pending(struct db_conn *conn)
{
	struct db_rows rows;
	long long n;

	if (db_query(conn, &rows,
	             "SELECT COUNT(*) FROM comments WHERE status = 'pending'",
	             "") != 0)
		return -1;
	n = db_cell_int(&rows, 0, 0);
	db_rows_free(&rows);
	return n;
}

int
model_comment_recent(struct db_conn *conn, const char *client_ip,
                     long long window, long long *n, long long *age)
{
	struct db_rows rows;

	if (db_query(conn, &rows,
	             "SELECT COUNT(*), COALESCE(TIMESTAMPDIFF(SECOND, "
	             "MIN(created_at), UTC_TIMESTAMP()), 0) FROM comments "
	             "WHERE client_ip = ? AND created_at > "
	             "UTC_TIMESTAMP() - INTERVAL ? SECOND",
	             "si", client_ip, window) != 0)
		return MODEL_ERR;
	*n = db_cell_int(&rows, 0, 0);
	*age = db_cell_int(&rows, 0, 1);
	db_rows_free(&rows);
	return MODEL_OK;
}

int
model_comment_repeated(struct db_conn *conn, long long post_id,
                       const char *client_ip, const char *body,
                       long long window)
{
	struct db_rows rows;
	int rc;

	if (db_query(conn, &rows,
	             "SELECT COUNT(*) FROM comments "
	             "WHERE body_hash = UNHEX(SHA2(?, 256)) AND "
	             "created_at > UTC_TIMESTAMP() - INTERVAL ? SECOND AND "
	             "(post_id = ? OR client_ip = ?)",
	             "siis", body, window, post_id, client_ip) != 0)
		return MODEL_ERR;
	rc = db_cell_int(&rows, 0, 0) > 0 ? 1 : 0;
	db_rows_free(&rows);
	return rc;
}

void
model_comment_list_free(struct model_comment_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->items[i].name);
		free(l->items[i].body);
		free(l->items[i].created_at);
		free(l->items[i].post_title);
		free(l->items[i].post_slug);
		free(l->items[i].email);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}
