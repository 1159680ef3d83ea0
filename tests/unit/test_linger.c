/*
 * The lingering close (src/http/linger.c): a socket handed over has its
 * sending side shut down at once, what the peer still sends is read and
 * dropped (so a peer writing far more than the socket buffers holds is not
 * cut off), and the socket is closed when the peer closes, when its time
 * is up, or when the linger thread stops. Sockets here are one end of a
 * socketpair; the test holds the other.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "http_internal.h"

#define DEADLINE_US 10000000ULL /* generous, for a loaded machine */

static struct http_linger *lg;

/* Whether fd is no longer open in this process. */
static bool
closed(int fd)
{
	return fcntl(fd, F_GETFD) == -1 && errno == EBADF;
}

/* Microseconds until fd is closed, or 0 when it stays open DEADLINE_US. */
static unsigned long long
wait_closed(int fd)
{
	unsigned long long t0 = clock_now_us();

	while (!closed(fd)) {
		if (clock_now_us() - t0 > DEADLINE_US)
			return 0;
		usleep(1000);
	}
	return clock_now_us() - t0 + 1;
}

/* A socketpair: pair[0] goes to the linger thread, pair[1] is the peer. */
static void
lingering_pair(int pair[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
	http_linger_add(lg, pair[0]);
}

static int
setup(void **state)
{
	(void)state;
	lg = http_linger_start();
	return lg != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	http_linger_stop(lg);
	return 0;
}

static void
test_peer_sends_then_closes(void **state)
{
	static char chunk[65536];
	struct timeval limit = {.tv_sec = 5}; /* a stuck send fails */
	size_t sent = 0;
	char c;
	int pair[2];

	(void)state;
	lingering_pair(pair);
	/* Our side is shut down: the peer reads the end at once. */
	assert_int_equal(read(pair[1], &c, 1), 0);
	/* Far more than the socket buffers hold: only a reader lets it
	 * through (without one the writes would block, or fail once
	 * closed). */
	memset(chunk, 'a', sizeof(chunk));
	assert_int_equal(
	    setsockopt(pair[1], SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit)),
	    0);
	while (sent < 8 * 1024 * 1024) {
		ssize_t n = send(pair[1], chunk, sizeof(chunk), MSG_NOSIGNAL);

		assert_true(n > 0);
		sent += (size_t)n;
	}
	assert_false(closed(pair[0]));
	close(pair[1]);
	assert_true(wait_closed(pair[0]) > 0);
}

static void
test_silent_peer_times_out(void **state)
{
	unsigned long long waited;
	int pair[2];

	(void)state;
	lingering_pair(pair);
	waited = wait_closed(pair[0]);
	/* LINGER_MS is 2 s; the thread looks at deadlines every 100 ms. */
	assert_true(waited > 1500000ULL);
	close(pair[1]);
}

static void
test_stop_closes_what_lingers(void **state)
{
	int pair[2];

	(void)state;
	lingering_pair(pair);
	http_linger_stop(lg);
	assert_true(closed(pair[0]));
	close(pair[1]);
	assert_non_null(lg = http_linger_start());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_peer_sends_then_closes),
	    cmocka_unit_test(test_silent_peer_times_out),
	    cmocka_unit_test(test_stop_closes_what_lingers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
