/*
 * The handler workers (src/http/workers.c): requests run in the order
 * queued, on as many threads as there are workers, each resumed once and
 * only after its route ran; stopping runs what is queued, and a request
 * submitted after the stop runs on the caller. Requests here are bare
 * struct http_req_priv with a number in handler_state; run and resume are
 * the test's own (the server's resume is MHD's).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "http_internal.h"

#define JOBS     8
#define DEADLINE 10000000ULL /* us: generous, for a loaded machine */

static struct {
	pthread_mutex_t mu;
	bool gate_open;
	unsigned running; /* in run now */
	unsigned peak;    /* the most that ran at once */
	unsigned want;    /* run waits until peak reaches this */
	int order[JOBS];  /* job numbers in the order run began */
	unsigned nrun, nresumed;
	bool ran[JOBS], resumed[JOBS], resumed_early;
	pthread_t thread[JOBS];
} t;

static struct http_req_priv *rps[JOBS];
static int ids[JOBS];

static int
job_of(struct http_request *req)
{
	return *(int *)req->handler_state;
}

/* Waits (up to DEADLINE) for cond under t.mu; false on timeout. */
static bool
wait_for(bool (*cond)(void))
{
	unsigned long long end = clock_now_us() + DEADLINE;
	bool ok;

	pthread_mutex_lock(&t.mu);
	while (!(ok = cond()) && clock_now_us() < end) {
		pthread_mutex_unlock(&t.mu);
		usleep(1000);
		pthread_mutex_lock(&t.mu);
	}
	pthread_mutex_unlock(&t.mu);
	return ok;
}

static void
run(struct http_request *req)
{
	unsigned long long end = clock_now_us() + DEADLINE;
	int j = job_of(req);

	pthread_mutex_lock(&t.mu);
	t.order[t.nrun++] = j;
	t.thread[j] = pthread_self();
	if (++t.running > t.peak)
		t.peak = t.running;
	while ((!t.gate_open || t.peak < t.want) && clock_now_us() < end) {
		pthread_mutex_unlock(&t.mu);
		usleep(1000);
		pthread_mutex_lock(&t.mu);
	}
	t.running--;
	t.ran[j] = true;
	pthread_mutex_unlock(&t.mu);
}

static void
resume(struct http_req_priv *rp)
{
	int j = job_of(&rp->req);

	pthread_mutex_lock(&t.mu);
	if (!t.ran[j] || t.resumed[j])
		t.resumed_early = true; /* before its run, or twice */
	t.resumed[j] = true;
	t.nresumed++;
	pthread_mutex_unlock(&t.mu);
}

static int
reset(void **state)
{
	(void)state;
	pthread_mutex_lock(&t.mu);
	t.gate_open = false;
	t.running = t.peak = t.want = t.nrun = t.nresumed = 0;
	t.resumed_early = false;
	for (int i = 0; i < JOBS; i++) {
		t.ran[i] = t.resumed[i] = false;
		t.order[i] = -1;
		free(rps[i]);
		rps[i] = calloc(1, sizeof(*rps[i]));
		ids[i] = i;
		rps[i]->req.handler_state = &ids[i];
	}
	pthread_mutex_unlock(&t.mu);
	return 0;
}

static void
open_gate(void)
{
	pthread_mutex_lock(&t.mu);
	t.gate_open = true;
	pthread_mutex_unlock(&t.mu);
}

static unsigned want_resumed;
static bool
all_resumed(void)
{
	return t.nresumed >= want_resumed;
}
static bool
one_running(void)
{
	return t.running == 1;
}

static void
test_fifo_one_worker(void **state)
{
	struct http_workers w;
	struct http_worker_stats st;

	(void)state;
	assert_int_equal(http_workers_start(&w, 1, run, resume), 0);
	for (int i = 0; i < 5; i++)
		http_workers_submit(&w, rps[i]);
	assert_true(wait_for(one_running));
	http_workers_stats(&w, &st);
	assert_int_equal(st.workers, 1);
	assert_int_equal(st.busy, 1);
	assert_int_equal(st.queued, 4);
	open_gate();
	want_resumed = 5;
	assert_true(wait_for(all_resumed));
	for (int i = 0; i < 5; i++)
		assert_int_equal(t.order[i], i);
	assert_false(t.resumed_early);
	http_workers_stats(&w, &st);
	assert_int_equal(st.busy, 0);
	assert_int_equal(st.queued, 0);
	http_workers_stop(&w);
	http_workers_free(&w);
}

static void
test_parallel(void **state)
{
	struct http_workers w;

	(void)state;
	/* Each run waits until three run at once, which only three
	 * threads can do. */
	t.want = 3;
	open_gate();
	assert_int_equal(http_workers_start(&w, 3, run, resume), 0);
	for (int i = 0; i < 3; i++)
		http_workers_submit(&w, rps[i]);
	want_resumed = 3;
	assert_true(wait_for(all_resumed));
	assert_int_equal(t.peak, 3);
	assert_false(pthread_equal(t.thread[0], t.thread[1]));
	assert_false(pthread_equal(t.thread[1], t.thread[2]));
	assert_false(pthread_equal(t.thread[0], t.thread[2]));
	http_workers_stop(&w);
	http_workers_free(&w);
}

static void *
open_gate_later(void *arg)
{
	(void)arg;
	usleep(100 * 1000);
	open_gate();
	return NULL;
}

static void
test_stop_drains_then_caller_runs(void **state)
{
	struct http_workers w;
	struct http_worker_stats st;
	pthread_t opener;

	(void)state;
	assert_int_equal(http_workers_start(&w, 1, run, resume), 0);
	for (int i = 0; i < 4; i++)
		http_workers_submit(&w, rps[i]);
	assert_true(wait_for(one_running));
	assert_int_equal(pthread_create(&opener, NULL, open_gate_later, NULL),
	                 0);
	/* Returns once everything queued has run and been resumed. */
	http_workers_stop(&w);
	pthread_join(opener, NULL);
	assert_int_equal(t.nresumed, 4);
	http_workers_stats(&w, &st);
	assert_int_equal(st.workers, 0);
	/* No worker left: the caller runs it, before submit returns. */
	http_workers_submit(&w, rps[4]);
	assert_true(t.resumed[4]);
	assert_true(pthread_equal(t.thread[4], pthread_self()));
	assert_false(t.resumed_early);
	http_workers_free(&w);
}

int
main(void)
{
	pthread_mutex_init(&t.mu, NULL);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_fifo_one_worker, reset),
	    cmocka_unit_test_setup(test_parallel, reset),
	    cmocka_unit_test_setup(test_stop_drains_then_caller_runs, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
