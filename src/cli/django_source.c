/*
 * Reading a Django blog's database for blogd import django (django.h):
 * the URL, the connection (blogd's pool code with the URL's server, user
 * and TLS settings), a check that the map's tables and columns exist, and
 * one read-only transaction that reads every row.
 *
 * Table and column names cannot be statement parameters: they come from
 * the map, are checked as plain identifiers (django_map.c) and against
 * information_schema here, and are backquoted. Values are parameters.
 */
#include "django.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "common.h"
#include "config.h"
#include "db.h"
#include "form.h"
#include "password.h"
#include "xalloc.h"

#define URL_FORMS "mysql://USER@HOST[:PORT]/DB or mysql://USER@/DB?socket=PATH"
#define DATE_FMT  "'%Y-%m-%d %H:%i:%s'"

struct source_url {
	char *user, *host, *socket, *name, *ssl_ca;
	unsigned port;
	bool ssl_verify;
};

static void
url_free(struct source_url *u)
{
	free(u->user);
	free(u->host);
	free(u->socket);
	free(u->name);
	free(u->ssl_ca);
}

/* "host", "host:port", "[v6]", "[v6]:port"; "" leaves host NULL. */
static const char *
url_host(struct source_url *u, const char *s, size_t n)
{
	const char *colon = NULL;

	u->port = 3306;
	if (n == 0)
		return NULL;
	if (s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (close == NULL)
			return "unclosed '['";
		u->host = xstrndup(s + 1, (size_t)(close - s - 1));
		if (close + 1 < s + n && close[1] != ':')
			return "junk after ']'";
		colon = close + 1 < s + n ? close + 1 : NULL;
	} else {
		colon = memchr(s, ':', n);
		u->host = xstrndup(s, colon != NULL ? (size_t)(colon - s) : n);
	}
	if (colon != NULL) {
		char *end;
		unsigned long port = strtoul(colon + 1, &end, 10);
		if (end != s + n || port == 0 || port > 65535)
			return "bad port";
		u->port = (unsigned)port;
	}
	return NULL;
}

/* One key=value of the query: socket, ssl_ca, ssl_verify. */
static const char *
url_param(struct source_url *u, const char *s, size_t n)
{
	const char *eq = memchr(s, '=', n);
	char *v;

	if (eq == NULL)
		return "query parameter without '='";
	if ((v = form_decode(eq + 1, (size_t)(s + n - eq - 1), false)) == NULL)
		return "bad %-escape";
	size_t klen = (size_t)(eq - s);
	if (klen == 6 && strncmp(s, "socket", 6) == 0) {
		free(u->socket);
		u->socket = v;
	} else if (klen == 6 && strncmp(s, "ssl_ca", 6) == 0) {
		free(u->ssl_ca);
		u->ssl_ca = v;
	} else if (klen == 10 && strncmp(s, "ssl_verify", 10) == 0) {
		u->ssl_verify = strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
		free(v);
	} else {
		free(v);
		return "unknown query parameter (socket, ssl_ca, ssl_verify)";
	}
	return NULL;
}

static const char *
url_query(struct source_url *u, const char *q)
{
	while (*q != '\0') {
		size_t n = strcspn(q, "&");
		const char *why = url_param(u, q, n);
		if (why != NULL)
			return why;
		q += n + (q[n] == '&');
	}
	return NULL;
}

/* Fills u from url, or returns why not. */
static const char *
url_parse(struct source_url *u, const char *url)
{
	const char *p, *at, *slash, *q;

	memset(u, 0, sizeof(*u));
	if (strncmp(url, "mysql://", 8) == 0)
		p = url + 8;
	else if (strncmp(url, "mariadb://", 10) == 0)
		p = url + 10;
	else
		return "it must start with mysql://";
	slash = strchr(p, '/');
	at = memchr(p, '@', slash != NULL ? (size_t)(slash - p) : strlen(p));
	if (at == NULL || at == p)
		return "no USER@";
	if (memchr(p, ':', (size_t)(at - p)) != NULL)
		return "a password in the URL would show in ps; use "
		       "--password-stdin";
	if ((u->user = form_decode(p, (size_t)(at - p), false)) == NULL)
		return "bad %-escape";
	if (slash == NULL || slash[1] == '\0' || slash[1] == '?')
		return "no /DB";
	const char *why = url_host(u, at + 1, (size_t)(slash - at - 1));
	if (why != NULL)
		return why;
	q = strchr(slash + 1, '?');
	u->name = form_decode(
	    slash + 1, q != NULL ? (size_t)(q - slash - 1) : strlen(slash + 1),
	    false);
	if (u->name == NULL || strchr(u->name, '/') != NULL)
		return "bad database name";
	if (q != NULL && (why = url_query(u, q + 1)) != NULL)
		return why;
	if (u->host == NULL && u->socket == NULL)
		return "no HOST and no ?socket=";
	return NULL;
}

/* The source's password: stdin, else the terminal, else none (a server
 * that lets the account in by its socket's peer, say). */
static int
source_password(bool from_stdin, const struct source_url *u, char *pw,
                size_t size)
{
	char text[200];
	FILE *tty;
	int rc;

	if (from_stdin)
		return cli_read_password(stdin, pw, size, "standard input",
		                         true);
	pw[0] = '\0';
	if ((tty = fopen("/dev/tty", "r+")) == NULL)
		return 0;
	snprintf(
	    text, sizeof(text),
	    "Password of %s on the Django database (empty: none): ", u->user);
	rc = cli_prompt_password(tty, text, pw, size, true);
	fclose(tty);
	return rc;
}

/* Opens a one-connection pool to the source and borrows it. */
static int
source_connect(const struct config *cfg, const struct source_url *u,
               const char *password, struct db_pool **pool,
               struct db_conn **conn)
{
	struct config c = *cfg; /* db_pool_open copies what it keeps */
	char err[512];

	c.database.host = u->host != NULL ? u->host : "localhost";
	c.database.port = u->port;
	c.database.socket = u->socket;
	c.database.name = u->name;
	c.database.user = u->user;
	c.database.password = (char *)password;
	c.database.ssl_ca = u->ssl_ca;
	c.database.ssl_verify = u->ssl_verify;
	c.database.pool_size = 1;
	if (db_pool_open(pool, &c, err, sizeof(err)) != 0) {
		fprintf(stderr, "blogd: import django: source %s\n", err);
		return -1;
	}
	if ((*conn = db_acquire(*pool)) == NULL) {
		fprintf(stderr, "blogd: import django: source %s\n",
		        db_pool_last_error(*pool, err, sizeof(err)));
		db_pool_close(*pool);
		return -1;
	}
	return 0;
}

/* A table and the keys naming its columns, for the check. */
struct table_check {
	enum django_key table;
	enum django_key first, last; /* column keys, inclusive */
};

static bool
has_column(const struct db_rows *cols, const char *name)
{
	for (size_t i = 0; i < cols->nrows; i++)
		if (strcasecmp(db_cell(cols, i, 0), name) == 0)
			return true;
	return false;
}

/* Prints the first of the table's columns that is missing; a default the
 * source may lack (django_key_if_present) is emptied instead. */
static int
check_table(struct db_conn *conn, struct django_map *m, const char *db,
            const struct table_check *t)
{
	char *table = m->v[t->table];
	struct db_rows cols;
	int rc = 0;

	if (db_query(conn, &cols,
	             "SELECT COLUMN_NAME FROM information_schema.COLUMNS "
	             "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
	             "s", table) != 0)
		return -1;
	if (cols.nrows == 0 && django_key_if_present(m, t->table)) {
		table[0] = '\0'; /* not installed: nothing to import */
		db_rows_free(&cols);
		return 0;
	}
	if (cols.nrows == 0) {
		fprintf(stderr,
		        "blogd: import django: database '%s' has no table "
		        "'%s' (%s)\n",
		        db, table, django_key_name(t->table));
		rc = -1;
	}
	for (int k = t->first; rc == 0 && k <= (int)t->last; k++) {
		char *col = m->v[k];
		if (k == (int)t->table || !django_key_is_name(k) ||
		    col[0] == '\0' || has_column(&cols, col))
			continue;
		if (django_key_if_present(m, k)) {
			col[0] = '\0';
		} else {
			fprintf(stderr,
			        "blogd: import django: table '%s' has no "
			        "column '%s' (%s)\n",
			        table, col, django_key_name(k));
			rc = -1;
		}
	}
	db_rows_free(&cols);
	return rc;
}

static int
check_schema(struct db_conn *conn, struct django_map *m, const char *db)
{
	static const struct table_check tables[] = {
	    {DJ_USER_TABLE, DJ_USER_ID, DJ_USER_JOINED},
	    {DJ_POST_TABLE, DJ_POST_ID, DJ_POST_STATUS},
	    {DJ_COMMENT_TABLE, DJ_COMMENT_ID, DJ_COMMENT_ACTIVE},
	    {DJ_REDIRECT_TABLE, DJ_REDIRECT_ID, DJ_REDIRECT_NEW},
	    {DJ_TAG_TABLE, DJ_TAG_ID, DJ_TAG_NAME},
	    {DJ_TAG_ITEMS, DJ_TAG_ITEM_OBJECT, DJ_TAG_ITEM_TYPE},
	    /* Django's own: app_label and model are values, not columns. */
	    {DJ_TAG_TYPES, DJ_TAG_TYPES, DJ_TAG_TYPES},
	};

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		const struct table_check *t = &tables[i];
		bool tags = t->table >= DJ_TAG_TABLE;
		if (m->v[tags ? DJ_TAG_TABLE : t->table][0] == '\0')
			continue; /* switched off in the map */
		if (t->table == DJ_TAG_TYPES &&
		    m->v[DJ_TAG_ITEM_TYPE][0] == '\0')
			continue;
		if (check_table(conn, m, db, t) != 0)
			return -1;
	}
	return 0;
}

/* SQL texts built for this run. The pool caches statements by the text's
 * address, so each stays allocated until the pool is closed. */
struct sql_texts {
	char *v[5];
	size_t n;
};

/* Column k backquoted, with alias prefix ("t." or ""); or, when the map
 * leaves it empty, the SQL expression fallback. */
static void
put_col(struct buf *b, const struct django_map *m, enum django_key k,
        const char *alias, const char *fallback)
{
	if (m->v[k][0] == '\0')
		buf_puts(b, fallback);
	else
		buf_printf(b, "%s`%s`", alias, m->v[k]);
}

/* DATE_FORMAT of column k, or of fallback_key's column when k is empty. */
static void
put_date(struct buf *b, const struct django_map *m, enum django_key k,
         enum django_key fallback_key)
{
	enum django_key use = m->v[k][0] != '\0' ? k : fallback_key;

	buf_printf(b, "DATE_FORMAT(`%s`, %s)", m->v[use], DATE_FMT);
}

static char *
users_sql(const struct django_map *m)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "SELECT `%s`, `%s`, `%s`, ", m->v[DJ_USER_ID],
	           m->v[DJ_USER_NAME], m->v[DJ_USER_PASSWORD]);
	put_col(&b, m, DJ_USER_SUPERUSER, "", "0");
	buf_puts(&b, ", ");
	put_col(&b, m, DJ_USER_STAFF, "", "0");
	buf_puts(&b, ", ");
	put_col(&b, m, DJ_USER_ACTIVE, "", "1");
	buf_puts(&b, ", ");
	if (m->v[DJ_USER_JOINED][0] != '\0')
		put_date(&b, m, DJ_USER_JOINED, DJ_USER_JOINED);
	else
		buf_puts(&b, "DATE_FORMAT(UTC_TIMESTAMP(), " DATE_FMT ")");
	buf_printf(&b, " FROM `%s` ORDER BY `%s`", m->v[DJ_USER_TABLE],
	           m->v[DJ_USER_ID]);
	return buf_detach(&b);
}

static char *
posts_sql(const struct django_map *m)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "SELECT `%s`, `%s`, `%s`, `%s`, `%s`, ",
	           m->v[DJ_POST_ID], m->v[DJ_POST_TITLE], m->v[DJ_POST_SLUG],
	           m->v[DJ_POST_AUTHOR], m->v[DJ_POST_BODY]);
	put_date(&b, m, DJ_POST_PUBLISH, DJ_POST_PUBLISH);
	buf_puts(&b, ", ");
	put_date(&b, m, DJ_POST_CREATED, DJ_POST_PUBLISH);
	buf_puts(&b, ", ");
	put_date(&b, m, DJ_POST_UPDATED, DJ_POST_PUBLISH);
	buf_puts(&b, ", CAST(");
	put_col(&b, m, DJ_POST_STATUS, "", "''");
	buf_printf(&b, " AS CHAR) FROM `%s` ORDER BY `%s`", m->v[DJ_POST_TABLE],
	           m->v[DJ_POST_ID]);
	return buf_detach(&b);
}

static char *
comments_sql(const struct django_map *m)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "SELECT `%s`, `%s`, `%s`, `%s`, ", m->v[DJ_COMMENT_ID],
	           m->v[DJ_COMMENT_POST], m->v[DJ_COMMENT_NAME],
	           m->v[DJ_COMMENT_BODY]);
	put_date(&b, m, DJ_COMMENT_CREATED, DJ_COMMENT_CREATED);
	buf_puts(&b, ", ");
	put_col(&b, m, DJ_COMMENT_ACTIVE, "", "1");
	buf_puts(&b, ", ");
	put_col(&b, m, DJ_COMMENT_EMAIL, "", "''");
	buf_printf(&b, " FROM `%s` ORDER BY `%s`, `%s`", m->v[DJ_COMMENT_TABLE],
	           m->v[DJ_COMMENT_POST], m->v[DJ_COMMENT_ID]);
	return buf_detach(&b);
}

/* Django's contrib.redirects rows; several sites' rows for one path
 * come in id order, so the last one wins. */
static char *
redirects_sql(const struct django_map *m)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "SELECT `%s`, `%s` FROM `%s` ORDER BY `%s`",
	           m->v[DJ_REDIRECT_OLD], m->v[DJ_REDIRECT_NEW],
	           m->v[DJ_REDIRECT_TABLE], m->v[DJ_REDIRECT_ID]);
	return buf_detach(&b);
}

/* Tags of the posts' content type (app_label, model) when the items
 * table has one (django-taggit's generic relation), else all of them. */
static char *
tags_sql(const struct django_map *m)
{
	struct buf b = BUF_INIT;

	buf_printf(&b,
	           "SELECT i.`%s`, t.`%s` FROM `%s` i JOIN `%s` t "
	           "ON t.`%s` = i.`%s`",
	           m->v[DJ_TAG_ITEM_OBJECT], m->v[DJ_TAG_NAME],
	           m->v[DJ_TAG_ITEMS], m->v[DJ_TAG_TABLE], m->v[DJ_TAG_ID],
	           m->v[DJ_TAG_ITEM_TAG]);
	if (m->v[DJ_TAG_ITEM_TYPE][0] != '\0')
		buf_printf(&b,
		           " JOIN `%s` ct ON ct.id = i.`%s` "
		           "WHERE ct.app_label = ? AND ct.model = ?",
		           m->v[DJ_TAG_TYPES], m->v[DJ_TAG_ITEM_TYPE]);
	else
		buf_puts(&b, " WHERE ? IS NOT NULL AND ? IS NOT NULL");
	buf_printf(&b, " ORDER BY i.`%s`, t.`%s`", m->v[DJ_TAG_ITEM_OBJECT],
	           m->v[DJ_TAG_NAME]);
	return buf_detach(&b);
}

/* Runs one built SELECT; its text joins texts. */
static int
read_rows(struct db_conn *conn, struct sql_texts *texts, char *sql,
          struct db_rows *rows, const struct django_map *m)
{
	texts->v[texts->n++] = sql;
	/* Only the tags query has placeholders; the others ignore them. */
	if (strchr(sql, '?') != NULL)
		return db_query(conn, rows, sql, "ss", m->v[DJ_TAG_APP_LABEL],
		                m->v[DJ_TAG_MODEL]);
	return db_query(conn, rows, sql, "");
}

/* Every row in one read-only transaction: one consistent snapshot. */
static int
read_all(struct db_conn *conn, const struct django_map *m,
         struct sql_texts *texts, struct django_data *out)
{
	int rc = -1;

	if (db_exec(conn, NULL, NULL, "SET SESSION TRANSACTION READ ONLY",
	            "") != 0 ||
	    db_begin(conn) != 0)
		return -1;
	if (read_rows(conn, texts, users_sql(m), &out->users, m) != 0 ||
	    read_rows(conn, texts, posts_sql(m), &out->posts, m) != 0)
		goto out;
	if (out->has_comments &&
	    read_rows(conn, texts, comments_sql(m), &out->comments, m) != 0)
		goto out;
	if (out->has_tags &&
	    read_rows(conn, texts, tags_sql(m), &out->tags, m) != 0)
		goto out;
	if (out->has_redirects &&
	    read_rows(conn, texts, redirects_sql(m), &out->redirects, m) != 0)
		goto out;
	rc = 0;
out:
	db_rollback(conn);
	return rc;
}

static void
data_free(struct django_data *d)
{
	db_rows_free(&d->users);
	db_rows_free(&d->posts);
	db_rows_free(&d->comments);
	db_rows_free(&d->tags);
	db_rows_free(&d->redirects);
}

int
django_read(const struct config *cfg, const char *url, bool pw_stdin,
            struct django_map *m, struct django_data *out)
{
	struct source_url u;
	struct sql_texts texts = {.n = 0};
	struct db_pool *pool;
	struct db_conn *conn;
	char pw[PASSWORD_MAX_LEN + 2];
	const char *why;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->has_comments = m->v[DJ_COMMENT_TABLE][0] != '\0';
	out->has_tags = m->v[DJ_TAG_TABLE][0] != '\0';
	if ((why = url_parse(&u, url)) != NULL) {
		fprintf(stderr,
		        "blogd: import django: bad URL: %s (" URL_FORMS ")\n",
		        why);
		goto out;
	}
	if (source_password(pw_stdin, &u, pw, sizeof(pw)) != 0)
		goto out;
	rc = source_connect(cfg, &u, pw, &pool, &conn);
	explicit_bzero(pw, sizeof(pw));
	if (rc != 0)
		goto out;
	rc = check_schema(conn, m, u.name);
	/* Known only now: the default table may not exist. */
	out->has_redirects = m->v[DJ_REDIRECT_TABLE][0] != '\0';
	if (rc == 0 && (rc = read_all(conn, m, &texts, out)) != 0) {
		fprintf(stderr,
		        "blogd: import django: reading database '%s' "
		        "failed (see above)\n",
		        u.name);
		data_free(out);
	}
	db_release(conn);
	db_pool_close(pool);
	for (size_t i = 0; i < texts.n; i++)
		free(texts.v[i]);
out:
	url_free(&u);
	return rc;
}

int
django_check_pattern(const char *pattern)
{
	static const char *const names[] = {"{yyyy}", "{mm}",   "{dd}", "{m}",
	                                    "{d}",    "{slug}", "{id}"};
	bool key = false;

	if (pattern[0] != '/') {
		fprintf(stderr, "blogd: --old-urls: the pattern must be a path "
		                "starting with '/'\n");
		return -1;
	}
	for (const char *p = strchr(pattern, '{'); p != NULL;
	     p = strchr(p + 1, '{')) {
		size_t i, n = strcspn(p, "}") + 1;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i]) == n &&
			    strncmp(p, names[i], n) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0])) {
			fprintf(stderr,
			        "blogd: --old-urls: unknown placeholder '%.*s' "
			        "({yyyy} {mm} {dd} {m} {d} {slug} {id})\n",
			        (int)n, p);
			return -1;
		}
		key = key || i >= 5;
	}
	if (!key) {
		fprintf(
		    stderr,
		    "blogd: --old-urls: the pattern needs {slug} or {id}\n");
		return -1;
	}
	return 0;
}
