/*
 * blogd migrate: applies dir/NNN_*.sql in numeric order, each once, and
 * records each in schema_migrations. A named lock serialises instances that
 * migrate at the same time; the second one then finds nothing to apply.
 *
 * The migration files are ours, not user input, and carry no values: this
 * is the one place that sends SQL text with mysql_real_query (DDL, and one
 * statement at a time, since multi-statements stay off).
 */
#include "db.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>

#include "buf.h"
#include "internal.h"
#include "xalloc.h"

#define MIGRATE_LOCK_WAIT 60 /* seconds to wait for another instance */

static int
is_migration(const struct dirent *d)
{
	const char *s = d->d_name;
	size_t len = strlen(s);

	if (!isdigit((unsigned char)*s))
		return 0;
	while (isdigit((unsigned char)*s))
		s++;
	return *s == '_' && len > 4 && strcmp(d->d_name + len - 4, ".sql") == 0;
}

static int
by_number(const struct dirent **a, const struct dirent **b)
{
	unsigned long na = strtoul((*a)->d_name, NULL, 10);
	unsigned long nb = strtoul((*b)->d_name, NULL, 10);

	if (na != nb)
		return na < nb ? -1 : 1;
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
read_file(const char *path, struct buf *out)
{
	char chunk[8192];
	size_t n;
	FILE *f;
	int rc;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(out, chunk, n);
	rc = ferror(f) ? -1 : 0;
	fclose(f);
	return rc;
}

static int
run_sql(MYSQL *m, const char *sql, size_t len)
{
	MYSQL_RES *res;

	if (mysql_real_query(m, sql, len) != 0)
		return -1;
	/* A statement that returns rows (a check in a migration) must be
	 * drained before the next one. */
	if ((res = mysql_store_result(m)) != NULL)
		mysql_free_result(res);
	else if (mysql_field_count(m) != 0)
		return -1;
	return 0;
}

/*
 * Runs each statement of text: a statement ends at a line whose last
 * non-blank character is ';'. Lines starting with "--" are comments.
 */
static int
apply_text(struct db_conn *c, const char *name, const char *text, char *err,
           size_t errlen)
{
	struct buf stmt = BUF_INIT;
	const char *line, *eol, *p, *end;
	unsigned nstmt = 0;
	bool blank;
	int rc = 0;

	for (line = text; *line != '\0' && rc == 0; line = eol) {
		eol = strchr(line, '\n');
		eol = eol != NULL ? eol + 1 : line + strlen(line);
		for (p = line; p < eol && isspace((unsigned char)*p); p++)
			;
		if (eol - p >= 2 && p[0] == '-' && p[1] == '-')
			continue;
		end = eol;
		while (end > line && isspace((unsigned char)end[-1]))
			end--;
		if (end > line && end[-1] == ';') {
			buf_append(&stmt, line, (size_t)(end - 1 - line));
		} else {
			buf_append(&stmt, line, (size_t)(eol - line));
			if (*eol != '\0')
				continue;
		}
		blank = true;
		for (p = buf_cstr(&stmt); *p != '\0'; p++)
			if (!isspace((unsigned char)*p))
				blank = false;
		nstmt++;
		if (!blank && run_sql(c->mysql, stmt.data, stmt.len) != 0) {
			snprintf(err, errlen, "migrate: %s, statement %u: %s",
			         name, nstmt, mysql_error(c->mysql));
			rc = -1;
		}
		buf_reset(&stmt);
	}
	buf_free(&stmt);
	return rc;
}

static int
apply_file(struct db_conn *c, const char *dir, const char *name, bool *done,
           char *err, size_t errlen)
{
	struct db_rows rows;
	struct buf path = BUF_INIT, text = BUF_INIT;
	int rc = -1;

	*done = false;
	if (db_query(c, &rows, "SELECT 1 FROM schema_migrations WHERE name = ?",
	             "s", name) != 0) {
		snprintf(err, errlen, "migrate: cannot read schema_migrations");
		return -1;
	}
	if (rows.nrows > 0) {
		db_rows_free(&rows);
		return 0;
	}
	db_rows_free(&rows);
	buf_printf(&path, "%s/%s", dir, name);
	if (read_file(buf_cstr(&path), &text) != 0) {
		snprintf(err, errlen, "migrate: %s: %s", buf_cstr(&path),
		         strerror(errno));
		goto out;
	}
	if (apply_text(c, name, buf_cstr(&text), err, errlen) != 0)
		goto out;
	if (db_exec(c, NULL, NULL,
	            "INSERT INTO schema_migrations (name, applied_at) "
	            "VALUES (?, UTC_TIMESTAMP())",
	            "s", name) != 0) {
		snprintf(err, errlen, "migrate: cannot record %s", name);
		goto out;
	}
	*done = true;
	rc = 0;
out:
	buf_free(&path);
	buf_free(&text);
	return rc;
}

static int
apply_all(struct db_conn *c, const char *dir, char *err, size_t errlen)
{
	struct dirent **names;
	unsigned applied = 0;
	bool done;
	int i, n, rc = 0;

	if (db_exec(c, NULL, NULL,
	            "CREATE TABLE IF NOT EXISTS schema_migrations ("
	            "name VARCHAR(255) NOT NULL PRIMARY KEY, "
	            "applied_at DATETIME NOT NULL"
	            ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
	            "") != 0) {
		/* A lost connection that could not be reopened leaves
		 * c->mysql NULL. */
		snprintf(err, errlen,
		         "migrate: cannot create schema_migrations: %s",
		         c->mysql != NULL ? mysql_error(c->mysql)
		                          : "connection lost");
		return -1;
	}
	if ((n = scandir(dir, &names, is_migration, by_number)) < 0) {
		snprintf(err, errlen, "migrate: %s: %s", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (rc == 0) {
			rc = apply_file(c, dir, names[i]->d_name, &done, err,
			                errlen);
			if (rc == 0 && done) {
				printf("applied %s\n", names[i]->d_name);
				applied++;
			}
		}
		free(names[i]);
	}
	free(names);
	if (rc == 0 && applied == 0)
		printf("nothing to apply\n");
	fflush(stdout);
	return rc;
}

int
db_migrate(const struct config *cfg, const char *dir, char *err, size_t errlen)
{
	struct db_params params;
	struct db_conn conn;
	struct db_rows rows;
	int rc = -1;

	if (mysql_library_init(0, NULL, NULL) != 0) {
		snprintf(err, errlen, "database: client library init failed");
		return -1;
	}
	db_params_init(&params, cfg);
	memset(&conn, 0, sizeof(conn));
	conn.params = &params;
	if (db_conn_connect(&conn, err, errlen) != 0)
		goto out;
	if (db_query(&conn, &rows, "SELECT GET_LOCK('blogd_migrate', ?)", "i",
	             (long long)MIGRATE_LOCK_WAIT) != 0) {
		snprintf(err, errlen, "migrate: cannot take the lock");
		goto out;
	}
	if (db_cell_int(&rows, 0, 0) != 1) {
		db_rows_free(&rows);
		snprintf(err, errlen,
		         "migrate: another instance held the lock for %ds",
		         MIGRATE_LOCK_WAIT);
		goto out;
	}
	db_rows_free(&rows);
	rc = apply_all(&conn, dir, err, errlen);
	/* Closing the connection would free the lock too; this is tidier. */
	if (db_query(&conn, &rows, "SELECT RELEASE_LOCK('blogd_migrate')",
	             "") == 0)
		db_rows_free(&rows);
out:
	db_conn_disconnect(&conn);
	db_params_free(&params);
	return rc;
}
