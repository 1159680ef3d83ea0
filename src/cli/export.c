/*
 * blogd export DIR (include/cli.h): the whole blog as plain files that
 * blogd import markdown reads back (docs/IMPORT.md describes them):
 *
 *   DIR/posts/SLUG.md   front matter between "---" lines, then the body
 *   DIR/users.tsv       name, admin (1 or 0), created, password hash
 *   DIR/comments.tsv    post slug, status, created, name, body, email
 *   DIR/redirects.tsv   old path, post slug or target ("": gone)
 *   DIR/media.tsv       hash, type, name, created
 *   DIR/media/HASH.EXT  the bytes of each (their SHA-256 is HASH)
 *
 * DIR and everything in it are for the owner only (mode 0700/0600).
 * Values are escaped with cli_escape (one line each); rows come in an
 * order that depends on the data only, so export, import into an empty
 * database and export again give the same files.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "common.h"
#include "db.h"
#include "import.h"
#include "media.h"
#include "model.h"
#include "model_media.h"

/* Writes b to dir/name, a new file that only its owner reads (users.tsv
 * holds password hashes, posts/ the drafts); prints the error. */
static int
write_file(const char *dir, const char *name, const struct buf *b)
{
	char path[4096];
	FILE *f = NULL;
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0 && (f = fdopen(fd, "w")) == NULL)
		close(fd);
	if (f == NULL) {
		fprintf(stderr, "blogd: export: %s: %s\n", path,
		        strerror(errno));
		return -1;
	}
	if (b->len > 0 && fwrite(b->data, 1, b->len, f) != b->len)
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	if (rc != 0)
		fprintf(stderr, "blogd: export: %s: write error\n", path);
	return rc;
}

/* Rows as tab-separated lines, each cell escaped, NULL as "". */
static void
put_tsv(struct buf *b, const struct db_rows *rows)
{
	for (size_t r = 0; r < rows->nrows; r++) {
		for (size_t c = 0; c < rows->ncols; c++) {
			const char *v = db_cell(rows, r, c);
			if (c > 0)
				buf_putc(b, '\t');
			cli_escape(b, v != NULL ? v : "");
		}
		buf_putc(b, '\n');
	}
}

static void
put_field(struct buf *b, const char *key, const char *value)
{
	buf_printf(b, "%s: ", key);
	cli_escape(b, value != NULL ? value : "");
	buf_putc(b, '\n');
}

/* The front matter and body of posts row i; tags from *t on (tag rows
 * are in the posts' order). */
static void
put_post(struct buf *b, const struct db_rows *p, size_t i,
         const struct db_rows *tags, size_t *t)
{
	static const char *const keys[] = {NULL,        "slug",    "title",
	                                   "author",    "status",  "format",
	                                   "published", "created", "updated"};
	long long id = db_cell_int(p, i, 0);

	buf_puts(b, "---\n");
	for (size_t c = 1; c < sizeof(keys) / sizeof(keys[0]); c++)
		put_field(b, keys[c], db_cell(p, i, c));
	put_field(b, "kind", db_cell(p, i, 10));
	buf_puts(b, "tags: ");
	for (bool first = true;
	     *t < tags->nrows && db_cell_int(tags, *t, 0) == id; (*t)++) {
		buf_printf(b, "%s", first ? "" : ", ");
		cli_escape(b, db_cell(tags, *t, 1));
		first = false;
	}
	buf_puts(b, "\n---\n");
	buf_puts(b, db_cell(p, i, 9));
}

static int
export_posts(struct db_conn *conn, const char *dir)
{
	struct db_rows posts, tags;
	char sub[4096], name[128];
	size_t t = 0;
	int rc = -1;

	snprintf(sub, sizeof(sub), "%s/posts", dir);
	if (mkdir(sub, 0700) != 0) {
		fprintf(stderr, "blogd: export: %s: %s\n", sub,
		        strerror(errno));
		return -1;
	}
	if (model_export_posts(conn, &posts) != MODEL_OK)
		return -1;
	if (model_export_tags(conn, &tags) != MODEL_OK)
		goto free_posts;
	rc = 0;
	for (size_t i = 0; rc == 0 && i < posts.nrows; i++) {
		struct buf b = BUF_INIT;
		put_post(&b, &posts, i, &tags, &t);
		/* Slugs are a-z, 0-9 and '-': safe as file names. */
		snprintf(name, sizeof(name), "%s.md", db_cell(&posts, i, 1));
		rc = write_file(sub, name, &b);
		buf_free(&b);
	}
	if (rc == 0)
		printf("%zu posts\n", posts.nrows);
	db_rows_free(&tags);
free_posts:
	db_rows_free(&posts);
	return rc;
}

/* One TSV file from one model_export_* function. */
static int
export_tsv(struct db_conn *conn, const char *dir, const char *name,
           int (*fetch)(struct db_conn *, struct db_rows *))
{
	struct db_rows rows;
	struct buf b = BUF_INIT;
	int rc;

	if (fetch(conn, &rows) != MODEL_OK)
		return -1;
	put_tsv(&b, &rows);
	rc = write_file(dir, name, &b);
	if (rc == 0)
		printf("%zu %.*s\n", rows.nrows,
		       (int)(strlen(name) - strlen(".tsv")), name);
	buf_free(&b);
	db_rows_free(&rows);
	return rc;
}

/* media.tsv, then each file's bytes under media/, one at a time. */
static int
export_media(struct db_conn *conn, const char *dir)
{
	struct db_rows rows;
	struct buf bytes = BUF_INIT;
	char sub[4096], name[MEDIA_PATH_MAX];
	const struct media_type *t;
	int rc;

	snprintf(sub, sizeof(sub), "%s/media", dir);
	if (mkdir(sub, 0700) != 0) {
		fprintf(stderr, "blogd: export: %s: %s\n", sub,
		        strerror(errno));
		return -1;
	}
	if (model_export_media(conn, &rows) != MODEL_OK)
		return -1;
	put_tsv(&bytes, &rows);
	rc = write_file(dir, "media.tsv", &bytes);
	for (size_t i = 0; rc == 0 && i < rows.nrows; i++) {
		const char *hash = db_cell(&rows, i, 0);

		if ((t = media_type_of(db_cell(&rows, i, 1))) == NULL ||
		    model_media_bytes(conn, hash, &bytes) != MODEL_OK) {
			fprintf(stderr, "blogd: export: media %s: unreadable\n",
			        hash);
			rc = -1;
			break;
		}
		snprintf(name, sizeof(name), "%s.%s", hash, t->ext);
		rc = write_file(sub, name, &bytes);
	}
	if (rc == 0)
		printf("%zu media\n", rows.nrows);
	buf_free(&bytes);
	db_rows_free(&rows);
	return rc;
}

/* DIR must be new or empty: files left from another export would be read
 * back as part of this one. */
static int
make_dir(const char *dir)
{
	if (mkdir(dir, 0700) == 0 ||
	    (errno == EEXIST && rmdir(dir) == 0 && mkdir(dir, 0700) == 0))
		return 0;
	fprintf(stderr, "blogd: export: %s: %s\n", dir,
	        errno == ENOTEMPTY || errno == EEXIST
	            ? "not empty; give a new or empty directory"
	            : strerror(errno));
	return -1;
}

int
cli_export(const struct config *cfg, int argc, char **argv)
{
	struct db_pool *pool;
	struct db_conn *conn;
	int rc = -1;

	if (argc != 1 || argv[0][0] == '-') {
		fprintf(stderr, "blogd: usage: blogd export DIR\n");
		return 1;
	}
	if (cli_db_open(cfg, &pool, &conn) != 0)
		return 1;
	/* One snapshot for every file. */
	if (make_dir(argv[0]) == 0 && db_begin(conn) == 0) {
		if (export_tsv(conn, argv[0], "users.tsv",
		               model_export_users) == 0 &&
		    export_posts(conn, argv[0]) == 0 &&
		    export_tsv(conn, argv[0], "comments.tsv",
		               model_export_comments) == 0 &&
		    export_tsv(conn, argv[0], "redirects.tsv",
		               model_export_redirects) == 0 &&
		    export_media(conn, argv[0]) == 0)
			rc = 0;
		db_rollback(conn);
	}
	cli_db_close(pool, conn);
	return rc == 0 ? 0 : 1;
}
