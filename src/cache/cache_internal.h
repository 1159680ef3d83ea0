/*
 * Private to src/cache/: the pure rules of the page cache, which
 * cache.c applies and its unit test (tests/unit/test_cache.c) checks.
 */
#ifndef BLOGD_CACHE_INTERNAL_H
#define BLOGD_CACHE_INTERNAL_H

#include <stdbool.h>

#include "buf.h"
#include "http_shared.h"

/* No query, or only page=<digits>: any other query would let a client
 * fill the cache with copies of one page. */
bool pc_query_ok(const char *target);

/* The key of a page: scheme, then host (empty when the pages take their
 * links from site.base_url rather than the Host), '\n', target. */
void pc_key_build(struct buf *key, bool https, const char *host,
                  const char *target);

/* Where the one CSRF token (masked: 128 hex digits) of the page v starts
 * (its body is NUL-terminated), NULL when none; *stamp gets the one form
 * stamp after it. *bad when the page has more than one of either, or a
 * token without a stamp after it: such a page is not kept. */
const char *pc_find_token(const struct http_response_view *v,
                          const char **stamp, bool *bad);

/* What the freshness rules say of a page held. */
struct pc_state {
	bool complete;     /* rendered (not a placeholder) */
	bool filling;      /* a render of it is under way */
	long long version; /* the content version it was rendered under */
	long long current; /* the version last read */
	unsigned long long age_us;       /* since the database last answered */
	unsigned long long stale_max_us; /* [cache] stale_if_error */
	bool db_available;               /* the pool knows of no outage */
};
/*
 * Whether the page may answer now; *stale when it is older than the
 * version, or the version has gone unread for PC_FRESH_US. An old copy
 * answers while a render of the page is under way, or when the database
 * cannot make one; no stale copy once the database has not answered for
 * stale_if_error.
 */
bool pc_usable_state(const struct pc_state *s, bool *stale);

#define PC_FRESH_US 2500000ULL /* unread this long: version unknown */

#endif
