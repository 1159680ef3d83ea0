/* Unit tests for src/util/notify.c: the watchdog variables, and datagrams
 * to a socket bound here (a file path and an abstract name). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "notify.h"

static void
test_watchdog_parse(void **state)
{
	uint64_t usec = 7;

	(void)state;
	assert_true(notify_watchdog_parse("30000000", NULL, 42, &usec));
	assert_int_equal(usec, 30000000);
	assert_true(notify_watchdog_parse("5", "42", 42, &usec));
	assert_int_equal(usec, 5);
	usec = 7;
	/* Meant for another process (a child inherited the variables). */
	assert_false(notify_watchdog_parse("5", "41", 42, &usec));
	assert_false(notify_watchdog_parse(NULL, "42", 42, &usec));
	assert_false(notify_watchdog_parse("", NULL, 42, &usec));
	assert_false(notify_watchdog_parse("0", NULL, 42, &usec));
	assert_false(notify_watchdog_parse("-5", NULL, 42, &usec));
	assert_false(notify_watchdog_parse(" 5", NULL, 42, &usec));
	assert_false(notify_watchdog_parse("5s", NULL, 42, &usec));
	assert_false(
	    notify_watchdog_parse("99999999999999999999", NULL, 42, &usec));
	assert_false(notify_watchdog_parse("5", "", 42, &usec));
	assert_false(notify_watchdog_parse("5", "42x", 42, &usec));
	assert_int_equal(usec, 7); /* untouched when false */
}

/* A datagram socket bound to path ('@' = abstract); returns its fd. */
static int
listen_at(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t n = strlen(path);
	socklen_t len;
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	memcpy(sa.sun_path, path, n);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, len), 0);
	return fd;
}

static void
expect_datagram(int fd, const char *want)
{
	char got[256];
	ssize_t n = recv(fd, got, sizeof(got) - 1, MSG_DONTWAIT);

	assert_true(n >= 0);
	got[n] = '\0';
	assert_string_equal(got, want);
}

static void
test_send_path(void **state)
{
	char dir[] = "/tmp/blogd-notify-XXXXXX", path[64];
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify.sock", dir);
	fd = listen_at(path);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(notify_send("READY=1\nSTATUS=serving"), 1);
	expect_datagram(fd, "READY=1\nSTATUS=serving");
	close(fd);
	unlink(path);
	rmdir(dir);
	/* Nobody listening any more: an error, not a crash or a hang. */
	assert_true(notify_send("WATCHDOG=1") < 0);
}

static void
test_send_abstract(void **state)
{
	char name[64];
	int fd;

	(void)state;
	snprintf(name, sizeof(name), "@blogd-notify-test-%ld", (long)getpid());
	fd = listen_at(name);
	setenv("NOTIFY_SOCKET", name, 1);
	assert_int_equal(notify_send("STOPPING=1"), 1);
	expect_datagram(fd, "STOPPING=1");
	close(fd);
}

static void
test_send_unset_or_bad(void **state)
{
	char longpath[200];

	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(notify_send("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	assert_int_equal(notify_send("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "relative/notify", 1);
	assert_true(notify_send("READY=1") < 0);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	setenv("NOTIFY_SOCKET", longpath, 1);
	assert_true(notify_send("READY=1") < 0);
	unsetenv("NOTIFY_SOCKET");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_watchdog_parse),
	    cmocka_unit_test(test_send_path),
	    cmocka_unit_test(test_send_abstract),
	    cmocka_unit_test(test_send_unset_or_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
