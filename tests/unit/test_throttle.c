/*
 * Login throttling (src/auth/throttle.c) against a private MariaDB
 * (testdb.h): failures counted per account and per address, the fifth
 * one closing both, a success clearing the account's (the address keeps
 * those against other accounts), and failures older than the window no
 * longer counting. The pure wait arithmetic is in test_session.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testdb.h"
#include "throttle.h"

static struct testdb db;
static struct db_conn *conn;

static int
setup(void **state)
{
	*state = &db;
	conn = testdb_connect(&db);
	return 0;
}

static void
fail_n(const char *account, const char *ip, int n)
{
	for (int i = 0; i < n; i++)
		assert_int_equal(throttle_failed(conn, account, ip), 0);
}

static void
test_fifth_failure_closes(void **state)
{
	long wait;

	(void)state;
	assert_int_equal(throttle_check(conn, "alice", "10.0.0.1"), 0);
	fail_n("alice", "10.0.0.1", THROTTLE_MAX_FAILURES - 1);
	assert_int_equal(throttle_check(conn, "alice", "10.0.0.1"), 0);
	fail_n("alice", "10.0.0.1", 1);
	wait = throttle_check(conn, "alice", "10.0.0.1");
	assert_true(wait > THROTTLE_WINDOW - 60 && wait <= THROTTLE_WINDOW);
	/* The account from anywhere, the address for any account. */
	assert_true(throttle_check(conn, "alice", "10.0.0.9") > 0);
	assert_true(throttle_check(conn, "bob", "10.0.0.1") > 0);
	assert_true(throttle_check(conn, NULL, "10.0.0.1") > 0);
	/* Others are not touched. */
	assert_int_equal(throttle_check(conn, "bob", "10.0.0.2"), 0);
}

static void
test_success_clears_account(void **state)
{
	(void)state;
	/* 10.0.0.5 guesses at eve four times, at alice once: over. */
	fail_n("eve", "10.0.0.5", THROTTLE_MAX_FAILURES - 1);
	fail_n("alice", "10.0.0.5", 1);
	assert_true(throttle_check(conn, NULL, "10.0.0.5") > 0);
	assert_int_equal(throttle_succeeded(conn, "alice"), 0);
	assert_int_equal(throttle_check(conn, "alice", "10.0.0.9"), 0);
	/* The address keeps what it did to other accounts: four, and the
	 * next failure closes it again. */
	assert_int_equal(throttle_check(conn, NULL, "10.0.0.5"), 0);
	fail_n("frank", "10.0.0.5", 1);
	assert_true(throttle_check(conn, "alice", "10.0.0.5") > 0);
}

static void
test_old_failures_do_not_count(void **state)
{
	(void)state;
	fail_n("carol", "10.0.0.3", THROTTLE_MAX_FAILURES);
	assert_true(throttle_check(conn, "carol", "10.0.0.4") > 0);
	/* Move them out of the window, as time would. */
	assert_int_equal(db_exec(conn, NULL, NULL,
	                         "UPDATE login_failures SET at = at - "
	                         "INTERVAL ? SECOND WHERE account = ?",
	                         "is", (long long)THROTTLE_WINDOW + 1, "carol"),
	                 0);
	assert_int_equal(throttle_check(conn, "carol", "10.0.0.4"), 0);
	assert_int_equal(throttle_check(conn, NULL, "10.0.0.3"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fifth_failure_closes),
	    cmocka_unit_test(test_success_clears_account),
	    cmocka_unit_test(test_old_failures_do_not_count),
	};

	return cmocka_run_group_tests(tests, setup, testdb_disconnect);
}
