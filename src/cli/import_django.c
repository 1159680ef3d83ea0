/*
 * blogd import django URL [--map FILE] [--old-urls PATTERN] [--dry-run]
 * [--prune] [--password-stdin] (include/cli.h).
 *
 * Reads the whole source first, over its own connection and read-only
 * statements, after checking that every table and column the map names
 * exists: a bad URL, a refused login or a missing column is one line and
 * nothing is written. Then writes blogd's rows in batches, one transaction
 * each; every row is keyed (users by name, posts and comments by their
 * source row, redirects by path), so running it again after a failure or a
 * change in the source updates and never duplicates. --dry-run does all of
 * it in one transaction and rolls it back: the summary is what a real run
 * would do. --prune then deletes what earlier runs copied from rows the
 * source no longer has.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "common.h"
#include "config.h"
#include "db.h"
#include "django.h"
#include "import.h"
#include "model.h"
#include "text.h"
#include "xalloc.h"

#define BATCH_POSTS 200

struct import_args {
	const char *url;
	const char *map;
	const char *old_urls;
	bool dry_run;
	bool prune;
	bool password_stdin;
};

enum kind { K_USERS, K_POSTS, K_COMMENTS, K_REDIRECTS, K_KINDS };

static const char *const kind_names[K_KINDS] = {"users", "posts", "comments",
                                                "redirects"};

struct import_run {
	const struct config *cfg;
	const struct import_args *args;
	const struct django_map *map;
	struct django_data src;
	long long *user_ids; /* blogd id per users row, 0 when skipped */
	long long *post_ids; /* blogd id per posts row, 0 when skipped */
	struct db_conn *conn;
	bool in_txn;
	struct cli_import_counts counts[K_KINDS];
};

static int
parse_args(int argc, char **argv, struct import_args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (strcmp(s, "--dry-run") == 0)
			a->dry_run = true;
		else if (strcmp(s, "--prune") == 0)
			a->prune = true;
		else if (strcmp(s, "--password-stdin") == 0)
			a->password_stdin = true;
		else if (strcmp(s, "--map") == 0 && i + 1 < argc)
			a->map = argv[++i];
		else if (strcmp(s, "--old-urls") == 0 && i + 1 < argc)
			a->old_urls = argv[++i];
		else if (s[0] != '-' && a->url == NULL)
			a->url = s;
		else {
			fprintf(stderr,
			        "blogd: import django: unexpected '%s'\n", s);
			return -1;
		}
	}
	if (a->url == NULL) {
		fprintf(stderr, "blogd: usage: blogd import django "
		                "mysql://USER@HOST[:PORT]/DB [--map FILE] "
		                "[--old-urls PATTERN] [--dry-run] [--prune] "
		                "[--password-stdin]\n");
		return -1;
	}
	return 0;
}

/* Binary search of a source id in column 0 of rows (ordered by it). */
static long long
row_of(const struct db_rows *rows, long long id)
{
	size_t lo = 0, hi = rows->nrows;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		long long v = db_cell_int(rows, mid, 0);
		if (v == id)
			return (long long)mid;
		if (v < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* A Django user name as a blogd one: characters blogd does not take
 * (Django allows @ and +) become '_', cut to MODEL_NAME_MAX. */
static char *
user_name(const char *name)
{
	char *n = xstrndup(name, MODEL_NAME_MAX);

	for (char *c = n; *c != '\0'; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '.' ||
		      *c == '-'))
			*c = '_';
	return n;
}

static int
import_user(struct import_run *r, size_t i)
{
	const struct db_rows *u = &r->src.users;
	char *name = user_name(db_cell(u, i, 1));
	struct import_user in = {
	    .name = name,
	    .hash = db_cell(u, i, 2),
	    .is_admin = db_cell_int(u, i, 3) != 0 || db_cell_int(u, i, 4) != 0,
	    .active = db_cell_int(u, i, 5) != 0,
	    .joined = db_cell(u, i, 6),
	};
	enum import_outcome o;
	int rc = MODEL_OK;

	if (strcmp(name, db_cell(u, i, 1)) != 0)
		fprintf(stderr,
		        "blogd: import django: user '%s' is '%s' in blogd\n",
		        db_cell(u, i, 1), name);
	if (in.hash == NULL || *name == '\0') {
		r->counts[K_USERS].skipped++;
	} else if ((rc = model_import_user(r->conn, &in, &r->user_ids[i],
	                                   &o)) == MODEL_OK) {
		cli_import_count(&r->counts[K_USERS], o);
	} else {
		fprintf(stderr, "blogd: import django: user '%s': %s\n", name,
		        rc == MODEL_INVALID ? "invalid" : "database error");
	}
	free(name);
	return rc == MODEL_OK ? 0 : -1;
}

static int
import_users(struct import_run *r)
{
	size_t n = r->src.users.nrows;

	r->user_ids = xcalloc(n + 1, sizeof(*r->user_ids));
	if (cli_import_batch_begin(r->conn, &r->in_txn) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (import_user(r, i) != 0)
			return -1;
	return cli_import_batch_end(r->conn, r->args->dry_run, &r->in_txn);
}

/* The source's tags of post id: rows [*first, *end) of src.tags (ordered
 * by post id). */
static void
tag_range(const struct db_rows *tags, long long id, size_t *first, size_t *end)
{
	size_t lo = 0, hi = tags->nrows;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (db_cell_int(tags, mid, 0) < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (lo < tags->nrows && db_cell_int(tags, lo, 0) == id)
		lo++;
	*end = lo;
}

/* The slug blogd stores: the source's when valid, else made from it (or
 * from the title when empty). Caller frees. */
static char *
post_slug(const char *slug, const char *title)
{
	if (slug != NULL && text_is_slug(slug))
		return xstrdup(slug);
	return text_slugify(slug != NULL && *slug != '\0' ? slug : title);
}

/* HTML when the body starts with a tag (after white space): a Markdown
 * post seldom does, an HTML one (a rich-text editor's) nearly always. */
static bool
body_is_html(const struct django_map *m, const char *body)
{
	const char *f = m->v[DJ_POST_FORMAT];

	if (strcmp(f, "auto") != 0)
		return strcmp(f, "html") == 0;
	while (*body == ' ' || *body == '\t' || *body == '\r' || *body == '\n')
		body++;
	return body[0] == '<' &&
	       ((body[1] >= 'a' && body[1] <= 'z') ||
	        (body[1] >= 'A' && body[1] <= 'Z') || body[1] == '!');
}

/* Title cut to MODEL_TITLE_MAX code points (Django's default is 250). */
static char *
post_title(const char *title)
{
	size_t chars = 0, i = 0;

	for (; title[i] != '\0'; i++)
		if (((unsigned char)title[i] & 0xC0) != 0x80 &&
		    chars++ == MODEL_TITLE_MAX)
			break;
	return xstrndup(title, i);
}

static int import_redirect(struct import_run *r, size_t i, long long id);

static int
import_post(struct import_run *r, size_t i)
{
	const struct db_rows *p = &r->src.posts;
	long long author = row_of(&r->src.users, db_cell_int(p, i, 3));
	char *slug = post_slug(db_cell(p, i, 2), db_cell(p, i, 1));
	char *title = post_title(db_cell(p, i, 1));
	char key[96];
	const char **tags;
	size_t first = 0, end = 0;
	enum import_outcome o;
	int rc = MODEL_OK;

	snprintf(key, sizeof(key), "%s:%s", r->map->v[DJ_POST_TABLE],
	         db_cell(p, i, 0));
	if (r->src.has_tags)
		tag_range(&r->src.tags, db_cell_int(p, i, 0), &first, &end);
	tags = xcalloc(end - first + 1, sizeof(*tags));
	for (size_t t = first; t < end; t++)
		tags[t - first] = db_cell(&r->src.tags, t, 1);
	struct import_post in = {
	    .key = key,
	    .slug = slug,
	    .title = title,
	    .body = db_cell(p, i, 4),
	    .html = body_is_html(r->map, db_cell(p, i, 4)),
	    .raw_html = r->cfg->site.markdown_unsafe_html,
	    .author_id = author >= 0 ? r->user_ids[author] : 0,
	    .published = django_map_published(r->map, db_cell(p, i, 8)),
	    .published_at = db_cell(p, i, 5),
	    .created_at = db_cell(p, i, 6),
	    .updated_at = db_cell(p, i, 7),
	    .tags = tags,
	    .ntags = end - first,
	};
	if (in.author_id == 0 || in.published_at == NULL) {
		fprintf(stderr,
		        "blogd: import django: skipped post %s ('%s'): %s\n",
		        db_cell(p, i, 0), slug,
		        in.author_id == 0 ? "no such author" : "no date");
		r->counts[K_POSTS].skipped++;
	} else if ((rc = model_import_post(r->conn, &in, &r->post_ids[i],
	                                   &o)) == MODEL_INVALID) {
		fprintf(stderr,
		        "blogd: import django: skipped post %s ('%s'): bad "
		        "title, body or tag\n",
		        db_cell(p, i, 0), slug);
		r->counts[K_POSTS].skipped++;
		rc = MODEL_OK;
	} else if (rc == MODEL_OK) {
		cli_import_count(&r->counts[K_POSTS], o);
		rc = import_redirect(r, i, r->post_ids[i]);
	}
	free(tags);
	free(slug);
	free(title);
	return rc == MODEL_OK ? 0 : -1;
}

/* s percent-encoded by encode (text.h's text_url_encode or
 * text_uri_escape). Caller frees. */
static char *
encoded(const char *s, size_t (*encode)(char *, const char *, size_t))
{
	size_t n = strlen(s);
	char *out = xmalloc(3 * n + 1);

	out[encode(out, s, n)] = '\0';
	return out;
}

/* Appends s percent-encoded but for RFC 3986's unreserved characters. */
static void
put_encoded(struct buf *b, const char *s)
{
	char *enc = encoded(s, text_url_encode);

	buf_puts(b, enc);
	free(enc);
}

/* The path --old-urls gives post row i (date fields from publish). */
static void
old_path(const struct import_run *r, size_t i, struct buf *b)
{
	const char *pat = r->args->old_urls,
	           *date = db_cell(&r->src.posts, i, 5);
	int y = 0, mo = 0, d = 0;

	sscanf(date, "%d-%d-%d", &y, &mo, &d);
	while (*pat != '\0') {
		const char *close = *pat == '{' ? strchr(pat, '}') : NULL;
		size_t n = close != NULL ? (size_t)(close - pat + 1) : 0;
		if (n == 0)
			buf_putc(b, *pat++);
		else if (strncmp(pat, "{yyyy}", n) == 0)
			buf_printf(b, "%04d", y);
		else if (strncmp(pat, "{mm}", n) == 0)
			buf_printf(b, "%02d", mo);
		else if (strncmp(pat, "{dd}", n) == 0)
			buf_printf(b, "%02d", d);
		else if (strncmp(pat, "{m}", n) == 0)
			buf_printf(b, "%d", mo);
		else if (strncmp(pat, "{d}", n) == 0)
			buf_printf(b, "%d", d);
		else if (strncmp(pat, "{slug}", n) == 0)
			put_encoded(b, db_cell(&r->src.posts, i, 2));
		else if (strncmp(pat, "{id}", n) == 0)
			buf_puts(b, db_cell(&r->src.posts, i, 0));
		pat += n;
	}
}

static int
import_redirect(struct import_run *r, size_t i, long long id)
{
	struct buf path = BUF_INIT;
	enum import_outcome o;
	int rc;

	if (r->args->old_urls == NULL)
		return MODEL_OK;
	old_path(r, i, &path);
	rc = model_import_redirect(r->conn, buf_cstr(&path), id, &o);
	if (rc == MODEL_OK) {
		cli_import_count(&r->counts[K_REDIRECTS], o);
	} else if (rc == MODEL_INVALID) {
		fprintf(stderr,
		        "blogd: import django: old URL %s is over 500 bytes; "
		        "not kept\n",
		        buf_cstr(&path));
		r->counts[K_REDIRECTS].skipped++;
		rc = MODEL_OK;
	}
	buf_free(&path);
	return rc;
}

static int
import_comment(struct import_run *r, size_t i)
{
	const struct db_rows *c = &r->src.comments;
	long long post = row_of(&r->src.posts, db_cell_int(c, i, 1));
	char key[96];
	enum import_outcome o;
	struct import_comment in = {
	    .key = key,
	    .post_id = post >= 0 ? r->post_ids[post] : 0,
	    .name = db_cell(c, i, 2),
	    .email = db_cell(c, i, 6),
	    .body = db_cell(c, i, 3),
	    .created_at = db_cell(c, i, 4),
	    .approved = db_cell_int(c, i, 5) != 0,
	};
	int rc = MODEL_INVALID;

	snprintf(key, sizeof(key), "%s:%s", r->map->v[DJ_COMMENT_TABLE],
	         db_cell(c, i, 0));
	if (in.post_id != 0 && in.name != NULL && in.body != NULL &&
	    in.created_at != NULL)
		rc = model_import_comment(r->conn, &in, &o);
	if (rc == MODEL_OK) {
		cli_import_count(&r->counts[K_COMMENTS], o);
	} else if (rc == MODEL_INVALID) {
		fprintf(stderr,
		        "blogd: import django: skipped comment %s: %s\n",
		        db_cell(c, i, 0),
		        in.post_id == 0 ? "its post was not imported"
		                        : "empty or too long name, body or "
		                          "email");
		r->counts[K_COMMENTS].skipped++;
		rc = MODEL_OK;
	}
	return rc == MODEL_OK ? 0 : -1;
}

/* The comments of the posts before row end_post, from *next on: comments
 * are ordered by post id as posts are by id, so a batch's comments are one
 * run of src.comments. */
static int
import_comments(struct import_run *r, size_t *next, size_t end_post)
{
	const struct db_rows *c = &r->src.comments;
	long long last = end_post < r->src.posts.nrows
	                     ? db_cell_int(&r->src.posts, end_post, 0)
	                     : -1;

	for (; *next < c->nrows; (*next)++) {
		if (last >= 0 && db_cell_int(c, *next, 1) >= last)
			break;
		if (import_comment(r, *next) != 0)
			return -1;
	}
	return 0;
}

static int
import_posts(struct import_run *r)
{
	size_t n = r->src.posts.nrows, next_comment = 0;

	r->post_ids = xcalloc(n + 1, sizeof(*r->post_ids));
	for (size_t i = 0; i < n; i += BATCH_POSTS) {
		size_t end = i + BATCH_POSTS < n ? i + BATCH_POSTS : n;
		if (cli_import_batch_begin(r->conn, &r->in_txn) != 0)
			return -1;
		for (size_t k = i; k < end; k++)
			if (import_post(r, k) != 0)
				return -1;
		if (r->src.has_comments &&
		    import_comments(r, &next_comment, end) != 0)
			return -1;
		if (cli_import_batch_end(r->conn, r->args->dry_run,
		                         &r->in_txn) != 0)
			return -1;
		fprintf(stderr, "blogd: import django: %zu/%zu posts\n", end,
		        n);
	}
	return 0;
}

/* Django's contrib.redirects: each old path answers 301 to its new path
 * (a path or a URL) or, new path empty, 410. */
static int
import_site_redirects(struct import_run *r)
{
	const struct db_rows *rows = &r->src.redirects;
	int rc = 0;

	if (cli_import_batch_begin(r->conn, &r->in_txn) != 0)
		return -1;
	for (size_t i = 0; rc == 0 && i < rows->nrows; i++) {
		/* Django keeps paths decoded; requests arrive encoded. */
		char *path = encoded(db_cell(rows, i, 0), text_uri_escape),
		     *target = encoded(db_cell(rows, i, 1), text_uri_escape);
		enum import_outcome o;

		rc = model_redirect_set(r->conn, path, target, false, &o);
		if (rc == MODEL_OK) {
			cli_import_count(&r->counts[K_REDIRECTS], o);
		} else if (rc == MODEL_INVALID) {
			fprintf(stderr,
			        "blogd: import django: skipped redirect %s: "
			        "not a path, or its new path is not a path "
			        "or an http(s) URL\n",
			        path);
			r->counts[K_REDIRECTS].skipped++;
			rc = MODEL_OK;
		}
		free(path);
		free(target);
	}
	if (rc != MODEL_OK)
		return -1;
	return cli_import_batch_end(r->conn, r->args->dry_run, &r->in_txn);
}

static int
compare_ids(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* Deletes the posts (or comments) of blogd that an earlier run copied from
 * a source row that is gone, counting them as removed. A key whose id does
 * not read as a number is left alone. */
static int
prune_kind(struct import_run *r, enum kind k)
{
	bool comments = k == K_COMMENTS;
	const struct db_rows *src = comments ? &r->src.comments : &r->src.posts;
	const char *table =
	    r->map->v[comments ? DJ_COMMENT_TABLE : DJ_POST_TABLE];
	long long *ids = xcalloc(src->nrows + 1, sizeof(*ids));
	struct db_rows copies;
	int rc = 0;

	/* Comments come ordered by post: sort their ids to search them. */
	for (size_t i = 0; i < src->nrows; i++)
		ids[i] = db_cell_int(src, i, 0);
	qsort(ids, src->nrows, sizeof(*ids), compare_ids);
	if (model_import_copies(r->conn, comments, table, &copies) != 0) {
		free(ids);
		return -1;
	}
	for (size_t i = 0; rc == 0 && i < copies.nrows; i++) {
		const char *source = db_cell(&copies, i, 1);
		long long id = db_cell_int(&copies, i, 0), sid;
		char *end;
		int d;

		sid = strtoll(source, &end, 10);
		if (end == source || *end != '\0' ||
		    bsearch(&sid, ids, src->nrows, sizeof(*ids), compare_ids) !=
		        NULL)
			continue;
		d = comments ? model_comment_delete(r->conn, id)
		             : model_post_delete(r->conn, id);
		if (d == MODEL_OK)
			r->counts[k].removed++;
		else if (d != MODEL_NOT_FOUND)
			rc = -1;
	}
	db_rows_free(&copies);
	free(ids);
	return rc;
}

/* --prune: what Django no longer has goes, comments first (a post takes
 * the rest of its comments with it). Without a comments table in the map
 * nothing says which comments are gone: they stay. */
static int
import_prune(struct import_run *r)
{
	if (cli_import_batch_begin(r->conn, &r->in_txn) != 0)
		return -1;
	if (r->src.has_comments && prune_kind(r, K_COMMENTS) != 0)
		return -1;
	if (prune_kind(r, K_POSTS) != 0)
		return -1;
	return cli_import_batch_end(r->conn, r->args->dry_run, &r->in_txn);
}

/* Writes what was read into blogd's database. */
static int
import_write(struct import_run *r)
{
	struct db_pool *pool;
	int rc = -1;

	if (cli_db_open(r->cfg, &pool, &r->conn) != 0)
		return -1;
	if (import_users(r) == 0 && import_posts(r) == 0 &&
	    (!r->src.has_redirects || import_site_redirects(r) == 0) &&
	    (!r->args->prune || import_prune(r) == 0))
		rc = 0;
	if (r->in_txn)
		db_rollback(r->conn);
	if (rc != 0)
		fprintf(stderr,
		        "blogd: import django: stopped by a database error; "
		        "the batch in progress was rolled back and a re-run "
		        "goes on from there\n");
	cli_db_close(pool, r->conn);
	return rc;
}

int
cli_import_django(const struct config *cfg, int argc, char **argv)
{
	struct import_args a;
	struct django_map map;
	struct import_run r;
	int status = 1;

	if (parse_args(argc, argv, &a) != 0 ||
	    (a.old_urls != NULL && django_check_pattern(a.old_urls) != 0) ||
	    django_map_load(&map, a.map) != 0)
		return 1;
	memset(&r, 0, sizeof(r));
	r.cfg = cfg;
	r.args = &a;
	r.map = &map;
	if (django_read(cfg, a.url, a.password_stdin, &map, &r.src) != 0)
		goto out;
	for (int k = 0; k < K_KINDS; k++)
		r.counts[k].kind = kind_names[k];
	r.counts[K_USERS].has_kept = true;
	r.counts[K_POSTS].has_removed = a.prune;
	r.counts[K_COMMENTS].has_removed = a.prune;
	if (import_write(&r) == 0) {
		cli_import_summary(r.counts, K_KINDS, a.dry_run);
		status = 0;
	}
	db_rows_free(&r.src.users);
	db_rows_free(&r.src.posts);
	db_rows_free(&r.src.comments);
	db_rows_free(&r.src.tags);
	db_rows_free(&r.src.redirects);
out:
	free(r.user_ids);
	free(r.post_ids);
	django_map_free(&map);
	return status;
}
