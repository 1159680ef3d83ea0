/*
 * The pool and the statement API (src/db/pool.c) against a private
 * MariaDB (testdb.h): parameters and results, transactions, a pool that
 * runs out, and an outage that the pool notices and gets over.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "testdb.h"

static struct config cfg;
static struct db_pool *pool;

static int
setup(void **state)
{
	struct db_conn *c;

	(void)state;
	/* Two connections: the exhaustion test takes both. */
	pool = testdb_open(&cfg, "2");
	c = db_acquire(pool);
	assert_non_null(c);
	assert_int_equal(db_exec(c, NULL, NULL,
	                         "CREATE TABLE unit_t (id INT PRIMARY KEY, "
	                         "s TEXT NULL, b BLOB NULL)",
	                         ""),
	                 0);
	db_release(c);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	db_pool_close(pool);
	config_free(&cfg);
	return 0;
}

static void
test_params_and_rows(void **state)
{
	static const char bin[] = {'a', '\0', 'b', '\n', (char)0xff};
	struct db_conn *c = db_acquire(pool);
	struct db_rows rows;
	uint64_t affected = 0;

	(void)state;
	assert_non_null(c);
	assert_int_equal(db_exec(c, &affected, NULL,
	                         "INSERT INTO unit_t VALUES (?, ?, ?)", "isb",
	                         1LL, "it's \"quoted\"; --", bin, sizeof(bin)),
	                 0);
	assert_int_equal(affected, 1);
	assert_int_equal(db_exec(c, NULL, NULL,
	                         "INSERT INTO unit_t VALUES (?, ?, NULL)", "is",
	                         2LL, NULL),
	                 0);
	/* A duplicate key is an error with its number, not a crash. */
	assert_int_equal(db_exec(c, NULL, NULL,
	                         "INSERT INTO unit_t VALUES (?, ?, NULL)", "is",
	                         1LL, "again"),
	                 -1);
	assert_int_equal(db_errno(c), 1062);

	assert_int_equal(
	    db_query(c, &rows, "SELECT id, s, b FROM unit_t ORDER BY id", ""),
	    0);
	assert_int_equal(rows.nrows, 2);
	assert_int_equal(rows.ncols, 3);
	assert_int_equal(db_cell_int(&rows, 0, 0), 1);
	/* Bound, not spliced: the text comes back byte for byte. */
	assert_string_equal(db_cell(&rows, 0, 1), "it's \"quoted\"; --");
	assert_int_equal(rows.lengths[2], sizeof(bin));
	assert_memory_equal(db_cell(&rows, 0, 2), bin, sizeof(bin));
	assert_null(db_cell(&rows, 1, 1)); /* SQL NULL */
	assert_null(db_cell(&rows, 2, 0)); /* past the last row */
	db_rows_free(&rows);

	/* The same literal again runs the cached statement. */
	assert_int_equal(
	    db_query(c, &rows, "SELECT id, s, b FROM unit_t ORDER BY id", ""),
	    0);
	assert_int_equal(rows.nrows, 2);
	db_rows_free(&rows);
	db_release(c);
}

static long long
count_rows(struct db_conn *c)
{
	struct db_rows rows;
	long long n;

	assert_int_equal(db_query(c, &rows, "SELECT COUNT(*) FROM unit_t", ""),
	                 0);
	n = db_cell_int(&rows, 0, 0);
	db_rows_free(&rows);
	return n;
}

static void
test_transactions(void **state)
{
	struct db_conn *c = db_acquire(pool);
	long long before;

	(void)state;
	assert_non_null(c);
	before = count_rows(c);
	assert_int_equal(db_begin(c), 0);
	assert_int_equal(db_exec(c, NULL, NULL,
	                         "INSERT INTO unit_t (id) VALUES (?)", "i",
	                         10LL),
	                 0);
	assert_int_equal(db_rollback(c), 0);
	assert_int_equal(count_rows(c), before);
	assert_int_equal(db_begin(c), 0);
	assert_int_equal(db_exec(c, NULL, NULL,
	                         "INSERT INTO unit_t (id) VALUES (?)", "i",
	                         11LL),
	                 0);
	assert_int_equal(db_commit(c), 0);
	assert_int_equal(count_rows(c), before + 1);
	db_release(c);
}

static void *
release_later(void *arg)
{
	usleep(200 * 1000);
	db_release(arg);
	return NULL;
}

static void
test_pool_exhausted(void **state)
{
	struct db_conn *a = db_acquire(pool), *b = db_acquire(pool), *c;
	struct db_stats st;
	unsigned long long t0;
	pthread_t t;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	db_pool_stats(pool, &st);
	assert_int_equal(st.size, 2);
	assert_int_equal(st.in_use, 2);
	/* Full: a third waits the connect timeout (2 s) and gets none. */
	t0 = clock_now_us();
	assert_null(db_acquire(pool));
	assert_true(clock_now_us() - t0 >= 1900000ULL);
	/* A connection given back wakes a waiter, which gets that one. */
	assert_int_equal(pthread_create(&t, NULL, release_later, a), 0);
	c = db_acquire(pool);
	assert_ptr_equal(c, a);
	pthread_join(t, NULL);
	db_pool_stats(pool, &st);
	assert_true(st.waits >= 2);
	db_release(b);
	db_release(c);
	db_pool_stats(pool, &st);
	assert_int_equal(st.in_use, 0);
}

static void
run_script(const char *env)
{
	assert_int_equal(system(testdb_env(env)), 0);
}

/* Last: it stops the server and starts it again. */
static void
test_outage(void **state)
{
	struct db_conn *c;
	struct db_stats st;
	unsigned long long t0;

	(void)state;
	assert_int_equal(db_pool_watch(pool), 0);
	assert_true(db_pool_available(pool));
	run_script("BLOGD_TEST_DB_STOP");
	/* The first acquire finds the server gone (its connection is dead:
	 * the reconnect fails) or its statement fails; either way the pool
	 * now knows. */
	c = db_acquire(pool);
	if (c != NULL) {
		struct db_rows rows;

		assert_int_equal(db_query(c, &rows, "SELECT 1", ""), -1);
		db_release(c);
		c = db_acquire(pool);
	}
	assert_null(c);
	assert_false(db_pool_available(pool));
	/* Known down: refused at once, not after a timeout. */
	t0 = clock_now_us();
	assert_null(db_acquire(pool));
	assert_true(clock_now_us() - t0 < 100000ULL);
	db_pool_stats(pool, &st);
	assert_false(st.available);
	assert_true(st.refused >= 1);
	assert_true(st.outages >= 1);

	run_script("BLOGD_TEST_DB_START");
	/* The probe (every half second) ends the outage. */
	t0 = clock_now_us();
	while (!db_pool_available(pool) && clock_now_us() - t0 < 30000000ULL)
		usleep(50 * 1000);
	assert_true(db_pool_available(pool));
	c = db_acquire(pool);
	assert_non_null(c);
	assert_true(count_rows(c) >= 2);
	db_release(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_params_and_rows),
	    cmocka_unit_test(test_transactions),
	    cmocka_unit_test(test_pool_exhausted),
	    cmocka_unit_test(test_outage),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
