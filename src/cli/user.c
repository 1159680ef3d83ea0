/* blogd user add|passwd|list|del|totp (include/cli.h). */
#include "cli.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>

#include "common.h"
#include "db.h"
#include "model.h"
#include "password.h"

int
cli_db_open(const struct config *cfg, struct db_pool **pool,
            struct db_conn **conn)
{
	char err[512];

	if (db_pool_open(pool, cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "blogd: %s\n", err);
		return -1;
	}
	/* The pool only records a first failure: the line printed here,
	 * naming server, user, database and cause, is the whole report. */
	if ((*conn = db_acquire(*pool)) == NULL) {
		fprintf(stderr, "blogd: %s\n",
		        db_pool_last_error(*pool, err, sizeof(err)));
		db_pool_close(*pool);
		return -1;
	}
	return 0;
}

void
cli_db_close(struct db_pool *pool, struct db_conn *conn)
{
	db_release(conn);
	db_pool_close(pool);
}

int
cli_read_password(FILE *f, char *buf, size_t size, const char *what,
                  bool allow_empty)
{
	size_t len;

	if (fgets(buf, (int)size, f) == NULL) {
		fprintf(stderr, "blogd: no password on %s\n", what);
		return -1;
	}
	len = strlen(buf);
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	else if (len == size - 1) {
		fprintf(stderr, "blogd: password longer than %d bytes\n",
		        PASSWORD_MAX_LEN);
		return -1;
	}
	if (len > 0 && buf[len - 1] == '\r')
		buf[--len] = '\0';
	if (len == 0 && !allow_empty) {
		fprintf(stderr, "blogd: empty password\n");
		return -1;
	}
	return 0;
}

int
cli_prompt_password(FILE *tty, const char *text, char *buf, size_t size,
                    bool allow_empty)
{
	struct termios old, quiet;
	int fd = fileno(tty), rc;

	fputs(text, tty);
	fflush(tty);
	if (tcgetattr(fd, &old) != 0) {
		fprintf(stderr, "blogd: /dev/tty: %s\n", strerror(errno));
		return -1;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0) {
		fprintf(stderr, "blogd: /dev/tty: %s\n", strerror(errno));
		return -1;
	}
	rc = cli_read_password(tty, buf, size, "the terminal", allow_empty);
	tcsetattr(fd, TCSAFLUSH, &old);
	return rc;
}

/* The new password, from stdin or asked twice on the terminal. */
static int
get_password(bool from_stdin, char *pw, size_t size)
{
	char again[PASSWORD_MAX_LEN + 2];
	FILE *tty;
	int rc;

	if (from_stdin)
		return cli_read_password(stdin, pw, size, "standard input",
		                         false);
	if ((tty = fopen("/dev/tty", "r+")) == NULL) {
		fprintf(stderr,
		        "blogd: no terminal to ask for the password; use "
		        "--password-stdin\n");
		return -1;
	}
	rc = cli_prompt_password(tty, "Password: ", pw, size, false);
	if (rc == 0)
		rc = cli_prompt_password(tty, "Repeat password: ", again,
		                         sizeof(again), false);
	if (rc == 0 && strcmp(pw, again) != 0) {
		fprintf(stderr, "blogd: passwords do not match\n");
		rc = -1;
	}
	explicit_bzero(again, sizeof(again));
	fclose(tty);
	return rc;
}

/* Parses NAME [--admin] [--password-stdin] in any order. */
static int
parse_args(int argc, char **argv, const char **name, bool *admin,
           bool *from_stdin, bool admin_allowed)
{
	int i;

	*name = NULL;
	for (i = 1; i < argc; i++) {
		if (admin_allowed && strcmp(argv[i], "--admin") == 0)
			*admin = true;
		else if (strcmp(argv[i], "--password-stdin") == 0)
			*from_stdin = true;
		else if (argv[i][0] == '-' || *name != NULL) {
			fprintf(stderr, "blogd: user %s: unexpected '%s'\n",
			        argv[0], argv[i]);
			return -1;
		} else
			*name = argv[i];
	}
	if (*name == NULL) {
		fprintf(stderr, "blogd: user %s: missing NAME\n", argv[0]);
		return -1;
	}
	if (!model_user_name_valid(*name)) {
		fprintf(stderr,
		        "blogd: user name must be 1-%d characters of "
		        "A-Z a-z 0-9 _ . -\n",
		        MODEL_NAME_MAX);
		return -1;
	}
	return 0;
}

static int
user_set(const struct config *cfg, int argc, char **argv, bool add)
{
	char pw[PASSWORD_MAX_LEN + 2], hash[PASSWORD_HASH_MAX];
	struct model_user u;
	struct db_pool *pool;
	struct db_conn *conn;
	const char *name;
	bool admin = false, from_stdin = false;
	int rc, status = 1;

	if (parse_args(argc, argv, &name, &admin, &from_stdin, add) != 0)
		return 1;
	if (get_password(from_stdin, pw, sizeof(pw)) != 0)
		goto wipe;
	if (password_hash(pw, hash, sizeof(hash)) != 0) {
		fprintf(stderr, "blogd: cannot hash the password\n");
		goto wipe;
	}
	if (cli_db_open(cfg, &pool, &conn) != 0)
		goto wipe;
	if (add) {
		rc = model_user_create(conn, name, hash, admin, NULL);
	} else if ((rc = model_user_find(conn, name, &u)) == MODEL_OK) {
		rc = model_user_set_password(conn, u.id, hash, NULL);
		model_user_free(&u);
	}
	if (rc == MODEL_DUPLICATE)
		fprintf(stderr, "blogd: user %s already exists\n", name);
	else if (rc == MODEL_NOT_FOUND)
		fprintf(stderr, "blogd: no user %s\n", name);
	else if (rc != MODEL_OK)
		fprintf(stderr, "blogd: user %s: database error\n", argv[0]);
	else
		status = 0;
	cli_db_close(pool, conn);
wipe:
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(hash, sizeof(hash));
	return status;
}

static int
user_list(const struct config *cfg, int argc)
{
	struct model_user_list l;
	struct db_pool *pool;
	struct db_conn *conn;
	size_t i;
	int status = 1;

	if (argc != 1) {
		fprintf(stderr, "blogd: user list takes no arguments\n");
		return 1;
	}
	if (cli_db_open(cfg, &pool, &conn) != 0)
		return 1;
	if (model_user_list(conn, &l) == MODEL_OK) {
		for (i = 0; i < l.n; i++)
			printf("%s %s %s\n", l.items[i].name,
			       l.items[i].is_admin ? "admin" : "user",
			       l.items[i].created_at);
		model_user_list_free(&l);
		status = 0;
	} else {
		fprintf(stderr, "blogd: user list: database error\n");
	}
	cli_db_close(pool, conn);
	return status;
}

static int
user_del(const struct config *cfg, int argc, char **argv)
{
	struct db_pool *pool;
	struct db_conn *conn;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "blogd: usage: blogd user del NAME\n");
		return 1;
	}
	if (cli_db_open(cfg, &pool, &conn) != 0)
		return 1;
	rc = model_user_delete(conn, argv[1]);
	if (rc == MODEL_NOT_FOUND)
		fprintf(stderr, "blogd: no user %s\n", argv[1]);
	else if (rc == MODEL_INVALID)
		fprintf(stderr,
		        "blogd: user %s still authors posts; delete them "
		        "first\n",
		        argv[1]);
	else if (rc != MODEL_OK)
		fprintf(stderr, "blogd: user del: database error\n");
	cli_db_close(pool, conn);
	return rc == MODEL_OK ? 0 : 1;
}

/* user totp NAME --disable: for an admin who lost the phone and the
 * recovery codes; whoever runs it can read the configuration anyway. */
static int
user_totp(const struct config *cfg, int argc, char **argv)
{
	struct model_user u;
	struct db_pool *pool;
	struct db_conn *conn;
	const char *name;
	int rc;

	if (argc == 3 && strcmp(argv[1], "--disable") == 0)
		name = argv[2];
	else if (argc == 3 && strcmp(argv[2], "--disable") == 0)
		name = argv[1];
	else {
		fprintf(stderr,
		        "blogd: usage: blogd user totp NAME --disable\n");
		return 1;
	}
	if (cli_db_open(cfg, &pool, &conn) != 0)
		return 1;
	if ((rc = model_user_find(conn, name, &u)) == MODEL_OK) {
		rc = model_totp_disable(conn, u.id);
		model_user_free(&u);
	}
	if (rc == MODEL_NOT_FOUND)
		fprintf(stderr, "blogd: no user %s\n", name);
	else if (rc != MODEL_OK)
		fprintf(stderr, "blogd: user totp: database error\n");
	else
		printf("two-factor sign-in is off for %s\n", name);
	cli_db_close(pool, conn);
	return rc == MODEL_OK ? 0 : 1;
}

int
cli_user(const struct config *cfg, int argc, char **argv)
{
	if (argc < 1) {
		fprintf(stderr,
		        "blogd: user needs add, passwd, list, del or totp\n");
		return 1;
	}
	if (strcmp(argv[0], "add") == 0)
		return user_set(cfg, argc, argv, true);
	if (strcmp(argv[0], "passwd") == 0)
		return user_set(cfg, argc, argv, false);
	if (strcmp(argv[0], "list") == 0)
		return user_list(cfg, argc);
	if (strcmp(argv[0], "del") == 0)
		return user_del(cfg, argc, argv);
	if (strcmp(argv[0], "totp") == 0)
		return user_totp(cfg, argc, argv);
	fprintf(stderr, "blogd: unknown user command '%s'\n", argv[0]);
	return 1;
}
