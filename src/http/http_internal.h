/*
 * Private to src/http/: the server's view of a request and the helpers that
 * server.c, request.c, response.c, static.c and workers.c share.
 */
#ifndef BLOGD_HTTP_INTERNAL_H
#define BLOGD_HTTP_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "form.h" /* struct http_kv: req->headers */
#include "http.h"
#include "http_shared.h"

struct MHD_Connection;
struct MHD_Response;

#define HTTP_CLIENT_IP_LEN INET6_ADDRSTRLEN /* the longest address text */

/*
 * The request. Allocated by server.c as the start of a struct
 * http_req_priv (below); the layers above hold only pointers to it and
 * use http.h's accessors.
 */
struct http_request {
	/* Read by the accessors of http.h. */
	struct app *app;
	enum http_method method; /* HEAD is routed as GET, body dropped */
	const char *method_name;
	/* "HTTP/1.0", "HTTP/1.1" as the request line says (MHD takes
	 * HTTP/1.x only); "" while it is not in (MHD answered alone). */
	char version[16];
	const char *target;            /* raw request target: path?query */
	const char *path;              /* raw path, percent-encoded, no query */
	char *params[HTTP_MAX_PARAMS]; /* decoded route parameters */
	size_t nparams;
	const struct route *route; /* the matched route, NULL when none */
	bool https;                /* arrived through the TLS front */
	char client_ip[HTTP_CLIENT_IP_LEN];

	/* Body as received (POST), at most server.max_body bytes; empty
	 * for multipart/form-data (form and parts, body.c). */
	struct buf body;

	/* Owned by http/: parsed query, form and cookies, response. */
	struct MHD_Connection *conn;
	struct http_kv *query;
	struct http_kv *form;
	struct http_kv *cookies;
	bool query_parsed, form_parsed, cookies_parsed;
	bool answered;
	int status;
	/* Not owned, never freed: what the handler passed (see
	 * http_respond), read when the response is built. */
	const char *content_type;
	struct http_kv *headers; /* response headers, in order */
	struct buf resp_body;
	const void *resp_static; /* persistent bytes instead of resp_body */
	size_t resp_static_len;
	int resp_fd; /* -1, or a file to send (taken) */
	size_t resp_fd_len;
	unsigned long long start_us;
	/* Per-request state of the handler layer (session, page notice). */
	void *handler_state;
	void (*handler_state_free)(void *);
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
	bool handed_off; /* route submitted (workers.c): queue its answer */
	bool stale;      /* answered from a stale page (http_mark_stale) */
	bool refused;    /* its connection is over the budget: 503 */
	bool trusted;    /* from trusted_proxies: X-Forwarded-* count */
	int reject;      /* status to answer at once and close with, or 0 */
	char method[16]; /* copy for the access line, may be truncated */
	/* router_match's answer, made once when the headers are in: the
	 * body limit needs the route, and dispatch uses it (req->params
	 * hold its parameters). */
	const struct route *matched;
	unsigned allowed;
	unsigned long long dropped; /* body bytes thrown away after 413 */
	/* The body: its limit (max_body, or the upload limit of its route),
	 * the bytes taken so far, and for multipart/form-data the parser
	 * and the parts (body.c); bad_body: it does not parse, 400. */
	size_t max_body;
	size_t received;
	struct MHD_PostProcessor *pp;
	struct http_part *parts;
	bool bad_body;
	unsigned long long resp_bytes;
	/* A prebuilt response shared by many requests (the page cache,
	 * static.c): queued as is; shared_done(shared_arg) runs once MHD
	 * holds it. */
	struct http_prebuilt *shared;
	size_t shared_len;
	void (*shared_done)(void *);
	void *shared_arg;
	struct http_req_priv *next_job; /* workers' queue */
	struct conn_slot *slot;  /* its connection's (conns.h), or NULL */
	struct http_server *srv; /* that took it (NULL: a copy) */
	const char *raw_target;  /* as sent, for the access line */
	/* The static set its page and CSP come from (static.c), held from
	 * first use until http_response_clear; NULL until then. */
	struct static_assets *assets;
	const char *authority; /* of an absolute target, or NULL */
	/* raw target, origin form (req->target), path, authority */
	char text[];
};

static inline struct http_req_priv *
http_priv(struct http_request *req)
{
	return (struct http_req_priv *)req;
}

/* workers.c: the threads that run routes which may wait. */
struct http_workers {
	pthread_mutex_t mu;
	pthread_cond_t ready; /* a request was queued, or stopping */
	struct http_req_priv *head, *tail;
	unsigned queued;  /* requests in the queue */
	atomic_uint busy; /* routes running (left before the resume) */
	bool stopping;
	void (*run)(struct http_request *);     /* runs the route */
	void (*resume)(struct http_req_priv *); /* then gives it back */
	pthread_t *threads;
	unsigned n;
	unsigned live; /* workers still taking jobs; 0: run on the caller */
};
/* Starts n workers that call run for each queued request and then resume
 * (http_resume in the server) for its connection; 0 or -1. */
int http_workers_start(struct http_workers *w, unsigned n,
                       void (*run)(struct http_request *),
                       void (*resume)(struct http_req_priv *));
/* Queues rp (its connection suspended) for the next free worker; runs it
 * on the calling thread once the workers have ended. */
void http_workers_submit(struct http_workers *w, struct http_req_priv *rp);
/* Runs what is queued, then ends the workers; submit still works. */
void http_workers_stop(struct http_workers *w);
/* After stop, once no thread can submit (the daemons stopped). */
void http_workers_free(struct http_workers *w);
/* Counts for /metrics; any thread. */
void http_workers_stats(struct http_workers *w, struct http_worker_stats *out);

/* body.c: takes len more bytes of rp's body (into req->body, or into
 * the parts of a multipart one); after the last, http_body_end makes a
 * multipart body's text fields the form and its files available;
 * http_body_free frees it all (completion). */
void http_body_take(struct http_req_priv *rp, const char *data, size_t len);
void http_body_end(struct http_req_priv *rp);
void http_body_free(struct http_req_priv *rp);

/* Gives rp's suspended connection back to MHD (server.c); rp may be
 * freed by then. */
void http_resume(struct http_req_priv *rp);

/* The Content-Security-Policy of every response; static.c adds the hash
 * of the stylesheet pages inline (static_csp). */
#define HTTP_CSP                                                               \
	"default-src 'self'; object-src 'none'; "                              \
	"base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
/* The security headers, req->content_type and req->headers (response.c). */
void http_add_common_headers(struct http_request *req, struct MHD_Response *r);
/* static_assets.c: the sets of versions and inlined stylesheet that
 * static.c makes. new: an empty set (one reference, the caller's), the
 * plain CSP; add: NAME linked as /static/NAME?v=VERSION, false when the
 * set is full; inline: css inlined, allowed by its hash; swap: next (NULL:
 * none) is what requests take from now on, the old set goes with its last
 * request; release: drops one hold (NULL: nothing). */
struct static_assets *static_assets_new(void);
bool static_assets_add(struct static_assets *a, const char *name,
                       const char *version);
void static_assets_inline(struct static_assets *a, const char *css,
                          const char *sha256_b64);
size_t static_assets_count(const struct static_assets *a);
bool static_assets_inlined(const struct static_assets *a);
void static_assets_swap(struct static_assets *next);
void static_assets_release(struct static_assets *a);
/* Frees what the response part of req owns (headers, body, fd). */
void http_response_clear(struct http_request *req);

/* struct http_prebuilt (http_shared.h) is an MHD response under a name of
 * its own, so that no header of include/ shows MHD: never dereferenced as
 * anything else. */
static inline struct MHD_Response *
http_mhd(struct http_prebuilt *r)
{
	return (struct MHD_Response *)(void *)r;
}

/* Queues the shared response of req (response.c); http_queue's job for
 * it. */
int http_queue_shared(struct http_request *req);

/* accept.c: the plain listener's accept loop when it expects PROXY
 * headers. Takes listen_fd (closed on failure too) and hands each
 * connection, with its budget slot bound to the socket (conns_bind), to
 * daemon d. */
struct http_acceptor;
struct MHD_Daemon;
struct config;
int http_acceptor_start(struct http_acceptor **out, const struct config *cfg,
                        struct conns *conns, struct MHD_Daemon *d,
                        int listen_fd, char *err, size_t errlen);
/* Stops accepting and closes the connections still waiting; NULL: none. */
void http_acceptor_stop(struct http_acceptor *a);

/* linger.c: lingering close of plain connections closed with the client
 * still sending. NULL (logged) when its thread cannot start. */
struct http_linger;
struct http_linger *http_linger_start(void);
/* Takes fd, a duplicate of a socket MHD is closing after its answer. */
void http_linger_add(struct http_linger *lg, int fd);
/* Closes what still lingers; NULL: nothing. */
void http_linger_stop(struct http_linger *lg);

/* The route hook (http_shared.h), or its default (server.c). */
extern struct http_route_hook http_route_hook;

#endif
