/*
 * Rendered-page cache for anonymous GETs (src/cache/cache.c).
 *
 * Cached routes: home (with ?page=N), post, page, tag, author, feed,
 * sitemap, robots; search is not cached (its keys are unbounded and it is
 * rare). A request bypasses the cache when it is not GET/HEAD, carries a
 * blogd_session cookie (admins) or a current blogd_fresh one (it wrote a
 * moment ago: session_reads_primary), or has a query other than page=N.
 *
 * Freshness: every entry remembers the content version (model.h) it was
 * rendered under. A thread of the cache reads the version from the
 * database once a second, off the request path; a change makes every
 * older entry out of date, so a change through any instance shows on
 * every instance within about a second, and a POST answered here reads it
 * at once. An out-of-date or missing page is rendered once: other requests
 * for it get the old copy meanwhile, or wait for the new one when there
 * is none. With site.base_url set, the cache's refresher thread renders
 * an out-of-date page, and the request that found it waits 300 ms at most
 * before it gets the old copy (a database that hangs holds no reader).
 *
 * Stale if error: while the database does not answer (the version read
 * fails or hangs, the pool knows it is down, or a render fails), the pages
 * held are answered as they are, counted as stale in /metrics and the
 * access log, for up to [cache] stale_if_error after the database last
 * answered. Pages never cached then get the 503 of their handler.
 *
 * Post pages carry a per-visitor CSRF token and a form stamp (csrf.h):
 * they are kept as the bytes before the token, the few from the token to
 * the end of the stamp, and the bytes after (and as two deflate streams),
 * and every answer splices in the token of the visitor's own blogd_csrf
 * cookie, masked afresh, and the current stamp.
 *
 * Memory: entries count their bytes; past [cache] max_size the least
 * recently used go. Answers carry a weak ETag (304 on If-None-Match), and
 * Vary: Accept-Encoding with a gzip body compressed once per entry.
 */
#ifndef BLOGD_PAGE_CACHE_H
#define BLOGD_PAGE_CACHE_H

#include "http.h"
#include "router.h"

struct config;

struct db_pool;

/* Before the server threads start / after they stopped (main thread).
 * init starts the version poller on db (kept, not owned); free ends it. */
void page_cache_init(const struct config *cfg, struct db_pool *db);
void page_cache_free(void);
/* The content version the poller read last (within about a second),
 * or -1 when none is known (the cache off, the database not read yet);
 * any thread. */
long long page_cache_version(void);
/* Answers given from a stale copy so far; any thread. */
unsigned long long page_cache_stale_total(void);
struct buf;
/* A metrics source (metrics_add_source): page_cache_stale_total; arg
 * unused. */
void page_cache_metrics(struct buf *out, void *arg);
/*
 * Read replicas: the content version the page being rendered on this
 * thread will be kept under, or -1 when it will not be kept. A render
 * for the cache may read a replica only when the replica has this version
 * (handlers_db_read), so no page is kept under a version newer than the
 * data it shows.
 */
long long page_cache_fill_version(void);
/* Drops every page (templates reloaded); any thread. */
void page_cache_flush(void);

/* Answers req from a current entry and returns true, or returns false when
 * that would mean reading the content version, rendering or waiting for
 * another thread's render. Never blocks: for the MHD threads. */
bool page_cache_answer(struct http_request *req, const struct route *route);
/* Runs route's handler for req through the cache; may query the database
 * and wait for another render: for the workers (http/server.c). */
void page_cache_handle(struct http_request *req, const struct route *route);

#endif
