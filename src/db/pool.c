/*
 * The connection pool and the prepared-statement API (include/db.h).
 *
 * Threads: pool->mu guards the in_use flags, the "up"/"down" flags, the last
 * connect error and the wait counters; a borrowed connection is touched by
 * its borrower only, so statements run without the lock.
 *
 * Connect failures: until the pool has connected once, a failure is only
 * recorded (db_pool_last_error), since the caller (start-up, a CLI command)
 * reports it as its one-line error and exits. Once the pool has been up, a
 * failure is logged at the start of each outage and the recovery once.
 *
 * Outages (db_pool_watch, for the server): a failed connect or a statement
 * that ran into read_timeout marks the pool unavailable, so that every
 * later db_acquire fails at once instead of holding its request for
 * another timeout. The probe thread, which the pool owns (started by
 * db_pool_watch, joined by db_pool_close), then opens a connection of its
 * own every DB_PROBE_MS until the server answers, and marks the pool
 * available again. Requests that already hold a connection are left to
 * their own timeouts.
 *
 * Read replicas (database.replicas): the primary's pool owns a pool per
 * replica, opened and closed with it. They are never watched for outages:
 * the replica checker (a thread of the primary pool's, started by
 * db_pool_watch beside the probe) decides whether a replica is in service.
 * Once a second it asks each replica, on a connection of its own, for
 * SHOW REPLICA STATUS: both replication threads running and
 * Seconds_Behind_Master within database.replica_max_lag, else the replica
 * is left out (one log line) until it passes again (one line).
 * db_acquire_read takes the healthy replicas in turn and falls back to
 * the primary.
 */
#include "db.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "buf.h"
#include "clock.h"
#include "config.h"
#include "internal.h"
#include "log.h"
#include "xalloc.h"

#define DB_MAX_PARAMS 32
#define DB_PROBE_MS   500  /* between two probes of a server found down */
#define DB_CHECK_MS   1000 /* between two checks of the replicas */

/* One read replica (database.replicas). */
struct db_replica {
	struct db_pool *pool;    /* owned */
	struct db_pool *primary; /* the pool it belongs to */
	char name[300];          /* "host:port", for logs and /metrics */
	struct db_conn check;    /* the checker's own connection */
	atomic_bool healthy;     /* in service: db_acquire_read may use it */
	atomic_llong lag; /* seconds behind at the last check; -1 unknown */
	bool known;       /* checked once: its state has been logged */
};

struct db_pool {
	struct db_params params;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct db_conn *conns;
	unsigned size;
	unsigned in_use;
	bool up;   /* a connect has succeeded: failures are logged from now */
	bool down; /* the last connect failed: log only the first failure */
	char last_error[512];
	unsigned long long waits;
	unsigned long long wait_us;
	atomic_ullong errors;
	atomic_ullong reconnects;
	/* Outages: set by db_pool_watch, read-only afterwards. */
	bool watched;
	pthread_t prober;
	/* Unavailable: acquires fail at once until the probe succeeds. */
	atomic_bool unavailable;
	atomic_ullong refused; /* acquires refused while unavailable */
	atomic_ullong outages;
	atomic_ullong down_since_us; /* when the last outage began */
	/* probe_mu guards stopping; probe_cv wakes the probe (an outage
	 * began, or the pool closes). */
	pthread_mutex_t probe_mu;
	pthread_cond_t probe_cv;
	bool stopping;
	/* Undo statements the probe runs before the pool is available
	 * again (db_undo); guarded by mu. */
	struct db_undo *undo;
	/* The primary's only: its read replicas, fixed after open, and the
	 * checker thread (started by db_pool_watch when there are any). */
	struct db_replica *replicas;
	unsigned nreplicas;
	long long max_lag;
	bool checking;
	pthread_t checker;
	atomic_uint next_read; /* round robin over the replicas */
	atomic_ullong reads_replica, reads_primary;
	/* A replica's pool: the replica it reaches (else NULL). */
	struct db_replica *replica;
};

/* One write to take back: sql with the one integer parameter id. */
struct db_undo {
	struct db_undo *next;
	const char *sql;
	long long id;
};

/* One decoded parameter: kept apart from the va_list so a retry can bind
 * the same values again. */
struct db_param {
	char type;
	const void *ptr;
	unsigned long len;
	long long ival;
};

static char *
dup_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? xstrdup(s) : NULL;
}

void
db_params_init(struct db_params *p, const struct config *cfg)
{
	memset(p, 0, sizeof(*p));
	p->host = dup_or_null(cfg->database.host);
	p->port = cfg->database.port;
	p->socket = dup_or_null(cfg->database.socket);
	p->name = dup_or_null(cfg->database.name);
	p->user = dup_or_null(cfg->database.user);
	p->password = dup_or_null(cfg->database.password);
	p->ssl_ca = dup_or_null(cfg->database.ssl_ca);
	p->ssl_verify = cfg->database.ssl_verify;
	/* config_load keeps both within 1..3600. */
	p->connect_timeout = cfg->database.connect_timeout;
	p->read_timeout = cfg->database.read_timeout;
}

void
db_params_free(struct db_params *p)
{
	free(p->host);
	free(p->socket);
	free(p->name);
	free(p->user);
	xfree_secret(p->password);
	free(p->ssl_ca);
	memset(p, 0, sizeof(*p));
}

static int
set_options(MYSQL *m, const struct db_params *p)
{
	unsigned ct = p->connect_timeout, rt = p->read_timeout;
	unsigned zero = 0;
	my_bool on = 1;
	int rc = 0;

	rc |= mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
	rc |= mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &rt);
	rc |= mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &rt);
	rc |= mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	/* Dates go in and out as UTC whatever the server's zone. */
	rc |= mysql_optionsv(m, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
	/* The server must never make us read local files. */
	rc |= mysql_optionsv(m, MYSQL_OPT_LOCAL_INFILE, &zero);
	if (p->ssl_ca != NULL)
		rc |= mysql_optionsv(m, MYSQL_OPT_SSL_CA, p->ssl_ca);
	if (p->ssl_verify) {
		/* Without a CA file the client checks against the system
		 * store; either way a plain-text fallback is refused. */
		rc |= mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &on);
		rc |= mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
	}
	return rc == 0 ? 0 : -1;
}

/*
 * One line saying where the server was looked for, as whom, and what the
 * client library answered: the whole story of a failed connect.
 */
static void
conn_failure(const struct db_params *p, const char *cause, char *err,
             size_t errlen)
{
	const char *host = p->host != NULL ? p->host : "localhost";
	char where[300];

	if (p->socket != NULL)
		snprintf(where, sizeof(where), "socket %s", p->socket);
	else if (strchr(host, ':') != NULL)
		snprintf(where, sizeof(where), "[%s]:%u", host, p->port);
	else
		snprintf(where, sizeof(where), "%s:%u", host, p->port);
	snprintf(err, errlen,
	         "database: cannot connect to %s as user '%s' (database "
	         "'%s'): %s",
	         where, p->user != NULL ? p->user : "",
	         p->name != NULL ? p->name : "", cause);
}

/*
 * The client library's reason, plus the settings a TLS failure depends on:
 * its own texts ("self-signed certificate in certificate chain" for a CA
 * that is not ssl_ca, "Validation of SSL server certificate failed" for a
 * name mismatch) do not say which file or check was involved.
 */
static const char *
conn_cause(MYSQL *m, const struct db_params *p, char *buf, size_t len)
{
	if (mysql_errno(m) != CR_SSL_CONNECTION_ERROR)
		return mysql_error(m);
	snprintf(buf, len, "%s (database.ssl_ca = %s, ssl_verify = %s)",
	         mysql_error(m),
	         p->ssl_ca != NULL ? p->ssl_ca : "the system CAs",
	         p->ssl_verify ? "true: the name must match too" : "false");
	return buf;
}

int
db_conn_connect(struct db_conn *c, char *err, size_t errlen)
{
	const struct db_params *p = c->params;
	char cause[512];
	MYSQL *m;

	if ((m = mysql_init(NULL)) == NULL) {
		snprintf(err, errlen, "database: out of memory");
		return -1;
	}
	if (set_options(m, p) != 0) {
		snprintf(err, errlen, "database: cannot set client options");
		mysql_close(m);
		return -1;
	}
	if (mysql_real_connect(m, p->socket != NULL ? "localhost" : p->host,
	                       p->user, p->password, p->name,
	                       p->socket != NULL ? 0 : p->port, p->socket,
	                       0) == NULL) {
		c->last_errno = mysql_errno(m);
		conn_failure(p, conn_cause(m, p, cause, sizeof(cause)), err,
		             errlen);
		mysql_close(m);
		return -1;
	}
	c->mysql = m;
	return 0;
}

void
db_conn_disconnect(struct db_conn *c)
{
	size_t i;

	/* Closing a statement on a dead connection only frees memory. */
	for (i = 0; i < c->nstmts; i++)
		mysql_stmt_close(c->stmts[i].stmt);
	c->nstmts = 0;
	c->evict = 0;
	if (c->mysql != NULL)
		mysql_close(c->mysql);
	/* in_txn survives: the borrower's later statements must fail until
	 * it rolls back, not run outside the transaction it believes in. */
	c->mysql = NULL;
}

/* A pool of size lazily opened connections to the server params name
 * (taken over). */
static struct db_pool *
pool_new(const struct db_params *params, unsigned size)
{
	struct db_pool *pool = xcalloc(1, sizeof(*pool));
	unsigned i;

	pool->params = *params;
	pthread_mutex_init(&pool->mu, NULL);
	pthread_cond_init(&pool->cv, NULL);
	pool->size = size;
	pool->conns = xcalloc(size, sizeof(*pool->conns));
	for (i = 0; i < size; i++) {
		pool->conns[i].pool = pool;
		pool->conns[i].params = &pool->params;
	}
	return pool;
}

/* A pool per database.replicas item, each as large as the primary's:
 * config_load checked the list. */
static void
replicas_open(struct db_pool *pool, const struct config *cfg)
{
	const char *list = cfg->database.replicas;
	struct db_params params;
	struct db_replica *r;
	char host[256];
	unsigned port;

	if (*list == '\0')
		return;
	pool->replicas = xcalloc(CONFIG_REPLICAS_MAX, sizeof(*pool->replicas));
	pool->max_lag = cfg->database.replica_max_lag;
	while (pool->nreplicas < CONFIG_REPLICAS_MAX &&
	       config_next_hostport(&list, host, sizeof(host), &port) == 1) {
		r = &pool->replicas[pool->nreplicas++];
		db_params_init(&params, cfg);
		free(params.host);
		free(params.socket);
		params.host = xstrdup(host);
		params.socket = NULL;
		params.port = port;
		r->pool = pool_new(&params, pool->size);
		r->pool->replica = r;
		r->primary = pool;
		snprintf(r->name, sizeof(r->name),
		         strchr(host, ':') != NULL ? "[%s]:%u" : "%s:%u", host,
		         port);
		r->check.params = &r->pool->params;
		atomic_init(&r->healthy, false);
		atomic_init(&r->lag, -1);
	}
}

int
db_pool_open(struct db_pool **poolp, const struct config *cfg, char *err,
             size_t errlen)
{
	struct db_params params;

	/* Not thread-safe, so it runs here on the main thread. */
	if (mysql_library_init(0, NULL, NULL) != 0) {
		snprintf(err, errlen, "database: client library init failed");
		return -1;
	}
	db_params_init(&params, cfg);
	/* config_load resolved pool_size 0 */
	*poolp = pool_new(&params, cfg->database.pool_size);
	replicas_open(*poolp, cfg);
	return 0;
}

/* Whether acquires must fail at once: a watched pool in an outage. */
static bool
pool_unavailable(struct db_pool *pool)
{
	return pool != NULL && pool->watched && atomic_load(&pool->unavailable);
}

/* A replica's connection failed under a request: leave it out now rather
 * than at the next check, so that a hung replica holds one request per
 * connection, not every read until then; the checker takes it back. */
static void
replica_leave(struct db_replica *r, const char *why)
{
	if (atomic_exchange(&r->healthy, false))
		log_warn("database: replica %s left out, reads go elsewhere: "
		         "%s",
		         r->name, why);
}

/* Starts an outage (watched pools only): the first mark logs it and wakes
 * the probe; later ones, from requests that were already waiting, do
 * nothing. A replica's pool is never watched: the replica is left out. */
static void
pool_mark_down(struct db_pool *pool, const char *why)
{
	bool was = false;

	if (pool != NULL && pool->replica != NULL)
		replica_leave(pool->replica, why);
	if (pool == NULL || !pool->watched ||
	    !atomic_compare_exchange_strong(&pool->unavailable, &was, true))
		return;
	atomic_fetch_add(&pool->outages, 1);
	atomic_store(&pool->down_since_us, clock_now_us());
	log_err("database: unavailable (%s); database routes answer 503 at "
	        "once until it responds",
	        why);
	pthread_mutex_lock(&pool->probe_mu);
	pthread_cond_signal(&pool->probe_cv);
	pthread_mutex_unlock(&pool->probe_mu);
}

/* Runs the queued undo statements on c (the probe's); false when one
 * failed (it stays queued, with those after it). */
static bool
undo_run(struct db_pool *pool, struct db_conn *c)
{
	struct db_undo *u;

	for (;;) {
		pthread_mutex_lock(&pool->mu);
		if ((u = pool->undo) != NULL)
			pool->undo = u->next;
		pthread_mutex_unlock(&pool->mu);
		if (u == NULL)
			return true;
		if (db_exec(c, NULL, NULL, u->sql, "i", u->id) != 0) {
			pthread_mutex_lock(&pool->mu);
			u->next = pool->undo;
			pool->undo = u;
			pthread_mutex_unlock(&pool->mu);
			return false;
		}
		log_info("database: took back a write answered as failed "
		         "(%.40s %lld)",
		         u->sql, u->id);
		free(u);
	}
}

/* One probe: a connection of the probe's own and a round trip over it,
 * then the undo statements queued during the outage. */
static bool
probe_once(struct db_pool *pool)
{
	struct db_conn c;
	char err[512];
	bool ok;

	memset(&c, 0, sizeof(c));
	c.params = &pool->params;
	if (db_conn_connect(&c, err, sizeof(err)) != 0) {
		log_debug("database probe: %s", err);
		return false;
	}
	ok = mysql_query(c.mysql, "SELECT 1") == 0;
	if (ok) {
		MYSQL_RES *r = mysql_store_result(c.mysql);

		ok = r != NULL;
		mysql_free_result(r);
	}
	ok = ok && undo_run(pool, &c);
	db_conn_disconnect(&c);
	return ok;
}

/* Under probe_mu: sleeps DB_PROBE_MS unless the pool closes first. */
static void
probe_pause(struct db_pool *pool)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_nsec += DB_PROBE_MS * 1000000L;
	t.tv_sec += t.tv_nsec / 1000000000L;
	t.tv_nsec %= 1000000000L;
	while (!pool->stopping &&
	       pthread_cond_timedwait(&pool->probe_cv, &pool->probe_mu, &t) !=
	           ETIMEDOUT)
		;
}

/* The probe thread: sleeps until an outage begins, then probes until the
 * server answers (or the pool closes). */
static void *
probe_main(void *arg)
{
	struct db_pool *pool = arg;
	unsigned long long since;
	bool ok;

	pthread_mutex_lock(&pool->probe_mu);
	while (!pool->stopping) {
		if (!atomic_load(&pool->unavailable)) {
			pthread_cond_wait(&pool->probe_cv, &pool->probe_mu);
			continue;
		}
		pthread_mutex_unlock(&pool->probe_mu);
		ok = probe_once(pool);
		pthread_mutex_lock(&pool->probe_mu);
		if (!ok) {
			probe_pause(pool);
			continue;
		}
		since = atomic_load(&pool->down_since_us);
		atomic_store(&pool->unavailable, false);
		log_info("database: answering again after %.1f s",
		         (double)(clock_now_us() - since) / 1e6);
	}
	pthread_mutex_unlock(&pool->probe_mu);
	return NULL;
}

/* ---- read replicas: the checker ---- */

/* The value of column name (MariaDB's) or alt (MySQL 8's) of row. */
static const char *
status_col(MYSQL_RES *res, MYSQL_ROW row, const char *name, const char *alt)
{
	MYSQL_FIELD *f = mysql_fetch_fields(res);
	unsigned i, n = mysql_num_fields(res);

	for (i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0 || strcmp(f[i].name, alt) == 0)
			return row[i];
	return NULL;
}

/*
 * Asks r for its replication state: REPLICA_OK when both threads run and
 * the lag is known and within max_lag; else REPLICA_BEHIND (stopped,
 * lagging: it may catch up) or REPLICA_UNUSABLE (unreachable, the
 * status refused, not a replica), with why. *lag gets the seconds
 * behind, or -1 when unknown. The checker's connection is kept between
 * checks and reopened when it fails.
 */
enum replica_state { REPLICA_UNUSABLE, REPLICA_BEHIND, REPLICA_OK };

static enum replica_state
replica_check(struct db_replica *r, long long max_lag, long long *lag,
              char *why, size_t whylen)
{
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	const char *io, *sql, *behind;
	enum replica_state state = REPLICA_BEHIND;

	*lag = -1;
	if (r->check.mysql == NULL &&
	    db_conn_connect(&r->check, why, whylen) != 0)
		return REPLICA_UNUSABLE;
	/* A fixed text without values: nothing to bind. */
	if (mysql_query(r->check.mysql, "SHOW REPLICA STATUS") != 0 ||
	    (res = mysql_store_result(r->check.mysql)) == NULL) {
		snprintf(why, whylen,
		         "SHOW REPLICA STATUS: %s (the user needs the "
		         "REPLICA MONITOR privilege)",
		         mysql_error(r->check.mysql));
		db_conn_disconnect(&r->check);
		return REPLICA_UNUSABLE;
	}
	if ((row = mysql_fetch_row(res)) == NULL) {
		snprintf(why, whylen, "not a replica (no replication set up)");
		state = REPLICA_UNUSABLE;
		goto out;
	}
	io = status_col(res, row, "Slave_IO_Running", "Replica_IO_Running");
	sql = status_col(res, row, "Slave_SQL_Running", "Replica_SQL_Running");
	behind = status_col(res, row, "Seconds_Behind_Master",
	                    "Seconds_Behind_Source");
	if (behind != NULL)
		*lag = strtoll(behind, NULL, 10);
	if (io == NULL || strcmp(io, "Yes") != 0)
		snprintf(why, whylen, "replication I/O thread not running");
	else if (sql == NULL || strcmp(sql, "Yes") != 0)
		snprintf(why, whylen, "replication SQL thread not running");
	else if (behind == NULL)
		snprintf(why, whylen, "lag unknown");
	else if (*lag > max_lag)
		snprintf(why, whylen, "%lld s behind (replica_max_lag %lld)",
		         *lag, max_lag);
	else
		state = REPLICA_OK;
out:
	mysql_free_result(res);
	return state;
}

/* Checks every replica once; logs each change of state. */
static void
replicas_check(struct db_pool *pool)
{
	struct db_replica *r;
	char why[600];
	long long lag;
	bool ok, was;

	for (unsigned i = 0; i < pool->nreplicas; i++) {
		r = &pool->replicas[i];
		ok = replica_check(r, pool->max_lag, &lag, why, sizeof(why)) ==
		     REPLICA_OK;
		atomic_store(&r->lag, lag);
		was = atomic_exchange(&r->healthy, ok);
		if (ok && (!was || !r->known))
			log_info("database: replica %s in service (%lld s "
			         "behind)",
			         r->name, lag);
		else if (!ok && (was || !r->known))
			log_warn("database: replica %s left out, reads go "
			         "elsewhere: %s",
			         r->name, why);
		r->known = true;
	}
}

int
db_replicas_verify(struct db_pool *pool)
{
	char why[600];
	long long lag;
	int rc = 0;

	for (unsigned i = 0; i < pool->nreplicas; i++) {
		struct db_replica *r = &pool->replicas[i];

		switch (
		    replica_check(r, pool->max_lag, &lag, why, sizeof(why))) {
		case REPLICA_OK:
			break;
		case REPLICA_BEHIND:
			log_warn("database: replica %s would be left out for "
			         "now: %s",
			         r->name, why);
			break;
		case REPLICA_UNUSABLE:
			log_err("database: replica %s: %s", r->name, why);
			rc = -1;
			break;
		}
		db_conn_disconnect(&r->check);
	}
	return rc;
}

/* The checker thread: replicas_check every DB_CHECK_MS until the pool
 * closes (probe_mu guards stopping, probe_cv cuts the sleep). */
static void *
checker_main(void *arg)
{
	struct db_pool *pool = arg;
	struct timespec t;

	pthread_mutex_lock(&pool->probe_mu);
	while (!pool->stopping) {
		pthread_mutex_unlock(&pool->probe_mu);
		replicas_check(pool);
		pthread_mutex_lock(&pool->probe_mu);
		clock_gettime(CLOCK_MONOTONIC, &t);
		t.tv_nsec += DB_CHECK_MS * 1000000L;
		t.tv_sec += t.tv_nsec / 1000000000L;
		t.tv_nsec %= 1000000000L;
		while (!pool->stopping &&
		       pthread_cond_timedwait(&pool->probe_cv, &pool->probe_mu,
		                              &t) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&pool->probe_mu);
	return NULL;
}

struct db_conn *
db_acquire_read(struct db_pool *pool, bool (*fresh)(struct db_conn *, void *),
                void *arg)
{
	struct db_replica *r;
	struct db_conn *c;
	unsigned i, start;

	start = pool->nreplicas > 0 ? atomic_fetch_add(&pool->next_read, 1) : 0;
	for (i = 0; i < pool->nreplicas; i++) {
		r = &pool->replicas[(start + i) % pool->nreplicas];
		if (!atomic_load(&r->healthy) ||
		    (c = db_acquire(r->pool)) == NULL)
			continue;
		if (fresh == NULL || fresh(c, arg)) {
			atomic_fetch_add(&pool->reads_replica, 1);
			return c;
		}
		db_release(c);
		break; /* behind what the caller needs: the primary has it */
	}
	atomic_fetch_add(&pool->reads_primary, 1);
	return db_acquire(pool);
}

bool
db_replica_stats(struct db_pool *pool, unsigned i, struct db_replica_stats *out)
{
	if (i >= pool->nreplicas)
		return false;
	out->name = pool->replicas[i].name;
	out->up = atomic_load(&pool->replicas[i].healthy);
	out->lag = atomic_load(&pool->replicas[i].lag);
	return true;
}

int
db_pool_watch(struct db_pool *pool)
{
	pthread_condattr_t ca;
	int rc;

	pthread_mutex_init(&pool->probe_mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&pool->probe_cv, &ca);
	pthread_condattr_destroy(&ca);
	if ((rc = pthread_create(&pool->prober, NULL, probe_main, pool)) != 0) {
		log_err("database: cannot start the probe thread: %s",
		        strerror(rc));
		pthread_cond_destroy(&pool->probe_cv);
		pthread_mutex_destroy(&pool->probe_mu);
		return -1;
	}
	pool->watched = true;
	if (pool->nreplicas == 0)
		return 0;
	if ((rc = pthread_create(&pool->checker, NULL, checker_main, pool)) !=
	    0) {
		/* Without it no replica is ever in service: reads stay on
		 * the primary. */
		log_err("database: cannot start the replica checker, every "
		        "read goes to the primary: %s",
		        strerror(rc));
		return -1;
	}
	pool->checking = true;
	return 0;
}

bool
db_pool_available(struct db_pool *pool)
{
	return !pool_unavailable(pool);
}

/* Ends the probe thread; waits for a probe under way (at most the connect
 * and read timeouts). */
static void
probe_stop(struct db_pool *pool)
{
	if (!pool->watched)
		return;
	pthread_mutex_lock(&pool->probe_mu);
	pool->stopping = true;
	pthread_cond_broadcast(&pool->probe_cv); /* the probe, the checker */
	pthread_mutex_unlock(&pool->probe_mu);
	pthread_join(pool->prober, NULL);
	if (pool->checking)
		pthread_join(pool->checker, NULL);
	pool->checking = false;
	pthread_cond_destroy(&pool->probe_cv);
	pthread_mutex_destroy(&pool->probe_mu);
	pool->watched = false;
}

/* Closes pool's connections and its replicas' and frees them all. */
static void
pool_free(struct db_pool *pool)
{
	unsigned i;

	for (i = 0; i < pool->nreplicas; i++) {
		db_conn_disconnect(&pool->replicas[i].check);
		pool_free(pool->replicas[i].pool);
	}
	free(pool->replicas);
	for (i = 0; i < pool->size; i++)
		db_conn_disconnect(&pool->conns[i]);
	free(pool->conns);
	pthread_mutex_destroy(&pool->mu);
	pthread_cond_destroy(&pool->cv);
	db_params_free(&pool->params);
	free(pool);
}

void
db_pool_close(struct db_pool *pool)
{
	if (pool == NULL)
		return;
	probe_stop(pool);
	for (struct db_undo *u = pool->undo, *next; u != NULL; u = next) {
		next = u->next;
		log_err("database: exiting with a write not taken back: "
		        "%.40s %lld",
		        u->sql, u->id);
		free(u);
	}
	pool_free(pool);
	mysql_library_end();
}

void
db_pool_stats(struct db_pool *pool, struct db_stats *out)
{
	pthread_mutex_lock(&pool->mu);
	out->size = pool->size;
	out->in_use = pool->in_use;
	out->waits = pool->waits;
	out->wait_us = pool->wait_us;
	pthread_mutex_unlock(&pool->mu);
	out->errors = atomic_load(&pool->errors);
	out->reconnects = atomic_load(&pool->reconnects);
	out->available = !pool_unavailable(pool);
	out->refused = atomic_load(&pool->refused);
	out->outages = atomic_load(&pool->outages);
	out->reads_replica = atomic_load(&pool->reads_replica);
	out->reads_primary = atomic_load(&pool->reads_primary);
}

const char *
db_pool_last_error(struct db_pool *pool, char *out, size_t outlen)
{
	pthread_mutex_lock(&pool->mu);
	snprintf(out, outlen, "%s",
	         pool->last_error[0] != '\0' ? pool->last_error
	                                     : "database: no error recorded");
	pthread_mutex_unlock(&pool->mu);
	return out;
}

/*
 * An idle connection has nothing to read. If its socket is readable, the
 * server closed it (restart, wait_timeout, KILL): drop it now rather than
 * fail the caller's next write, which could not be retried.
 */
static bool
conn_looks_dead(struct db_conn *c)
{
	struct pollfd pfd;
	my_socket fd;

	fd = mysql_get_socket(c->mysql);
	if (fd == MARIADB_INVALID_SOCKET)
		return true;
	pfd.fd = (int)fd;
	pfd.events = POLLIN | POLLRDHUP;
	pfd.revents = 0;
	return poll(&pfd, 1, 0) != 0;
}

/* Closes a connection found dead and counts the reconnect the next
 * statement will make. */
static void
conn_drop(struct db_conn *c)
{
	db_conn_disconnect(c);
	if (c->pool != NULL)
		atomic_fetch_add(&c->pool->reconnects, 1);
}

static int
conn_ensure(struct db_conn *c)
{
	struct db_pool *pool = c->pool;
	char err[512];
	int rc;

	if (c->mysql != NULL && !conn_looks_dead(c))
		return 0;
	if (c->mysql != NULL)
		conn_drop(c);
	/* In an outage a connect would only wait out connect_timeout. */
	if (pool_unavailable(pool))
		return -1;
	rc = db_conn_connect(c, err, sizeof(err));
	if (pool == NULL) {
		if (rc != 0)
			log_err("%s", err);
		return rc;
	}
	pthread_mutex_lock(&pool->mu);
	if (rc != 0) {
		snprintf(pool->last_error, sizeof(pool->last_error), "%s", err);
		if (pool->up && !pool->down)
			log_err("%s", err);
	} else if (pool->down && pool->up) {
		log_info("database: connection restored");
	}
	pool->up = pool->up || rc == 0;
	pool->down = rc != 0;
	pthread_mutex_unlock(&pool->mu);
	if (rc != 0) {
		atomic_fetch_add(&pool->errors, 1);
		pool_mark_down(pool, "cannot connect");
	}
	return rc;
}

static struct db_conn *
take_free(struct db_pool *pool)
{
	struct db_conn *fallback = NULL;
	unsigned i;

	/* Prefer a connection that is already open. */
	for (i = 0; i < pool->size; i++) {
		if (pool->conns[i].in_use)
			continue;
		if (pool->conns[i].mysql != NULL)
			return &pool->conns[i];
		if (fallback == NULL)
			fallback = &pool->conns[i];
	}
	return fallback;
}

struct db_conn *
db_acquire(struct db_pool *pool)
{
	struct db_conn *c;
	struct timespec deadline;
	unsigned long long t0 = 0;
	bool waited = false;
	int rc = 0;

	if (pool_unavailable(pool)) {
		atomic_fetch_add(&pool->refused, 1);
		return NULL;
	}
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += pool->params.connect_timeout;
	pthread_mutex_lock(&pool->mu);
	while ((c = take_free(pool)) == NULL && rc != ETIMEDOUT) {
		if (!waited) {
			waited = true;
			t0 = clock_now_us();
		}
		rc = pthread_cond_timedwait(&pool->cv, &pool->mu, &deadline);
	}
	if (waited) {
		pool->waits++;
		pool->wait_us += clock_now_us() - t0;
	}
	if (c == NULL) {
		snprintf(pool->last_error, sizeof(pool->last_error),
		         "database: no free connection after %us",
		         pool->params.connect_timeout);
		pthread_mutex_unlock(&pool->mu);
		log_warn("database: no free connection after %us",
		         pool->params.connect_timeout);
		return NULL;
	}
	c->in_use = true;
	pool->in_use++;
	pthread_mutex_unlock(&pool->mu);

	if (conn_ensure(c) != 0) {
		db_release(c);
		return NULL;
	}
	return c;
}

void
db_release(struct db_conn *c)
{
	struct db_pool *pool;

	if (c == NULL)
		return;
	/* A borrower that bailed out mid-transaction must not leak it. */
	if (c->in_txn && db_rollback(c) != 0)
		db_conn_disconnect(c);
	pool = c->pool;
	pthread_mutex_lock(&pool->mu);
	c->in_use = false;
	pool->in_use--;
	pthread_cond_signal(&pool->cv);
	pthread_mutex_unlock(&pool->mu);
}

unsigned
db_errno(struct db_conn *c)
{
	return c->last_errno;
}

/* Errors after which the connection is unusable. */
static bool
is_conn_error(unsigned e)
{
	switch (e) {
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_UNKNOWN_HOST:
	case CR_SERVER_LOST_EXTENDED:
	case ER_CONNECTION_KILLED:
	case ER_SERVER_SHUTDOWN:
		return true;
	default:
		return false;
	}
}

static void
note_error(struct db_conn *c, const char *sql, unsigned e, const char *msg)
{
	c->last_errno = e;
	/* A duplicate key is an answer (name taken), not a failure. */
	if (e == ER_DUP_ENTRY) {
		log_debug("database: %.60s: %s", sql, msg);
		return;
	}
	if (c->pool != NULL)
		atomic_fetch_add(&c->pool->errors, 1);
	/* The SQL text has placeholders only: no values reach the log. A
	 * lost connection is a warning: the caller may still succeed on
	 * the retry. */
	log_msg(is_conn_error(e) ? LOG_WARN : LOG_ERR,
	        "database: %.60s: %s (%u)", sql, msg, e);
}

static MYSQL_STMT *
stmt_get(struct db_conn *c, const char *sql)
{
	MYSQL_STMT *st;
	my_bool on = 1;
	size_t i, slot;

	for (i = 0; i < c->nstmts; i++)
		if (c->stmts[i].sql == sql)
			return c->stmts[i].stmt;
	if ((st = mysql_stmt_init(c->mysql)) == NULL) {
		c->last_errno = CR_OUT_OF_MEMORY;
		return NULL;
	}
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0 ||
	    mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &on) != 0) {
		note_error(c, sql, mysql_stmt_errno(st), mysql_stmt_error(st));
		mysql_stmt_close(st);
		return NULL;
	}
	if (c->nstmts < DB_STMT_CACHE) {
		slot = c->nstmts++;
	} else {
		slot = c->evict;
		c->evict = (c->evict + 1) % DB_STMT_CACHE;
		mysql_stmt_close(c->stmts[slot].stmt);
	}
	c->stmts[slot].sql = sql;
	c->stmts[slot].stmt = st;
	return st;
}

static int
parse_params(const char *types, va_list ap, struct db_param *p, size_t *np)
{
	size_t n = 0;

	for (; *types != '\0'; types++, n++) {
		if (n == DB_MAX_PARAMS)
			return -1;
		p[n].type = *types;
		switch (*types) {
		case 's':
			p[n].ptr = va_arg(ap, const char *);
			p[n].len = p[n].ptr ? strlen(p[n].ptr) : 0;
			break;
		case 'i':
			p[n].ival = va_arg(ap, long long);
			break;
		case 'b':
			p[n].ptr = va_arg(ap, const void *);
			p[n].len = va_arg(ap, size_t);
			break;
		default:
			return -1;
		}
	}
	*np = n;
	return 0;
}

static void
bind_params(MYSQL_BIND *b, struct db_param *p, size_t n)
{
	size_t i;

	memset(b, 0, n * sizeof(*b));
	for (i = 0; i < n; i++) {
		switch (p[i].type) {
		case 's':
			if (p[i].ptr == NULL) {
				b[i].buffer_type = MYSQL_TYPE_NULL;
				break;
			}
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = (void *)p[i].ptr;
			b[i].buffer_length = p[i].len;
			b[i].length = &p[i].len;
			break;
		case 'i':
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = &p[i].ival;
			break;
		case 'b':
			b[i].buffer_type = MYSQL_TYPE_BLOB;
			b[i].buffer = (void *)p[i].ptr;
			b[i].buffer_length = p[i].len;
			b[i].length = &p[i].len;
			break;
		}
	}
}

/* Per-column fetch state. */
struct db_col {
	char *buf;
	unsigned long cap;
	unsigned long len;
	my_bool is_null;
	my_bool error;
	bool datetime; /* fetched into tm, formatted here */
	MYSQL_TIME tm;
};

/*
 * DATETIME and TIMESTAMP columns without fractional seconds come back as
 * MYSQL_TIME and are formatted here as the text protocol would write them
 * ("2026-11-25 22:17:01"): fetched as strings, libmariadb formats each
 * with snprintf, which was a fifth of the instructions of a home page.
 */
static bool
col_is_datetime(const MYSQL_FIELD *f)
{
	return (f->type == MYSQL_TYPE_DATETIME ||
	        f->type == MYSQL_TYPE_TIMESTAMP) &&
	       f->decimals == 0;
}

static void
put_digits(char *p, unsigned v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* out gets "YYYY-MM-DD HH:MM:SS" without a NUL; returns its length. */
static size_t
format_datetime(const MYSQL_TIME *t, char out[19])
{
	put_digits(out, t->year, 4);
	out[4] = '-';
	put_digits(out + 5, t->month, 2);
	out[7] = '-';
	put_digits(out + 8, t->day, 2);
	out[10] = ' ';
	put_digits(out + 11, t->hour, 2);
	out[13] = ':';
	put_digits(out + 14, t->minute, 2);
	out[16] = ':';
	put_digits(out + 17, t->second, 2);
	return 19;
}

/*
 * Copies every row of a stored result into rows: cell data goes into one
 * buffer first (offsets, since it moves), then into a single block that
 * holds the cell pointers, the lengths and the bytes.
 */
static int
fetch_all(MYSQL_STMT *st, struct db_rows *rows)
{
	MYSQL_RES *meta;
	MYSQL_FIELD *fields;
	MYSQL_BIND *bind = NULL, tmp;
	struct db_col *cols = NULL;
	struct buf data = BUF_INIT;
	size_t *offs = NULL, *lens = NULL, nrows, ncols, r, i, ncells, head;
	char *block;
	int rc = -1, frc;

	if ((meta = mysql_stmt_result_metadata(st)) == NULL)
		return -1;
	ncols = mysql_num_fields(meta);
	nrows = (size_t)mysql_stmt_num_rows(st);
	fields = mysql_fetch_fields(meta);
	bind = xcalloc(ncols, sizeof(*bind));
	cols = xcalloc(ncols, sizeof(*cols));
	for (i = 0; i < ncols; i++) {
		bind[i].length = &cols[i].len;
		bind[i].is_null = &cols[i].is_null;
		bind[i].error = &cols[i].error;
		if (col_is_datetime(&fields[i])) {
			cols[i].datetime = true;
			bind[i].buffer_type = MYSQL_TYPE_DATETIME;
			bind[i].buffer = &cols[i].tm;
			bind[i].buffer_length = sizeof(cols[i].tm);
			continue;
		}
		cols[i].cap =
		    fields[i].max_length < 64 ? 64 : fields[i].max_length;
		cols[i].buf = xmalloc(cols[i].cap + 1);
		bind[i].buffer_type = MYSQL_TYPE_STRING;
		bind[i].buffer = cols[i].buf;
		bind[i].buffer_length = cols[i].cap;
	}
	if (mysql_stmt_bind_result(st, bind) != 0)
		goto out;
	ncells = nrows * ncols;
	offs = xcalloc(ncells ? ncells : 1, sizeof(*offs));
	lens = xcalloc(ncells ? ncells : 1, sizeof(*lens));
	for (r = 0; r < nrows; r++) {
		frc = mysql_stmt_fetch(st);
		if (frc != 0 && frc != MYSQL_DATA_TRUNCATED)
			goto out;
		for (i = 0; i < ncols; i++) {
			if (cols[i].is_null) {
				offs[r * ncols + i] = SIZE_MAX;
				continue;
			}
			offs[r * ncols + i] = data.len;
			if (cols[i].datetime) {
				char text[19];
				size_t n = format_datetime(&cols[i].tm, text);

				lens[r * ncols + i] = n;
				buf_append(&data, text, n);
				buf_putc(&data, '\0');
				continue;
			}
			lens[r * ncols + i] = cols[i].len;
			if (cols[i].len <= cols[i].cap) {
				buf_append(&data, cols[i].buf, cols[i].len);
			} else {
				/* Longer than max_length promised: fetch the
				 * whole value straight into the buffer. */
				buf_reserve(&data, cols[i].len + 1);
				memset(&tmp, 0, sizeof(tmp));
				tmp.buffer_type = MYSQL_TYPE_STRING;
				tmp.buffer = data.data + data.len;
				tmp.buffer_length = cols[i].len;
				if (mysql_stmt_fetch_column(st, &tmp,
				                            (unsigned)i, 0))
					goto out;
				data.len += cols[i].len;
			}
			buf_putc(&data, '\0');
		}
	}
	head = ncells * (sizeof(char *) + sizeof(size_t));
	block = xmalloc(head + data.len + 1);
	rows->cells = (char **)(void *)block;
	rows->lengths = (size_t *)(void *)(block + ncells * sizeof(char *));
	if (data.len > 0)
		memcpy(block + head, data.data, data.len);
	for (i = 0; i < ncells; i++) {
		if (offs[i] == SIZE_MAX) {
			rows->cells[i] = NULL;
			rows->lengths[i] = 0;
		} else {
			rows->cells[i] = block + head + offs[i];
			rows->lengths[i] = lens[i];
		}
	}
	rows->nrows = nrows;
	rows->ncols = ncols;
	rc = 0;
out:
	for (i = 0; i < ncols; i++)
		free(cols[i].buf);
	free(cols);
	free(bind);
	free(offs);
	free(lens);
	buf_free(&data);
	mysql_free_result(meta);
	return rc;
}

/*
 * The one column of the first row of an unbuffered result, fetched straight
 * into out: the row is read into the client library's packet buffer and
 * copied once, into memory the caller may hand on (a response). *found says
 * whether there was a row; a NULL is an empty value.
 */
static int
fetch_blob(MYSQL_STMT *st, struct buf *out, bool *found)
{
	MYSQL_BIND b;
	unsigned long len = 0;
	my_bool is_null = 0;
	int frc;

	memset(&b, 0, sizeof(b));
	b.buffer_type = MYSQL_TYPE_BLOB;
	b.length = &len;
	b.is_null = &is_null;
	if (mysql_stmt_bind_result(st, &b) != 0)
		return -1;
	frc = mysql_stmt_fetch(st);
	*found = frc != MYSQL_NO_DATA;
	if (!*found)
		return 0;
	if (frc != 0 && frc != MYSQL_DATA_TRUNCATED)
		return -1;
	buf_reserve(out, (size_t)len + 1);
	b.buffer = out->data + out->len;
	b.buffer_length = len;
	if (len > 0 && mysql_stmt_fetch_column(st, &b, 0, 0) != 0)
		return -1;
	out->len += len;
	out->data[out->len] = '\0';
	/* The rest of the result, so the statement can run again. */
	while ((frc = mysql_stmt_fetch(st)) == 0 || frc == MYSQL_DATA_TRUNCATED)
		;
	return frc == MYSQL_NO_DATA ? 0 : -1;
}

/* A connection error that came after read_timeout (most of it: the
 * client's clock and ours differ) is the server hanging, not a restart. */
static bool
timed_out(const struct db_conn *c, unsigned long long t0)
{
	unsigned long long limit = c->params->read_timeout * 900000ULL;

	return clock_now_us() - t0 >= limit;
}

/*
 * Runs one statement: prepare (cached), bind, execute, and for a query
 * buffer the rows. A lost connection is reopened and the statement retried
 * once when that cannot apply a write twice.
 */
/* What a statement gives back: rows (a query), the first cell straight
 * into blob (db_query_blob), or the counts of a write (both NULL). */
struct db_out {
	struct db_rows *rows;
	struct buf *blob;
	bool found;
	uint64_t *affected, *insert_id;
};

/* A read (db_query, db_query_blob): may run again elsewhere. */
static bool
out_is_read(const struct db_out *o)
{
	return o->rows != NULL || o->blob != NULL;
}

/* After a successful execute: collects what o asks for. */
static int
collect(MYSQL_STMT *st, struct db_out *o)
{
	int rc = 0;

	if (o->blob != NULL) {
		rc = fetch_blob(st, o->blob, &o->found);
		mysql_stmt_free_result(st);
	} else if (o->rows != NULL) {
		if (mysql_stmt_store_result(st) != 0 ||
		    fetch_all(st, o->rows) != 0) {
			db_rows_free(o->rows);
			rc = -1;
		}
		mysql_stmt_free_result(st);
	} else {
		if (o->affected != NULL)
			*o->affected = mysql_stmt_affected_rows(st);
		if (o->insert_id != NULL)
			*o->insert_id = mysql_stmt_insert_id(st);
	}
	return rc;
}

/* Runs sql with params on c, a second time on a fresh connection when the
 * first lost its server (a query, or a statement the server never got). */
static int
run_on(struct db_conn *c, struct db_out *o, const char *sql,
       struct db_param *params, size_t n)
{
	MYSQL_BIND bind[DB_MAX_PARAMS];
	MYSQL_STMT *st;
	unsigned e;
	unsigned long long t0;
	int attempt;
	bool hung;

	bool query = out_is_read(o);

	for (attempt = 0; attempt < 2; attempt++) {
		t0 = clock_now_us();
		if (c->mysql == NULL) {
			if (c->in_txn || conn_ensure(c) != 0)
				return -1;
		}
		if ((st = stmt_get(c, sql)) == NULL) {
			e = c->last_errno;
			goto fail;
		}
		if (mysql_stmt_param_count(st) != n) {
			note_error(c, sql, CR_UNKNOWN_ERROR,
			           "wrong number of parameters");
			return -1;
		}
		bind_params(bind, params, n);
		if ((n > 0 && mysql_stmt_bind_param(st, bind) != 0) ||
		    mysql_stmt_execute(st) != 0) {
			e = mysql_stmt_errno(st);
			note_error(c, sql, e, mysql_stmt_error(st));
			goto fail;
		}
		if (o->blob != NULL)
			o->blob->len = 0; /* a retry starts over */
		if (collect(st, o) != 0) {
			e = mysql_stmt_errno(st);
			note_error(c, sql, e, mysql_stmt_error(st));
			goto fail;
		}
		c->last_errno = 0;
		return 0;
	fail:
		if (!is_conn_error(e))
			return -1;
		hung = timed_out(c, t0);
		if (hung)
			pool_mark_down(c->pool,
			               "no answer within read_timeout");
		/* The transaction died with the connection: no retry. */
		if (c->in_txn) {
			db_conn_disconnect(c);
			return -1;
		}
		conn_drop(c);
		/* A replica that hung would only hang a reconnect too: it is
		 * left out, and run() asks the primary. */
		if (hung && c->pool != NULL && c->pool->replica != NULL)
			return -1;
		if (!query && e != CR_SERVER_GONE_ERROR)
			return -1;
	}
	return -1;
}

/*
 * A read on a replica whose server failed under it (the connection lost
 * and not restored, so the replica is now left out): the primary has the
 * same data, or newer, so the statement runs there instead of failing the
 * request. The worker holds no primary connection, and the primary's
 * pool has one per worker, so this cannot wait on itself.
 */
static int
run_on_primary(struct db_conn *c, struct db_out *o, const char *sql,
               struct db_param *params, size_t n)
{
	struct db_conn *p;
	int rc;

	if ((p = db_acquire(c->pool->replica->primary)) == NULL)
		return -1;
	rc = run_on(p, o, sql, params, n);
	db_release(p);
	return rc;
}

static int
run(struct db_conn *c, struct db_out *o, const char *sql, const char *types,
    va_list ap)
{
	struct db_param params[DB_MAX_PARAMS];
	size_t n;

	if (o->rows != NULL)
		memset(o->rows, 0, sizeof(*o->rows));
	if (parse_params(types, ap, params, &n) != 0) {
		note_error(c, sql, CR_UNKNOWN_ERROR, "bad parameter types");
		return -1;
	}
	if (run_on(c, o, sql, params, n) == 0)
		return 0;
	if (out_is_read(o) && c->mysql == NULL && !c->in_txn &&
	    c->pool != NULL && c->pool->replica != NULL)
		return run_on_primary(c, o, sql, params, n);
	return -1;
}

int
db_vquery(struct db_conn *c, struct db_rows *rows, const char *sql,
          const char *types, va_list ap)
{
	struct db_out o = {.rows = rows};

	return run(c, &o, sql, types, ap);
}

int
db_query(struct db_conn *c, struct db_rows *rows, const char *sql,
         const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = db_vquery(c, rows, sql, types, ap);
	va_end(ap);
	return rc;
}

int
db_query_blob(struct db_conn *c, struct buf *out, const char *sql,
              const char *types, ...)
{
	va_list ap;
	int rc;
	struct db_out o = {.blob = out};

	va_start(ap, types);
	rc = run(c, &o, sql, types, ap);
	va_end(ap);
	return rc != 0 ? -1 : o.found ? 0 : 1;
}

int
db_exec(struct db_conn *c, uint64_t *affected, uint64_t *insert_id,
        const char *sql, const char *types, ...)
{
	va_list ap;
	int rc;

	struct db_out o = {.affected = affected, .insert_id = insert_id};

	va_start(ap, types);
	rc = run(c, &o, sql, types, ap);
	va_end(ap);
	return rc;
}

void
db_undo(struct db_conn *c, const char *sql, long long id)
{
	struct db_pool *pool = c->pool;
	struct db_undo *u;

	if (db_exec(c, NULL, NULL, sql, "i", id) == 0)
		return;
	if (pool == NULL || !pool->watched) {
		log_err("database: cannot take back a write answered as "
		        "failed: %.40s %lld",
		        sql, id);
		return;
	}
	u = xcalloc(1, sizeof(*u));
	u->sql = sql;
	u->id = id;
	pthread_mutex_lock(&pool->mu);
	u->next = pool->undo;
	pool->undo = u;
	pthread_mutex_unlock(&pool->mu);
	/* The probe runs it once the server answers. */
	pool_mark_down(pool, "a write to take back");
}

int
db_begin(struct db_conn *c)
{
	if (db_exec(c, NULL, NULL, "START TRANSACTION", "") != 0)
		return -1;
	c->in_txn = true;
	return 0;
}

/* Runs sql, "COMMIT" or "ROLLBACK". in_txn stays set while it runs so a
 * lost connection is not retried: the transaction died with it. */
static int
txn_end(struct db_conn *c, const char *sql)
{
	int rc = db_exec(c, NULL, NULL, sql, "");

	c->in_txn = false;
	return rc;
}

int
db_commit(struct db_conn *c)
{
	if (c->mysql == NULL)
		return -1;
	return txn_end(c, "COMMIT");
}

int
db_rollback(struct db_conn *c)
{
	if (c->mysql == NULL) {
		c->in_txn = false;
		return -1;
	}
	return txn_end(c, "ROLLBACK");
}

const char *
db_cell(const struct db_rows *rows, size_t row, size_t col)
{
	if (row >= rows->nrows || col >= rows->ncols)
		return NULL;
	return rows->cells[row * rows->ncols + col];
}

long long
db_cell_int(const struct db_rows *rows, size_t row, size_t col)
{
	const char *s = db_cell(rows, row, col);

	return s != NULL ? strtoll(s, NULL, 10) : 0;
}

void
db_rows_free(struct db_rows *rows)
{
	if (rows == NULL)
		return;
	/* cells heads the single block that holds everything. */
	free(rows->cells);
	memset(rows, 0, sizeof(*rows));
}

int
db_ping(struct db_pool *pool)
{
	struct db_conn *c;
	unsigned long long t0;
	int rc;

	if ((c = db_acquire(pool)) == NULL)
		return -1;
	t0 = clock_now_us();
	rc = mysql_ping(c->mysql);
	if (rc != 0 && timed_out(c, t0)) {
		/* Hanging, not gone: a reconnect would hang as long. */
		conn_drop(c);
		pool_mark_down(pool, "no answer within read_timeout");
	} else if (rc != 0) {
		/* Reopen once: the acquire-time check can miss a server
		 * that went away a moment ago. */
		conn_drop(c);
		rc = conn_ensure(c) == 0 ? mysql_ping(c->mysql) : -1;
	}
	db_release(c);
	return rc == 0 ? 0 : -1;
}
