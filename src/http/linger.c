/*
 * Lingering close for plain HTTP, as nginx's lingering_close: a connection
 * blogd answers while the client is still sending its request (a body
 * announced over the limit is refused at the headers, a refused or
 * malformed request) is closed with bytes unread, and closing a TCP socket
 * with unread bytes sends a reset that can destroy the answer before the
 * client has read it (RFC 9112, 9.6). By the time MHD reports such a
 * connection closed it has sent the answer and shut down its sending
 * side; the socket is kept here (a duplicate of MHD's descriptor), what
 * the client still sends is read and dropped until it closes or
 * LINGER_MS pass, and only then is it closed. The TLS front lingers on
 * its own sockets (tls/front.c).
 *
 * Threads: http_linger_add runs on MHD threads; the rest on the linger
 * thread, which owns every socket handed to it. The lock guards socks.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "http_internal.h"
#include "log.h"
#include "xalloc.h"

#define LINGER_MS   2000
#define LINGER_MAX  64  /* sockets at once; beyond, closed at once */
#define LINGER_TICK 100 /* ms between looks at the deadlines */

struct http_linger {
	pthread_t thread;
	int epfd;
	int stop; /* eventfd: http_linger_stop wakes the thread */
	pthread_mutex_t lock;
	struct {
		int fd;
		unsigned long long until_ms;
	} socks[LINGER_MAX];
	size_t n;
};

/* Closes socks[i] and puts the last one in its place. Under the lock. */
static void
linger_drop(struct http_linger *lg, size_t i)
{
	(void)epoll_ctl(lg->epfd, EPOLL_CTL_DEL, lg->socks[i].fd, NULL);
	close(lg->socks[i].fd);
	lg->socks[i] = lg->socks[--lg->n];
}

/* Reads and drops what fd has, 1 MiB at most per turn so that a fast
 * sender cannot hold the thread; false once the client closed or failed. */
static bool
linger_read(int fd)
{
	char scratch[16384];
	ssize_t n = 0;

	for (int i = 0; i < 64; i++)
		if ((n = read(fd, scratch, sizeof(scratch))) <= 0)
			break;
	return n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
}

/* Drops the sockets whose client closed (fd) or whose time is up. */
static void
linger_sweep(struct http_linger *lg, int closed_fd)
{
	unsigned long long now = clock_now_us() / 1000;
	size_t i = 0;

	pthread_mutex_lock(&lg->lock);
	while (i < lg->n)
		if (lg->socks[i].fd == closed_fd ||
		    now >= lg->socks[i].until_ms)
			linger_drop(lg, i);
		else
			i++;
	pthread_mutex_unlock(&lg->lock);
}

static void *
linger_run(void *arg)
{
	struct http_linger *lg = arg;
	struct epoll_event ev[16];
	int i, n;

	for (;;) {
		n = epoll_wait(lg->epfd, ev, 16, LINGER_TICK);
		for (i = 0; i < n; i++) {
			if (ev[i].data.fd == lg->stop)
				return NULL;
			if (!linger_read(ev[i].data.fd))
				linger_sweep(lg, ev[i].data.fd);
		}
		linger_sweep(lg, -1);
	}
}

struct http_linger *
http_linger_start(void)
{
	struct http_linger *lg = xcalloc(1, sizeof(*lg));
	struct epoll_event ev = {.events = EPOLLIN};

	pthread_mutex_init(&lg->lock, NULL);
	lg->epfd = epoll_create1(EPOLL_CLOEXEC);
	lg->stop = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ev.data.fd = lg->stop;
	if (lg->epfd < 0 || lg->stop < 0 ||
	    epoll_ctl(lg->epfd, EPOLL_CTL_ADD, lg->stop, &ev) != 0 ||
	    pthread_create(&lg->thread, NULL, linger_run, lg) != 0) {
		/* Without it a refused body may cost its answer, no more. */
		log_warn("http: no lingering close: %s", strerror(errno));
		if (lg->epfd >= 0)
			close(lg->epfd);
		if (lg->stop >= 0)
			close(lg->stop);
		pthread_mutex_destroy(&lg->lock);
		free(lg);
		return NULL;
	}
	return lg;
}

void
http_linger_add(struct http_linger *lg, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP};
	int flags = fcntl(fd, F_GETFL);

	/* MHD shut down its side already; this makes sure of the FIN. */
	(void)shutdown(fd, SHUT_WR);
	ev.data.fd = fd;
	pthread_mutex_lock(&lg->lock);
	if (lg->n == LINGER_MAX || flags < 0 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0 ||
	    epoll_ctl(lg->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		pthread_mutex_unlock(&lg->lock);
		close(fd);
		return;
	}
	lg->socks[lg->n].fd = fd;
	lg->socks[lg->n].until_ms = clock_now_us() / 1000 + LINGER_MS;
	lg->n++;
	pthread_mutex_unlock(&lg->lock);
}

void
http_linger_stop(struct http_linger *lg)
{
	uint64_t one = 1;

	if (lg == NULL)
		return;
	if (write(lg->stop, &one, sizeof(one)) != sizeof(one))
		log_warn("http: cannot wake the linger thread: %s",
		         strerror(errno));
	pthread_join(lg->thread, NULL);
	while (lg->n > 0)
		linger_drop(lg, 0);
	close(lg->epfd);
	close(lg->stop);
	pthread_mutex_destroy(&lg->lock);
	free(lg);
}
