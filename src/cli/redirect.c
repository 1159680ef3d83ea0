/*
 * blogd redirect add OLD_PATH TARGET | add OLD_PATH --gone |
 * delete OLD_PATH | list (include/cli.h): the old URLs blogd answers by
 * hand, as nginx's `return 301` rules and Django's contrib.redirects did:
 * a moved feed (/feed/ to /feed.xml), a renamed section, a page gone for
 * good (410). Only paths that no page of blogd answers reach them.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "common.h"
#include "db.h"
#include "import.h"
#include "model.h"
#include "text.h"

static int
redirect_add(struct db_conn *conn, const char *path, const char *target)
{
	const char *problem = text_redirect_problem(path, target);
	enum import_outcome o;

	if (problem != NULL) {
		fprintf(stderr, "blogd: redirect: %s\n", problem);
		return 1;
	}
	if (model_redirect_set(conn, path, target, true, &o) != MODEL_OK) {
		fprintf(stderr, "blogd: redirect: database error\n");
		return 1;
	}
	return 0;
}

static int
redirect_delete(struct db_conn *conn, const char *path)
{
	int rc = model_redirect_delete(conn, path);

	if (rc == MODEL_NOT_FOUND)
		fprintf(stderr, "blogd: redirect: no redirect for '%s'\n",
		        path);
	else if (rc != MODEL_OK)
		fprintf(stderr, "blogd: redirect: database error\n");
	return rc == MODEL_OK ? 0 : 1;
}

/* One line each: the old path, then "301 LOCATION" or "410". */
static int
redirect_list(struct db_conn *conn)
{
	struct db_rows rows;

	if (model_redirect_list(conn, true, &rows) != MODEL_OK) {
		fprintf(stderr, "blogd: redirect: database error\n");
		return 1;
	}
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *to = db_cell(&rows, i, 1);

		if (to[0] == '\0')
			printf("%s\t410\n", db_cell(&rows, i, 0));
		else
			printf("%s\t301 %s\n", db_cell(&rows, i, 0), to);
	}
	db_rows_free(&rows);
	return 0;
}

int
cli_redirect(const struct config *cfg, int argc, char **argv)
{
	struct db_pool *pool;
	struct db_conn *conn;
	const char *target = NULL;
	int rc;

	if (argc == 3 && strcmp(argv[0], "add") == 0)
		target = strcmp(argv[2], "--gone") == 0 ? "" : argv[2];
	else if (!(argc == 2 && strcmp(argv[0], "delete") == 0) &&
	         !(argc == 1 && strcmp(argv[0], "list") == 0)) {
		fprintf(stderr, "blogd: usage: blogd redirect add OLD_PATH "
		                "TARGET|--gone, delete OLD_PATH or list\n");
		return 1;
	}
	if (cli_db_open(cfg, &pool, &conn) != 0)
		return 1;
	if (target != NULL)
		rc = redirect_add(conn, argv[1], target);
	else if (argc == 2)
		rc = redirect_delete(conn, argv[1]);
	else
		rc = redirect_list(conn);
	cli_db_close(pool, conn);
	return rc;
}
