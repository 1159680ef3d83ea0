/*
 * blogd import markdown DIR [--dry-run] (include/cli.h): reads back what
 * blogd export wrote (export.c has the layout). Every file is read and
 * checked before anything is written; then users, posts, comments and
 * redirects are stored as blogd import django stores its rows (posts keyed
 * by slug, kept exactly; comments by post slug and place), and media by
 * the hash of their bytes, in batches of one transaction each.
 */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "common.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "import.h"
#include "media.h"
#include "model.h"
#include "model_media.h"
#include "xalloc.h"

#define BATCH 200

/* The front matter keys, in the order export writes them. */
enum {
	F_SLUG,
	F_TITLE,
	F_AUTHOR,
	F_STATUS,
	F_FORMAT,
	F_PUBLISHED,
	F_CREATED,
	F_UPDATED,
	F_KIND,
	F_TAGS,
	F_COUNT
};
static const char *const field_names[F_COUNT] = {
    "slug",      "title",   "author",  "status", "format",
    "published", "created", "updated", "kind",   "tags"};

struct md_post {
	char *text; /* the file; the fields point into it */
	const char *f[F_COUNT];
	const char *body;
	char **tags;
	size_t ntags;
};

/* A TSV file split into lines of cells (pointers into text). */
struct tsv {
	char *text;
	char ***rows;
	size_t n;
};

struct md_import {
	const struct config *cfg;
	const char *dir;
	bool dry_run;
	struct tsv users, comments, redirects, media;
	struct md_post *posts;
	size_t nposts;
	struct db_conn *conn;
	bool in_txn;
	struct cli_import_counts counts[5];
};

enum { C_USERS, C_POSTS, C_COMMENTS, C_REDIRECTS, C_MEDIA, C_KINDS };

/* The whole of path into *out (NUL-terminated). -1 and printed on error;
 * a missing file is "" when optional. */
static int
slurp(const char *path, char **out, bool optional)
{
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL && optional && errno == ENOENT) {
		*out = xstrdup("");
		return 0;
	}
	if (f == NULL) {
		fprintf(stderr, "blogd: import markdown: %s: %s\n", path,
		        strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	bool bad = ferror(f) != 0;
	fclose(f);
	if (bad || memchr(buf_cstr(&b), '\0', b.len) != NULL) {
		fprintf(stderr, "blogd: import markdown: %s: %s\n", path,
		        bad ? "read error" : "not text");
		buf_free(&b);
		return -1;
	}
	*out = buf_detach(&b);
	return 0;
}

static void
tsv_free(struct tsv *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->rows[i]);
	free(t->rows);
	free(t->text);
}

/* Reads dir/name: every line ncols unescaped cells, or older cols at
 * least (an export from before a column was added: the cells after are
 * NULL). */
static int
tsv_read(const char *dir, const char *name, size_t older, size_t ncols,
         struct tsv *t)
{
	char path[4096], *line, *next;
	size_t lineno = 0;

	memset(t, 0, sizeof(*t));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (slurp(path, &t->text, true) != 0)
		return -1;
	for (line = t->text; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next == NULL)
			next = line + strlen(line);
		else
			*next++ = '\0';
		lineno++;
		char **cells = xcalloc(ncols, sizeof(*cells)), *cell = line;
		size_t c = 0;
		while (cell != NULL && c < ncols) {
			cells[c++] = cell;
			if ((cell = strchr(cell, '\t')) != NULL)
				*cell++ = '\0';
		}
		bool ok = c >= older && cell == NULL;
		/* After the split: an escaped tab is no separator. */
		for (size_t k = 0; ok && k < c; k++)
			ok = cli_unescape(cells[k]) == 0;
		t->rows = xrealloc(t->rows, (t->n + 1) * sizeof(*t->rows));
		t->rows[t->n++] = cells;
		if (!ok) {
			fprintf(stderr,
			        "blogd: import markdown: %s:%zu: expected %zu "
			        "tab-separated fields\n",
			        path, lineno, ncols);
			return -1;
		}
	}
	return 0;
}

/* "a, b" into p->tags (pointers into the text). */
static void
split_tags(struct md_post *p, char *csv)
{
	for (char *t = strtok(csv, ","); t != NULL; t = strtok(NULL, ",")) {
		while (*t == ' ')
			t++;
		if (*t == '\0')
			continue;
		p->tags = xrealloc(p->tags, (p->ntags + 1) * sizeof(*p->tags));
		p->tags[p->ntags++] = t;
	}
}

/* One "key: value" line of the front matter. */
static int
front_line(struct md_post *p, char *line)
{
	char *colon = strstr(line, ": ");
	size_t k;

	if (colon == NULL) /* "tags:" with none is "tags: " */
		return -1;
	*colon = '\0';
	for (k = 0; k < F_COUNT && strcmp(line, field_names[k]) != 0; k++)
		;
	if (k == F_COUNT || p->f[k] != NULL || cli_unescape(colon + 2) != 0)
		return -1;
	p->f[k] = colon + 2;
	return 0;
}

/* Splits p->text into its front matter and body. */
static int
parse_post(struct md_post *p, const char *path)
{
	char *s = p->text, *end;
	size_t lineno = 1;

	if (strncmp(s, "---\n", 4) != 0) {
		fprintf(stderr,
		        "blogd: import markdown: %s:1: expected '---'\n", path);
		return -1;
	}
	for (s += 4; (end = strchr(s, '\n')) != NULL; s = end + 1) {
		lineno++;
		*end = '\0';
		if (strcmp(s, "---") == 0) {
			p->body = end + 1;
			break;
		}
		if (front_line(p, s) != 0) {
			fprintf(stderr,
			        "blogd: import markdown: %s:%zu: expected one "
			        "of slug, title, author, status, format, "
			        "published, created, updated, kind, tags: "
			        "VALUE\n",
			        path, lineno);
			return -1;
		}
	}
	/* Exports made before pages existed have no kind: posts. */
	if (p->f[F_KIND] == NULL)
		p->f[F_KIND] = "post";
	if (strcmp(p->f[F_KIND], "post") != 0 &&
	    strcmp(p->f[F_KIND], "page") != 0) {
		fprintf(stderr,
		        "blogd: import markdown: %s: kind must be 'post' or "
		        "'page'\n",
		        path);
		return -1;
	}
	for (size_t k = 0; k < F_COUNT && p->body != NULL; k++)
		if (p->f[k] == NULL) {
			fprintf(stderr,
			        "blogd: import markdown: %s: no '%s:' line\n",
			        path, field_names[k]);
			return -1;
		}
	if (p->body == NULL) {
		fprintf(stderr,
		        "blogd: import markdown: %s: front matter not closed "
		        "by '---'\n",
		        path);
		return -1;
	}
	split_tags(p, (char *)p->f[F_TAGS]);
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of dir/posts/\*.md, sorted. */
static int
list_posts(const char *sub, char ***names, size_t *n)
{
	DIR *d = opendir(sub);
	struct dirent *e;

	*names = NULL;
	*n = 0;
	if (d == NULL) {
		fprintf(stderr, "blogd: import markdown: %s: %s\n", sub,
		        strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len < 4 || strcmp(e->d_name + len - 3, ".md") != 0)
			continue;
		*names = xrealloc(*names, (*n + 1) * sizeof(**names));
		(*names)[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n > 1) /* an empty directory leaves *names NULL */
		qsort(*names, *n, sizeof(**names), by_name);
	return 0;
}

static int
read_posts(struct md_import *m)
{
	char sub[4096], path[8192], **names;
	size_t n;
	int rc = 0;

	snprintf(sub, sizeof(sub), "%s/posts", m->dir);
	if (list_posts(sub, &names, &n) != 0)
		return -1;
	m->posts = xcalloc(n + 1, sizeof(*m->posts));
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", sub, names[i]);
		if (rc == 0 &&
		    (rc = slurp(path, &m->posts[i].text, false)) == 0) {
			m->nposts++;
			rc = parse_post(&m->posts[i], path);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

/* A batch's transaction (cli_import_batch_begin/_end): begin unless end. */
static int
batch(struct md_import *m, bool end)
{
	return end ? cli_import_batch_end(m->conn, m->dry_run, &m->in_txn)
	           : cli_import_batch_begin(m->conn, &m->in_txn);
}

/* A MODEL_INVALID row is reported and counted as skipped. */
static int
outcome(struct md_import *m, int kind, int rc, enum import_outcome o,
        const char *what)
{
	if (rc == MODEL_OK) {
		cli_import_count(&m->counts[kind], o);
		return 0;
	}
	if (rc == MODEL_INVALID || rc == MODEL_NOT_FOUND) {
		fprintf(stderr, "blogd: import markdown: skipped %s\n", what);
		m->counts[kind].skipped++;
		return 0;
	}
	return -1;
}

static int
write_users(struct md_import *m)
{
	if (batch(m, false) != 0)
		return -1;
	for (size_t i = 0; i < m->users.n; i++) {
		char **u = m->users.rows[i];
		struct import_user in = {.name = u[0],
		                         .is_admin = strcmp(u[1], "1") == 0,
		                         .joined = u[2],
		                         .hash = u[3],
		                         .active = true};
		long long id;
		enum import_outcome o;
		int rc = model_import_user(m->conn, &in, &id, &o);
		if (outcome(m, C_USERS, rc, o, u[0]) != 0)
			return -1;
	}
	return batch(m, true);
}

static int
write_post(struct md_import *m, const struct md_post *p)
{
	struct model_user author;
	enum import_outcome o = IMPORT_UNCHANGED;
	long long id;
	int rc = model_user_find(m->conn, p->f[F_AUTHOR], &author);

	if (rc == MODEL_OK) {
		struct import_post in = {
		    .slug = p->f[F_SLUG],
		    .title = p->f[F_TITLE],
		    .body = p->body,
		    .html = strcmp(p->f[F_FORMAT], "html") == 0,
		    .raw_html = m->cfg->site.markdown_unsafe_html,
		    .author_id = author.id,
		    .published = strcmp(p->f[F_STATUS], "published") == 0,
		    .page = strcmp(p->f[F_KIND], "page") == 0,
		    .published_at =
		        *p->f[F_PUBLISHED] != '\0' ? p->f[F_PUBLISHED] : NULL,
		    .created_at = p->f[F_CREATED],
		    .updated_at = p->f[F_UPDATED],
		    .tags = (const char *const *)p->tags,
		    .ntags = p->ntags,
		};
		rc = model_import_post(m->conn, &in, &id, &o);
		model_user_free(&author);
	}
	return outcome(m, C_POSTS, rc, o, p->f[F_SLUG]);
}

static int
write_posts(struct md_import *m)
{
	for (size_t i = 0; i < m->nposts; i++) {
		if (batch(m, false) != 0 || write_post(m, &m->posts[i]) != 0)
			return -1;
		if (((i + 1) % BATCH == 0 || i + 1 == m->nposts) &&
		    batch(m, true) != 0)
			return -1;
	}
	return 0;
}

/* Comments are keyed by post slug and place among its comments: the
 * export writes them in date order, and an export of this import again. */
static int
write_comment(struct md_import *m, size_t i, size_t *place)
{
	char **c = m->comments.rows[i], key[128];
	long long post = 0;
	enum import_outcome o = IMPORT_UNCHANGED;

	*place = i > 0 && strcmp(m->comments.rows[i - 1][0], c[0]) == 0
	             ? *place + 1
	             : 1;
	snprintf(key, sizeof(key), "%s#%zu", c[0], *place);
	int rc = model_import_post_id(m->conn, c[0], &post);
	if (rc == MODEL_OK) {
		struct import_comment in = {.key = key,
		                            .post_id = post,
		                            .approved =
		                                strcmp(c[1], "approved") == 0,
		                            .created_at = c[2],
		                            .name = c[3],
		                            .body = c[4],
		                            .email = c[5]};
		rc = model_import_comment(m->conn, &in, &o);
	}
	return outcome(m, C_COMMENTS, rc, o, key);
}

static int
write_comments(struct md_import *m)
{
	size_t place = 0;

	for (size_t i = 0; i < m->comments.n; i++) {
		if (batch(m, false) != 0 || write_comment(m, i, &place) != 0)
			return -1;
		if (((i + 1) % (5 * BATCH) == 0 || i + 1 == m->comments.n) &&
		    batch(m, true) != 0)
			return -1;
	}
	return 0;
}

static int
write_redirects(struct md_import *m)
{
	if (batch(m, false) != 0)
		return -1;
	for (size_t i = 0; i < m->redirects.n; i++) {
		char **r = m->redirects.rows[i];
		long long post = 0;
		enum import_outcome o = IMPORT_UNCHANGED;
		int rc;
		/* A target ("", "/...", "http(s)://...") is never a slug. */
		if (r[1][0] == '\0' || r[1][0] == '/' ||
		    strstr(r[1], "://") != NULL)
			rc = model_redirect_set(m->conn, r[0], r[1], true, &o);
		else if ((rc = model_import_post_id(m->conn, r[1], &post)) ==
		         MODEL_OK)
			rc = model_import_redirect(m->conn, r[0], post, &o);
		if (outcome(m, C_REDIRECTS, rc, o, r[0]) != 0)
			return -1;
	}
	return batch(m, true);
}

/*
 * The bytes of media row i (dir/media/HASH.EXT) into data, checked: a
 * type blogd serves, found in the bytes too, and the hash of the bytes
 * their name says. -1 and printed otherwise.
 */
static int
media_read(const struct md_import *m, size_t i, struct buf *data,
           const struct media_type **t)
{
	char **r = m->media.rows[i], path[4096], hash[MEDIA_HASH_HEX + 1];
	unsigned char digest[32];

	*t = media_type_of(r[1]);
	if (!crypto_hex_valid(r[0], MEDIA_HASH_HEX) || *t == NULL) {
		fprintf(stderr,
		        "blogd: import markdown: media.tsv:%zu: expected a "
		        "SHA-256 in hex and a type blogd serves\n",
		        i + 1);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/media/%s.%s", m->dir, r[0], (*t)->ext);
	buf_reset(data);
	if (cli_read_media(path, m->cfg->server.max_upload, data) != 0)
		return -1;
	crypto_sha256(data->data, data->len, digest);
	crypto_hex(digest, sizeof(digest), hash);
	if (strcmp(hash, r[0]) != 0 ||
	    media_sniff(data->data, data->len) != *t) {
		fprintf(stderr,
		        "blogd: import markdown: %s: its bytes are not the %s "
		        "file its name says\n",
		        path, r[1]);
		return -1;
	}
	return 0;
}

static int
check_media(const struct md_import *m)
{
	struct buf data = BUF_INIT;
	const struct media_type *t;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < m->media.n; i++)
		rc = media_read(m, i, &data, &t);
	buf_free(&data);
	return rc;
}

/* One transaction per file: each may be as large as max_upload. */
static int
write_media(struct md_import *m)
{
	struct buf data = BUF_INIT;
	const struct media_type *t;
	char hash[MEDIA_HASH_HEX + 1];
	bool added;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < m->media.n; i++) {
		char **r = m->media.rows[i];
		struct model_media_input in;

		rc = -1;
		if (media_read(m, i, &data, &t) != 0 || batch(m, false) != 0)
			break;
		in = (struct model_media_input){.type = t->mime,
		                                .name = r[2],
		                                .created_at =
		                                    *r[3] != '\0' ? r[3] : NULL,
		                                .data = data.data,
		                                .len = data.len};
		int mrc = model_media_add(m->conn, &in, hash, &added);

		if (mrc == MODEL_INVALID)
			fprintf(stderr,
			        "blogd: import markdown: media %s: larger than "
			        "the database's max_allowed_packet allows\n",
			        r[0]);
		if (mrc != MODEL_OK)
			break;
		cli_import_count(&m->counts[C_MEDIA],
		                 added ? IMPORT_ADDED : IMPORT_UNCHANGED);
		rc = batch(m, true);
	}
	buf_free(&data);
	return rc;
}

static int
write_all(struct md_import *m)
{
	struct db_pool *pool;
	int rc = -1;

	if (cli_db_open(m->cfg, &pool, &m->conn) != 0)
		return -1;
	if (write_users(m) == 0 && write_posts(m) == 0 &&
	    write_comments(m) == 0 && write_redirects(m) == 0 &&
	    write_media(m) == 0)
		rc = 0;
	if (m->in_txn)
		db_rollback(m->conn);
	if (rc != 0)
		fprintf(stderr,
		        "blogd: import markdown: stopped by a database "
		        "error; the batch in progress was rolled back\n");
	cli_db_close(pool, m->conn);
	return rc;
}

static void
md_free(struct md_import *m)
{
	tsv_free(&m->users);
	tsv_free(&m->comments);
	tsv_free(&m->redirects);
	tsv_free(&m->media);
	for (size_t i = 0; i < m->nposts; i++) {
		free(m->posts[i].text);
		free(m->posts[i].tags);
	}
	free(m->posts);
}

int
cli_import_markdown(const struct config *cfg, int argc, char **argv)
{
	struct md_import m;
	int status = 1;

	memset(&m, 0, sizeof(m));
	m.cfg = cfg;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dry-run") == 0)
			m.dry_run = true;
		else if (argv[i][0] != '-' && m.dir == NULL)
			m.dir = argv[i];
		else {
			fprintf(stderr,
			        "blogd: import markdown: unexpected '%s'\n",
			        argv[i]);
			return 1;
		}
	}
	if (m.dir == NULL) {
		fprintf(stderr, "blogd: usage: blogd import markdown DIR "
		                "[--dry-run]\n");
		return 1;
	}
	m.counts[C_USERS] =
	    (struct cli_import_counts){.kind = "users", .has_kept = true};
	m.counts[C_POSTS].kind = "posts";
	m.counts[C_COMMENTS].kind = "comments";
	m.counts[C_REDIRECTS].kind = "redirects";
	m.counts[C_MEDIA].kind = "media";
	/* comments.tsv: 5 fields before the commenter's email. */
	if (tsv_read(m.dir, "users.tsv", 4, 4, &m.users) == 0 &&
	    read_posts(&m) == 0 &&
	    tsv_read(m.dir, "comments.tsv", 5, 6, &m.comments) == 0 &&
	    tsv_read(m.dir, "redirects.tsv", 2, 2, &m.redirects) == 0 &&
	    tsv_read(m.dir, "media.tsv", 4, 4, &m.media) == 0 &&
	    check_media(&m) == 0 && write_all(&m) == 0) {
		cli_import_summary(m.counts, C_KINDS, m.dry_run);
		status = 0;
	}
	md_free(&m);
	return status;
}
