/*
 * The log (src/log.c): levels, request bytes escaped so that a line stays
 * one line with no terminal escape in it, and the access line's exact
 * fields (nothing but them: no header or cookie can get in). While a test
 * logs, fds 1 and 2 go to temporary files that it reads back; cmocka
 * reports on the real ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

static FILE *out, *err;        /* where fds 1 and 2 go while capturing */
static int real_out, real_err; /* the real ones */

static void
capture(bool on)
{
	fflush(stdout);
	fflush(stderr);
	assert_true(dup2(on ? fileno(out) : real_out, STDOUT_FILENO) >= 0);
	assert_true(dup2(on ? fileno(err) : real_err, STDERR_FILENO) >= 0);
}

/* Everything written to f since the last call, NUL-terminated (static). */
static const char *
take(FILE *f)
{
	static char buf[16384];
	int fd = fileno(f);
	off_t end = lseek(fd, 0, SEEK_END);
	ssize_t n;

	capture(false);
	assert_true(end >= 0 && end < (off_t)sizeof(buf));
	n = pread(fd, buf, (size_t)end, 0);
	assert_int_equal(n, end);
	buf[n] = '\0';
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return buf;
}

static int
setup(void **state)
{
	(void)state;
	unsetenv("JOURNAL_STREAM");
	out = tmpfile();
	err = tmpfile();
	real_out = dup(STDOUT_FILENO);
	real_err = dup(STDERR_FILENO);
	return out == NULL || err == NULL || real_out < 0 || real_err < 0;
}

static void
test_levels(void **state)
{
	const char *s;

	(void)state;
	assert_int_equal(log_set_level("loud"), -1);
	assert_int_equal(log_set_level("warn"), 0);
	assert_true(log_enabled(LOG_ERR));
	assert_false(log_enabled(LOG_INFO));
	capture(true);
	log_info("not shown");
	log_warn("shown %d", 42);
	s = take(err);
	assert_null(strstr(s, "not shown"));
	assert_non_null(strstr(s, " blogd: warn: shown 42\n"));
	assert_int_equal(log_set_level("debug"), 0);
	capture(true);
	log_debug("now shown");
	assert_non_null(strstr(take(err), "blogd: debug: now shown\n"));
}

static void
test_message_escaping(void **state)
{
	char big[9000];
	const char *s;

	(void)state;
	capture(true);
	log_err("bad path %s", "/a\x1b[31m\r\nforged: line\xc3\xa9");
	s = take(err);
	/* One line: the newline, CR, ESC and UTF-8 bytes as \xHH. */
	assert_non_null(strstr(s, "bad path /a\\x1b[31m\\x0d\\x0aforged: "
	                          "line\\xc3\\xa9\n"));
	assert_ptr_equal(strchr(s, '\n'), s + strlen(s) - 1);
	assert_null(strchr(s, '\x1b'));
	/* A long message is cut, still one line. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	capture(true);
	log_err("%s", big);
	s = take(err);
	assert_true(strlen(s) < sizeof(big));
	assert_ptr_equal(strchr(s, '\n'), s + strlen(s) - 1);
}

static void
test_access_line(void **state)
{
	struct access_entry e = {
	    .client_ip = "192.0.2.7",
	    .method = "GET",
	    .target = "/p?q=\"a\\b\"\r\n\x7f",
	    .protocol = "HTTP/1.1",
	    .referer = NULL,
	    .user_agent = "curl/8 \"x\"",
	    .status = 404,
	    .bytes = 1234,
	    .duration_us = 56,
	    .stale = true,
	};
	const char *s, *date_end;

	(void)state;
	capture(true);
	log_access(&e);
	log_flush();
	s = take(out);
	assert_true(strncmp(s, "192.0.2.7 - - [", 15) == 0);
	date_end = strstr(s, " +0000] ");
	assert_non_null(date_end);
	/* Everything after the date, exactly: combined format, quotes and
	 * backslashes escaped, control bytes as \xHH, "-" for no referer,
	 * then the duration and the stale mark. */
	assert_string_equal(date_end + 8,
	                    "\"GET /p?q=\\\"a\\\\b\\\"\\x0d\\x0a\\x7f "
	                    "HTTP/1.1\" 404 1234 \"-\" \"curl/8 \\\"x\\\"\" 56 "
	                    "stale\n");
}

static void
test_access_bounds(void **state)
{
	static char target[5000];
	struct access_entry e = {.method = "GET", .target = target};
	const char *s;

	(void)state;
	memset(target, '/', sizeof(target) - 1);
	capture(true);
	log_access(&e);
	log_flush();
	s = take(out);
	/* No address, no protocol: "-"; the target cut at 2048 bytes. */
	assert_true(strncmp(s, "- - - [", 7) == 0);
	assert_true(strlen(s) < 2048 + 200);
	assert_non_null(strstr(s, "/ -\" 0 0 \"-\" \"-\" 0\n"));
	assert_ptr_equal(strchr(s, '\n'), s + strlen(s) - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_levels),
	    cmocka_unit_test(test_message_escaping),
	    cmocka_unit_test(test_access_line),
	    cmocka_unit_test(test_access_bounds),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
