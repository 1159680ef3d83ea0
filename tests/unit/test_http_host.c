/* The Host check shared by the redirect and the feeds (src/http/request.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http.h"

/* http_host_check on a whole NUL-terminated string. */
static size_t
check(const char *s)
{
	return http_host_check(s, strlen(s));
}

static void
test_good(void **state)
{
	(void)state;
	assert_int_equal(check("example.com"), 11);
	assert_int_equal(check("Blog.Example.ORG"), 16);
	assert_int_equal(check("localhost"), 9);
	assert_int_equal(check("my_host-1"), 9);
	assert_int_equal(check("127.0.0.1"), 9);
	/* The port is accepted and left out of the returned length. */
	assert_int_equal(check("example.com:8080"), 11);
	assert_int_equal(check("127.0.0.1:8443"), 9);
	assert_int_equal(check("a:1"), 1);
	assert_int_equal(check("a:65535"), 1);
}

static void
test_ipv6(void **state)
{
	(void)state;
	assert_int_equal(check("[::1]"), 5);
	assert_int_equal(check("[::1]:8443"), 5);
	assert_int_equal(check("[2001:DB8::a:1]:443"), 15);
	assert_int_equal(check("[::ffff:192.0.2.1]:80"), 18);
	/* Unclosed, empty, not hex, text after the bracket but no port. */
	assert_int_equal(check("[::1"), 0);
	assert_int_equal(check("[]"), 0);
	assert_int_equal(check("[]:80"), 0);
	assert_int_equal(check("[::g]"), 0);
	assert_int_equal(check("[::1]x"), 0);
	assert_int_equal(check("[::1]:"), 0);
	assert_int_equal(check("[::1]]"), 0);
	/* A bare IPv6 address is not a Host: its colons read as a port. */
	assert_int_equal(check("::1"), 0);
}

static void
test_bad(void **state)
{
	static const char *const bad[] = {
	    "",
	    " example.com",
	    "example.com ",
	    "exa mple.com",
	    "example.com/",
	    "example.com/path",
	    "user@example.com",
	    "example.com@evil.net",
	    "example.com\r\nX-Evil: 1",
	    "example.com\n",
	    "example.com\r",
	    "example.com\t",
	    "evil.example\"><x",
	    "example.com?q",
	    "example.com#f",
	    "exa%2fmple.com",
	    "example.com:",
	    "example.com:80x",
	    "example.com:123456",
	    "example.com:80:81",
	    ":80",
	    "a\x7f",
	    "caf\xc3\xa9.example",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (check(bad[i]) != 0)
			fail_msg("accepted bad Host \"%s\"", bad[i]);
	assert_int_equal(http_host_check(NULL, 0), 0);
}

static void
test_length(void **state)
{
	char host[HTTP_HOST_MAX + 2];

	(void)state;
	memset(host, 'a', sizeof(host));
	/* HTTP_HOST_MAX bytes in all, port included, and not one more. */
	assert_int_equal(http_host_check(host, HTTP_HOST_MAX), HTTP_HOST_MAX);
	assert_int_equal(http_host_check(host, HTTP_HOST_MAX + 1), 0);
	memcpy(host + HTTP_HOST_MAX - 5, ":8080", 5);
	assert_int_equal(http_host_check(host, HTTP_HOST_MAX),
	                 HTTP_HOST_MAX - 5);
	memcpy(host + HTTP_HOST_MAX - 4, ":8080", 5);
	assert_int_equal(http_host_check(host, HTTP_HOST_MAX + 1), 0);
}

static void
test_not_terminated(void **state)
{
	(void)state;
	/* Only len bytes count: base_url's authority ends at its path. */
	assert_int_equal(http_host_check("example.com:8443/blog", 16), 11);
	assert_int_equal(http_host_check("example.com/blog", 11), 11);
	assert_int_equal(http_host_check("example.com/blog", 12), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good),
	    cmocka_unit_test(test_ipv6),
	    cmocka_unit_test(test_bad),
	    cmocka_unit_test(test_length),
	    cmocka_unit_test(test_not_terminated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
