/*
 * Storing imported rows (include/import.h): insert or update, keyed so a
 * second run of an import changes what changed and adds nothing twice.
 */
#include "import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysqld_error.h>

#include "buf.h"
#include "db.h"
#include "internal.h"
#include "markdown.h"
#include "model.h"
#include "text.h"
#include "xalloc.h"

#define SLUG_TRIES 1000

/*
 * password_hash follows the source only while it is still the copy made
 * by the last import (import_hash): a user who signed in here (rehashed to
 * argon2id) or changed it keeps theirs, unless the source deactivated
 * them. Assignments run left to right, so import_hash changes last.
 */
int
model_import_user(struct db_conn *conn, const struct import_user *u,
                  long long *id, enum import_outcome *out)
{
	struct db_rows rows;
	uint64_t affected;
	char *hash = NULL;
	int rc = MODEL_ERR;

	if (!model_user_name_valid(u->name))
		return MODEL_INVALID;
	struct buf b = BUF_INIT;

	if (!u->active)
		buf_putc(&b, '!');
	buf_puts(&b, u->hash);
	hash = buf_detach(&b);
	if (db_exec(conn, &affected, NULL,
	            "INSERT INTO users (name, password_hash, is_admin, "
	            "created_at, import_hash) VALUES (?, ?, ?, ?, ?) "
	            "ON DUPLICATE KEY UPDATE "
	            "password_hash = IF(import_hash IS NULL, password_hash, "
	            "IF(? OR password_hash = import_hash, "
	            "VALUES(password_hash), password_hash)), "
	            "is_admin = IF(import_hash IS NULL, is_admin, "
	            "VALUES(is_admin)), "
	            "import_hash = IF(import_hash IS NULL, NULL, "
	            "VALUES(import_hash))",
	            "ssissi", u->name, hash, (long long)u->is_admin, u->joined,
	            hash, (long long)!u->active) != 0)
		goto out;
	if (db_query(conn, &rows,
	             "SELECT id, import_hash IS NULL FROM users WHERE name = ?",
	             "s", u->name) != 0)
		goto out;
	if (rows.nrows == 1) {
		*id = db_cell_int(&rows, 0, 0);
		*out = db_cell_int(&rows, 0, 1)
		           ? IMPORT_KEPT
		           : model_upsert_outcome(affected);
		rc = MODEL_OK;
	}
	db_rows_free(&rows);
	/* A deactivated user's open sessions end with their access. */
	if (rc == MODEL_OK && !u->active && *out != IMPORT_KEPT &&
	    db_exec(conn, NULL, NULL, "DELETE FROM sessions WHERE user_id = ?",
	            "i", *id) != 0)
		rc = MODEL_ERR;
out:
	free(hash);
	return rc;
}

/* The trimmed title and the rendered body of p. */
struct rendered {
	char *title;
	struct markdown_out body;
};

static void
rendered_free(struct rendered *r)
{
	free(r->title);
	markdown_out_free(&r->body);
}

static int
render(const struct import_post *p, struct rendered *r)
{
	size_t len = strlen(p->body);

	memset(r, 0, sizeof(*r));
	r->title = text_trim(p->title);
	if (*r->title == '\0' || !text_utf8_valid(r->title, strlen(r->title)) ||
	    text_utf8_len(r->title) > MODEL_TITLE_MAX ||
	    !text_utf8_valid(p->body, len) || !text_is_slug(p->slug)) {
		rendered_free(r);
		return MODEL_INVALID;
	}
	if (p->html)
		markdown_html_body(p->body, MODEL_EXCERPT_LEN, &r->body);
	else
		markdown_render(p->body, len, p->raw_html, MODEL_EXCERPT_LEN,
		                &r->body);
	return MODEL_OK;
}

/* True when slug is base or base-N, which a re-run keeps. */
static bool
slug_is_of(const char *slug, const char *base)
{
	size_t n = strlen(base);
	char *end;

	if (strcmp(slug, base) == 0)
		return true;
	if (strncmp(slug, base, n) != 0 || slug[n] != '-' ||
	    slug[n + 1] < '2' || slug[n + 1] > '9')
		return false;
	strtol(slug + n + 1, &end, 10);
	return *end == '\0';
}

/* One write of the post row with slug; id 0 inserts. */
static int
write_post(struct db_conn *conn, const struct import_post *p,
           const struct rendered *r, const char *slug, long long id,
           uint64_t *affected, uint64_t *insert_id)
{
	const char *status = p->published ? "published" : "draft";
	const char *format = p->html ? "html" : "markdown";
	const char *kind = p->page ? "page" : "post";

	if (id == 0)
		return db_exec(conn, affected, insert_id,
		               "INSERT INTO posts (slug, title, body_md, "
		               "body_html, excerpt, excerpt_html, author_id, "
		               "status, kind, published_at, created_at, "
		               "updated_at, body_format, import_key) "
		               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
		               "?)",
		               "ssssssisssssss", slug, r->title, p->body,
		               r->body.html, r->body.excerpt,
		               r->body.excerpt_html, p->author_id, status, kind,
		               p->published_at, p->created_at, p->updated_at,
		               format, p->key);
	return db_exec(conn, affected, NULL,
	               "UPDATE posts SET slug = ?, title = ?, body_md = ?, "
	               "body_html = ?, excerpt = ?, excerpt_html = ?, "
	               "author_id = ?, status = ?, kind = ?, "
	               "published_at = ?, created_at = ?, updated_at = ?, "
	               "body_format = ? WHERE id = ?",
	               "ssssssissssssi", slug, r->title, p->body, r->body.html,
	               r->body.excerpt, r->body.excerpt_html, p->author_id,
	               status, kind, p->published_at, p->created_at,
	               p->updated_at, format, id);
}

/* Writes the row, trying slug candidates while the slug is taken. */
static int
write_with_slug(struct db_conn *conn, const struct import_post *p,
                const struct rendered *r, const char *current, long long *id,
                uint64_t *affected)
{
	uint64_t insert_id = 0;
	char *slug;
	int n, rc;

	/* A slug made unique on an earlier run stays as it is. */
	if (current != NULL && slug_is_of(current, p->slug))
		return write_post(conn, p, r, current, *id, affected, NULL) == 0
		           ? MODEL_OK
		           : MODEL_ERR;
	for (n = 1; n <= SLUG_TRIES; n++) {
		slug = model_slug_candidate(p->slug, n);
		rc = write_post(conn, p, r, slug, *id, affected, &insert_id);
		free(slug);
		if (rc == 0) {
			if (*id == 0)
				*id = (long long)insert_id;
			return MODEL_OK;
		}
		if (db_errno(conn) != ER_DUP_ENTRY)
			return MODEL_ERR;
	}
	return MODEL_ERR;
}

/* The post's tag names, sorted and joined by '\n' (caller frees). */
static int
tags_now(struct db_conn *conn, long long id, char **out)
{
	struct db_rows rows;
	struct buf b = BUF_INIT;

	if (db_query(conn, &rows,
	             "SELECT t.name FROM post_tags pt JOIN tags t "
	             "ON t.id = pt.tag_id WHERE pt.post_id = ? ORDER BY t.name",
	             "i", id) != 0)
		return -1;
	for (size_t i = 0; i < rows.nrows; i++) {
		buf_puts(&b, db_cell(&rows, i, 0));
		buf_putc(&b, '\n');
	}
	db_rows_free(&rows);
	*out = buf_detach(&b);
	return 0;
}

/* Replaces the tag links (model_post_tags_store) once every name is valid.
 */
static int
store_tags(struct db_conn *conn, long long id, const struct import_post *p)
{
	for (size_t i = 0; i < p->ntags; i++) {
		const char *t = p->tags[i];
		if (*t == '\0' || strlen(t) > MODEL_TAG_MAX ||
		    strchr(t, '/') != NULL || !text_utf8_valid(t, strlen(t)))
			return MODEL_INVALID;
	}
	return model_rc(model_post_tags_store(conn, id, p->tags, p->ntags));
}

/* The post row with p's key (or slug), if any: *id (0 when none) and
 * *slug. */
static int
find_post(struct db_conn *conn, const struct import_post *p, long long *id,
          char **slug)
{
	struct db_rows rows;
	int rc;

	*id = 0;
	*slug = NULL;
	if (p->key != NULL)
		rc = db_query(conn, &rows,
		              "SELECT id, slug FROM posts WHERE import_key = ?",
		              "s", p->key);
	else
		rc = db_query(conn, &rows,
		              "SELECT id, slug FROM posts WHERE slug = ?", "s",
		              p->slug);
	if (rc != 0)
		return MODEL_ERR;
	if (rows.nrows == 1) {
		*id = db_cell_int(&rows, 0, 0);
		*slug = model_cell_dup(&rows, 0, 1);
	}
	db_rows_free(&rows);
	return MODEL_OK;
}

/* Writes the tags and says whether they differ from before. */
static int
retag(struct db_conn *conn, long long id, const struct import_post *p,
      bool *changed)
{
	char *before = NULL, *after = NULL;
	int rc = MODEL_ERR;

	if (tags_now(conn, id, &before) != 0)
		return MODEL_ERR;
	if ((rc = store_tags(conn, id, p)) == MODEL_OK) {
		rc = tags_now(conn, id, &after) == 0 ? MODEL_OK : MODEL_ERR;
		*changed = after != NULL && strcmp(before, after) != 0;
	}
	free(before);
	free(after);
	return rc;
}

int
model_import_post(struct db_conn *conn, const struct import_post *p,
                  long long *id, enum import_outcome *out)
{
	struct rendered r;
	uint64_t affected = 0;
	char *current = NULL;
	bool tags_changed = false;
	int rc;

	if ((rc = render(p, &r)) != MODEL_OK)
		return rc;
	if ((rc = find_post(conn, p, id, &current)) != MODEL_OK)
		goto out;
	bool existed = *id != 0;
	if ((rc = write_with_slug(conn, p, &r, current, id, &affected)) !=
	        MODEL_OK ||
	    (rc = retag(conn, *id, p, &tags_changed)) != MODEL_OK)
		goto out;
	*out = !existed                       ? IMPORT_ADDED
	       : affected > 0 || tags_changed ? IMPORT_UPDATED
	                                      : IMPORT_UNCHANGED;
out:
	free(current);
	rendered_free(&r);
	return rc;
}

int
model_import_comment(struct db_conn *conn, const struct import_comment *c,
                     enum import_outcome *out)
{
	const char *email = c->email != NULL ? c->email : "";
	size_t nlen = strlen(c->name), blen = strlen(c->body);
	size_t elen = strlen(email);
	uint64_t affected;

	if (nlen == 0 || !text_utf8_valid(c->name, nlen) ||
	    text_utf8_len(c->name) > MODEL_COMMENT_NAME_MAX || blen == 0 ||
	    blen > MODEL_COMMENT_BODY_MAX || !text_utf8_valid(c->body, blen) ||
	    !text_utf8_valid(email, elen) ||
	    text_utf8_len(email) > TEXT_EMAIL_MAX)
		return MODEL_INVALID;
	if (db_exec(conn, &affected, NULL,
	            "INSERT INTO comments (post_id, name, email, body, status, "
	            "created_at, import_key) VALUES (?, ?, ?, ?, ?, ?, ?) "
	            "ON DUPLICATE KEY UPDATE post_id = VALUES(post_id), "
	            "name = VALUES(name), email = VALUES(email), "
	            "body = VALUES(body), status = VALUES(status), "
	            "created_at = VALUES(created_at)",
	            "issssss", c->post_id, c->name, email, c->body,
	            c->approved ? "approved" : "pending", c->created_at,
	            c->key) != 0)
		return MODEL_ERR;
	*out = model_upsert_outcome(affected);
	return MODEL_OK;
}

int
model_import_redirect(struct db_conn *conn, const char *path, long long post_id,
                      enum import_outcome *out)
{
	uint64_t affected;

	if (strlen(path) > 500 || path[0] != '/')
		return MODEL_INVALID;
	if (db_exec(conn, &affected, NULL,
	            "INSERT INTO redirects (path, post_id) VALUES (?, ?) "
	            "ON DUPLICATE KEY UPDATE target = NULL, "
	            "post_id = VALUES(post_id)",
	            "si", path, post_id) != 0)
		return MODEL_ERR;
	*out = model_upsert_outcome(affected);
	return MODEL_OK;
}

/* Rows per round of model_import_excerpts: a bound on memory. */
#define EXCERPT_BATCH 200

int
model_import_excerpts(struct db_conn *conn, bool raw_html, long long *n)
{
	struct markdown_out out;
	struct db_rows rows;
	const char *body;
	size_t r;
	int rc = MODEL_OK;

	*n = 0;
	/* Nothing to do before sql/009 (a database migrated part way). */
	if (db_query(conn, &rows,
	             "SELECT 1 FROM information_schema.columns "
	             "WHERE table_schema = DATABASE() AND table_name = 'posts' "
	             "AND column_name = 'excerpt_html'",
	             "") != 0)
		return MODEL_ERR;
	r = rows.nrows;
	db_rows_free(&rows);
	if (r == 0)
		return MODEL_OK;
	do {
		if (db_query(conn, &rows,
		             "SELECT id, body_format, body_md FROM posts "
		             "WHERE excerpt_html IS NULL ORDER BY id LIMIT ?",
		             "i", (long long)EXCERPT_BATCH) != 0)
			return MODEL_ERR;
		for (r = 0; r < rows.nrows && rc == MODEL_OK; r++) {
			body = db_cell(&rows, r, 2);
			if (strcmp(db_cell(&rows, r, 1), "html") == 0)
				markdown_html_body(body, MODEL_EXCERPT_LEN,
				                   &out);
			else
				markdown_render(body, strlen(body), raw_html,
				                MODEL_EXCERPT_LEN, &out);
			if (db_exec(conn, NULL, NULL,
			            "UPDATE posts SET excerpt = ?, "
			            "excerpt_html = ? WHERE id = ?",
			            "ssi", out.excerpt, out.excerpt_html,
			            db_cell_int(&rows, r, 0)) != 0)
				rc = MODEL_ERR;
			markdown_out_free(&out);
			(*n)++;
		}
		r = rows.nrows;
		db_rows_free(&rows);
	} while (rc == MODEL_OK && r == EXCERPT_BATCH);
	if (rc == MODEL_OK && *n > 0)
		rc = model_rc(model_bump_version(conn));
	return rc;
}

int
model_import_done(struct db_conn *conn)
{
	return model_bump_version(conn);
}

int
model_import_post_id(struct db_conn *conn, const char *slug, long long *id)
{
	return model_query_int(conn, id, "SELECT id FROM posts WHERE slug = ?",
	                       "s", slug);
}

/* Compared, not LIKE: '_' in a table name is no wildcard here. */
#define IMPORT_COPIES(copies)                                                  \
	"SELECT id, SUBSTRING(import_key, CHAR_LENGTH(?) + 2) FROM " copies    \
	" WHERE LEFT(import_key, CHAR_LENGTH(?) + 1) = CONCAT(?, ':')"

int
model_import_copies(struct db_conn *conn, bool comments, const char *table,
                    struct db_rows *out)
{
	const char *sql =
	    comments ? IMPORT_COPIES("comments") : IMPORT_COPIES("posts");

	if (db_query(conn, out, sql, "sss", table, table, table) != 0)
		return MODEL_ERR;
	return MODEL_OK;
}
