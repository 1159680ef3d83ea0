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
	int reject;      /* status to answer at once and close with, or 0 */
	char method[16]; /* copy for the access line, may be truncated */
	unsigned long long dropped; /* body bytes thrown away after 413 */
	unsigned long long resp_bytes;
	/* A prebuilt response shared by many requests (the page cache,
	 * static.c):
	 * queued as is; shared_done(shared_arg) runs once MHD holds it. */
	struct MHD_Response *shared;
	size_t shared_len;
	void (*shared_done)(void *);
	void *shared_arg;
	struct http_req_priv *next_job; /* workers' queue */
	struct conn_slot *slot;  /* its connection's (conns.h), or NULL */
	struct http_server *srv; /* that took it (NULL: a copy) */
	const char *raw_target;  /* as sent, for the access line */
	const char *authority;   /* of an absolute target, or NULL */
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
	void (*run)(struct http_request *); /* runs the route */
	pthread_t *threads;
	unsigned n;
	unsigned live; /* workers still taking jobs; 0: run on the caller */
};
/* Starts n workers that call run for each queued request and then resume
 * its connection; 0 or -1. */
int http_workers_start(struct http_workers *w, unsigned n,
                       void (*run)(struct http_request *));
/* Queues rp (its connection suspended) for the next free worker; runs it
 * on the calling thread once the workers have ended. */
void http_workers_submit(struct http_workers *w, struct http_req_priv *rp);
/* Runs what is queued, then ends the workers; submit still works. */
void http_workers_stop(struct http_workers *w);
/* After stop, once no thread can submit (the daemons stopped). */
void http_workers_free(struct http_workers *w);
/* Counts for /metrics; any thread. */
void http_workers_stats(struct http_workers *w, struct http_worker_stats *out);

/* Gives rp's suspended connection back to MHD (server.c); rp may be
 * freed by then. */
void http_resume(struct http_req_priv *rp);

/* server.c: lets the CSP allow the inline stylesheet whose SHA-256 is
 * sha256_b64 (base64), or none (NULL). Before the threads start only. */
void http_csp_allow_style(const char *sha256_b64);

/* Queues the shared response of req (response.c); http_queue's job for
 * it. */
int http_queue_shared(struct http_request *req);

/* The route hook (http_shared.h), or its default (server.c). */
extern struct http_route_hook http_route_hook;

#endif
