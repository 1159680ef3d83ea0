/*
 * Private to src/db: the connection struct shared by the pool (pool.c) and
 * the migration runner (migrate.c), which uses one connection outside any
 * pool.
 */
#ifndef BLOGD_DB_INTERNAL_H
#define BLOGD_DB_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <mysql.h>

struct config;
struct db_pool;

/* How to reach the server; copied out of the config by db_params_init. */
struct db_params {
	char *host;
	unsigned port;
	char *socket;
	char *name;
	char *user;
	char *password;
	char *ssl_ca;
	bool ssl_verify;
	unsigned connect_timeout;
	unsigned read_timeout;
};

#define DB_STMT_CACHE 96

struct db_cached_stmt {
	const char *sql; /* key: the literal's address */
	MYSQL_STMT *stmt;
};

struct db_conn {
	struct db_pool *pool; /* NULL for the migration connection */
	const struct db_params *params;
	MYSQL *mysql; /* NULL while disconnected */
	struct db_cached_stmt stmts[DB_STMT_CACHE];
	size_t nstmts;
	size_t evict; /* next slot to reuse when the cache is full */
	unsigned last_errno;
	bool in_use;
	bool in_txn;
};

void db_params_init(struct db_params *p, const struct config *cfg);
void db_params_free(struct db_params *p);
/* 0, or -1 with a one-line message in err. */
int db_conn_connect(struct db_conn *c, char *err, size_t errlen);
/* Closes the statements and the connection; c stays reusable. */
void db_conn_disconnect(struct db_conn *c);

#endif
