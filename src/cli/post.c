/* blogd post add (include/cli.h): publishes Markdown from standard input. */
#include "cli.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "common.h"
#include "config.h"
#include "db.h"
#include "model.h"
#include "text.h"

#define BODY_MAX (16 * 1024 * 1024 - 1) /* MEDIUMTEXT */

struct post_args {
	const char *title;
	const char *author;
	const char *slug;
	const char *tags;
	const char *at; /* publication time, UTC */
	bool draft, page;
};

/* Accepts "--opt value" and "--opt=value". */
static int
parse_args(int argc, char **argv, struct post_args *a)
{
	static const char *const names[] = {"--title", "--author", "--slug",
	                                    "--tags", "--at"};
	const char **slots[] = {&a->title, &a->author, &a->slug, &a->tags,
	                        &a->at};
	const size_t nnames = sizeof(names) / sizeof(names[0]);
	size_t i, n;
	int k;

	memset(a, 0, sizeof(*a));
	for (k = 1; k < argc; k++) {
		if (strcmp(argv[k], "--draft") == 0) {
			a->draft = true;
			continue;
		}
		if (strcmp(argv[k], "--page") == 0) {
			a->page = true;
			continue;
		}
		for (i = 0; i < nnames; i++) {
			n = strlen(names[i]);
			if (strncmp(argv[k], names[i], n) != 0)
				continue;
			if (argv[k][n] == '=') {
				*slots[i] = argv[k] + n + 1;
				break;
			}
			if (argv[k][n] == '\0' && k + 1 < argc) {
				*slots[i] = argv[++k];
				break;
			}
		}
		if (i == nnames) {
			fprintf(stderr, "blogd: post add: unexpected '%s'\n",
			        argv[k]);
			return -1;
		}
	}
	if (a->title == NULL || a->author == NULL) {
		fprintf(stderr, "blogd: usage: blogd post add --title T "
		                "--author NAME [--slug S] [--tags a,b] "
		                "[--at 'YYYY-MM-DD HH:MM[:SS]'] [--page] "
		                "[--draft] < body.md\n");
		return -1;
	}
	return 0;
}

/* Checks what the model would refuse, to name the reason. */
static int
check_args(const struct post_args *a)
{
	char *t = text_trim(a->title);
	size_t len = strlen(t);
	bool ok = len > 0 && text_utf8_valid(t, len) &&
	          text_utf8_len(t) <= MODEL_TITLE_MAX;
	char at[TEXT_DATETIME_SIZE];

	free(t);
	if (!ok) {
		fprintf(stderr,
		        "blogd: post add: the title must be 1-%d characters "
		        "of UTF-8\n",
		        MODEL_TITLE_MAX);
		return -1;
	}
	if (a->at != NULL && !text_datetime_normalize(a->at, at)) {
		fprintf(stderr,
		        "blogd: post add: --at '%s' is not a time as "
		        "'YYYY-MM-DD HH:MM[:SS]' (UTC)\n",
		        a->at);
		return -1;
	}
	if (a->slug != NULL && *a->slug != '\0' && !text_is_slug(a->slug)) {
		fprintf(stderr,
		        "blogd: post add: invalid slug '%s' (a-z, 0-9 and "
		        "single '-', at most %d)\n",
		        a->slug, SLUG_MAX);
		return -1;
	}
	return 0;
}

static int
read_body(struct buf *body)
{
	char chunk[65536];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
		if (body->len + n > BODY_MAX) {
			fprintf(stderr, "blogd: post add: body over 16 MiB\n");
			return -1;
		}
		buf_append(body, chunk, n);
	}
	if (ferror(stdin)) {
		fprintf(stderr,
		        "blogd: post add: cannot read standard input\n");
		return -1;
	}
	if (body->len == 0) {
		fprintf(stderr, "blogd: post add: empty body (the Markdown is "
		                "read from standard input)\n");
		return -1;
	}
	if (memchr(body->data, '\0', body->len) != NULL ||
	    !text_utf8_valid(body->data, body->len)) {
		fprintf(stderr,
		        "blogd: post add: the body is not UTF-8 text\n");
		return -1;
	}
	return 0;
}

static int
post_add(const struct config *cfg, int argc, char **argv)
{
	struct post_args a;
	struct model_post_input in;
	struct model_user author;
	struct buf body = BUF_INIT;
	struct db_pool *pool;
	struct db_conn *conn;
	char *slug = NULL;
	int rc, status = 1;

	if (parse_args(argc, argv, &a) != 0 || check_args(&a) != 0 ||
	    read_body(&body) != 0)
		goto out;
	if (cli_db_open(cfg, &pool, &conn) != 0)
		goto out;
	rc = model_user_find(conn, a.author, &author);
	if (rc == MODEL_NOT_FOUND) {
		fprintf(stderr, "blogd: post add: unknown author '%s'\n",
		        a.author);
		goto close;
	} else if (rc != MODEL_OK) {
		fprintf(stderr, "blogd: post add: database error\n");
		goto close;
	}
	memset(&in, 0, sizeof(in));
	in.title = a.title;
	in.slug = a.slug;
	in.body_md = buf_cstr(&body);
	in.tags = a.tags;
	in.published = !a.draft;
	in.publish_at = a.at;
	in.page = a.page;
	in.raw_html = cfg->site.markdown_unsafe_html;
	rc = model_post_create(conn, author.id, &in, NULL, &slug);
	model_user_free(&author);
	if (rc == MODEL_INVALID)
		fprintf(stderr,
		        "blogd: post add: invalid tags (at most %d bytes "
		        "each, no '/') or title\n",
		        MODEL_TAG_MAX);
	else if (rc != MODEL_OK)
		fprintf(stderr, "blogd: post add: database error\n");
	else {
		printf("%s\n", slug);
		status = 0;
	}
	free(slug);
close:
	cli_db_close(pool, conn);
out:
	buf_free(&body);
	return status;
}

int
cli_post(const struct config *cfg, int argc, char **argv)
{
	if (argc < 1 || strcmp(argv[0], "add") != 0) {
		fprintf(stderr, "blogd: post needs 'add'\n");
		return 1;
	}
	return post_add(cfg, argc, argv);
}
