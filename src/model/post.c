/* Posts and their tags (include/model.h). */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysqld_error.h>

#include "buf.h"
#include "db.h"
#include "internal.h"
#include "markdown.h"
#include "text.h"
#include "xalloc.h"

#define SLUG_TRIES 1000 /* "-2" .. "-1000" before giving up */
#define LIST_MAX   50000
/* Home page offsets from which the ids-first plan is cheaper than reading
 * rows down the index (measured crossover: 250-300 rows skipped). */
#define HOME_DEEP_OFFSET 250

/* A create/update, checked and prepared for storage. */
struct post_values {
	char *title;
	char *slug; /* base slug; suffixes are tried on top of it */
	struct markdown_out body;
	/* The publication time given, normalised; "" for none. */
	char publish_at[TEXT_DATETIME_SIZE];
	char **tags;
	size_t ntags;
};

static void
values_free(struct post_values *v)
{
	free(v->title);
	free(v->slug);
	markdown_out_free(&v->body);
	model_strv_free(v->tags, v->ntags);
	memset(v, 0, sizeof(*v));
}

/* Splits "a, B ,a,,c" into {"a", "b", "c"} (the server lower-cases the
 * rest of Unicode when it stores a new tag). MODEL_INVALID for a tag that
 * is too long or could not be a URL path segment. */
static int
parse_tags(const char *csv, struct post_values *v)
{
	const char *p = csv, *comma;
	char *raw, *tag, *c;
	size_t i;
	bool dup;

	while (p != NULL && *p != '\0') {
		comma = strchr(p, ',');
		raw = comma ? xstrndup(p, (size_t)(comma - p)) : xstrdup(p);
		p = comma ? comma + 1 : NULL;
		tag = text_trim(raw);
		free(raw);
		for (c = tag; *c != '\0'; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		if (*tag == '\0') {
			free(tag);
			continue;
		}
		if (strlen(tag) > MODEL_TAG_MAX || strchr(tag, '/') != NULL ||
		    !text_utf8_valid(tag, strlen(tag))) {
			free(tag);
			return MODEL_INVALID;
		}
		for (dup = false, i = 0; i < v->ntags && !dup; i++)
			dup = strcmp(v->tags[i], tag) == 0;
		if (dup) {
			free(tag);
			continue;
		}
		v->tags = xrealloc(v->tags, (v->ntags + 1) * sizeof(*v->tags));
		v->tags[v->ntags++] = tag;
	}
	return MODEL_OK;
}

static int
prepare_values(const struct model_post_input *in, struct post_values *v)
{
	size_t len, body_len;

	memset(v, 0, sizeof(*v));
	if (in->title == NULL || in->body_md == NULL)
		return MODEL_INVALID;
	v->title = text_trim(in->title);
	len = strlen(v->title);
	body_len = strlen(in->body_md);
	/* VARCHAR(200) counts characters, not bytes. */
	if (len == 0 || !text_utf8_valid(v->title, len) ||
	    text_utf8_len(v->title) > MODEL_TITLE_MAX ||
	    !text_utf8_valid(in->body_md, body_len))
		goto invalid;
	if (in->slug != NULL && *in->slug != '\0') {
		if (!text_is_slug(in->slug))
			goto invalid;
		v->slug = xstrdup(in->slug);
	} else {
		v->slug = text_slugify(v->title);
	}
	if (parse_tags(in->tags, v) != MODEL_OK)
		goto invalid;
	if (in->publish_at != NULL && *in->publish_at != '\0' &&
	    !text_datetime_normalize(in->publish_at, v->publish_at))
		goto invalid;
	if (in->html)
		markdown_html_body(in->body_md, MODEL_EXCERPT_LEN, &v->body);
	else
		markdown_render(in->body_md, body_len, in->raw_html,
		                MODEL_EXCERPT_LEN, &v->body);
	return MODEL_OK;
invalid:
	values_free(v);
	return MODEL_INVALID;
}

char *
model_slug_candidate(const char *base, int n)
{
	char suffix[16];
	size_t keep;
	struct buf b = BUF_INIT;

	if (n == 1)
		return xstrdup(base);
	snprintf(suffix, sizeof(suffix), "-%d", n);
	keep = strlen(base);
	if (keep + strlen(suffix) > SLUG_MAX)
		keep = SLUG_MAX - strlen(suffix);
	while (keep > 0 && base[keep - 1] == '-')
		keep--;
	buf_append(&b, base, keep);
	buf_puts(&b, suffix);
	return buf_detach(&b);
}

/* A post p's tags' names in name order, joined by ','. */
#define POST_TAG_NAMES                                                         \
	"(SELECT GROUP_CONCAT(t.name ORDER BY t.name SEPARATOR ',') "          \
	"FROM post_tags pt JOIN tags t ON t.id = pt.tag_id "                   \
	"WHERE pt.post_id = p.id)"

int
model_post_tags_store(struct db_conn *conn, long long post_id,
                      const char *const *tags, size_t ntags)
{
	size_t i;

	if (db_exec(conn, NULL, NULL, "DELETE FROM post_tags WHERE post_id = ?",
	            "i", post_id) != 0)
		return -1;
	for (i = 0; i < ntags; i++) {
		if (db_exec(conn, NULL, NULL,
		            "INSERT INTO tags (name) VALUES (LOWER(?)) "
		            "ON DUPLICATE KEY UPDATE id = id",
		            "s", tags[i]) != 0)
			return -1;
		/* IGNORE: two tags the collation holds equal ("é"/"É").
		 * No other statement writes posts.status, posts.kind or
		 * posts.published_at, whose values the link copies. */
		if (db_exec(conn, NULL, NULL,
		            "INSERT IGNORE INTO post_tags (post_id, tag_id, "
		            "published_at) "
		            "SELECT p.id, t.id, " MODEL_TAG_DATE
		            " FROM posts p JOIN tags t ON t.name = LOWER(?) "
		            "WHERE p.id = ?",
		            "si", tags[i], post_id) != 0)
			return -1;
	}
	/* updated_at = updated_at: an imported post keeps its date. */
	return db_exec(conn, NULL, NULL,
	               "UPDATE posts p SET p.tag_names = " POST_TAG_NAMES
	               ", p.updated_at = p.updated_at WHERE p.id = ?",
	               "i", post_id);
}

/*
 * Runs one slug-writing statement with successive candidates until one is
 * free. A taken slug is the only unique key the statements can hit.
 */
static int
write_with_slug(struct db_conn *conn, const struct model_post_input *in,
                const struct post_values *v, long long id, long long author_id,
                uint64_t *insert_id, char **slug_out)
{
	const char *status = in->published ? "published" : "draft";
	const char *kind = in->page ? "page" : "post";
	const char *at = v->publish_at[0] != '\0' ? v->publish_at : NULL;
	char *slug;
	int n, rc;

	/* published_at: the time given, else now on the first publication,
	 * else as it was (a re-publish keeps its date). */
	for (n = 1; n <= SLUG_TRIES; n++) {
		slug = model_slug_candidate(v->slug, n);
		if (id == 0)
			rc = db_exec(
			    conn, NULL, insert_id,
			    "INSERT INTO posts (slug, title, body_md, "
			    "body_html, excerpt, excerpt_html, "
			    "author_id, status, kind, published_at, "
			    "created_at, updated_at) "
			    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
			    "COALESCE(?, IF(?, UTC_TIMESTAMP(), NULL)), "
			    "UTC_TIMESTAMP(), UTC_TIMESTAMP())",
			    "ssssssisssi", slug, v->title, in->body_md,
			    v->body.html, v->body.excerpt, v->body.excerpt_html,
			    author_id, status, kind, at,
			    (long long)in->published);
		else
			rc = db_exec(conn, NULL, NULL,
			             "UPDATE posts SET slug = ?, title = ?, "
			             "body_md = ?, body_html = ?, excerpt = ?, "
			             "excerpt_html = ?, status = ?, kind = ?, "
			             "published_at = COALESCE(?, "
			             "IF(? AND published_at IS NULL, "
			             "UTC_TIMESTAMP(), published_at)), "
			             "updated_at = UTC_TIMESTAMP() "
			             "WHERE id = ?",
			             "sssssssssii", slug, v->title, in->body_md,
			             v->body.html, v->body.excerpt,
			             v->body.excerpt_html, status, kind, at,
			             (long long)in->published, id);
		if (rc == 0) {
			*slug_out = slug;
			return MODEL_OK;
		}
		free(slug);
		if (db_errno(conn) != ER_DUP_ENTRY)
			return MODEL_ERR;
	}
	return MODEL_ERR;
}

static int
save(struct db_conn *conn, long long id, long long author_id,
     const struct model_post_input *in, long long *id_out, char **slug_out)
{
	struct post_values v;
	uint64_t insert_id = 0;
	char *slug = NULL;
	int rc;

	if ((rc = prepare_values(in, &v)) != MODEL_OK)
		return rc;
	rc = MODEL_ERR;
	if (db_begin(conn) != 0)
		goto out;
	if (id != 0) {
		/* Locked until commit: a concurrent delete waits. */
		rc = model_row_exists(
		    conn, "SELECT 1 FROM posts WHERE id = ? FOR UPDATE", id);
		if (rc != MODEL_OK)
			goto rollback;
	}
	if ((rc = write_with_slug(conn, in, &v, id, author_id, &insert_id,
	                          &slug)) != MODEL_OK)
		goto rollback;
	if (id == 0)
		id = (long long)insert_id;
	rc = MODEL_ERR;
	if (model_post_tags_store(conn, id, (const char *const *)v.tags,
	                          v.ntags) != 0 ||
	    model_bump_version(conn) != 0 || db_commit(conn) != 0)
		goto rollback;
	if (id_out != NULL)
		*id_out = id;
	if (slug_out != NULL) {
		*slug_out = slug;
		slug = NULL;
	}
	rc = MODEL_OK;
	goto out;
rollback:
	db_rollback(conn);
out:
	free(slug);
	values_free(&v);
	return rc;
}

int
model_post_create(struct db_conn *conn, long long author_id,
                  const struct model_post_input *in, long long *id,
                  char **slug_out)
{
	return save(conn, 0, author_id, in, id, slug_out);
}

int
model_post_update(struct db_conn *conn, long long id,
                  const struct model_post_input *in, char **slug_out)
{
	struct model_post_input stored = *in;
	struct db_rows rows;

	if (id <= 0)
		return MODEL_NOT_FOUND;
	/* A post imported as HTML stays HTML whatever the form sends. */
	if (db_query(conn, &rows, "SELECT body_format FROM posts WHERE id = ?",
	             "i", id) != 0)
		return MODEL_ERR;
	stored.html =
	    rows.nrows == 1 && strcmp(db_cell(&rows, 0, 0), "html") == 0;
	db_rows_free(&rows);
	return save(conn, id, 0, &stored, NULL, slug_out);
}

int
model_post_delete(struct db_conn *conn, long long id)
{
	/* Comments and tag links go by ON DELETE CASCADE. */
	return model_delete_visible(conn, "DELETE FROM posts WHERE id = ?", id);
}

/*
 * Every post query returns these columns, in this order:
 * 0 id, 1 slug, 2 title, 3 excerpt, 4 author name, 5 status,
 * 6 published_at, 7 created_at, 8 updated_at, 9 kind, 10 excerpt_html,
 * 11 scheduled, 12 body_html, 13 body_md.
 */
#define POST_COLS                                                              \
	"p.id, p.slug, p.title, p.excerpt, u.name, p.status, p.published_at, " \
	"p.created_at, p.updated_at, p.kind, p.excerpt_html, "                 \
	"p.published_at > UTC_TIMESTAMP()"

static void
post_from_row(const struct db_rows *rows, size_t r, struct model_post *p)
{
	p->id = db_cell_int(rows, r, 0);
	p->slug = model_cell_dup(rows, r, 1);
	p->title = model_cell_dup(rows, r, 2);
	p->excerpt = model_cell_dup(rows, r, 3);
	p->author_name = model_cell_dup(rows, r, 4);
	p->published = strcmp(db_cell(rows, r, 5), "published") == 0;
	p->published_at = model_cell_dup(rows, r, 6);
	p->created_at = model_cell_dup(rows, r, 7);
	p->updated_at = model_cell_dup(rows, r, 8);
	p->page = strcmp(db_cell(rows, r, 9), "page") == 0;
	p->excerpt_html = model_cell_dup(rows, r, 10);
	p->scheduled = p->published && db_cell_int(rows, r, 11) == 1;
	p->body_html = model_cell_dup(rows, r, 12);
	p->body_md = model_cell_dup(rows, r, 13);
}

/*
 * The single-post getters read the tags' names from posts.tag_names
 * (column 14, joined by ',', which no tag contains: the input splits on
 * it), a copy model_post_tags_store keeps: a subquery over post_tags and
 * tags cost MariaDB 55 us of CPU on every post page (docs/DEPENDENCIES.md).
 */
#define POST_TAGS_COL ", p.tag_names"

static void
tags_from_cell(const char *names, struct model_post *p)
{
	struct buf csv = BUF_INIT;
	const char *s = names;

	while (s != NULL && *s != '\0') {
		size_t n = strcspn(s, ",");

		p->tags = xrealloc(p->tags, (p->ntags + 1) * sizeof(*p->tags));
		p->tags[p->ntags] = xstrndup(s, n);
		buf_printf(&csv, "%s%s", p->ntags ? ", " : "",
		           p->tags[p->ntags]);
		p->ntags++;
		s += n + (s[n] == ',');
	}
	p->tags_csv = buf_detach(&csv);
}

static int
post_one(struct db_rows *rows, struct model_post *out)
{
	if (rows->nrows != 1) {
		db_rows_free(rows);
		return MODEL_NOT_FOUND;
	}
	post_from_row(rows, 0, out);
	tags_from_cell(db_cell(rows, 0, 14), out);
	db_rows_free(rows);
	return MODEL_OK;
}

int
model_post_get(struct db_conn *conn, long long id, struct model_post *out)
{
	struct db_rows rows;

	memset(out, 0, sizeof(*out));
	if (db_query(conn, &rows,
	             "SELECT " POST_COLS
	             ", p.body_html, p.body_md" POST_TAGS_COL
	             " FROM posts p JOIN users u ON u.id = p.author_id "
	             "WHERE p.id = ?",
	             "i", id) != 0)
		return MODEL_ERR;
	return post_one(&rows, out);
}

int
model_post_get_published(struct db_conn *conn, const char *slug, bool page,
                         struct model_post *out)
{
	struct db_rows rows;

	memset(out, 0, sizeof(*out));
	if (slug == NULL || strlen(slug) > SLUG_MAX)
		return MODEL_NOT_FOUND;
	if (db_query(conn, &rows,
	             "SELECT " POST_COLS ", p.body_html, NULL" POST_TAGS_COL
	             " FROM posts p JOIN users u ON u.id = p.author_id "
	             "WHERE p.slug = ? AND p.kind = ? AND " MODEL_VISIBLE,
	             "ss", slug, page ? "page" : "post") != 0)
		return MODEL_ERR;
	return post_one(&rows, out);
}

/* Oldest first, as model_comment_list_approved sorts. */
static int
comment_cmp(const void *a, const void *b)
{
	const struct model_comment *x = a, *y = b;
	int c = strcmp(x->created_at, y->created_at);

	return c != 0 ? c : (x->id > y->id) - (x->id < y->id);
}

/*
 * The post and its approved comments in one statement: one row per comment
 * (columns 15-18), the post's columns 0-14 repeated on each, or one row
 * with NULL comment columns when there is none. This costs MariaDB 151 us
 * of CPU; the UNION ALL of the post's row and the comments' rows, with the
 * tags' subquery, cost 217 (docs/DEPENDENCIES.md). No ORDER BY: the
 * comments are sorted here, not in a temporary table of rows that hold
 * TEXT.
 */
int
model_post_page(struct db_conn *conn, const char *slug, struct model_post *post,
                struct model_comment_list *comments)
{
	struct db_rows rows;
	size_t r, n = 0;

	memset(post, 0, sizeof(*post));
	memset(comments, 0, sizeof(*comments));
	if (slug == NULL || strlen(slug) > SLUG_MAX)
		return MODEL_NOT_FOUND;
	if (db_query(conn, &rows,
	             "SELECT " POST_COLS ", p.body_html, NULL" POST_TAGS_COL
	             ", c.id, c.name, c.body, c.created_at "
	             "FROM posts p JOIN users u ON u.id = p.author_id "
	             "LEFT JOIN comments c ON c.post_id = p.id "
	             "AND c.status = 'approved' "
	             "WHERE p.slug = ? AND p.kind = 'post' AND " MODEL_VISIBLE,
	             "s", slug) != 0)
		return MODEL_ERR;
	if (rows.nrows == 0) {
		db_rows_free(&rows);
		return MODEL_NOT_FOUND;
	}
	post_from_row(&rows, 0, post);
	tags_from_cell(db_cell(&rows, 0, 14), post);
	comments->items = xcalloc(rows.nrows, sizeof(*comments->items));
	for (r = 0; r < rows.nrows; r++)
		if (db_cell(&rows, r, 15) != NULL) /* NULL: no comment */
			model_comment_from_row(&rows, r, 15,
			                       &comments->items[n++]);
	comments->n = n;
	db_rows_free(&rows);
	qsort(comments->items, n, sizeof(*comments->items), comment_cmp);
	return MODEL_OK;
}

static int
fill_list(struct db_rows *rows, size_t limit, struct model_post_list *out)
{
	size_t r;

	out->n = rows->nrows > limit ? limit : rows->nrows;
	out->has_more = rows->nrows > limit;
	out->items = xcalloc(out->n, sizeof(*out->items));
	for (r = 0; r < out->n; r++)
		post_from_row(rows, r, &out->items[r]);
	db_rows_free(rows);
	return MODEL_OK;
}

/* Page bounds; false when the page cannot exist (answered as empty). */
static bool
page_bounds(const struct model_post_query *q, long long *limit,
            long long *offset)
{
	if (q->per_page < 1 || q->per_page > LIST_MAX || q->page < 1 ||
	    q->page > LIST_MAX * 20LL)
		return false;
	*limit = q->per_page + 1; /* one more tells whether a page follows */
	*offset = (q->page - 1) * q->per_page;
	return true;
}

int
model_post_list_published(struct db_conn *conn,
                          const struct model_post_query *q,
                          struct model_post_list *out)
{
	struct db_rows rows;
	long long limit, offset, html = q->with_html;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!page_bounds(q, &limit, &offset))
		return MODEL_OK;
	/*
	 * The join order is fixed as written (STRAIGHT_JOIN, or LEFT JOIN
	 * on the home page): left alone the optimizer reads users first and
	 * sorts every post (docs/DEPENDENCIES.md); this way the home page
	 * reads ~10 index entries backwards.
	 */
	if (q->tag != NULL)
		/* The page's ids first, read backwards from the tag's range
		 * of post_tags_tag_published (which holds the published
		 * posts' dates, sql/002_*.sql) without touching a post, so
		 * a skipped entry costs an index entry at any depth; then
		 * only the page's posts, and a sort of those 11 rows.
		 * Page 500 of a tag with 10,000 posts: 1 ms instead of
		 * 80 ms sorting them all. The status check only guards a
		 * date copy a hand-written UPDATE left behind. With an
		 * author too, the optimizer materialises that author's
		 * post ids. */
		rc =
		    db_query(conn, &rows,
		             "SELECT STRAIGHT_JOIN " POST_COLS
		             ", IF(?, p.body_html, NULL), NULL "
		             "FROM (SELECT pt.post_id, pt.published_at "
		             "FROM tags t JOIN post_tags pt "
		             "FORCE INDEX (post_tags_tag_published) "
		             "ON pt.tag_id = t.id "
		             "WHERE t.name = ? "
		             "AND pt.published_at <= UTC_TIMESTAMP() "
		             "AND (? IS NULL OR EXISTS (SELECT 1 FROM posts ap "
		             "JOIN users au ON au.id = ap.author_id "
		             "WHERE ap.id = pt.post_id AND au.name = ?)) "
		             "ORDER BY pt.published_at DESC, pt.post_id DESC "
		             "LIMIT ? OFFSET ?) k "
		             "JOIN posts p ON p.id = k.post_id "
		             "LEFT JOIN users u ON u.id = p.author_id "
		             "WHERE " MODEL_VISIBLE " "
		             "ORDER BY k.published_at DESC, k.post_id DESC",
		             "isssii", html, q->tag, q->author, q->author,
		             limit, offset);
	else if (q->author != NULL)
		rc = db_query(
		    conn, &rows,
		    "SELECT STRAIGHT_JOIN " POST_COLS
		    ", IF(?, p.body_html, NULL), NULL "
		    "FROM users u "
		    "JOIN posts p FORCE INDEX (posts_author_published)"
		    " ON p.author_id = u.id "
		    "WHERE u.name = ? AND p.kind = 'post' AND " MODEL_VISIBLE
		    " "
		    "ORDER BY p.published_at DESC, p.id DESC "
		    "LIMIT ? OFFSET ?",
		    "isii", html, q->author, limit, offset);
	else if (offset < HOME_DEEP_OFFSET)
		/* One pass down the index, reading the page's rows: about
		 * 95 us of server CPU for page 1, where the ids-first plan
		 * below costs 400 us (it materialises and sorts a derived
		 * table), plus about 1 us per row skipped. LEFT JOIN (the
		 * foreign key gives every post its author) puts posts first
		 * as STRAIGHT_JOIN would; with STRAIGHT_JOIN and an inner
		 * join, MariaDB 10.11 switched some pooled connections to
		 * reading every published post and sorting them (280 us),
		 * for the connection's life, on about half the starts. */
		rc = db_query(conn, &rows,
		              "SELECT " POST_COLS
		              ", IF(?, p.body_html, NULL), NULL "
		              "FROM posts p "
		              "FORCE INDEX (posts_status_published) "
		              "LEFT JOIN users u ON u.id = p.author_id "
		              "WHERE p.kind = 'post' AND " MODEL_VISIBLE " "
		              "ORDER BY p.published_at DESC, p.id DESC "
		              "LIMIT ? OFFSET ?",
		              "iii", html, limit, offset);
	else
		/* Deep pages: the page's ids first, from the index alone (it
		 * holds status, published_at and the primary key), so
		 * skipped rows cost an index entry, not a row read. Page 500
		 * of 100,000 posts: 3-5 ms instead of 9-28 ms. */
		rc = db_query(conn, &rows,
		              "SELECT STRAIGHT_JOIN " POST_COLS
		              ", IF(?, p.body_html, NULL), NULL "
		              "FROM (SELECT id FROM posts "
		              "FORCE INDEX (posts_status_published) "
		              "WHERE status = 'published' AND kind = 'post' "
		              "AND published_at <= UTC_TIMESTAMP() "
		              "ORDER BY published_at DESC, id DESC "
		              "LIMIT ? OFFSET ?) k "
		              "JOIN posts p ON p.id = k.id "
		              "JOIN users u ON u.id = p.author_id "
		              "ORDER BY p.published_at DESC, p.id DESC",
		              "iii", html, limit, offset);
	if (rc != 0)
		return MODEL_ERR;
	return fill_list(&rows, (size_t)q->per_page, out);
}

int
model_post_list_admin(struct db_conn *conn, const char *words,
                      const struct model_post_query *q,
                      struct model_post_list *out)
{
	struct db_rows rows;
	long long limit, offset;

	memset(out, 0, sizeof(*out));
	if (!page_bounds(q, &limit, &offset))
		return MODEL_OK;
	if (words != NULL && words[0] == '\0')
		words = NULL;
	/* INSTR, not LIKE: a typed '%' or '_' is text, not a pattern. The
	 * scan is the admin's alone, and cheap next to a page render. */
	if (db_query(conn, &rows,
	             "SELECT " POST_COLS ", NULL, NULL "
	             "FROM posts p JOIN users u ON u.id = p.author_id "
	             "WHERE ? IS NULL OR INSTR(p.title, ?) > 0 "
	             "OR INSTR(p.slug, ?) > 0 "
	             "ORDER BY p.updated_at DESC, p.id DESC LIMIT ? OFFSET ?",
	             "sssii", words, words, words, limit, offset) != 0)
		return MODEL_ERR;
	return fill_list(&rows, (size_t)q->per_page, out);
}

int
model_page_list(struct db_conn *conn, struct model_post_list *out)
{
	struct db_rows rows;

	memset(out, 0, sizeof(*out));
	/* A range of posts_status_published, in its order. */
	if (db_query(conn, &rows,
	             "SELECT " POST_COLS ", NULL, NULL "
	             "FROM posts p FORCE INDEX (posts_status_published) "
	             "LEFT JOIN users u ON u.id = p.author_id "
	             "WHERE p.kind = 'page' AND " MODEL_VISIBLE " "
	             "ORDER BY p.published_at, p.id LIMIT ?",
	             "i", (long long)MODEL_NAV_MAX) != 0)
		return MODEL_ERR;
	return fill_list(&rows, MODEL_NAV_MAX, out);
}

int
model_post_search(struct db_conn *conn, const char *words,
                  const struct model_post_query *q, struct model_post_list *out)
{
	struct db_rows rows;
	long long limit, offset;

	memset(out, 0, sizeof(*out));
	if (words == NULL || *words == '\0' || !page_bounds(q, &limit, &offset))
		return MODEL_OK;
	if (db_query(conn, &rows,
	             "SELECT " POST_COLS ", IF(?, p.body_html, NULL), NULL "
	             "FROM posts p JOIN users u ON u.id = p.author_id "
	             "WHERE p.kind = 'post' AND " MODEL_VISIBLE " AND "
	             "MATCH (p.title, p.body_md) AGAINST (? IN NATURAL "
	             "LANGUAGE MODE) "
	             "ORDER BY MATCH (p.title, p.body_md) AGAINST (? IN "
	             "NATURAL LANGUAGE MODE) DESC, p.published_at DESC "
	             "LIMIT ? OFFSET ?",
	             "issii", (long long)q->with_html, words, words, limit,
	             offset) != 0)
		return MODEL_ERR;
	return fill_list(&rows, (size_t)q->per_page, out);
}

void
model_post_free(struct model_post *p)
{
	if (p == NULL)
		return;
	free(p->slug);
	free(p->title);
	free(p->body_md);
	free(p->body_html);
	free(p->excerpt);
	free(p->excerpt_html);
	free(p->author_name);
	free(p->published_at);
	free(p->created_at);
	free(p->updated_at);
	model_strv_free(p->tags, p->ntags);
	free(p->tags_csv);
	memset(p, 0, sizeof(*p));
}

void
model_post_list_free(struct model_post_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		model_post_free(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}
