/*
 * The rendered-page cache (include/page_cache.h). It sits above http: it
 * answers with http's shared responses (http_shared.h) and is http's
 * route hook, which the program sets (http_set_route_hook).
 *
 * One mutex guards the hash table, the LRU list and the byte count; it is
 * held for a lookup or an insert, never while rendering or compressing.
 * Entries are reference counted: the table holds one reference and every
 * request being answered from an entry holds one until MHD has its own
 * reference to the response (or the bytes are copied), so eviction never
 * frees what a request still reads.
 *
 * Whole pages keep two MHD responses (identity, gzip) with every header
 * built in, queued as they are: a hit allocates nothing. Pages with the
 * comment form keep the bytes before its CSRF token and after its form
 * stamp, and the few between ("the span"); each answer writes a freshly
 * masked token and the current stamp into a copy of the span. The gzip
 * form is a raw deflate stream of the prefix ended with Z_FULL_FLUSH (byte
 * aligned, no reference beyond it), a stored block for the span, and a
 * separate raw deflate stream of the suffix that ends the data, wrapped in
 * a gzip header and a trailer whose CRC comes from crc32_combine().
 *
 * Freshness is read off the request path: the poller thread, which this
 * file owns (started by page_cache_init, joined by page_cache_free), reads
 * the content version once a second (every PC_RETRY_US while that fails)
 * into pc.version and notes when the database last answered in
 * pc.fresh_us; requests only compare numbers. When the database has not
 * answered for PC_FRESH_US, or is known down (db_pool_available), or a
 * render fails, a page we hold is answered anyway, counted as stale, for
 * up to [cache] stale_if_error after the database last answered.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <zlib.h>

#include "clock.h"
#include "cache_internal.h"
#include "config.h"
#include "csrf.h"
#include "db.h"
#include "form.h"
#include "http.h"
#include "http_shared.h"
#include "log.h"
#include "metrics.h"
#include "model.h"
#include "page_cache.h"
#include "session.h"
#include "xalloc.h"

#define PC_BUCKETS       4096
#define PC_POLL_US       1000000ULL /* content version read this often */
#define PC_WAIT_SEC      2   /* longest wait for another thread's render */
#define PC_OVERHEAD      256 /* bytes counted per entry besides its data */
#define PC_GZIP_MIN      256 /* smaller bodies are sent as they are */
#define PC_GZIP_HEADER   10
#define PC_GZIP_TRAILER  8
#define PC_STORED_HEADER 5      /* stored block: type byte, LEN, NLEN */
#define PC_SPAN_MAX      0xffff /* a stored block's limit */
#define PC_ETAG_HOURS    3600   /* a split page's ETag changes this often */

/* Reading the version while the database fails, and stale answers. */
#define PC_RETRY_US    100000ULL /* the poll's pace while it fails */
#define PC_REFRESH_MS  300       /* longest wait for a refresh */
#define PC_RETRY_AFTER "2"       /* seconds, on 503s: the probe's pace */

static const char pc_token_mark[] = "name=\"" CSRF_FIELD "\" value=\"";
static const char pc_stamp_mark[] = "name=\"" CSRF_STAMP_FIELD "\" value=\"";

/* A refresh for the refresher thread: a request of the cache's own for
 * an out-of-date page (http_request_copy), and the entry's key. Owned by the
 * queue, then by the refresher, which frees it. */
struct pc_job {
	struct pc_job *next;
	struct http_request *req;
	uint64_t hash;
	long long version;
	char key[];
};

/* One page: the answer of a cacheable route for one key (pc_key). */
struct pc_entry {
	struct pc_entry *hnext;       /* hash chain */
	struct pc_entry *prev, *next; /* LRU list, most recent first */
	atomic_int refs;
	uint64_t hash;
	long long version; /* content version it was rendered under */
	size_t cost;       /* bytes counted against max_size */
	bool complete; /* false: a placeholder while the first render runs */
	bool filling;  /* a render of a newer version is under way */
	bool split;    /* has a CSRF token: assembled per request */
	char etag[24]; /* W/"<hash of the bytes>" */
	/* Whole pages: [0] identity, [1] gzip (NULL when not worth it). */
	struct http_prebuilt *resp[2];
	size_t len[2];
	/* Split pages: identity and deflate parts (zpre starts with the gzip
	 * header), the span (token first, stamp last, at stamp_off), CRCs of
	 * the identity parts and zlib's operators for appending span_len and
	 * suf_len bytes to a CRC. ctype is the handler's content type, a
	 * constant (http.h), so it outlives the entry and every response
	 * built from it. */
	const char *ctype;
	char *pre, *span, *suf;
	size_t pre_len, span_len, stamp_off, suf_len;
	unsigned char *zpre, *zsuf;
	size_t zpre_len, zsuf_len;
	uLong crc_pre, crc_suf, crc_op_span, crc_op_suf;
	char key[];
};

static struct {
	bool enabled;
	size_t max;
	pthread_mutex_t lock;
	pthread_cond_t filled; /* a placeholder was replaced or dropped */
	struct pc_entry *buckets[PC_BUCKETS];
	size_t used;
	atomic_llong version;   /* last read from the database; -1 never */
	atomic_ullong fresh_us; /* when the database last answered it */
	unsigned long long stale_max_us; /* [cache] stale_if_error */
	atomic_ullong stale;             /* stale answers, for /metrics */
	struct db_pool *db;
	/* No site.base_url: pages take their links from the Host, so it is
	 * part of the key. */
	bool by_host;
	/* The poller and the refresher: poll_mu guards stopping and the
	 * job queue; poll_cv ends the poller's sleep, job_cv wakes the
	 * refresher. */
	pthread_t poller, refresher;
	bool polling, refreshing; /* the threads run */
	pthread_mutex_t poll_mu;
	pthread_cond_t poll_cv, job_cv;
	struct pc_job *jobs, *jobs_tail;
	bool stopping;
	/* Last: its key[] is empty, and only the end of a struct may hold a
	 * struct with a flexible array (clang refuses it elsewhere). */
	struct pc_entry lru; /* sentinel */
} pc;

/*
 * The version a render on this thread will be stored under, -1 when it
 * will not be (page_cache_fill_version). Set around a handler call by
 * pc_render; a thread runs one handler at a time.
 *
 * Why a render for the cache must not read a replica that is behind: the
 * entry is stamped with the version read from the primary before the
 * render (V), and any later request compares only that stamp. A replica
 * that has not yet applied V would yield a page showing older data under
 * V's stamp, which would then be served as current until the next change,
 * possibly for hours. Replication applies commits in the primary's order,
 * and every change bumps the version in or after its own transaction, so
 * a replica whose content_version is at least V has all the data V stands
 * for. Renders that are not stored (cache off, bypassed, or a request
 * rendering for itself) may read any replica in service: they are at most
 * replica_max_lag old, which is the deal replicas offer.
 */
static _Thread_local long long pc_fill_version = -1;

long long
page_cache_fill_version(void)
{
	return pc_fill_version;
}

/* Runs route's handler for req; version >= 0: the page will be stored
 * under it. */
static void
pc_render(struct http_request *req, const struct route *route,
          long long version)
{
	pc_fill_version = version;
	route->handler(req);
	pc_fill_version = -1;
}

static uint64_t
pc_fnv(const void *data, size_t n, uint64_t h)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

#define PC_FNV_INIT 14695981039346656037ULL

/* Reads the content version; false when the database did not answer.
 * The poller's, and a worker's after a POST: the version only grows, so
 * the larger of two racing reads wins. */
static bool
pc_read_version(void)
{
	struct db_conn *conn;
	long long v = -1, cur;

	if ((conn = db_acquire(pc.db)) != NULL) {
		/* The primary: this may bump it (a scheduled post due). */
		v = model_content_version_due(conn);
		db_release(conn);
	}
	if (v < 0)
		return false;
	cur = atomic_load(&pc.version);
	while (v > cur && !atomic_compare_exchange_weak(&pc.version, &cur, v))
		;
	atomic_store(&pc.fresh_us, clock_now_us());
	return true;
}

/* The poller thread: a read, then a sleep that page_cache_free cuts. */
static void *
pc_poller(void *arg)
{
	struct timespec t;
	unsigned long long pause;

	(void)arg;
	pthread_mutex_lock(&pc.poll_mu);
	while (!pc.stopping) {
		pthread_mutex_unlock(&pc.poll_mu);
		pause = pc_read_version() ? PC_POLL_US : PC_RETRY_US;
		pthread_mutex_lock(&pc.poll_mu);
		clock_gettime(CLOCK_MONOTONIC, &t);
		t.tv_sec += (time_t)(pause / 1000000ULL);
		t.tv_nsec += (long)(pause % 1000000ULL) * 1000L;
		t.tv_sec += t.tv_nsec / 1000000000L;
		t.tv_nsec %= 1000000000L;
		while (!pc.stopping &&
		       pthread_cond_timedwait(&pc.poll_cv, &pc.poll_mu, &t) !=
		           ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&pc.poll_mu);
	return NULL;
}

static void *pc_refresher(void *arg);

static void
pc_cond_init_monotonic(pthread_cond_t *cv)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(cv, &ca);
	pthread_condattr_destroy(&ca);
}

void
page_cache_init(const struct config *cfg, struct db_pool *db)
{
	int rc;

	memset(&pc, 0, sizeof(pc));
	pc.enabled = cfg->cache.enabled;
	pc.max = cfg->cache.max_size;
	pc.stale_max_us = cfg->cache.stale_if_error * 1000000ULL;
	pc.db = db;
	pc.by_host = cfg->site.base_url[0] == '\0';
	pthread_mutex_init(&pc.lock, NULL);
	pc_cond_init_monotonic(&pc.filled);
	pthread_mutex_init(&pc.poll_mu, NULL);
	pc_cond_init_monotonic(&pc.poll_cv);
	pc_cond_init_monotonic(&pc.job_cv);
	pc.lru.next = pc.lru.prev = &pc.lru;
	atomic_init(&pc.version, -1);
	atomic_init(&pc.fresh_us, 0);
	atomic_init(&pc.stale, 0);
	if (!pc.enabled || db == NULL)
		return;
	/* Without it no version is ever known: pages are not cached. */
	if ((rc = pthread_create(&pc.poller, NULL, pc_poller, NULL)) != 0) {
		log_err("cache: cannot start the version poller, pages will "
		        "not be cached: %s",
		        strerror(rc));
		return;
	}
	pc.polling = true;
	/* Its requests carry no headers: only pages that take their links
	 * from base_url, not from the Host, can be made there. Without it
	 * the request that finds a page out of date renders it. */
	if (cfg->site.base_url[0] == '\0')
		return;
	if ((rc = pthread_create(&pc.refresher, NULL, pc_refresher, NULL)) != 0)
		log_warn("cache: no refresher thread, requests render: %s",
		         strerror(rc));
	else
		pc.refreshing = true;
}

void
page_cache_metrics(struct buf *out, void *arg)
{
	(void)arg;
	metrics_gauge(out, "blogd_cache_stale_total", "counter",
	              "Pages answered from a stale copy (stale_if_error).",
	              page_cache_stale_total());
}

long long
page_cache_version(void)
{
	return atomic_load(&pc.version);
}

unsigned long long
page_cache_stale_total(void)
{
	return atomic_load(&pc.stale);
}

static void
pc_entry_free(struct pc_entry *e)
{
	for (int i = 0; i < 2; i++)
		if (e->resp[i] != NULL)
			http_prebuilt_free(e->resp[i]);
	free(e->pre);
	free(e->span);
	free(e->suf);
	free(e->zpre);
	free(e->zsuf);
	free(e);
}

static void
pc_unref(void *arg)
{
	struct pc_entry *e = arg;

	if (atomic_fetch_sub(&e->refs, 1) == 1)
		pc_entry_free(e);
}

/* Ends the poller and the refresher; waits for a read or a render under
 * way (each at most read_timeout). No worker runs any more. */
static void
pc_threads_stop(void)
{
	pthread_mutex_lock(&pc.poll_mu);
	pc.stopping = true;
	pthread_cond_signal(&pc.poll_cv);
	pthread_cond_signal(&pc.job_cv);
	pthread_mutex_unlock(&pc.poll_mu);
	if (pc.polling)
		pthread_join(pc.poller, NULL);
	if (pc.refreshing)
		pthread_join(pc.refresher, NULL);
	pc.polling = pc.refreshing = false;
}

void
page_cache_free(void)
{
	pc_threads_stop();
	for (size_t i = 0; i < PC_BUCKETS; i++) {
		struct pc_entry *e = pc.buckets[i], *next;

		for (; e != NULL; e = next) {
			next = e->hnext;
			pc_unref(e);
		}
		pc.buckets[i] = NULL;
	}
	pc.lru.next = pc.lru.prev = &pc.lru;
	pc.used = 0;
	pthread_cond_destroy(&pc.filled);
	pthread_mutex_destroy(&pc.lock);
	pthread_cond_destroy(&pc.poll_cv);
	pthread_cond_destroy(&pc.job_cv);
	pthread_mutex_destroy(&pc.poll_mu);
}

/* ---- table (callers hold pc.lock) ---- */

static struct pc_entry *
pc_find(const char *key, uint64_t hash)
{
	struct pc_entry *e = pc.buckets[hash % PC_BUCKETS];

	for (; e != NULL; e = e->hnext)
		if (e->hash == hash && strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

static void
pc_lru_unlink(struct pc_entry *e)
{
	if (e->prev == NULL)
		return;
	e->prev->next = e->next;
	e->next->prev = e->prev;
	e->prev = e->next = NULL;
}

static void
pc_lru_front(struct pc_entry *e)
{
	pc_lru_unlink(e);
	e->next = pc.lru.next;
	e->prev = &pc.lru;
	pc.lru.next->prev = e;
	pc.lru.next = e;
}

/* Takes e out of the table and drops the table's reference. */
static void
pc_remove(struct pc_entry *e)
{
	struct pc_entry **pp = &pc.buckets[e->hash % PC_BUCKETS];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	pc_lru_unlink(e);
	pc.used -= e->cost;
	pc_unref(e);
}

/* Takes the lock itself. */
void
page_cache_flush(void)
{
	pthread_mutex_lock(&pc.lock);
	while (pc.lru.next != &pc.lru)
		pc_remove(pc.lru.next);
	pthread_mutex_unlock(&pc.lock);
}

static void
pc_insert(struct pc_entry *e)
{
	struct pc_entry **head = &pc.buckets[e->hash % PC_BUCKETS];

	e->hnext = *head;
	*head = e;
	pc.used += e->cost;
	if (e->complete)
		pc_lru_front(e);
	while (pc.used > pc.max && pc.lru.prev != &pc.lru && pc.lru.prev != e)
		pc_remove(pc.lru.prev);
}

static struct pc_entry *
pc_placeholder(const char *key, uint64_t hash)
{
	size_t klen = strlen(key);
	struct pc_entry *e = xcalloc(1, sizeof(*e) + klen + 1);

	memcpy(e->key, key, klen + 1);
	e->hash = hash;
	e->filling = true;
	atomic_init(&e->refs, 1);
	return e;
}

/* ---- what a request asks for ---- */

bool
pc_query_ok(const char *target)
{
	const char *q = strchr(target, '?');

	if (q == NULL || q[1] == '\0')
		return true;
	if (strncmp(q + 1, "page=", 5) != 0)
		return false;
	q += 6;
	return *q != '\0' && strspn(q, "0123456789") == strlen(q);
}

static bool
pc_eligible(struct http_request *req, const struct route *route)
{
	return pc.enabled &&
	       (http_req_method(req) & (HTTP_GET | HTTP_HEAD)) != 0 &&
	       route->cacheable && pc_query_ok(http_req_target(req)) &&
	       !session_reads_primary(req);
}

void
pc_key_build(struct buf *key, bool https, const char *host, const char *target)
{
	size_t hlen = strlen(host), tlen = strlen(target);

	buf_reserve(key, 2 + hlen + tlen);
	buf_putc(key, https ? 's' : 'p');
	buf_append(key, host, hlen);
	buf_putc(key, '\n');
	buf_append(key, target, tlen);
}

/* The Host is part of the key when the pages take their absolute links
 * from it (no site.base_url). */
static void
pc_key(struct http_request *req, struct buf *key)
{
	const char *host = pc.by_host ? http_header(req, "Host") : NULL;

	pc_key_build(key, http_req_https(req), host != NULL ? host : "",
	             http_req_target(req));
}

/* If-None-Match lists etag (weak comparison) or is "*". */
static bool
pc_etag_match(struct http_request *req, const char *etag)
{
	return http_etag_listed(http_header(req, "If-None-Match"), etag);
}

/* ---- compression ---- */

/* Deflates in after lead (lead_len bytes, may be 0); wbits as
 * deflateInit2's (negative: raw). NULL on failure. */
static unsigned char *
pc_deflate(const void *lead, size_t lead_len, const void *in, size_t n,
           int wbits, int flush, size_t *outlen)
{
	z_stream z;
	unsigned char *out;
	size_t cap;
	int rc;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return NULL;
	cap = lead_len + deflateBound(&z, n) + 64; /* + the flush marker */
	out = xmalloc(cap);
	if (lead_len > 0)
		memcpy(out, lead, lead_len);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = out + lead_len;
	z.avail_out = (uInt)(cap - lead_len);
	rc = deflate(&z, flush);
	*outlen = cap - z.avail_out;
	deflateEnd(&z);
	if ((flush == Z_FINISH && rc != Z_STREAM_END) ||
	    (flush != Z_FINISH && (rc != Z_OK || z.avail_in != 0))) {
		free(out);
		return NULL;
	}
	return out;
}

static void
pc_put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* ---- answers ---- */

static void
pc_not_modified(struct http_request *req, const char *etag, bool private)
{
	http_add_header(req, "ETag", etag);
	http_add_header(req, "Vary", "Accept-Encoding");
	http_add_header(req, "Cache-Control",
	                private ? "private, no-cache" : "no-cache");
	http_respond_static(req, 304, NULL, "", 0);
}

/* The status of req's answer (0: none yet). */
static int
pc_status(const struct http_request *req)
{
	struct http_response_view v;

	http_response_get(req, &v);
	return v.status;
}

/* Whether req has an answer already (a render's, which a cached copy
 * replaces). */
static bool
pc_answered(const struct http_request *req)
{
	struct http_response_view v;

	http_response_get(req, &v);
	return v.answered;
}

/* Answers from a whole entry; takes the caller's reference. */
static void
pc_answer_whole(struct http_request *req, struct pc_entry *e)
{
	int v = e->resp[1] != NULL && http_accepts_gzip(req) ? 1 : 0;

	if (!pc_answered(req) && pc_etag_match(req, e->etag)) {
		pc_not_modified(req, e->etag, false);
		pc_unref(e);
		return;
	}
	http_respond_shared(req, 200, e->resp[v], e->len[v], pc_unref, e);
}

/* The span with this answer's token and stamp, at dst. */
static void
pc_span_fill(const struct pc_entry *e, unsigned char *dst, const char *token,
             const char *stamp)
{
	memcpy(dst, e->span, e->span_len);
	memcpy(dst, token, CSRF_TOKEN_LEN);
	memcpy(dst + e->stamp_off, stamp, CSRF_STAMP_LEN);
}

/* The visitor's page: prefix, span, suffix, identity or gzip, as one
 * buffer (MHD sends the headers and a buffer in one call; split parts as
 * an iovec would take two). */
static unsigned char *
pc_split_body(const struct pc_entry *e, const char *token, const char *stamp,
              bool gzip, size_t *len)
{
	unsigned char *data, *p;
	uLong crc;

	*len = gzip ? e->zpre_len + PC_STORED_HEADER + e->span_len +
	                  e->zsuf_len + PC_GZIP_TRAILER
	            : e->pre_len + e->span_len + e->suf_len;
	p = data = xmalloc(*len);
	if (gzip) {
		memcpy(p, e->zpre, e->zpre_len);
		p += e->zpre_len;
		/* Not the last block, stored; LEN and its complement. */
		p[0] = 0x00;
		p[1] = (unsigned char)e->span_len;
		p[2] = (unsigned char)(e->span_len >> 8);
		p[3] = (unsigned char)~p[1];
		p[4] = (unsigned char)~p[2];
		p += PC_STORED_HEADER;
		pc_span_fill(e, p, token, stamp);
		crc = crc32_combine_op(
		    e->crc_pre, crc32(0, p, (uInt)e->span_len), e->crc_op_span);
		p += e->span_len;
		memcpy(p, e->zsuf, e->zsuf_len);
		p += e->zsuf_len;
		crc = crc32_combine_op(crc, e->crc_suf, e->crc_op_suf);
		pc_put_le32(p, (uint32_t)crc);
		pc_put_le32(p + 4,
		            (uint32_t)(e->pre_len + e->span_len + e->suf_len));
	} else {
		memcpy(p, e->pre, e->pre_len);
		p += e->pre_len;
		pc_span_fill(e, p, token, stamp);
		p += e->span_len;
		memcpy(p, e->suf, e->suf_len);
	}
	return data;
}

static void
pc_release_response(void *r)
{
	http_prebuilt_free(r);
}

/*
 * A split page's ETag: the entry's, plus a tag of the visitor and the
 * hour. W/"<hash>-<tag>". The tag hashes the token's secret (the same
 * behind every mask), since a page is only current for the visitor whose
 * cookie it was made for; and the hour, so that a copy revalidated with
 * 304 never carries a form stamp older than that.
 */
static void
pc_split_etag(const struct pc_entry *e, const char *token, char *out,
              size_t outlen)
{
	unsigned char secret[CSRF_SECRET_LEN];
	long long hour = (long long)time(NULL) / PC_ETAG_HOURS;
	uint64_t tag = PC_FNV_INIT;
	size_t elen = strlen(e->etag);

	if (csrf_unmask(token, secret))
		tag = pc_fnv(secret, sizeof(secret), tag);
	tag = pc_fnv(&hour, sizeof(hour), tag);
	snprintf(out, outlen, "%.*s-%08x\"", (int)(elen - 1), e->etag,
	         (unsigned)(tag ^ (tag >> 32)));
}

/*
 * Answers from a split entry with token (the visitor's, masked for this
 * answer). After a render (req already answered by the handler) this
 * replaces the handler's body, or leaves it when MHD cannot make the
 * response.
 */
static void
pc_answer_split(struct http_request *req, const struct pc_entry *e,
                const char *token)
{
	bool gzip = e->zpre != NULL && http_accepts_gzip(req);
	struct http_prebuilt *r;
	unsigned char *data;
	char etag[sizeof(e->etag) + 16], stamp[CSRF_STAMP_LEN + 1];
	size_t len;

	pc_split_etag(e, token, etag, sizeof(etag));
	if (!pc_answered(req) && pc_etag_match(req, etag)) {
		pc_not_modified(req, etag, true);
		return;
	}
	csrf_stamp_for(req, stamp);
	data = pc_split_body(e, token, stamp, gzip, &len);
	/* Shared caches must not hand one visitor's token to another. */
	r = http_shared_response(req, e->ctype, data, len, etag,
	                         "private, no-cache", true, gzip);
	if (r == NULL) {
		log_err("cache: cannot make a response for %s",
		        http_req_path(req));
		if (!pc_answered(req))
			http_error(req, 500);
		return;
	}
	http_respond_shared(req, 200, r, len, pc_release_response, r);
}

/* A hit (or a fresh entry): answers req from e, taking the reference. */
static void
pc_answer(struct http_request *req, struct pc_entry *e)
{
	char token[CSRF_TOKEN_LEN + 1];

	if (!e->split) {
		pc_answer_whole(req, e);
		return;
	}
	/* No session here (bypassed): the anonymous token of the visitor's
	 * cookie, with a new cookie when there is none. */
	if (csrf_token_for(req, token) != 0)
		http_error(req, 500);
	else
		pc_answer_split(req, e, token);
	pc_unref(e);
}

/* ---- building entries ---- */

/* Keeps a copy of the rendered page v; false when it cannot be kept. */
static bool
pc_build_whole(struct http_request *req, struct pc_entry *e,
               const struct http_response_view *v)
{
	bool compress =
	    http_compressible(v->content_type) && v->body_len >= PC_GZIP_MIN;
	unsigned char *gz = NULL;
	size_t gzlen = 0, len = v->body_len;
	char *data = xmalloc(len + 1);

	memcpy(data, v->body, len);
	if (compress)
		gz = pc_deflate(NULL, 0, data, len, 15 + 16, Z_FINISH, &gzlen);
	if (gz != NULL && gzlen >= len) {
		free(gz);
		gz = NULL;
	}
	e->len[0] = len;
	e->resp[0] = http_shared_response(req, v->content_type, data, len,
	                                  e->etag, "no-cache", true, false);
	if (gz != NULL) {
		e->len[1] = gzlen;
		e->resp[1] =
		    http_shared_response(req, v->content_type, gz, gzlen,
		                         e->etag, "no-cache", true, true);
	}
	e->cost += len + gzlen;
	return e->resp[0] != NULL && (gz == NULL || e->resp[1] != NULL);
}

/* Splits the page v around the span from its token (tok) to the end of
 * its stamp (stamp); false when it cannot be kept. */
static bool
pc_build_split(struct pc_entry *e, const struct http_response_view *v,
               const char *tok, const char *stamp)
{
	size_t pre = (size_t)(tok - v->body);

	e->split = true;
	e->ctype = v->content_type;
	e->span_len = (size_t)(stamp - tok) + CSRF_STAMP_LEN;
	if (e->span_len > PC_SPAN_MAX)
		return false;
	e->stamp_off = (size_t)(stamp - tok);
	e->span = xmalloc(e->span_len);
	memcpy(e->span, tok, e->span_len);
	e->pre_len = pre;
	e->pre = xmalloc(pre + 1);
	memcpy(e->pre, v->body, pre);
	e->suf_len = v->body_len - pre - e->span_len;
	e->suf = xmalloc(e->suf_len + 1);
	memcpy(e->suf, tok + e->span_len, e->suf_len);
	e->crc_pre = crc32(0, (const Bytef *)e->pre, (uInt)e->pre_len);
	e->crc_suf = crc32(0, (const Bytef *)e->suf, (uInt)e->suf_len);
	e->crc_op_span = crc32_combine_gen((z_off_t)e->span_len);
	e->crc_op_suf = crc32_combine_gen((z_off_t)e->suf_len);
	e->cost += e->pre_len + e->span_len + e->suf_len;
	if (!http_compressible(e->ctype))
		return true;
	/* Magic, deflate, no flags, no mtime, no extra flags, Unix. */
	e->zpre =
	    pc_deflate("\x1f\x8b\x08\0\0\0\0\0\0\x03", PC_GZIP_HEADER, e->pre,
	               e->pre_len, -15, Z_FULL_FLUSH, &e->zpre_len);
	e->zsuf = pc_deflate(NULL, 0, e->suf, e->suf_len, -15, Z_FINISH,
	                     &e->zsuf_len);
	if (e->zpre == NULL || e->zsuf == NULL) {
		free(e->zpre);
		free(e->zsuf);
		e->zpre = e->zsuf = NULL;
		return true; /* identity only */
	}
	e->cost += e->zpre_len + e->zsuf_len;
	return true;
}

/* The value after the one mark (len lower-case hex digits, then '"') in
 * the page v; NULL when there is none; *bad when there is more than one
 * or it is not such a value. */
static const char *
pc_find_value(const struct http_response_view *v, const char *mark, size_t len,
              bool *bad)
{
	size_t ml = strlen(mark);
	const char *m, *val, *end = v->body + v->body_len;

	m = memmem(v->body, v->body_len, mark, ml);
	if (m == NULL)
		return NULL;
	val = m + ml;
	if ((size_t)(end - val) <= len || val[len] != '"' ||
	    strspn(val, "0123456789abcdef") != len ||
	    memmem(val, (size_t)(end - val), mark, ml) != NULL) {
		*bad = true;
		return NULL;
	}
	return val;
}

const char *
pc_find_token(const struct http_response_view *v, const char **stamp, bool *bad)
{
	const char *tok;

	*bad = false;
	*stamp = NULL;
	tok = pc_find_value(v, pc_token_mark, CSRF_TOKEN_LEN, bad);
	if (tok == NULL)
		return NULL;
	*stamp = pc_find_value(v, pc_stamp_mark, CSRF_STAMP_LEN, bad);
	if (*stamp == NULL || *stamp < tok)
		*bad = true;
	return *bad ? NULL : tok;
}

/*
 * An entry from the handler's answer, or NULL when it is not one to keep
 * (not a 200 from memory, headers other than the CSRF cookie, too big).
 * *token gets the token of this request's page when there is one.
 */
static struct pc_entry *
pc_build(struct http_request *req, const char *key, uint64_t hash,
         long long version, char token[CSRF_TOKEN_LEN + 1])
{
	struct http_response_view v;
	const char *tok, *stamp;
	struct pc_entry *e;
	uint64_t sum;
	bool bad, ok;

	token[0] = '\0';
	http_response_get(req, &v);
	if (v.status != 200 || v.body == NULL || v.content_type == NULL ||
	    v.body_len + PC_OVERHEAD > pc.max / 4)
		return NULL;
	tok = pc_find_token(&v, &stamp, &bad);
	if (bad)
		return NULL;
	/* Whole pages must not carry anything of this visitor's. */
	for (const struct http_kv *h = v.headers; h != NULL; h = h->next)
		if (tok == NULL || strcasecmp(h->name, "Set-Cookie") != 0)
			return NULL;
	e = pc_placeholder(key, hash);
	e->filling = false;
	e->complete = true;
	e->version = version;
	e->cost = PC_OVERHEAD + strlen(key);
	/* The ETag hashes the page without its token and stamp (split
	 * pages add the visitor's tag per answer). */
	if (tok != NULL) {
		const char *mid = tok + CSRF_TOKEN_LEN;
		const char *rest = stamp + CSRF_STAMP_LEN;

		sum = pc_fnv(v.body, (size_t)(tok - v.body), PC_FNV_INIT);
		sum = pc_fnv(mid, (size_t)(stamp - mid), sum);
		sum = pc_fnv(rest, v.body_len - (size_t)(rest - v.body), sum);
		memcpy(token, tok, CSRF_TOKEN_LEN);
		token[CSRF_TOKEN_LEN] = '\0';
	} else
		sum = pc_fnv(v.body, v.body_len, PC_FNV_INIT);
	snprintf(e->etag, sizeof(e->etag), "W/\"%016llx\"",
	         (unsigned long long)sum);
	ok = tok != NULL ? pc_build_split(e, &v, tok, stamp)
	                 : pc_build_whole(req, e, &v);
	if (!ok || e->cost > pc.max / 4) {
		log_warn("cache: cannot keep %s", http_req_path(req));
		pc_unref(e);
		return NULL;
	}
	return e;
}

/* After a render under the cache's watch: keeps it (returned with a
 * reference for req, token set for a split page) and ends the fill. An
 * answer that is not kept drops the old copy too, unless it is a 5xx:
 * a page gone (404) must not come back as a stale copy. */
static struct pc_entry *
pc_store(struct http_request *req, const char *key, uint64_t hash,
         long long version, char token[CSRF_TOKEN_LEN + 1])
{
	struct pc_entry *e = pc_build(req, key, hash, version, token), *old;
	bool failed = pc_status(req) >= 500;

	pthread_mutex_lock(&pc.lock);
	old = pc_find(key, hash);
	if (old != NULL && (e != NULL || !old->complete || !failed))
		pc_remove(old);
	else if (old != NULL)
		old->filling = false;
	if (e != NULL) {
		atomic_fetch_add(&e->refs, 1); /* this request's */
		pc_insert(e);
	}
	pthread_cond_broadcast(&pc.filled);
	pthread_mutex_unlock(&pc.lock);
	return e;
}

/* pc_store, then answers req from what it kept. */
static void
pc_finish(struct http_request *req, const char *key, uint64_t hash,
          long long version)
{
	char token[CSRF_TOKEN_LEN + 1];
	struct pc_entry *e = pc_store(req, key, hash, version, token);

	if (e == NULL)
		return;
	if (e->split) {
		pc_answer_split(req, e, token);
		pc_unref(e);
	} else
		pc_answer(req, e);
}

/* Under pc.lock: takes a reference for the request e answers. */
static void
pc_hit(struct pc_entry *e)
{
	atomic_fetch_add(&e->refs, 1);
	pc_lru_front(e);
}

/* ---- refreshes: out-of-date pages rendered off the request ---- */

/* Under pc.lock: queues a refresh of key for the refresher. */
static void
pc_refresh_queue(const struct http_request *req, const char *key, uint64_t hash,
                 long long version)
{
	size_t klen = strlen(key);
	struct pc_job *j = xcalloc(1, sizeof(*j) + klen + 1);

	memcpy(j->key, key, klen + 1);
	j->hash = hash;
	j->version = version;
	j->req = http_request_copy(req);
	pthread_mutex_lock(&pc.poll_mu);
	if (pc.jobs_tail != NULL)
		pc.jobs_tail->next = j;
	else
		pc.jobs = j;
	pc.jobs_tail = j;
	pthread_cond_signal(&pc.job_cv);
	pthread_mutex_unlock(&pc.poll_mu);
}

/* Renders j's page, keeps it (or ends the fill), frees j. */
static void
pc_refresh_run(struct pc_job *j, bool render)
{
	char token[CSRF_TOKEN_LEN + 1];
	struct http_request *r = j->req;
	struct pc_entry *e;

	if (render) {
		pc_render(r, http_req_route(r), j->version);
		if ((e = pc_store(r, j->key, j->hash, j->version, token)) !=
		    NULL)
			pc_unref(e);
	}
	http_request_copy_free(j->req);
	free(j);
}

/* The refresher thread: one render at a time, in queue order; when the
 * cache stops, what is left is dropped. */
static void *
pc_refresher(void *arg)
{
	struct pc_job *j;

	(void)arg;
	pthread_mutex_lock(&pc.poll_mu);
	for (;;) {
		while (!pc.stopping && pc.jobs == NULL)
			pthread_cond_wait(&pc.job_cv, &pc.poll_mu);
		if ((j = pc.jobs) == NULL)
			break;
		pc.jobs = j->next;
		if (pc.jobs == NULL)
			pc.jobs_tail = NULL;
		pthread_mutex_unlock(&pc.poll_mu);
		pc_refresh_run(j, !pc.stopping);
		pthread_mutex_lock(&pc.poll_mu);
	}
	pthread_mutex_unlock(&pc.poll_mu);
	return NULL;
}

/*
 * Under pc.lock, for a worker's request that found e (complete) out of
 * date or unusable: has the refresher render it (unless it already does)
 * and waits up to PC_REFRESH_MS for the new copy. Then answers from
 * what the table holds: the new copy, or the old one as a stale answer
 * within stale_if_error; NULL (referenced otherwise) when neither.
 */
static struct pc_entry *
pc_refresh_wait(struct http_request *req, struct pc_entry *e, const char *key,
                uint64_t hash, long long version, bool *stale)
{
	struct timespec t;
	struct pc_entry *n;
	unsigned long long age;

	if (!e->filling) {
		e->filling = true;
		pc_refresh_queue(req, key, hash, version);
	}
	/* Held, so that its address cannot come back as another entry's. */
	atomic_fetch_add(&e->refs, 1);
	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_nsec += PC_REFRESH_MS * 1000000L;
	t.tv_sec += t.tv_nsec / 1000000000L;
	t.tv_nsec %= 1000000000L;
	while (pc_find(key, hash) == e && e->filling)
		if (pthread_cond_timedwait(&pc.filled, &pc.lock, &t) ==
		    ETIMEDOUT)
			break;
	pc_unref(e);
	if ((n = pc_find(key, hash)) == NULL || !n->complete)
		return NULL;
	age = clock_now_us() - atomic_load(&pc.fresh_us);
	*stale = n->version < version || age > PC_FRESH_US;
	if (*stale && age > pc.stale_max_us)
		return NULL;
	pc_hit(n);
	return n;
}

bool
pc_usable_state(const struct pc_state *s, bool *stale)
{
	bool uptodate = s->version >= s->current;

	*stale = false;
	if (!s->complete)
		return false;
	*stale = !uptodate || s->age_us > PC_FRESH_US;
	if (!*stale)
		return true;
	if (s->age_us > s->stale_max_us)
		return false;
	return uptodate || s->filling || s->age_us > PC_FRESH_US ||
	       !s->db_available;
}

/* Under pc.lock: pc_usable_state for e, as things stand. */
static bool
pc_usable(const struct pc_entry *e, long long version, bool *stale)
{
	struct pc_state s = {
	    .complete = e->complete,
	    .filling = e->filling,
	    .version = e->version,
	    .current = version,
	    .age_us = clock_now_us() - atomic_load(&pc.fresh_us),
	    .stale_max_us = pc.stale_max_us,
	    .db_available = db_pool_available(pc.db),
	};

	return pc_usable_state(&s, stale);
}

/* Counts req's answer as stale (here and in its access line). */
static void
pc_mark_stale(struct http_request *req)
{
	atomic_fetch_add_explicit(&pc.stale, 1, memory_order_relaxed);
	http_mark_stale(req);
}

/*
 * Under pc.lock: a hit (referenced, returned; *stale as pc_usable says),
 * or NULL with *fill telling whether this request renders for the cache
 * (a placeholder, or an out-of-date entry now marked filling when there is
 * no refresher) or just for itself (waited too long, or the refresher
 * left nothing usable).
 */
static struct pc_entry *
pc_lookup(struct http_request *req, const char *key, uint64_t hash,
          long long version, bool *fill, bool *stale)
{
	struct timespec deadline;
	struct pc_entry *e;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += PC_WAIT_SEC;
	for (;;) {
		e = pc_find(key, hash);
		if (e == NULL) {
			pc_insert(pc_placeholder(key, hash));
			*fill = true;
			return NULL;
		}
		if (pc_usable(e, version, stale)) {
			pc_hit(e);
			return e;
		}
		if (e->complete && pc.refreshing)
			return pc_refresh_wait(req, e, key, hash, version,
			                       stale);
		if (e->complete) {
			e->filling = true;
			*fill = true;
			return NULL;
		}
		if (pthread_cond_timedwait(&pc.filled, &pc.lock, &deadline) ==
		    ETIMEDOUT) {
			*fill = false;
			return NULL;
		}
	}
}

bool
page_cache_answer(struct http_request *req, const struct route *route)
{
	struct buf key = BUF_INIT;
	struct pc_entry *e;
	long long version = atomic_load(&pc.version);
	uint64_t hash;
	bool stale = false;

	if (!pc_eligible(req, route) || version < 0)
		return false;
	pc_key(req, &key);
	hash = pc_fnv(key.data, key.len, PC_FNV_INIT);
	pthread_mutex_lock(&pc.lock);
	e = pc_find(key.data, hash);
	if (e != NULL && pc_usable(e, version, &stale))
		pc_hit(e);
	else
		e = NULL;
	pthread_mutex_unlock(&pc.lock);
	buf_free(&key);
	if (e == NULL)
		return false;
	if (stale)
		pc_mark_stale(req);
	pc_answer(req, e);
	return true;
}

/*
 * Stale if error: the render failed (the database is down or too slow),
 * so the copy held for key answers instead, replacing the error page,
 * when the database answered within stale_if_error.
 */
static void
pc_fall_back(struct http_request *req, const char *key, uint64_t hash)
{
	unsigned long long age = clock_now_us() - atomic_load(&pc.fresh_us);
	struct pc_entry *e;

	if (age > pc.stale_max_us)
		return;
	pthread_mutex_lock(&pc.lock);
	e = pc_find(key, hash);
	if (e != NULL && e->complete)
		pc_hit(e);
	else
		e = NULL;
	pthread_mutex_unlock(&pc.lock);
	if (e == NULL)
		return;
	/* The error page's body and headers must not reach this answer. */
	http_response_discard(req);
	pc_mark_stale(req);
	pc_answer(req, e);
}

/* After a handler ran: a 503 says when to come back; a change made here
 * shows here at once (the version is read now rather than within the
 * poller's second), unless the database is known down. */
static void
pc_after(struct http_request *req)
{
	int status = pc_status(req);

	if (status == 503 && !http_answered_shared(req))
		http_add_header(req, "Retry-After", PC_RETRY_AFTER);
	if (pc.polling && http_req_method(req) == HTTP_POST && status < 400 &&
	    db_pool_available(pc.db))
		(void)pc_read_version();
}

void
page_cache_handle(struct http_request *req, const struct route *route)
{
	struct buf key = BUF_INIT;
	struct pc_entry *e;
	long long version = atomic_load(&pc.version);
	uint64_t hash;
	bool fill = false, stale = false;

	if (!pc_eligible(req, route) || version < 0) {
		route->handler(req); /* freshness unknown: no cache */
		pc_after(req);
		return;
	}
	pc_key(req, &key);
	hash = pc_fnv(key.data, key.len, PC_FNV_INIT);
	pthread_mutex_lock(&pc.lock);
	e = pc_lookup(req, key.data, hash, version, &fill, &stale);
	pthread_mutex_unlock(&pc.lock);
	if (e != NULL) {
		if (stale)
			pc_mark_stale(req);
		pc_answer(req, e);
	} else {
		pc_render(req, route, fill ? version : -1);
		if (fill)
			pc_finish(req, key.data, hash, version);
		if (pc_status(req) >= 500)
			pc_fall_back(req, key.data, hash);
		pc_after(req);
	}
	buf_free(&key);
}
