/*
 * http's interface for the layers above it that answer with prebuilt
 * responses (the page cache, src/cache/) and render requests of their own
 * (the cache's refresher). The functions live in src/http/response.c;
 * static.c uses them too.
 */
#ifndef BLOGD_HTTP_SHARED_H
#define BLOGD_HTTP_SHARED_H

#include <stdbool.h>
#include <stddef.h>

#include "http.h"

struct http_kv;

/*
 * A prebuilt response: body and every header made once, then queued as it
 * is for any number of requests (http_respond_shared). Opaque; made by
 * http_shared_response, freed with http_prebuilt_free once no request
 * holds it.
 */
struct http_prebuilt;

/* Answers with r, which carries every header already (made by
 * http_shared_response for this scheme); done(arg) releases the
 * caller's hold on r once it is queued (or the request ends unqueued). */
void http_respond_shared(struct http_request *req, int status,
                         struct http_prebuilt *r, size_t len,
                         void (*done)(void *), void *arg);
/* Whether req was answered with http_respond_shared. */
bool http_answered_shared(struct http_request *req);
/* Accept-Encoding names gzip (or *) without q=0. */
bool http_accepts_gzip(struct http_request *req);
/* An If-None-Match value (may be NULL) is "*" or lists the weak ETag etag
 * (W/"..."), compared weakly. */
bool http_etag_listed(const char *inm, const char *etag);
/* A content type worth gzipping (text, XML, JSON, JavaScript). */
bool http_compressible(const char *ctype);
/* A response for http_respond_shared that takes data (freed on failure
 * too): the security headers for req's scheme, Content-Type ctype (a
 * constant, see http_respond), the headers added to req so far, then
 * ETag, Cache-Control, Vary: Accept-Encoding when vary, Content-Encoding:
 * gzip when gzip. NULL when MHD cannot make one. */
struct http_prebuilt *http_shared_response(struct http_request *req,
                                           const char *ctype, void *data,
                                           size_t len, const char *etag,
                                           const char *cache_control, bool vary,
                                           bool gzip);
/* Drops the caller's hold on r (requests that queued it keep theirs). */
void http_prebuilt_free(struct http_prebuilt *r);

/*
 * A read-only view of the answer a handler gave req, for the page cache
 * to keep it. body is the bytes given to http_respond (NULL when the
 * answer came from http_respond_static, _fd or _shared); all of it is
 * valid until the request ends or its answer is discarded.
 */
struct http_response_view {
	bool answered;
	int status;
	const char *content_type;
	const struct http_kv *headers; /* added headers, in order (form.h) */
	const char *body;
	size_t body_len;
};
void http_response_get(const struct http_request *req,
                       struct http_response_view *v);
/* Forgets req's answer (body, headers, shared response), so that
 * another can be given. */
void http_response_discard(struct http_request *req);
/* Marks req's answer as stale for its access line (stale if error). */
void http_mark_stale(struct http_request *req);

/*
 * A request of the caller's own with what a cacheable route reads of req
 * (target, route and parameters, scheme, client address, app): no
 * connection, so no headers and no cookies. The caller owns it and frees
 * it with http_request_copy_free, as the server frees a request.
 */
struct http_request *http_request_copy(const struct http_request *req);
void http_request_copy_free(struct http_request *copy);

/*
 * The route hook: how the layer above (the page cache) sees every routed
 * request without http/ knowing it. answer runs on the HTTP thread before
 * a route is queued and answers from memory (true) or leaves req alone
 * (false); it must never block. run runs the route (route->handler) on a
 * worker, or on the HTTP thread for quick routes, and may wrap it. Set
 * once by the program before the server starts; without one, nothing is
 * answered early and run is route->handler.
 */
struct http_route_hook {
	bool (*answer)(struct http_request *req, const struct route *route);
	void (*run)(struct http_request *req, const struct route *route);
};
void http_set_route_hook(const struct http_route_hook *hook);

#endif
