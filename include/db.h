/*
 * MariaDB access: a fixed-size pool of connections and a small prepared-
 * statement API. Every statement goes through mysql_stmt_prepare/execute;
 * there is no way to run a string of SQL with values pasted in.
 *
 * Ownership: the pool owns every connection. A thread borrows one with
 * db_acquire() and must hand it back with db_release() before its request
 * ends; while borrowed, only that thread touches it. Prepared statements are
 * cached per connection (keyed by the SQL text's address), so pass string
 * literals as sql.
 *
 * A connection that finds the server gone (restart, network) reconnects and
 * retries the statement once when that cannot apply a write twice (the
 * error came before the statement reached the server, or it is a SELECT);
 * otherwise the call fails and the caller answers 503.
 */
#ifndef BLOGD_DB_H
#define BLOGD_DB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct db_pool;
struct db_conn;

/*
 * Parameter types for db_query/db_exec, one character per placeholder:
 *   's'  const char *        (NULL binds SQL NULL)
 *   'i'  long long
 *   'b'  const void *, size_t (binary)
 */

/* A fully buffered result. Cells are NUL-terminated strings in one block
 * owned by the struct; a SQL NULL is a NULL pointer. */
struct db_rows {
	size_t nrows;
	size_t ncols;
	char **cells;    /* cells[row * ncols + col] */
	size_t *lengths; /* same indexing */
};

struct db_stats {
	unsigned size;
	unsigned in_use;
	unsigned long long waits;   /* acquires that had to wait */
	unsigned long long wait_us; /* total time spent waiting */
	unsigned long long errors;  /* failed statements */
	unsigned long long reconnects;
	bool available;             /* false in an outage (db_pool_watch) */
	unsigned long long refused; /* acquires refused in an outage */
	unsigned long long outages;
	/* db_acquire_read: borrowed from a replica, from the primary. */
	unsigned long long reads_replica, reads_primary;
};

/* Opens the pool (connections are made lazily, so a DB that is down at start
 * only makes requests fail until it is back). err gets a one-line message. */
int db_pool_open(struct db_pool **pool, const struct config *cfg, char *err,
                 size_t errlen);
/* Closes every connection, the replicas' too; ends the probe and replica
 * checker threads first (db_pool_watch). */
void db_pool_close(struct db_pool *pool);
/*
 * For the server (main thread, once, after db_pool_open): outages become
 * known. A failed connect, or a statement without an answer within
 * read_timeout, makes the pool unavailable: db_acquire then returns NULL
 * at once, so requests answer 503 without waiting out a timeout each. A
 * thread of the pool's probes the server every half second and makes it
 * available again once it answers. With replicas, a second thread checks
 * them every second (db_acquire_read uses only those in service). 0, or -1
 * (logged) without a thread.
 */
int db_pool_watch(struct db_pool *pool);
/* False during an outage of a watched pool; any thread, never blocks. */
bool db_pool_available(struct db_pool *pool);
void db_pool_stats(struct db_pool *pool, struct db_stats *out);

/* Borrows a connected connection, waiting up to the connect timeout for a
 * free one. NULL when the server cannot be reached: logged once per outage
 * after the pool has connected once; before that only recorded, for the
 * caller's own one-line error (db_pool_last_error). */
struct db_conn *db_acquire(struct db_pool *pool);
/*
 * Borrows a connection for reads that may be up to database.replica_max_lag
 * seconds old: a replica's in service, in turn, or the primary's when none
 * is (or none is configured, or the pool is not watched). fresh, when not
 * NULL, is asked first on a replica's connection: false (its data is older
 * than the caller needs) gives the primary's instead. Same NULL as
 * db_acquire.
 */
struct db_conn *db_acquire_read(struct db_pool *pool,
                                bool (*fresh)(struct db_conn *, void *),
                                void *arg);

/* blogd check: asks each replica once whether it replicates, logging what
 * is wrong with each. -1 when one cannot serve at all (unreachable, the status
 * refused, not a replica); a stopped or lagging one is a warning, as it
 * may catch up. */
int db_replicas_verify(struct db_pool *pool);

/* One replica for /metrics: db_replica_stats fills out for the i-th, false
 * past the last. name lives as long as the pool. */
struct db_replica_stats {
	const char *name; /* "host:port" */
	bool up;          /* in service */
	long long lag;    /* seconds behind at the last check, -1 unknown */
};
bool db_replica_stats(struct db_pool *pool, unsigned i,
                      struct db_replica_stats *out);

/* Copies the last connect failure into out: one line naming the server
 * (host:port or socket), user, database and the client library's cause.
 * Returns out. */
const char *db_pool_last_error(struct db_pool *pool, char *out, size_t outlen);
void db_release(struct db_conn *conn);

/* SELECT: 0 and rows filled, or -1 (logged). Free rows with db_rows_free. */
int db_query(struct db_conn *conn, struct db_rows *rows, const char *sql,
             const char *types, ...);
/* db_query with the parameters in a va_list, for wrappers of it. */
int db_vquery(struct db_conn *conn, struct db_rows *rows, const char *sql,
              const char *types, va_list ap);
/* SELECT of one binary column (a BLOB): the first row's value into out
 * (replacing what it held), copied once from the client library's packet
 * buffer; no row set is built. 0, 1 when there is no row, -1 (logged). */
struct buf;
int db_query_blob(struct db_conn *conn, struct buf *out, const char *sql,
                  const char *types, ...);
/* INSERT/UPDATE/DELETE: 0 or -1. affected and insert_id may be NULL. */
int db_exec(struct db_conn *conn, uint64_t *affected, uint64_t *insert_id,
            const char *sql, const char *types, ...);
/* Error number of the last failed call on conn (e.g. 1062 duplicate key). */
unsigned db_errno(struct db_conn *conn);

/*
 * After a COMMIT without an answer, which may or may not have applied a
 * write the caller now reports as failed: runs sql (one 'i' placeholder,
 * bound to id; a literal) on conn at once, or, when the server cannot be
 * reached, marks an outage and leaves it to the probe, which runs it
 * before the pool is available again (lost if blogd exits first).
 */
void db_undo(struct db_conn *conn, const char *sql, long long id);

int db_begin(struct db_conn *conn);
int db_commit(struct db_conn *conn);
int db_rollback(struct db_conn *conn);

const char *db_cell(const struct db_rows *rows, size_t row, size_t col);
long long db_cell_int(const struct db_rows *rows, size_t row, size_t col);
void db_rows_free(struct db_rows *rows);

/* Cheap liveness check for /healthz: 0 when the server answers. */
int db_ping(struct db_pool *pool);

/* blogd migrate: applies dir/NNN_*.sql not yet in schema_migrations, in
 * order, printing each name applied to stdout. 0 or -1 with err. */
int db_migrate(const struct config *cfg, const char *dir, char *err,
               size_t errlen);

#endif
