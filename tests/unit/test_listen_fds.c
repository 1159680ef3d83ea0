/* Unit tests for src/util/listen_fds.c: which passed socket goes to which
 * listener, and the checks of listen_fds_take on real sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "listen_fds.h"

/* listen_fds_match's answer: 0 with the two descriptors, or -1 with err
 * containing want_err. */
static void
match(const char *names, unsigned n, bool http, bool https, int want_rc,
      int want_http, int want_https, const char *want_err)
{
	struct listen_fds out;
	char err[256] = "";

	assert_int_equal(
	    listen_fds_match(names, n, http, https, &out, err, sizeof(err)),
	    want_rc);
	if (want_rc == 0) {
		assert_int_equal(out.http, want_http);
		assert_int_equal(out.https, want_https);
	} else {
		assert_non_null(strstr(err, want_err));
	}
}

static void
test_named(void **state)
{
	(void)state;
	match("http:https", 2, true, true, 0, 3, 4, NULL);
	match("https:http", 2, true, true, 0, 4, 3, NULL);
	match("https", 1, false, true, 0, -1, 3, NULL);
	match("http", 1, true, false, 0, 3, -1, NULL);
	match("http:http", 2, true, true, -1, 0, 0, "more than one");
	match("http:https", 2, true, false, -1, 0, 0,
	      "server.https_listen is empty");
	match("http", 1, true, true, -1, 0, 0,
	      "no socket passed for server.https_listen");
	match("http:metrics", 2, true, true, -1, 0, 0, "\"metrics\"");
	/* Fewer names than sockets: the rest have none. */
	match("https", 2, true, true, -1, 0, 0, "socket 4 is named \"\"");
}

static void
test_unnamed(void **state)
{
	(void)state;
	/* Unset, or systemd's default (the unit's name): in order. */
	match(NULL, 2, true, true, 0, 3, 4, NULL);
	match("blogd.socket:blogd.socket", 2, true, true, 0, 3, 4, NULL);
	match(NULL, 1, false, true, 0, -1, 3, NULL);
	match(NULL, 1, true, false, 0, 3, -1, NULL);
	match(NULL, 1, true, true, -1, 0, 0, "1 sockets passed for 2");
	match(NULL, 3, true, true, -1, 0, 0, "3 sockets passed for 2");
	match(NULL, 17, true, true, -1, 0, 0, "17 sockets passed");
}

/* Moves fd to descriptor 3, as a service manager passes it. */
static void
as_fd3(int fd)
{
	if (fd != 3) {
		assert_int_equal(dup2(fd, 3), 3);
		close(fd);
	}
}

/* listen_fds_take of one socket named http, for port. */
static int
take(unsigned port, bool *activated, char *err, size_t errlen)
{
	struct listen_fds out;
	char pid[32];

	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "1", 1);
	setenv("LISTEN_FDNAMES", "http", 1);
	return listen_fds_take(port, 0, &out, activated, err, errlen);
}

static void
test_take(void **state)
{
	bool activated = true;
	char err[256] = "";
	struct listen_fds out;
	int fd;

	(void)state;
	/* Not for this process: ignored, and the variables go. */
	setenv("LISTEN_PID", "1", 1);
	setenv("LISTEN_FDS", "1", 1);
	assert_int_equal(
	    listen_fds_take(8080, 0, &out, &activated, err, sizeof(err)), 0);
	assert_false(activated);
	assert_int_equal(out.http, -1);
	assert_null(getenv("LISTEN_FDS"));

	/* A TCP socket that does not listen. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	as_fd3(fd);
	assert_int_equal(take(8080, &activated, err, sizeof(err)), -1);
	assert_true(activated);
	assert_non_null(strstr(err, "not a listening TCP socket"));
	assert_null(getenv("LISTEN_PID"));

	/* A listening one on the loopback. */
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	socklen_t salen = sizeof(sa);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &salen), 0);
	as_fd3(fd);
	assert_int_equal(take(ntohs(sa.sin_port), &activated, err, sizeof(err)),
	                 0);
	assert_true(activated);
	/* On another port than the configuration's. */
	assert_int_equal(
	    take(ntohs(sa.sin_port) + 1, &activated, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "the configuration says"));
	close(3);

	/* An AF_UNIX stream socket that listens is not TCP. */
	struct sockaddr un = {.sa_family = AF_UNIX};
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	/* Only the family: the kernel picks an abstract name. */
	assert_int_equal(bind(fd, &un, sizeof(sa_family_t)), 0);
	assert_int_equal(listen(fd, 4), 0);
	as_fd3(fd);
	assert_int_equal(take(8080, &activated, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a listening TCP socket"));
	close(3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_named),
	    cmocka_unit_test(test_unnamed),
	    cmocka_unit_test(test_take),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
