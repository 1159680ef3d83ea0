/*
 * Responses shared by many requests and the helpers around them
 * (include/http_shared.h): made once by the page cache (src/cache/) or
 * static.c, queued as they are by server.c; the requests of their own
 * that layers above render with; and the headers every response carries.
 */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "form.h"
#include "log.h"
#include "http.h"
#include "http_internal.h"
#include "http_shared.h"
#include "static.h"
#include "xalloc.h"

void
http_add_common_headers(struct http_request *req, struct MHD_Response *r)
{
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "same-origin");
	MHD_add_response_header(r, "Content-Security-Policy", static_csp(req));
	if (req->https)
		MHD_add_response_header(r, "Strict-Transport-Security",
		                        "max-age=31536000; includeSubDomains");
	if (req->content_type != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
		                        req->content_type);
	for (struct http_kv *h = req->headers; h != NULL; h = h->next)
		if (MHD_add_response_header(r, h->name, h->value) != MHD_YES)
			log_warn("http: MHD refused response header %s",
			         h->name);
}

bool
http_accepts_gzip(struct http_request *req)
{
	const char *p = http_header(req, "Accept-Encoding");

	while (p != NULL && *p != '\0') {
		size_t skip = strspn(p, " \t,"), n;
		const char *params, *q;

		p += skip;
		n = strcspn(p, " \t;,");
		params = p + n;
		q = params + strcspn(params, ",");
		if ((n == 4 && strncasecmp(p, "gzip", 4) == 0) ||
		    (n == 1 && *p == '*')) {
			const char *qv = strstr(params, "q=");

			if (qv == NULL || qv > q)
				return true;
			qv += 2;
			return !(qv[0] == '0' && strspn(qv + 1, ".0") ==
			                             strcspn(qv + 1, ", \t;"));
		}
		p = q;
	}
	return false;
}

bool
http_etag_listed(const char *inm, const char *etag)
{
	/* Weak comparison: the opaque part, quotes included. */
	return inm != NULL &&
	       (strcmp(inm, "*") == 0 || strstr(inm, etag + 2) != NULL);
}

bool
http_compressible(const char *ctype)
{
	return ctype != NULL &&
	       (strncmp(ctype, "text/", 5) == 0 || strstr(ctype, "xml") ||
	        strstr(ctype, "json") || strstr(ctype, "javascript"));
}

void
http_respond_shared(struct http_request *req, int status,
                    struct http_prebuilt *r, size_t len, void (*done)(void *),
                    void *arg)
{
	struct http_req_priv *rp = http_priv(req);

	if (rp->shared_done != NULL)
		rp->shared_done(rp->shared_arg);
	buf_free(&req->resp_body);
	req->answered = true;
	req->status = status;
	rp->shared = r;
	rp->shared_len = len;
	rp->shared_done = done;
	rp->shared_arg = arg;
}

struct http_prebuilt *
http_shared_response(struct http_request *req, const char *ctype, void *data,
                     size_t len, const char *etag, const char *cache_control,
                     bool vary, bool gzip)
{
	const char *own = req->content_type;
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(data);
		return NULL;
	}
	/* The common headers take the type from the request; MHD copies
	 * header values. */
	req->content_type = ctype;
	http_add_common_headers(req, r);
	req->content_type = own;
	MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
	                        cache_control);
	if (vary)
		MHD_add_response_header(r, MHD_HTTP_HEADER_VARY,
		                        "Accept-Encoding");
	if (gzip)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING,
		                        "gzip");
	return (struct http_prebuilt *)(void *)r;
}

void
http_prebuilt_free(struct http_prebuilt *r)
{
	MHD_destroy_response(http_mhd(r));
}

int
http_queue_shared(struct http_request *req)
{
	struct http_req_priv *rp = http_priv(req);
	enum MHD_Result ret;

	ret = MHD_queue_response(req->conn, (unsigned)req->status,
	                         http_mhd(rp->shared));
	rp->queued = ret == MHD_YES;
	rp->resp_bytes = req->method == HTTP_HEAD ? 0 : rp->shared_len;
	/* MHD holds its own reference now (or none, on failure). */
	if (rp->shared_done != NULL)
		rp->shared_done(rp->shared_arg);
	rp->shared = NULL;
	rp->shared_done = NULL;
	return ret;
}

bool
http_answered_shared(struct http_request *req)
{
	return http_priv(req)->shared != NULL;
}

void
http_response_get(const struct http_request *req, struct http_response_view *v)
{
	const struct http_req_priv *rp = (const struct http_req_priv *)req;
	bool mem =
	    req->resp_static == NULL && req->resp_fd < 0 && rp->shared == NULL;

	v->answered = req->answered;
	v->status = req->status;
	v->content_type = req->content_type;
	v->headers = req->headers;
	v->body = !mem                     ? NULL
	          : req->resp_body.len > 0 ? req->resp_body.data
	                                   : "";
	v->body_len = mem ? req->resp_body.len : 0;
}

void
http_response_discard(struct http_request *req)
{
	struct http_req_priv *rp = http_priv(req);

	http_response_clear(req);
	if (rp->shared_done != NULL)
		rp->shared_done(rp->shared_arg);
	rp->shared = NULL;
	rp->shared_done = NULL;
	req->resp_static = NULL;
	req->resp_static_len = 0;
	req->answered = false;
	req->status = 0;
	req->content_type = NULL;
}

void
http_mark_stale(struct http_request *req)
{
	http_priv(req)->stale = true;
}

struct http_request *
http_request_copy(const struct http_request *req)
{
	size_t tlen = strlen(req->target), plen = strlen(req->path);
	struct http_req_priv *rp = xcalloc(1, sizeof(*rp) + tlen + plen + 2);
	struct http_request *r = &rp->req;

	memcpy(rp->text, req->target, tlen + 1);
	memcpy(rp->text + tlen + 1, req->path, plen + 1);
	r->app = req->app;
	r->method = HTTP_GET;
	r->method_name = "GET";
	memcpy(r->version, req->version, sizeof(r->version));
	r->target = rp->text;
	r->path = rp->text + tlen + 1;
	for (size_t i = 0; i < req->nparams; i++)
		r->params[i] = xstrdup(req->params[i]);
	r->nparams = req->nparams;
	r->route = req->route;
	r->https = req->https;
	memcpy(r->client_ip, req->client_ip, sizeof(r->client_ip));
	r->resp_fd = -1;
	r->start_us = clock_now_us();
	buf_init(&r->body);
	buf_init(&r->resp_body);
	rp->started = true;
	return r;
}

/* As server.c's completion callback frees a request. */
void
http_request_copy_free(struct http_request *copy)
{
	struct http_req_priv *rp = http_priv(copy);
	struct http_request *r = copy;

	for (size_t i = 0; i < r->nparams; i++)
		free(r->params[i]);
	form_free(r->query);
	form_free(r->form);
	form_free(r->cookies);
	buf_free(&r->body);
	http_response_clear(r);
	if (rp->shared_done != NULL)
		rp->shared_done(rp->shared_arg);
	if (r->handler_state != NULL && r->handler_state_free != NULL)
		r->handler_state_free(r->handler_state);
	free(rp);
}
