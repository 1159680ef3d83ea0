/*
 * Rendered-page cache for anonymous GETs (src/http/cache.c).
 *
 * Cached routes: home (with ?page=N), post, tag, author, feed, sitemap,
 * robots; search is not cached (its keys are unbounded and it is rare).
 * A request bypasses the cache when it is not GET/HEAD, carries a
 * blogd_session cookie (admins), or has a query other than page=N.
 *
 * Freshness: every entry remembers the content version (model.h) it was
 * rendered under. The first request after a second has passed reads the
 * version from the database; a change makes every older entry stale, so a
 * change through any instance shows on every instance within about a
 * second. When that read fails the cache is bypassed until one succeeds.
 * A stale or missing page is rendered once: other requests for it get the
 * old copy meanwhile, or wait for the new one when there is none.
 *
 * Post pages carry a per-visitor CSRF token: they are kept as the bytes
 * before and after the token (and as two deflate streams), and every
 * answer splices in the token of the visitor's own blogd_csrf cookie.
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

/* Before the server threads start / after they stopped (main thread). */
void page_cache_init(const struct config *cfg);
void page_cache_free(void);
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
