/*
 * The ACME thread (include/acme.h).
 *
 * Every ACME_POLL_MS (or at once after SIGHUP or its own order) the
 * thread reads the version of the certificate row; when it moved, it loads
 * the row and installs chain and key in the TLS front: that is how every
 * instance picks up a certificate any of them got. Then, when the
 * certificate is missing, was made for other domains, or is due, and the
 * shared next_attempt has come, it takes the renewal lease (one
 * conditional UPDATE; one instance orders at a time), looks again under
 * it (another may just have renewed), and orders.
 *
 * Due: renew_before days before expiry, or half way through a certificate
 * that is valid for less than twice that; minus a jitter of up to a tenth
 * of that window, drawn once per process, so that instances (and sites)
 * do not all ask the CA in the same second. A failed order leaves the
 * certificate in service alone and is tried again after retry_min
 * seconds, doubling with each failure in a row up to ACME_BACKOFF_MAX, or
 * later when the CA said so (Retry-After, rate limits).
 *
 * Ownership: struct acme is made and freed by the main thread; lock,
 * cond, stop and poke are shared (under lock), stopping is atomic, and
 * every other field belongs to the ACME thread.
 */
#include "acme.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acme_keys.h"
#include "buf.h"
#include "app.h"
#include "client.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "model_acme.h"
#include "tls_front.h"
#include "xalloc.h"

#define ACME_POLL_MS     5000
#define ACME_LEASE_S     900 /* longer than an order may take */
#define ACME_BACKOFF_MAX (24 * 3600)
#define ACME_DOMAINS_MAX 100

/* The certificate in service and this instance's orders, for /metrics
 * (acme_metrics): set by the ACME thread, read by scrapes; independent
 * values, so relaxed like the request counters. */
static atomic_llong acme_cert_not_after;
static atomic_ullong acme_orders_ok, acme_orders_failed;
static atomic_llong acme_last_order, acme_next_order;
static atomic_bool acme_last_ok;

static void
acme_metrics_next(long long next)
{
	atomic_store_explicit(&acme_next_order, next, memory_order_relaxed);
}

static void
acme_metrics_attempt(bool ok, long long when, long long next)
{
	atomic_fetch_add_explicit(ok ? &acme_orders_ok : &acme_orders_failed, 1,
	                          memory_order_relaxed);
	atomic_store_explicit(&acme_last_ok, ok, memory_order_relaxed);
	atomic_store_explicit(&acme_last_order, when, memory_order_relaxed);
	acme_metrics_next(next);
}

void
acme_metrics(struct buf *out, void *arg)
{
	static const char name[] = "blogd_acme_renewals_total";
	long long na = atomic_load(&acme_cert_not_after);

	(void)arg;
	if (na > 0) {
		metrics_gauge(out, "blogd_tls_certificate_expiry_seconds",
		              "gauge",
		              "When the certificate in service expires (Unix "
		              "time).",
		              (unsigned long long)na);
		metrics_family(
		    out, "blogd_tls_certificate_days_left", "gauge",
		    "Days until the certificate in service expires.");
		buf_printf(out, "blogd_tls_certificate_days_left %.3f\n",
		           (double)(na - (long long)time(NULL)) / 86400.0);
	}
	metrics_family(out, name, "counter",
	               "ACME certificate orders by result.");
	buf_printf(
	    out,
	    "%s{result=\"success\"} %llu\n"
	    "%s{result=\"failure\"} %llu\n",
	    name, atomic_load_explicit(&acme_orders_ok, memory_order_relaxed),
	    name,
	    atomic_load_explicit(&acme_orders_failed, memory_order_relaxed));
	metrics_gauge(out, "blogd_acme_last_renewal_success", "gauge",
	              "1 when the last ACME order of this instance succeeded.",
	              atomic_load(&acme_last_ok) ? 1 : 0);
	metrics_gauge(out, "blogd_acme_last_renewal_timestamp_seconds", "gauge",
	              "When this instance last ordered (Unix time, 0: never).",
	              (unsigned long long)atomic_load(&acme_last_order));
	metrics_gauge(out, "blogd_acme_next_renewal_timestamp_seconds", "gauge",
	              "When this instance orders next (Unix time).",
	              (unsigned long long)atomic_load(&acme_next_order));
}

struct acme {
	struct app *app;
	struct tls_front *front;
	const struct config *cfg;
	pthread_t tid;
	bool started;
	pthread_mutex_t lock; /* guards stop, poke */
	pthread_cond_t cond;
	bool stop, poke;
	atomic_bool stopping;

	/* The ACME thread's own. */
	char owner[33];    /* this process, in the lease */
	char *domains_key; /* "a,b": the configured names, lower case */
	char **domains;
	size_t ndomains;
	double jitter;     /* [0, 0.1) */
	long long version; /* of the certificate in service, 0: none */
	long long not_before, not_after;
	char *cert_domains;  /* what the certificate in service was made for */
	long long wake_at;   /* the next try, when sooner than a poll */
	bool waiting_logged; /* "next try at" said once per wait */
	bool db_down_logged;
	struct acme_client client;
	bool client_ready;
	struct acme_key *key; /* account key, once loaded */
	bool registered;      /* newAccount done in this process */
};

static void
acme_utc(long long t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, len, "@%lld", t);
}

/* Waits ms or until stopped/poked: false when stopping. */
static bool
acme_wait(void *arg, unsigned ms)
{
	struct acme *a = arg;
	struct timespec at;

	clock_gettime(CLOCK_MONOTONIC, &at);
	at.tv_sec += ms / 1000;
	at.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (at.tv_nsec >= 1000000000L) {
		at.tv_sec++;
		at.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&a->lock);
	while (!a->stop && !a->poke &&
	       pthread_cond_timedwait(&a->cond, &a->lock, &at) == 0)
		;
	a->poke = false;
	bool go_on = !a->stop;
	pthread_mutex_unlock(&a->lock);
	return go_on;
}

static bool
acme_stopping(void *arg)
{
	struct acme *a = arg;

	return atomic_load(&a->stopping);
}

static struct db_conn *
acme_db(struct acme *a)
{
	struct db_conn *conn = db_acquire(a->app->db);

	if (conn == NULL && !a->db_down_logged)
		log_warn("acme: the database does not answer; the "
		         "certificate in service stays, trying again every "
		         "%d s",
		         ACME_POLL_MS / 1000);
	a->db_down_logged = conn == NULL;
	return conn;
}

static int
acme_publish(void *arg, const char *token, const char *key_auth)
{
	struct db_conn *conn = acme_db(arg);
	int rc = -1;

	if (conn != NULL) {
		rc = model_acme_challenge_put(conn, token, key_auth);
		db_release(conn);
	}
	return rc == MODEL_OK ? 0 : -1;
}

static void
acme_unpublish(void *arg, const char *token)
{
	struct db_conn *conn = acme_db(arg);

	if (conn == NULL)
		return;
	if (model_acme_challenge_del(conn, token) != MODEL_OK)
		log_warn("acme: cannot delete a challenge answer; it stays "
		         "in acme_challenges (harmless)");
	db_release(conn);
}

/* When the certificate in service should be replaced. */
static long long
acme_due(const struct acme *a)
{
	long long window = (long long)a->cfg->acme.renew_before * 86400;
	long long life = a->not_after - a->not_before;

	if (life > 0 && window > life / 2)
		window = life / 2;
	return a->not_after - window - (long long)(a->jitter * (double)window);
}

/* Why a new certificate is needed, or NULL when it is not. */
static const char *
acme_need(const struct acme *a, long long now)
{
	if (a->version == 0 || a->not_after == 0)
		return "there is none yet";
	if (a->cert_domains == NULL ||
	    strcmp(a->cert_domains, a->domains_key) != 0)
		return "the domains changed";
	if (now >= acme_due(a))
		return "it is due for renewal";
	return NULL;
}

/* Puts the row's certificate in service. */
static void
acme_install(struct acme *a, struct model_acme_cert *row)
{
	struct acme_cert_info info;
	char err[512], until[40], due[40];

	if (acme_cert_check(row->chain_pem, row->key_pem, &info, err,
	                    sizeof(err)) == -1 ||
	    tls_front_install(a->front, row->chain_pem, row->key_pem, err,
	                      sizeof(err)) == -1) {
		log_err("acme: the certificate in the database (version %lld) "
		        "cannot be used: %s; %s",
		        row->version, err,
		        a->version != 0 ? "the one in service stays"
		                        : "HTTPS still has none");
		a->version = row->version; /* not again until it changes */
		return;
	}
	a->version = row->version;
	a->not_before = info.not_before;
	a->not_after = info.not_after;
	free(a->cert_domains);
	a->cert_domains = xstrdup(row->domains);
	atomic_store(&a->app->https_ready, true);
	atomic_store_explicit(&acme_cert_not_after, info.not_after,
	                      memory_order_relaxed);
	acme_metrics_next(acme_due(a));
	acme_utc(info.not_after, until, sizeof(until));
	acme_utc(acme_due(a), due, sizeof(due));
	log_info("acme: serving certificate serial %s for %s from \"%s\", "
	         "valid until %s; renewal due at %s",
	         info.serial, row->domains, info.issuer, until, due);
}

/* Installs the database's certificate when it is not the one in service. */
static void
acme_sync(struct acme *a)
{
	struct model_acme_cert row;
	long long v = 0;
	struct db_conn *conn = acme_db(a);

	if (conn == NULL)
		return;
	int rc = model_acme_cert_version(conn, &v);
	if (rc == MODEL_OK && v != a->version)
		rc = model_acme_cert_get(conn, &row);
	else
		rc = MODEL_NOT_FOUND;
	db_release(conn);
	if (rc != MODEL_OK)
		return;
	acme_install(a, &row);
	model_acme_cert_free(&row);
}

/* The account key from the database, made by the first instance that
 * needs one. */
static int
acme_account_key(struct acme *a, char *err, size_t errlen)
{
	char *pem = NULL, *url = NULL, *fresh;
	struct db_conn *conn;
	int rc;

	if (a->key != NULL)
		return 0;
	if ((conn = acme_db(a)) == NULL) {
		snprintf(err, errlen, "the database does not answer");
		return -1;
	}
	rc = model_acme_account_get(conn, a->cfg->acme.directory, &pem, &url);
	if (rc == MODEL_NOT_FOUND &&
	    (fresh = acme_key_generate(err, errlen)) != NULL) {
		/* Two instances may offer at once: both read the winner. */
		rc = model_acme_account_offer(conn, a->cfg->acme.directory,
		                              fresh);
		xfree_secret(fresh);
		if (rc == MODEL_OK)
			rc = model_acme_account_get(
			    conn, a->cfg->acme.directory, &pem, &url);
	}
	db_release(conn);
	if (rc == MODEL_OK && pem != NULL)
		a->key = acme_key_load(pem, err, errlen);
	else if (err[0] == '\0')
		snprintf(err, errlen, "cannot read the account key");
	xfree_secret(pem);
	free(url);
	return a->key != NULL ? 0 : -1;
}

/* newAccount once per process: for a known key the CA answers with the
 * existing account, so this also finds an account made elsewhere. */
static int
acme_register(struct acme *a, char *err, size_t errlen)
{
	char *kid = NULL;
	struct db_conn *conn;

	if (a->registered)
		return 0;
	if (acme_account(&a->client, a->key, a->cfg->acme.email, &kid) == -1) {
		snprintf(err, errlen, "account: %.400s", a->client.err);
		return -1;
	}
	if ((conn = acme_db(a)) != NULL) {
		if (model_acme_account_set_url(conn, a->cfg->acme.directory,
		                               kid) != MODEL_OK)
			log_warn("acme: cannot store the account URL");
		db_release(conn);
	}
	log_info("acme: account %s", kid);
	free(kid);
	a->registered = true;
	return 0;
}

static int
acme_store(struct acme *a, const char *chain, const char *key_pem, char *err,
           size_t errlen)
{
	struct acme_cert_info info;
	struct db_conn *conn;
	int rc = -1;

	if (acme_cert_check(chain, key_pem, &info, err, errlen) == -1)
		return -1;
	if ((conn = acme_db(a)) == NULL) {
		snprintf(err, errlen, "the database does not answer");
		return -1;
	}
	if (model_acme_cert_put(conn, a->domains_key, chain, key_pem,
	                        (long long)info.not_before,
	                        (long long)info.not_after) == MODEL_OK)
		rc = 0;
	else
		snprintf(err, errlen, "cannot store the certificate");
	db_release(conn);
	return rc;
}

static void
acme_count_order(struct acme *a, const char *order_url)
{
	struct db_conn *conn = acme_db(a);

	if (conn == NULL)
		return;
	if (model_acme_order_started(conn, order_url) != MODEL_OK)
		log_warn("acme: cannot record the order");
	db_release(conn);
}

/* One order, start to finish; the certificate goes to the database. */
static int
acme_order(struct acme *a, char *err, size_t errlen)
{
	char *cert_key = NULL, *csr = NULL, *chain = NULL, *order_url = NULL;
	int rc = -1;

	err[0] = '\0';
	if (acme_account_key(a, err, errlen) == -1 ||
	    acme_register(a, err, errlen) == -1)
		return -1;
	if ((cert_key = acme_key_generate(err, errlen)) == NULL ||
	    (csr = acme_csr(cert_key, (const char *const *)a->domains,
	                    a->ndomains, err, errlen)) == NULL)
		goto out;
	if (acme_issue(&a->client, (const char *const *)a->domains, a->ndomains,
	               csr, &chain, &order_url) == -1)
		snprintf(err, errlen, "%s", a->client.err);
	if (order_url != NULL)
		acme_count_order(a, order_url);
	if (chain != NULL && acme_store(a, chain, cert_key, err, errlen) == 0)
		rc = 0;
out:
	xfree_secret(cert_key);
	free(csr);
	free(chain);
	free(order_url);
	return rc;
}

/* The wait before the next try after failures in a row. */
static long long
acme_backoff(const struct acme *a, unsigned failures)
{
	long long s = a->cfg->acme.retry_min;

	for (unsigned i = 1; i < failures && s < ACME_BACKOFF_MAX; i++)
		s *= 2;
	if (s > ACME_BACKOFF_MAX)
		s = ACME_BACKOFF_MAX;
	if (a->client.retry_after > s)
		s = a->client.retry_after;
	return s;
}

static void
acme_log_failure(struct acme *a, const char *why, long long next, long long now)
{
	char at[40], until[40];

	acme_utc(next, at, sizeof(at));
	acme_utc(a->not_after, until, sizeof(until));
	if (a->version != 0)
		log_err("acme: ordering a certificate for %s failed: %s%s; "
		        "the certificate in service (valid until %s) stays; "
		        "next try at %s (in %lld s)",
		        a->domains_key, why,
		        a->client.rate_limited ? " (rate limited by the CA)"
		                               : "",
		        until, at, next - now);
	else
		log_err("acme: ordering a certificate for %s failed: %s%s; "
		        "HTTPS has no certificate yet and plain HTTP keeps "
		        "serving; next try at %s (in %lld s)",
		        a->domains_key, why,
		        a->client.rate_limited ? " (rate limited by the CA)"
		                               : "",
		        at, next - now);
}

/* Records the outcome for every instance and for /metrics. */
static void
acme_outcome(struct acme *a, bool ok, const char *why, unsigned failures)
{
	long long now = (long long)time(NULL);
	long long next = ok ? 0 : now + acme_backoff(a, failures);
	struct db_conn *conn = acme_db(a);

	if (conn != NULL) {
		if (model_acme_attempt_done(conn, ok, ok ? "ok" : why,
		                            ok ? 0 : failures,
		                            next) != MODEL_OK)
			log_warn(
			    "acme: cannot record the outcome of the order");
		if (model_acme_lease_drop(conn, a->owner) != MODEL_OK)
			log_warn("acme: cannot drop the renewal lease; it "
			         "lapses in %d s",
			         ACME_LEASE_S);
		db_release(conn);
	}
	acme_metrics_attempt(ok, now, next);
	a->wake_at = next;
	if (!ok)
		acme_log_failure(a, why, next, now);
}

/* Takes the lease when an order is needed and allowed now. */
static bool
acme_take_turn(struct acme *a, struct model_acme_state *st)
{
	struct db_conn *conn = acme_db(a);
	bool mine = false;

	if (conn == NULL)
		return false;
	if (model_acme_state_get(conn, st) == MODEL_OK) {
		long long now = (long long)time(NULL);
		if (st->next_attempt > now) {
			acme_metrics_next(st->next_attempt);
			a->wake_at = st->next_attempt;
			if (!a->waiting_logged)
				log_info("acme: waiting until the next try "
				         "(in %lld s) before ordering again",
				         st->next_attempt - now);
			a->waiting_logged = true;
		} else {
			mine = model_acme_lease_take(conn, a->owner,
			                             ACME_LEASE_S) == MODEL_OK;
		}
	}
	db_release(conn);
	return mine;
}

static void
acme_drop_lease(struct acme *a)
{
	struct db_conn *conn = acme_db(a);

	if (conn == NULL)
		return;
	(void)model_acme_lease_drop(conn, a->owner);
	db_release(conn);
}

static void
acme_maybe_order(struct acme *a)
{
	struct model_acme_state st;
	char err[512];
	const char *why = acme_need(a, (long long)time(NULL));

	if (why == NULL)
		return;
	if (!acme_take_turn(a, &st))
		return;
	/* Under the lease: another instance may have just renewed. */
	acme_sync(a);
	if ((why = acme_need(a, (long long)time(NULL))) == NULL) {
		acme_drop_lease(a);
		return;
	}
	a->waiting_logged = false;
	log_info("acme: ordering a certificate for %s from %s: %s",
	         a->domains_key, a->cfg->acme.directory, why);
	if (!a->client_ready) {
		struct acme_hooks hooks = {a, acme_publish, acme_unpublish,
		                           acme_wait, acme_stopping};
		if (acme_client_init(&a->client, a->cfg->acme.directory,
		                     a->cfg->acme.ca_bundle, &hooks) == -1) {
			acme_outcome(a, false, a->client.err, st.failures + 1);
			acme_client_free(&a->client);
			return;
		}
		a->client_ready = true;
	}
	if (acme_order(a, err, sizeof(err)) == -1) {
		if (atomic_load(&a->stopping)) {
			acme_drop_lease(a);
			return;
		}
		/* The CA may have forgotten the account (a test CA
		 * restarted, a deactivation): register again next time. */
		a->registered = false;
		acme_outcome(a, false, err, st.failures + 1);
		return;
	}
	log_info("acme: new certificate for %s stored (order %lld of this "
	         "database); every instance loads it within %d s",
	         a->domains_key, st.orders + 1, ACME_POLL_MS / 1000);
	acme_outcome(a, true, NULL, 0);
	acme_sync(a);
}

/* Until the next poll, or the next try when that comes sooner (so that
 * "next try at" in the log holds to the second). */
static unsigned
acme_sleep_ms(const struct acme *a)
{
	long long now = (long long)time(NULL);

	/* Half a second past it: time() counts whole seconds. */
	if (a->wake_at >= now && (a->wake_at - now) * 1000 + 500 < ACME_POLL_MS)
		return (unsigned)((a->wake_at - now) * 1000 + 500);
	return ACME_POLL_MS;
}

static void *
acme_main(void *arg)
{
	struct acme *a = arg;

	do {
		acme_sync(a);
		if (!atomic_load(&a->stopping))
			acme_maybe_order(a);
	} while (acme_wait(a, acme_sleep_ms(a)));
	return NULL;
}

/* Splits [acme] domains into a->domains and the canonical a->domains_key;
 * config_load checked every name. */
static void
acme_domains(struct acme *a, const char *list)
{
	char *copy = xstrdup(list), *save = NULL;
	struct buf key = BUF_INIT;

	a->domains = xcalloc(ACME_DOMAINS_MAX, sizeof(char *));
	for (char *t = strtok_r(copy, ", ", &save);
	     t != NULL && a->ndomains < ACME_DOMAINS_MAX;
	     t = strtok_r(NULL, ", ", &save)) {
		for (char *p = t; *p != '\0'; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		a->domains[a->ndomains++] = xstrdup(t);
		buf_printf(&key, "%s%s", key.len ? "," : "", t);
	}
	a->domains_key = buf_detach(&key);
	free(copy);
}

static void
acme_free(struct acme *a)
{
	if (a->client_ready)
		acme_client_free(&a->client);
	acme_key_free(a->key);
	for (size_t i = 0; i < a->ndomains; i++)
		free(a->domains[i]);
	free(a->domains);
	free(a->domains_key);
	free(a->cert_domains);
	pthread_cond_destroy(&a->cond);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

static int
acme_identity(struct acme *a, char *err, size_t errlen)
{
	unsigned char id[16];
	uint32_t r;

	if (crypto_random(id, sizeof(id)) != 0 ||
	    crypto_random(&r, sizeof(r)) != 0) {
		snprintf(err, errlen, "acme: no randomness");
		return -1;
	}
	crypto_hex(id, sizeof(id), a->owner);
	a->jitter = (double)(r % 1000) / 10000.0; /* [0, 0.1) */
	return 0;
}

int
acme_start(struct acme **out, struct app *app, struct tls_front *front,
           char *err, size_t errlen)
{
	struct acme *a = xcalloc(1, sizeof(*a));
	pthread_condattr_t attr;
	int rc;

	a->app = app;
	a->front = front;
	a->cfg = app->cfg;
	pthread_mutex_init(&a->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&a->cond, &attr);
	pthread_condattr_destroy(&attr);
	acme_domains(a, a->cfg->acme.domains);
	/* Before the thread: curl's global set-up is not thread-safe. */
	if (acme_identity(a, err, errlen) == -1 ||
	    curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		if (err[0] == '\0')
			snprintf(err, errlen,
			         "acme: cannot initialise libcurl");
		acme_free(a);
		return -1;
	}
	log_info("acme: certificates for %s from %s, renewed %u days before "
	         "they expire",
	         a->domains_key, a->cfg->acme.directory,
	         a->cfg->acme.renew_before);
	if ((rc = pthread_create(&a->tid, NULL, acme_main, a)) != 0) {
		snprintf(err, errlen, "acme: cannot start its thread: %s",
		         strerror(rc));
		curl_global_cleanup();
		acme_free(a);
		return -1;
	}
	a->started = true;
	*out = a;
	return 0;
}

void
acme_reload(struct acme *a)
{
	if (a == NULL)
		return;
	pthread_mutex_lock(&a->lock);
	a->poke = true;
	pthread_cond_signal(&a->cond);
	pthread_mutex_unlock(&a->lock);
}

void
acme_stop(struct acme *a)
{
	if (a == NULL)
		return;
	atomic_store(&a->stopping, true);
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	pthread_cond_signal(&a->cond);
	pthread_mutex_unlock(&a->lock);
	if (a->started)
		pthread_join(a->tid, NULL);
	curl_global_cleanup();
	acme_free(a);
}

int
acme_check(const struct config *cfg, char *err, size_t errlen)
{
	struct db_pool *pool;
	struct model_acme_cert row;
	struct acme_cert_info info;
	char until[40];
	int rc = -1;

	if (db_pool_open(&pool, cfg, err, errlen) == -1)
		return -1;
	struct db_conn *conn = db_acquire(pool);
	if (conn == NULL) {
		db_pool_last_error(pool, err, errlen);
		db_pool_close(pool);
		return -1;
	}
	int got = model_acme_cert_get(conn, &row);
	db_release(conn);
	if (got == MODEL_NOT_FOUND) {
		log_info("acme: no certificate in the database yet; blogd "
		         "serve orders one for %s",
		         cfg->acme.domains);
		rc = 0;
	} else if (got != MODEL_OK) {
		snprintf(err, errlen,
		         "acme: cannot read the certificate (has 'blogd "
		         "migrate' run?)");
	} else if (acme_cert_check(row.chain_pem, row.key_pem, &info, err,
	                           errlen) == 0) {
		acme_utc(info.not_after, until, sizeof(until));
		log_info("acme: the database's certificate for %s is valid "
		         "until %s",
		         row.domains, until);
		rc = 0;
	}
	if (got == MODEL_OK)
		model_acme_cert_free(&row);
	db_pool_close(pool);
	return rc;
}
