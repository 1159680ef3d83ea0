/* The connection budget (src/http/conns.c): per-address limits, the
 * exemption of trusted proxies and the move to a PROXY header's client.
 * The slots' sockets are -1: not TCP, so they always count. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "conns.h"

static struct sockaddr *
v4(struct sockaddr_in *sin, const char *ip)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, ip, &sin->sin_addr), 1);
	return (struct sockaddr *)sin;
}

static void
test_per_ip(void **state)
{
	struct conns *cs = conns_new(100, 2, 64);
	struct sockaddr_in a, b;
	struct conn_slot *s[5];

	(void)state;
	s[0] = conns_admit(cs, -1, v4(&a, "192.0.2.1"), true);
	s[1] = conns_admit(cs, -1, v4(&a, "192.0.2.1"), true);
	assert_non_null(s[0]);
	assert_non_null(s[1]);
	assert_null(conns_admit(cs, -1, v4(&a, "192.0.2.1"), true));
	/* A trusted proxy's connections are not held to the limit. */
	s[2] = conns_admit(cs, -1, v4(&a, "192.0.2.1"), false);
	assert_non_null(s[2]);
	/* Its header names a client with room: s[2] counts there now. */
	assert_true(conns_readdress(cs, s[2], v4(&b, "198.51.100.7"), true));
	s[3] = conns_admit(cs, -1, v4(&b, "198.51.100.7"), true);
	assert_non_null(s[3]);
	assert_null(conns_admit(cs, -1, v4(&b, "198.51.100.7"), true));
	/* A client at its limit: the connection stays where it was. */
	s[4] = conns_admit(cs, -1, v4(&a, "192.0.2.2"), false);
	assert_non_null(s[4]);
	assert_false(conns_readdress(cs, s[4], v4(&b, "198.51.100.7"), true));
	/* A trusted client behind a proxy is exempt too. */
	assert_true(conns_readdress(cs, s[4], v4(&b, "198.51.100.7"), false));
	/* Closing one makes room again. */
	conns_close(cs, s[3]);
	s[3] = conns_admit(cs, -1, v4(&b, "198.51.100.7"), true);
	assert_null(s[3]); /* s[2] and s[4] still count there */
	conns_close(cs, s[4]);
	s[3] = conns_admit(cs, -1, v4(&b, "198.51.100.7"), true);
	assert_non_null(s[3]);
	for (int i = 0; i < 4; i++)
		conns_close(cs, s[i]);
	conns_free(cs);
}

static void
test_total(void **state)
{
	struct conns *cs = conns_new(2, 100, 64);
	struct sockaddr_in a;
	struct conn_slot *s[3];

	(void)state;
	/* Exempt or not, every connection counts against the total; when
	 * full, the longest idle makes room. */
	s[0] = conns_admit(cs, -1, v4(&a, "192.0.2.1"), false);
	s[1] = conns_admit(cs, -1, v4(&a, "192.0.2.2"), true);
	conns_busy(cs, s[0]);
	conns_busy(cs, s[1]);
	assert_null(conns_admit(cs, -1, v4(&a, "192.0.2.3"), false));
	conns_idle(cs, s[1]);
	s[2] = conns_admit(cs, -1, v4(&a, "192.0.2.3"), false);
	assert_non_null(s[2]);
	for (int i = 0; i < 3; i++)
		conns_close(cs, s[i]);
	conns_free(cs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_per_ip),
	    cmocka_unit_test(test_total),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
