/*
 * Route matching: pure code (no MHD), unit-tested.
 *
 * Patterns are literal segments, "{name}" for one non-empty segment (percent-
 * decoded; a segment that decodes to contain '/' or NUL does not match), and
 * a final "*" that matches the rest of the path (left encoded for the
 * handler to check, e.g. static files; stored as the last parameter, possibly
 * ""). Literal segments match their percent-decoded form. HEAD matches
 * wherever GET does. A trailing slash is a segment: "/posts/x/" does not
 * match "/posts/{slug}".
 */
#ifndef BLOGD_ROUTER_H
#define BLOGD_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "http.h"

typedef void (*http_handler_fn)(struct http_request *req);

struct route {
	unsigned methods; /* mask of enum http_method */
	const char *pattern;
	http_handler_fn handler;
	const char *name; /* metrics label */
	bool cacheable;   /* anonymous GETs may be served from the page cache */
	/* Never waits (no database, no lock held for long): runs on the
	 * MHD thread instead of a worker (http/workers.c). */
	bool quick;
	/* A POST may carry files (multipart/form-data): its body may be
	 * server.max_upload plus HTTP_UPLOAD_SLACK instead of max_body. */
	bool upload;
};

/*
 * Finds the route for method and path. On a match returns it and stores up
 * to HTTP_MAX_PARAMS malloc'd parameters (caller frees). When the path
 * matches only under other methods returns NULL with *allowed set to their
 * mask (for 405 + Allow); when nothing matches, NULL and *allowed = 0.
 */
const struct route *router_match(const struct route *routes, size_t nroutes,
                                 unsigned method, const char *path,
                                 char **params, size_t *nparams,
                                 unsigned *allowed);

/* Writes "GET, HEAD, POST" for a mask into out. */
void router_allow_header(unsigned methods, char *out, size_t outlen);

/*
 * The table the server routes by and /metrics counts by: the handler
 * layer's (handlers/routes.c), handed over by the program before serving
 * (router_set_table) and read-only afterwards. not_found (one of routes)
 * runs for a GET that no pattern matches: old URLs kept by an import
 * answer 301, the rest 404.
 */
struct route_table {
	const struct route *routes;
	size_t count;
	const struct route *not_found;
};
void router_set_table(const struct route_table *table);
const struct route_table *router_table(void);

#endif
