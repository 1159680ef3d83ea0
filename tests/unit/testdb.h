/*
 * For the unit programs that need MariaDB (test_db, test_model,
 * test_throttle): tests/CMakeLists.txt runs them under
 * scripts/with-mariadb.sh, which starts a private server and exports
 * BLOGD_TEST_DB_*. testdb_open reads those into a config (through the
 * BLOGD_<SECTION>_<KEY> environment config_load takes), migrates the
 * database with sql/ (the programs run from the source tree) and opens a
 * pool. Without the variables the program fails: it is not skipped.
 */
#ifndef BLOGD_TESTDB_H
#define BLOGD_TESTDB_H

#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "db.h"

static const char *
testdb_env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0') {
		fprintf(stderr,
		        "%s is not set: run this program under "
		        "scripts/with-mariadb.sh (ctest does)\n",
		        name);
		exit(1);
	}
	return v;
}

/* cfg from BLOGD_TEST_DB_*, with pool_size connections (0: the default). */
static void
testdb_config(struct config *cfg, const char *pool_size)
{
	char err[512];

	setenv("BLOGD_DATABASE_SOCKET", testdb_env("BLOGD_TEST_DB_SOCKET"), 1);
	setenv("BLOGD_DATABASE_NAME", testdb_env("BLOGD_TEST_DB_NAME"), 1);
	setenv("BLOGD_DATABASE_USER", testdb_env("BLOGD_TEST_DB_USER"), 1);
	setenv("BLOGD_DATABASE_PASSWORD", testdb_env("BLOGD_TEST_DB_PASSWORD"),
	       1);
	setenv("BLOGD_DATABASE_POOL_SIZE", pool_size, 1);
	setenv("BLOGD_DATABASE_CONNECT_TIMEOUT", "2", 1);
	setenv("BLOGD_DATABASE_READ_TIMEOUT", "5", 1);
	if (config_load(cfg, "/dev/null", err, sizeof(err)) != 0) {
		fprintf(stderr, "config: %s\n", err);
		exit(1);
	}
}

/* A pool on the migrated test database; exits on failure. */
static struct db_pool *
testdb_open(struct config *cfg, const char *pool_size)
{
	struct db_pool *pool;
	char err[512];

	testdb_config(cfg, pool_size);
	if (db_migrate(cfg, "sql", err, sizeof(err)) != 0 ||
	    db_pool_open(&pool, cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "database: %s\n", err);
		exit(1);
	}
	return pool;
}

/* One connection held for a whole program (test_model, test_throttle). */
struct testdb {
	struct config cfg;
	struct db_pool *pool;
	struct db_conn *conn;
};

static inline struct db_conn *
testdb_connect(struct testdb *t)
{
	t->pool = testdb_open(&t->cfg, "1");
	t->conn = db_acquire(t->pool);
	if (t->conn == NULL) {
		fprintf(stderr, "database: no connection\n");
		exit(1);
	}
	return t->conn;
}

static inline int
testdb_disconnect(void **state)
{
	struct testdb *t = *state;

	db_release(t->conn);
	db_pool_close(t->pool);
	config_free(&t->cfg);
	return 0;
}

#endif
