/*
 * Private to src/http/: the server's view of a request and the helpers that
 * server.c and request.c share.
 */
#ifndef BLOGD_HTTP_INTERNAL_H
#define BLOGD_HTTP_INTERNAL_H

#include <stdbool.h>

#include "http.h"

struct http_header {
	char *name;
	char *value;
	struct http_header *next;
};

/*
 * Allocated in one block by server.c when MHD reports the request line,
 * freed by its completion callback. req comes first so that a struct
 * http_request pointer converts back.
 */
struct http_req_priv {
	struct http_request req;
	bool started;    /* the access handler has run once */
	bool too_large;  /* body over server.max_body: 413 */
	bool queued;     /* a response went to MHD */
	char method[16]; /* copy for the access line, may be truncated */
	unsigned long long dropped; /* body bytes thrown away after 413 */
	unsigned long long resp_bytes;
	char text[]; /* target '\0' path '\0' */
};

static inline struct http_req_priv *
http_priv(struct http_request *req)
{
	return (struct http_req_priv *)req;
}

/* Frees what the response part of req owns (headers, body, fd). */
void http_response_clear(struct http_request *req);

#endif
