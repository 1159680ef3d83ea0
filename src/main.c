/*
 * blogd's command line: serve (the default), migrate, check, version, help,
 * and the user/post administration commands of src/cli/.
 *
 * A usage or start-up error is one line on stderr and exit status 1.
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "acme.h"
#include "app.h"
#include "cli.h"
#include "clock.h"
#include "config.h"
#include "conns.h"
#include "db.h"
#include "handlers.h"
#include "http.h"
#include "http_shared.h"
#include "import.h"
#include "listen_fds.h"
#include "log.h"
#include "metrics.h"
#include "model.h"
#include "notify.h"
#include "page.h"
#include "page_cache.h"
#include "router.h"
#include "password.h"
#include "static.h"
#include "tls_front.h"
#include "tmpl.h"
#include "xalloc.h"
#include "zone.h"

static const char usage_text[] =
    "usage: blogd [command] [-c FILE]\n"
    "\n"
    "commands:\n"
    "  serve                      serve until SIGTERM/SIGINT (default)\n"
    "  migrate                    apply pending database migrations\n"
    "  check                      validate the configuration, reach the\n"
    "                             database and its replicas, load templates\n"
    "                             and certificates\n"
    "  user add NAME [--admin] [--password-stdin]\n"
    "  user passwd NAME [--password-stdin]\n"
    "  user list\n"
    "  user del NAME\n"
    "  user totp NAME --disable   turn two-factor sign-in off (lost phone)\n"
    "  post add --title T --author NAME [--slug S] [--tags a,b] [--draft]\n"
    "           [--at 'YYYY-MM-DD HH:MM[:SS]'] [--page]\n"
    "                             publish Markdown from standard input\n"
    "                             (at a UTC time; as a page)\n"
    "  media add FILE [--name NAME]\n"
    "                             store an image (PNG, JPEG, GIF, WebP) or\n"
    "                             PDF; prints its URL path, /media/HASH.EXT\n"
    "  redirect add OLD_PATH TARGET|--gone, redirect delete OLD_PATH,\n"
    "  redirect list              answer an old path with 301 to TARGET\n"
    "                             (/path or http(s)://...) or 410\n"
    "  import django mysql://USER@HOST[:PORT]/DB [--map FILE]\n"
    "         [--old-urls PATTERN] [--dry-run] [--prune] [--password-stdin]\n"
    "                             copy a Django blog (docs/IMPORT.md)\n"
    "  export DIR                 every post, user, comment, redirect and\n"
    "                             media file as plain files\n"
    "  import markdown DIR [--dry-run]\n"
    "                             read back what export wrote\n"
    "  version                    print the version\n"
    "  help                       print this text\n"
    "\n"
    "options:\n"
    "  -c, --config FILE          configuration file "
    "(default " CONFIG_DEFAULT_PATH ")\n"
    "\n"
    "Every key can be set by BLOGD_<SECTION>_<KEY> in the environment.\n";

struct cmdline {
	const char *config; /* NULL: the default path */
	const char *command;
	int argc; /* words after the command, for user/post */
	char **argv;
};

static void __attribute__((format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("blogd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("; see blogd --help\n", stderr);
}

/* user, post and import take their own arguments. */
static bool
is_admin(const char *command)
{
	return strcmp(command, "user") == 0 || strcmp(command, "post") == 0 ||
	       strcmp(command, "media") == 0 ||
	       strcmp(command, "redirect") == 0 ||
	       strcmp(command, "import") == 0 || strcmp(command, "export") == 0;
}

static int
cli_import(const struct config *cfg, int argc, char **argv)
{
	if (strcmp(argv[0], "django") == 0)
		return cli_import_django(cfg, argc, argv);
	if (strcmp(argv[0], "markdown") == 0)
		return cli_import_markdown(cfg, argc, argv);
	fprintf(stderr, "blogd: import needs 'django' or 'markdown'\n");
	return 1;
}

/*
 * "-c FILE" may come before or after the command. For user/post the other
 * words are theirs and pass through in order, except after "--", where
 * nothing is taken as -c any more.
 */
static int
cmdline_parse(int argc, char **argv, struct cmdline *cl)
{
	bool rest = false;

	cl->config = NULL;
	cl->command = NULL;
	cl->argc = 0;
	cl->argv = xcalloc((size_t)argc + 1, sizeof(char *));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!rest &&
		    (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0)) {
			if (i + 1 >= argc) {
				usage_error("%s needs a file name", a);
				return -1;
			}
			cl->config = argv[++i];
		} else if (!rest && strncmp(a, "--config=", 9) == 0) {
			cl->config = a + 9;
		} else if ((strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) &&
		           (cl->command == NULL || !is_admin(cl->command))) {
			cl->command = "help";
		} else if (cl->command == NULL && strcmp(a, "--version") == 0) {
			cl->command = "version";
		} else if (cl->command == NULL && a[0] == '-') {
			usage_error("unknown option '%s'", a);
			return -1;
		} else if (cl->command == NULL) {
			cl->command = a;
		} else {
			if (strcmp(a, "--") == 0 && !rest) {
				rest = true;
				continue;
			}
			cl->argv[cl->argc++] = argv[i];
		}
	}
	if (cl->command == NULL)
		cl->command = "serve";
	return 0;
}

static int
load_config(struct config *cfg, const char *path)
{
	char err[512];

	if (config_load(cfg, path, err, sizeof(err)) == -1) {
		log_err("%s", err);
		return -1;
	}
	/* The level and the zone were validated by config_load; no thread
	 * runs yet. */
	log_set_level(cfg->log.level);
	zone_set(cfg->site.time_zone);
	return 0;
}

/* Borrows a connection; NULL when the server cannot be reached, logged as
 * one line naming the server, user, database and cause. The pool has not
 * logged it: nothing has connected yet. */
static struct db_conn *
db_reach(struct db_pool *pool)
{
	char err[512];
	struct db_conn *conn = db_acquire(pool);

	if (conn == NULL)
		log_err("%s", db_pool_last_error(pool, err, sizeof(err)));
	return conn;
}

static void
notify(const char *state)
{
	int rc = notify_send(state);

	if (rc < 0)
		log_warn("systemd notification: %s", strerror(-rc));
}

/*
 * Session-ticket keys: every instance reads them from the database (the
 * first to need a period's key makes it there) and hands them to the TLS
 * front. A thread of their own refreshes them every TICKETS_REFRESH_S
 * seconds and when SIGHUP asks, so that a slow database never holds up
 * the signal loop and its watchdog pings. Owned by cmd_serve.
 */
#define TICKETS_REFRESH_S 60

/* tickets_refresh copies the model's keys into the front's. */
_Static_assert(MODEL_TICKET_NAME_LEN == TLS_TICKET_NAME_LEN &&
                   MODEL_TICKET_KEY_LEN == TLS_TICKET_KEY_LEN,
               "ticket keys differ in size between model and tls");

struct tickets {
	struct app *app;
	struct tls_front *front;
	pthread_mutex_t lock; /* guards stop, now */
	pthread_cond_t cond;
	bool stop, now;
	bool started;
	pthread_t tid;
	/* The refreshing thread's own: */
	unsigned char name[TLS_TICKET_NAME_LEN]; /* current key in service */
	bool failing;                            /* the last refresh failed */
};

/* Reads the keys and installs them; logs a new current key, and the
 * first failure of a run of them. 0 or -1. */
static int
tickets_refresh(struct tickets *tk)
{
	struct model_ticket_key mk[2];
	struct tls_ticket_key k[2];
	size_t n = 0;
	char err[512] = "no answer from the database, or no table "
	                "tls_ticket_keys (has 'blogd migrate' run?)";
	int rc = -1;

	struct db_conn *conn = db_acquire(tk->app->db);
	if (conn != NULL) {
		rc = model_ticket_keys(conn, TLS_TICKET_ROTATE, mk, &n);
		db_release(conn);
	}
	if (rc == 0) {
		for (size_t i = 0; i < n; i++) {
			memcpy(k[i].name, mk[i].name, sizeof(k[i].name));
			memcpy(k[i].key, mk[i].key, sizeof(k[i].key));
		}
		rc = tls_front_ticket_keys(tk->front, n > 1 ? &k[1] : NULL,
		                           &k[0], err, sizeof(err));
	}
	if (rc == 0 && memcmp(tk->name, k[0].name, sizeof(tk->name)) != 0) {
		memcpy(tk->name, k[0].name, sizeof(tk->name));
		log_info("tls: session tickets use the shared key of period "
		         "%lld",
		         mk[0].period);
	}
	if (rc == -1 && !tk->failing)
		log_warn("tls: cannot read the session ticket keys: %s; "
		         "retrying every %d s",
		         err, TICKETS_REFRESH_S);
	tk->failing = rc == -1;
	explicit_bzero(mk, sizeof(mk));
	explicit_bzero(k, sizeof(k));
	return rc;
}

static void *
tickets_main(void *arg)
{
	struct tickets *tk = arg;
	struct timespec at;

	pthread_mutex_lock(&tk->lock);
	while (!tk->stop) {
		clock_gettime(CLOCK_MONOTONIC, &at);
		at.tv_sec += TICKETS_REFRESH_S;
		while (!tk->stop && !tk->now &&
		       pthread_cond_timedwait(&tk->cond, &tk->lock, &at) == 0)
			;
		if (tk->stop)
			break;
		tk->now = false;
		pthread_mutex_unlock(&tk->lock);
		tickets_refresh(tk);
		pthread_mutex_lock(&tk->lock);
	}
	pthread_mutex_unlock(&tk->lock);
	return NULL;
}

/* The first keys before HTTPS serves, then the thread. -1 only when the
 * thread cannot start: without the keys HTTPS works, each instance with
 * tickets of its own, until a refresh gets them. */
static int
tickets_start(struct tickets *tk, struct app *app, struct tls_front *front)
{
	pthread_condattr_t attr;
	int rc;

	tk->app = app;
	tk->front = front;
	(void)tickets_refresh(tk);
	/* Its waits are timed on the monotonic clock: a wall clock set
	 * back must not stop the refreshes. */
	if ((rc = pthread_condattr_init(&attr)) != 0)
		goto fail;
	rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (rc == 0)
		rc = pthread_cond_init(&tk->cond, &attr);
	pthread_condattr_destroy(&attr);
	if (rc != 0)
		goto fail;
	if ((rc = pthread_create(&tk->tid, NULL, tickets_main, tk)) != 0) {
		pthread_cond_destroy(&tk->cond);
		goto fail;
	}
	tk->started = true;
	return 0;
fail:
	log_err("cannot start the session ticket thread: %s", strerror(rc));
	return -1;
}

static void
tickets_signal(struct tickets *tk, bool stop)
{
	if (tk == NULL || !tk->started)
		return;
	pthread_mutex_lock(&tk->lock);
	if (stop)
		tk->stop = true;
	else
		tk->now = true;
	pthread_cond_signal(&tk->cond);
	pthread_mutex_unlock(&tk->lock);
}

static void
tickets_stop(struct tickets *tk)
{
	if (!tk->started)
		return;
	tickets_signal(tk, true);
	pthread_join(tk->tid, NULL);
	pthread_cond_destroy(&tk->cond);
	tk->started = false;
}

static void
reload(struct tls_front *front, struct tickets *tk, struct acme *acme,
       const char *status)
{
	char err[512], msg[128];

	/* MONOTONIC_USEC lets Type=notify-reload units match this reload. */
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
	         clock_now_us());
	notify(msg);
	if (acme != NULL) {
		/* The certificate is the database's: read it again. */
		acme_reload(acme);
		tickets_signal(tk, false);
	} else if (front != NULL) {
		if (tls_front_reload(front, err, sizeof(err)) == -1)
			log_err("reload: %s; the old certificate stays in "
			        "service",
			        err);
		else
			log_info("reload: certificate and key loaded");
		/* Asks the ticket thread to read the keys now. */
		tickets_signal(tk, false);
	}
	static_reload();
	if (tmpl_reload(err, sizeof(err)) == -1)
		log_err("reload: %s; the old templates stay in service", err);
	else
		log_info("reload: templates loaded");
	/* Cached pages were rendered with the old stylesheet or templates. */
	page_cache_flush();
	notify(status);
}

/*
 * The main thread's loop once everything runs: waits for signals, and when
 * systemd's watchdog is on wakes at half its interval to ping it. The ping
 * comes from this loop, so a main thread that hangs stops it. Returns on
 * SIGTERM or SIGINT, or at until_us (clock_now_us; 0: never).
 */
static void
signal_loop(const sigset_t *sigs, struct tls_front *front, struct tickets *tk,
            struct acme *acme, const char *status, unsigned long long until_us)
{
	uint64_t wd_usec = 0;
	bool watchdog = notify_watchdog(&wd_usec);

	for (;;) {
		unsigned long long now = clock_now_us(), wait_us = UINT64_MAX;
		siginfo_t si;
		int sig;

		if (until_us != 0 && now >= until_us)
			return;
		if (until_us != 0)
			wait_us = until_us - now;
		if (watchdog && wd_usec / 2 < wait_us)
			wait_us = wd_usec / 2;
		struct timespec ts = {.tv_sec = (time_t)(wait_us / 1000000),
		                      .tv_nsec =
		                          (long)(wait_us % 1000000 * 1000)};
		sig = wait_us != UINT64_MAX ? sigtimedwait(sigs, &si, &ts)
		                            : sigwaitinfo(sigs, &si);
		if (sig == -1 && errno == EINTR)
			continue;
		if (sig == -1 && errno != EAGAIN) {
			log_err("sigwaitinfo: %s", strerror(errno));
			return;
		}
		if (watchdog)
			notify("WATCHDOG=1");
		if (sig == SIGHUP) {
			reload(front, tk, acme, status);
		} else if (sig != -1) {
			log_info("%s: %s", strsignal(sig),
			         until_us != 0 ? "ending the drain early"
			                       : "shutting down");
			return;
		}
	}
}

/*
 * After SIGTERM, with [server] drain_seconds: /healthz answers 503 and
 * everything else is served as before, so that a load balancer marks the
 * instance down and stops sending before the listeners close. Signals
 * keep their meaning; another SIGTERM (or SIGINT) ends it early.
 */
static void
drain(struct app *app, const sigset_t *sigs, struct tls_front *front,
      struct tickets *tk, struct acme *acme)
{
	unsigned secs = app->cfg->server.drain_seconds;
	char status[128];

	if (secs == 0)
		return;
	atomic_store(&app->draining, true);
	snprintf(status, sizeof(status),
	         "STATUS=draining: /healthz answers 503 for %u s", secs);
	notify(status);
	log_info("draining for %u s: /healthz answers 503, everything else "
	         "is served; a second SIGTERM stops at once",
	         secs);
	signal_loop(sigs, front, tk, acme, status,
	            clock_now_us() + secs * 1000000ULL);
}

static int
load_secret(struct app *app)
{
	struct db_conn *conn = db_reach(app->db);
	unsigned char secret[APP_SECRET_LEN];

	if (conn == NULL)
		return -1;
	int rc = model_site_secret(conn, secret);
	db_release(conn);
	if (rc != 0) {
		log_err("cannot read the site secret from the database "
		        "(has 'blogd migrate' run?)");
		return -1;
	}
	crypto_hmac_key_init(&app->csrf_key, secret, sizeof(secret));
	explicit_bzero(secret, sizeof(secret));
	return 0;
}

/*
 * Every client connection holds a descriptor, a TLS one three (its socket
 * and both ends of the socketpair to MHD). The soft open-file limit goes up
 * to the hard one (systemd's LimitNOFILE=), and max_connections 0 becomes
 * what fits in it after a reserve for the database pool, listeners, epoll
 * and eventfds, files being sent and the like. Returns the limit.
 */
static unsigned
serve_fd_budget(struct config *cfg)
{
	struct rlimit rl;
	unsigned limit, reserve, per_conn;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		log_warn("getrlimit(RLIMIT_NOFILE): %s", strerror(errno));
		rl.rlim_cur = rl.rlim_max = 1024;
	} else if (rl.rlim_cur < rl.rlim_max) {
		rlim_t want = rl.rlim_cur;

		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			log_warn("cannot raise the open-file limit: %s",
			         strerror(errno));
			rl.rlim_cur = want;
		}
	}
	limit = rl.rlim_cur > 4000000 ? 4000000 : (unsigned)rl.rlim_cur;
	reserve = 64 + 2 * cfg->database.pool_size + 4 * cfg->server.threads +
	          4 * cfg->server.tls_threads;
	per_conn = cfg->server.https_listen[0] != '\0' ? 3 : 1;
	if (cfg->server.max_connections == 0)
		cfg->server.max_connections = limit > reserve + 16 * per_conn
		                                  ? (limit - reserve) / per_conn
		                                  : 16;
	else if ((unsigned long long)cfg->server.max_connections * per_conn +
	             reserve >
	         limit)
		log_warn(
		    "server.max_connections %u may not fit in the open-file "
		    "limit %u",
		    cfg->server.max_connections, limit);
	return limit;
}

/* /metrics sources of the server's gauges: the HTTP server's requests
 * and workers, and the pool, both read through app when scraped (either
 * may be NULL then, and its lines are left out). */
static void
metrics_http(struct buf *out, void *arg)
{
	const struct app *app = arg;
	struct http_worker_stats st;

	if (app->http == NULL)
		return;
	metrics_gauge(out, "blogd_http_requests_in_flight", "gauge",
	              "Requests received and not yet completed.",
	              http_server_in_flight(app->http));
	http_server_worker_stats(app->http, &st);
	metrics_gauge(out, "blogd_workers", "gauge",
	              "Threads that run the routes which may wait.",
	              st.workers);
	metrics_gauge(out, "blogd_workers_busy", "gauge",
	              "Workers running a route now.", st.busy);
	metrics_gauge(out, "blogd_workers_queued", "gauge",
	              "Requests waiting for a free worker.", st.queued);
}

/* Read replicas: one series per replica, and where the reads went. */
static void
metrics_db_replicas(struct buf *out, struct db_pool *db,
                    const struct db_stats *st)
{
	struct db_replica_stats r;
	unsigned i;

	metrics_family(out, "blogd_db_reads_total", "counter",
	               "Public page reads, by the server that answered.");
	buf_printf(out, "blogd_db_reads_total{server=\"replica\"} %llu\n",
	           st->reads_replica);
	buf_printf(out, "blogd_db_reads_total{server=\"primary\"} %llu\n",
	           st->reads_primary);
	if (!db_replica_stats(db, 0, &r))
		return;
	metrics_family(out, "blogd_db_replica_up", "gauge",
	               "1 while the replica serves reads, 0 while left out.");
	for (i = 0; db_replica_stats(db, i, &r); i++)
		buf_printf(out, "blogd_db_replica_up{replica=\"%s\"} %d\n",
		           r.name, r.up ? 1 : 0);
	metrics_family(out, "blogd_db_replica_lag_seconds", "gauge",
	               "Seconds_Behind_Master at the last check; -1 unknown.");
	for (i = 0; db_replica_stats(db, i, &r); i++)
		buf_printf(
		    out, "blogd_db_replica_lag_seconds{replica=\"%s\"} %lld\n",
		    r.name, r.lag);
}

static void
metrics_db(struct buf *out, void *arg)
{
	const struct app *app = arg;
	struct db_stats st;

	if (app->db == NULL)
		return;
	db_pool_stats(app->db, &st);
	metrics_gauge(out, "blogd_db_pool_size", "gauge",
	              "Connections the pool may hold.", st.size);
	metrics_gauge(out, "blogd_db_pool_in_use", "gauge",
	              "Connections borrowed by requests now.", st.in_use);
	metrics_gauge(out, "blogd_db_pool_waits_total", "counter",
	              "Acquires that found no free connection and waited.",
	              st.waits);
	metrics_family(out, "blogd_db_pool_wait_seconds_total", "counter",
	               "Time spent waiting for a free connection.");
	buf_printf(out, "blogd_db_pool_wait_seconds_total %.6f\n",
	           (double)st.wait_us / 1e6);
	metrics_gauge(out, "blogd_db_errors_total", "counter",
	              "Statements that failed.", st.errors);
	metrics_gauge(out, "blogd_db_reconnects_total", "counter",
	              "Connections found dead and opened again.",
	              st.reconnects);
	metrics_gauge(out, "blogd_db_up", "gauge",
	              "0 during an outage (503 at once), else 1.",
	              st.available ? 1 : 0);
	metrics_gauge(out, "blogd_db_outages_total", "counter",
	              "Outages: a failed connect or a read_timeout.",
	              st.outages);
	metrics_gauge(out, "blogd_db_refused_total", "counter",
	              "Connections refused at once during an outage.",
	              st.refused);
	metrics_db_replicas(out, app->db, &st);
}

/* Before the servers start, so the first scrape has every source; in the
 * order /metrics has always listed them. */
static void
metrics_register(struct app *app)
{
	metrics_set_allow(app->cfg->server.metrics_allow);
	metrics_add_source(metrics_http, app);
	metrics_add_source(metrics_db, app);
	metrics_add_source(page_cache_metrics, NULL);
	metrics_add_source(comments_metrics, NULL);
	metrics_add_source(password_gate_metrics, NULL);
	metrics_add_source(tls_front_metrics, NULL);
	if (app->cfg->acme.domains[0] != '\0')
		metrics_add_source(acme_metrics, NULL);
}

/* Resources are stopped in reverse order of start, whichever step failed. */
static int
cmd_serve(const char *path)
{
	struct config cfg;
	struct app app;
	struct tls_front *front = NULL;
	struct acme *acme = NULL;
	struct tickets tk = {.lock = PTHREAD_MUTEX_INITIALIZER};
	char err[512], status[600], host[256];
	sigset_t sigs;
	long cores;
	unsigned fd_limit;
	bool cache_started = false, activated = false;
	/* Socket activation: the sockets the service manager passed, for the
	 * listeners to take instead of opening their own. */
	struct listen_fds lfds = {-1, -1};
	unsigned http_port = 0;
	int rc = 1;

	if (load_config(&cfg, path) == -1)
		return 1;
	memset(&app, 0, sizeof(app));
	app.cfg = &cfg;
	/* More threads than cores (the workers): glibc would give most of
	 * them a malloc arena of their own, each keeping freed memory, for
	 * no gain when only one thread per core runs at a time. */
	cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (mallopt(M_ARENA_MAX, cores > 0 ? (int)cores : 1) != 1)
		log_warn("cannot limit malloc arenas; memory may grow");
	/* One password hash per core: their memory is bounded by the
	 * cores, not by the workers. */
	password_gate_init(cores > 0 ? (unsigned)cores : 1);

	/* Before any thread exists, so that every thread inherits the mask and
	 * only signal_loop() takes these signals. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &sigs, NULL) != 0 ||
	    signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		log_err("cannot set up signal handling");
		goto out;
	}

	fd_limit = serve_fd_budget(&cfg);
	app.conns = conns_new(cfg.server.max_connections,
	                      cfg.server.per_ip_connections, fd_limit);
	if (app.conns == NULL) {
		log_err("cannot set up the connection budget");
		goto out;
	}
	if (db_pool_open(&app.db, &cfg, err, sizeof(err)) == -1) {
		log_err("%s", err);
		goto out;
	}
	if (db_pool_watch(app.db) == -1)
		goto out;
	if (load_secret(&app) == -1)
		goto out;
	if (tmpl_init(cfg.paths.templates, err, sizeof(err)) == -1) {
		log_err("%s", err);
		goto out;
	}
	/* Set before the HTTP server starts: app is read-only from then on. */
	if (cfg.server.https_listen[0] != '\0') {
		if (config_parse_listen(cfg.server.https_listen, host,
		                        sizeof(host), &app.https_port) == -1) {
			log_err("server.https_listen: expected host:port");
			goto out;
		}
		app.https_enabled = true;
		/* With [acme], once the first certificate is in service. */
		atomic_store(&app.https_ready, cfg.acme.domains[0] == '\0');
	}
	metrics_register(&app);
	/* The layers above http that it calls back: the page frame for error
	 * pages, the page cache for every routed request. */
	http_set_error_renderer(page_error);
	page_cache_init(&cfg, app.db);
	cache_started = true;
	router_set_table(&(struct route_table){app_routes, app_routes_count,
	                                       app_not_found_route});
	http_set_route_hook(&(struct http_route_hook){
	    .answer = page_cache_answer, .run = page_cache_handle});
	/* config_load has checked http_listen. */
	if (cfg.server.http_listen[0] != '\0')
		(void)config_parse_listen(cfg.server.http_listen, host,
		                          sizeof(host), &http_port);
	if (listen_fds_take(http_port, app.https_port, &lfds, &activated, err,
	                    sizeof(err)) == -1) {
		log_err("%s", err);
		goto out;
	}
	if ((app.https_enabled &&
	     tls_front_open(&front, &cfg, app.conns, lfds.https, err,
	                    sizeof(err)) == -1) ||
	    http_server_start(
	        &app.http,
	        &(struct http_server_opts){.cfg = &cfg,
	                                   .conns = app.conns,
	                                   .https_port = app.https_port,
	                                   .https_ready = &app.https_ready,
	                                   .listen_fd = lfds.http,
	                                   .app = &app},
	        err, sizeof(err)) == -1) {
		log_err("%s", err);
		goto out;
	}
	if (front != NULL && tickets_start(&tk, &app, front) == -1)
		goto out;
	if ((front != NULL &&
	     tls_front_run(front, app.http, err, sizeof(err)) == -1) ||
	    (cfg.acme.domains[0] != '\0' &&
	     acme_start(&acme, &app, front, err, sizeof(err)) == -1)) {
		log_err("%s", err);
		goto out;
	}

	const char *http_on = cfg.server.http_listen[0] != '\0'
	                          ? cfg.server.http_listen
	                          : "(off)";
	const char *https_on =
	    app.https_enabled ? cfg.server.https_listen : "(off)";
	log_info("serving http on %s, https on %s (max_connections %u%s)",
	         http_on, https_on, cfg.server.max_connections,
	         activated ? ", sockets from the service manager" : "");
	snprintf(status, sizeof(status),
	         "READY=1\nSTATUS=serving http on %s, https on %s", http_on,
	         https_on);
	notify(status);
	signal_loop(&sigs, front, &tk, acme, status, 0);
	notify("STOPPING=1");
	drain(&app, &sigs, front, &tk, acme);
	rc = 0;
out:
	/* Stop taking connections on both listeners, let requests in flight
	 * finish (bounded by shutdown_timeout), then close what is left. */
	tls_front_quiesce(front);
	acme_stop(acme);   /* it uses the front and the pool */
	tickets_stop(&tk); /* it uses the front and the pool */
	if (app.http != NULL)
		http_server_drain(app.http);
	if (front != NULL)
		tls_front_stop(front);
	if (app.http != NULL)
		http_server_stop(app.http);
	app.http = NULL; /* for the metrics source, until it goes */
	if (cache_started)
		page_cache_free(); /* no worker runs any more */
	page_nav_free();
	metrics_clear_sources(); /* they read app, which ends here */
	if (app.db != NULL)
		db_pool_close(app.db);
	conns_free(app.conns);
	crypto_hmac_key_clear(&app.csrf_key);
	config_free(&cfg);
	return rc;
}

/* What SQL cannot do after sql/009: render the excerpts of older posts
 * from their bodies again (cmark). Logs its failure; 0 or -1. */
static int
migrate_excerpts(const struct config *cfg)
{
	struct db_pool *pool;
	struct db_conn *conn;
	char err[512];
	long long n = 0;
	int rc = -1;

	if (db_pool_open(&pool, cfg, err, sizeof(err)) == -1) {
		log_err("%s", err);
		return -1;
	}
	if ((conn = db_reach(pool)) != NULL) {
		rc = model_import_excerpts(conn, cfg->site.markdown_unsafe_html,
		                           &n);
		db_release(conn);
	}
	db_pool_close(pool);
	if (rc != 0)
		log_err("migrate: cannot render the excerpts of older posts");
	else if (n > 0)
		printf("rendered the excerpts of %lld posts again\n", n);
	return rc == 0 ? 0 : -1;
}

static int
cmd_migrate(const char *path)
{
	struct config cfg;
	char err[512];

	if (load_config(&cfg, path) == -1)
		return 1;
	int rc = db_migrate(&cfg, cfg.paths.migrations, err, sizeof(err));
	if (rc == -1)
		log_err("%s", err);
	else
		rc = migrate_excerpts(&cfg);
	config_free(&cfg);
	return rc == 0 ? 0 : 1;
}

/* An upload travels to the database in one packet: the file and the
 * statement around it must fit the server's max_allowed_packet. */
static int
check_packet(const struct config *cfg, long long packet)
{
	unsigned long long need = cfg->server.max_upload + 1024 * 1024;

	if (packet >= 0 && (unsigned long long)packet >= need)
		return 0;
	log_err("server.max_upload (%zu bytes) does not fit the database's "
	        "max_allowed_packet (%lld bytes): raise it to %llu or more, "
	        "or lower max_upload",
	        cfg->server.max_upload, packet, need);
	return -1;
}

/* Each step logs its own failure. */
static int
check_db(const struct config *cfg)
{
	struct db_pool *pool;
	struct db_rows rows;
	char err[512];

	if (db_pool_open(&pool, cfg, err, sizeof(err)) == -1) {
		log_err("%s", err);
		return -1;
	}
	struct db_conn *conn = db_reach(pool);
	int rc = -1;
	if (conn != NULL) {
		rc = db_query(conn, &rows, "SELECT @@max_allowed_packet", "");
		if (rc == 0) {
			rc = check_packet(cfg, db_cell_int(&rows, 0, 0));
			db_rows_free(&rows);
		} else {
			log_err("the database answers, but a SELECT failed");
		}
		db_release(conn);
	}
	if (rc == 0 && db_replicas_verify(pool) == -1)
		rc = -1;
	db_pool_close(pool);
	return rc;
}

static int
cmd_check(const char *path)
{
	struct config cfg;
	char err[512];
	int rc = 1;

	if (load_config(&cfg, path) == -1)
		return 1;
	if (check_db(&cfg) == -1)
		goto out;
	if (tmpl_init(cfg.paths.templates, err, sizeof(err)) == -1) {
		log_err("%s", err);
		goto out;
	}
	/* With [acme] the certificate is in the database, not in files. */
	if (cfg.acme.domains[0] != '\0' &&
	    acme_check(&cfg, err, sizeof(err)) == -1) {
		log_err("%s", err);
		goto out;
	}
	if (cfg.server.https_listen[0] != '\0' && cfg.acme.domains[0] == '\0' &&
	    tls_check_files(&cfg, err, sizeof(err)) == -1) {
		log_err("%s", err);
		goto out;
	}
	puts("ok");
	rc = 0;
out:
	config_free(&cfg);
	return rc;
}

static int
cmd_admin(const struct cmdline *cl)
{
	struct config cfg;

	if (cl->argc == 0) {
		usage_error("%s needs a subcommand", cl->command);
		return 1;
	}
	if (load_config(&cfg, cl->config) == -1)
		return 1;
	int rc;
	if (strcmp(cl->command, "user") == 0)
		rc = cli_user(&cfg, cl->argc, cl->argv);
	else if (strcmp(cl->command, "post") == 0)
		rc = cli_post(&cfg, cl->argc, cl->argv);
	else if (strcmp(cl->command, "media") == 0)
		rc = cli_media(&cfg, cl->argc, cl->argv);
	else if (strcmp(cl->command, "redirect") == 0)
		rc = cli_redirect(&cfg, cl->argc, cl->argv);
	else if (strcmp(cl->command, "import") == 0)
		rc = cli_import(&cfg, cl->argc, cl->argv);
	else
		rc = cli_export(&cfg, cl->argc, cl->argv);
	config_free(&cfg);
	return rc;
}

int
main(int argc, char **argv)
{
	struct cmdline cl;
	int rc = 1;

	if (cmdline_parse(argc, argv, &cl) == -1)
		goto out;
	const char *cmd = cl.command;
	bool admin = is_admin(cmd);
	if (!admin && cl.argc > 0) {
		usage_error("unexpected argument '%s'", cl.argv[0]);
		goto out;
	}
	if (strcmp(cmd, "serve") == 0) {
		rc = cmd_serve(cl.config);
	} else if (strcmp(cmd, "migrate") == 0) {
		rc = cmd_migrate(cl.config);
	} else if (strcmp(cmd, "check") == 0) {
		rc = cmd_check(cl.config);
	} else if (admin) {
		rc = cmd_admin(&cl);
	} else if (strcmp(cmd, "version") == 0) {
		printf("blogd %s\n%s\n", BLOGD_VERSION, tls_library_version());
		rc = 0;
	} else if (strcmp(cmd, "help") == 0) {
		fputs(usage_text, stdout);
		rc = 0;
	} else {
		usage_error("unknown command '%s'", cmd);
	}
out:
	free(cl.argv);
	return rc;
}
