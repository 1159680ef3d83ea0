/* Login throttling (include/throttle.h). */
#include <stddef.h>

#include "throttle.h"

#include "model.h"

long
throttle_wait(const long long *ages, size_t n)
{
	long long wait;

	if (n < THROTTLE_MAX_FAILURES)
		return 0;
	/* Once the THROTTLE_MAX_FAILURES-th newest failure leaves the window,
	 * fewer than that many remain. */
	wait = THROTTLE_WINDOW - ages[THROTTLE_MAX_FAILURES - 1];
	return wait < 1 ? 1 : (long)wait;
}

/* The wait for one key (account or address). -1 on error. */
static long
throttle_key_wait(struct db_conn *conn, const char *account,
                  const char *client_ip)
{
	long long ages[THROTTLE_MAX_FAILURES];
	size_t n;

	if (model_login_failure_recent(conn, account, client_ip,
	                               THROTTLE_WINDOW, THROTTLE_MAX_FAILURES,
	                               ages, &n) != MODEL_OK)
		return -1;
	return throttle_wait(ages, n);
}

long
throttle_check(struct db_conn *conn, const char *account, const char *client_ip)
{
	long by_ip, by_account = 0;

	if ((by_ip = throttle_key_wait(conn, NULL, client_ip)) < 0)
		return -1;
	if (account != NULL &&
	    (by_account = throttle_key_wait(conn, account, NULL)) < 0)
		return -1;
	return by_ip > by_account ? by_ip : by_account;
}

int
throttle_failed(struct db_conn *conn, const char *account,
                const char *client_ip)
{
	return model_login_failure_add(conn, account != NULL ? account : "",
	                               client_ip) == MODEL_OK
	           ? 0
	           : -1;
}

int
throttle_succeeded(struct db_conn *conn, const char *account)
{
	if (model_login_failure_clear(conn, account) != MODEL_OK ||
	    model_login_failure_purge(conn, THROTTLE_WINDOW) != MODEL_OK)
		return -1;
	return 0;
}
