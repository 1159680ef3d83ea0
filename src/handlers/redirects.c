/*
 * The last stop of a GET that no route takes: an old URL kept by an
 * import (blogd import django --old-urls) answers 301 to its post, one
 * set by hand (blogd redirect, or Django's contrib.redirects imported)
 * 301 to its target or 410 Gone; else a
 * path with a slash added at the end answers 301 to the path without it
 * when a route takes that (Django's URLs end in '/', so its users and
 * their links add one: Django's APPEND_SLASH the other way round);
 * anything else is the 404 it would have been.
 *
 * Scanners ask for many URLs that are not there. While the redirects
 * table is empty, which most sites' is, a 404 costs no query: none_at
 * holds the content version under which it was found empty, and every
 * path added moves the version (an import bumps it in the transaction of
 * each batch it writes).
 * The version is the page cache's, read once a second; with the cache
 * off it is unknown and every such GET looks.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "buf.h"
#include "db.h"
#include "handlers.h"
#include "import.h"
#include "model.h"
#include "page_cache.h"
#include "router.h"

static atomic_llong none_at = -1;

/* 301 to the path without its last '/', the query kept, when a GET route
 * takes that path; false when none does. One slash only, and never to
 * "//...", which a browser would read as another host. */
static bool
slash_redirect(struct http_request *req)
{
	const char *path = http_req_path(req), *target = http_req_target(req);
	size_t len = strlen(path), nparams = 0;
	char *params[HTTP_MAX_PARAMS];
	const struct route *route;
	struct buf location = BUF_INIT;
	unsigned allowed;

	if (len < 3 || path[len - 1] != '/' || path[1] == '/' ||
	    strncmp(target, path, len) != 0)
		return false;
	buf_append(&location, path, len - 1);
	route = router_match(router_table()->routes, router_table()->count,
	                     HTTP_GET, buf_cstr(&location), params, &nparams,
	                     &allowed);
	while (nparams > 0)
		free(params[--nparams]);
	if (route != NULL) {
		buf_puts(&location, target + len); /* "?..." or "" */
		http_redirect(req, 301, buf_cstr(&location));
	}
	buf_free(&location);
	return route != NULL;
}

/* Where a redirect sends this path ("" gone; NULL when none, or when the
 * database cannot say). Caller frees. */
static char *
old_url_location(struct http_request *req)
{
	struct db_conn *conn;
	char *location = NULL;
	long long version = page_cache_version();
	int rc;

	if (version >= 0 && atomic_load(&none_at) == version)
		return NULL;
	/* Without the database the page is still not found: a 404 needs
	 * none, and only an old URL (which the next visit finds) misses. */
	if ((conn = db_acquire(http_req_app(req)->db)) == NULL)
		return NULL;
	rc = model_redirect_find(conn, http_req_path(req), &location);
	/* version was read before this: a path kept since moved it on. */
	if (rc == MODEL_NOT_FOUND && version >= 0 &&
	    model_redirect_any(conn) == 0)
		atomic_store(&none_at, version);
	db_release(conn);
	return rc == MODEL_OK ? location : NULL;
}

void
handle_not_found(struct http_request *req)
{
	char *location;

	/* Old URLs first: Django's end in '/' too, and an imported one may
	 * name a slug that blogd stores changed. */
	if ((location = old_url_location(req)) != NULL) {
		if (location[0] == '\0')
			http_error(req, 410);
		else
			http_redirect(req, 301, location);
		free(location);
	} else if (!slash_redirect(req)) {
		http_error(req, 404);
	}
}
