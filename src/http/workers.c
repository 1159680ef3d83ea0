/*
 * The handler workers (http_internal.h): threads that run the routes that
 * may wait, on the database, on another thread's render of a page, on
 * password hashing, so that the MHD threads only move bytes and answer
 * from memory. A slow page then holds one worker, not every connection
 * of an MHD thread, and the database's round trips overlap.
 *
 * Ownership: an MHD thread suspends the connection and queues the request;
 * from then on the request belongs to the worker that takes it, until the
 * worker resumes the connection; MHD then calls the access handler again
 * on the connection's own thread, which queues the answer. The queue's
 * mutex orders the hand-over both ways (MHD's resume takes its own).
 *
 * The MHD threads (and the TLS front threads, which run the HTTPS daemons)
 * outlive the workers at shutdown: a keep-alive connection may send one
 * more request until MHD_stop_daemon, and MHD panics if that one is still
 * suspended then. With no worker left, a request runs on the thread that
 * submits it, as it did before there were workers.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "http_internal.h"
#include "log.h"
#include "xalloc.h"

/* Runs rp's route, then gives the connection back to MHD: counted idle
 * first, so that a client holding its answer never sees this one busy. */
static void
http_workers_run(struct http_workers *w, struct http_req_priv *rp)
{
	w->run(&rp->req);
	atomic_fetch_sub(&w->busy, 1);
	w->resume(rp);
}

static void *
http_worker_main(void *arg)
{
	struct http_workers *w = arg;
	struct http_req_priv *rp;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->head == NULL && !w->stopping)
			pthread_cond_wait(&w->ready, &w->mu);
		/* Queued requests run even when stopping: their clients
		 * wait, and MHD cannot stop with a connection suspended. */
		if ((rp = w->head) == NULL) {
			w->live--;
			break;
		}
		w->head = rp->next_job;
		if (w->head == NULL)
			w->tail = NULL;
		w->queued--;
		w->busy++;
		pthread_mutex_unlock(&w->mu);
		http_workers_run(w, rp);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int
http_workers_start(struct http_workers *w, unsigned n,
                   void (*run)(struct http_request *),
                   void (*resume)(struct http_req_priv *))
{
	memset(w, 0, sizeof(*w));
	w->run = run;
	w->resume = resume;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->ready, NULL);
	w->threads = xcalloc(n, sizeof(*w->threads));
	for (; w->n < n; w->n++) {
		if (pthread_create(&w->threads[w->n], NULL, http_worker_main,
		                   w) != 0) {
			log_err("http: cannot start worker %u of %u", w->n + 1,
			        n);
			http_workers_stop(w);
			return -1;
		}
		w->live++; /* no submit before start returns */
	}
	return 0;
}

void
http_workers_submit(struct http_workers *w, struct http_req_priv *rp)
{
	rp->next_job = NULL;
	pthread_mutex_lock(&w->mu);
	if (w->live == 0) {
		w->busy++;
		pthread_mutex_unlock(&w->mu);
		http_workers_run(w, rp);
		return;
	}
	if (w->tail != NULL)
		w->tail->next_job = rp;
	else
		w->head = rp;
	w->tail = rp;
	w->queued++;
	pthread_mutex_unlock(&w->mu);
	/* After the unlock: the woken worker then finds the mutex free. */
	pthread_cond_signal(&w->ready);
}

void
http_workers_stop(struct http_workers *w)
{
	if (w->threads == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	pthread_cond_broadcast(&w->ready);
	pthread_mutex_unlock(&w->mu);
	for (unsigned i = 0; i < w->n; i++)
		pthread_join(w->threads[i], NULL);
	free(w->threads);
	w->threads = NULL;
}

void
http_workers_stats(struct http_workers *w, struct http_worker_stats *out)
{
	pthread_mutex_lock(&w->mu);
	out->workers = w->live;
	out->busy = atomic_load(&w->busy);
	out->queued = w->queued;
	pthread_mutex_unlock(&w->mu);
}

void
http_workers_free(struct http_workers *w)
{
	if (w->run == NULL)
		return;
	pthread_cond_destroy(&w->ready);
	pthread_mutex_destroy(&w->mu);
	w->run = NULL;
}
