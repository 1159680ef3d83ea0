/*
 * The plain listener's own accept loop, when it expects PROXY headers
 * ([server] proxy_protocol = http or both): libmicrohttpd cannot read
 * bytes before HTTP, so one thread accepts, reads each connection's
 * header (at most handshake_timeout seconds, as a TLS handshake gets),
 * and hands the socket to the plain daemon with the client's address as
 * its peer (MHD_add_connection), so that every later step sees that
 * address. Garbage, an early close or the timeout close the connection
 * without an answer.
 *
 * Threads: everything here but http_acceptor_start/stop runs on the
 * acceptor's thread, which owns the listening socket and each waiting
 * connection (socket and budget slot) until MHD takes it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <microhttpd.h>

#include "clock.h"
#include "config.h"
#include "conns.h"
#include "http_internal.h"
#include "log.h"
#include "proxy.h"
#include "xalloc.h"

#define ACCEPT_EVENTS 64
#define ACCEPT_BATCH  64 /* connections taken per wake-up */

/* A connection whose PROXY header has not come in full yet. */
struct waiting {
	int fd;
	struct conn_slot *slot;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	unsigned long long deadline_us;
	struct waiting *prev, *next; /* in deadline order */
};

struct http_acceptor {
	const struct config *cfg;
	struct conns *conns;
	struct MHD_Daemon *d;
	int listen_fd, epfd, stop_fd;
	pthread_t tid;
	struct waiting *head, *tail;
};

static void
waiting_unlink(struct http_acceptor *a, struct waiting *w)
{
	if (w->prev != NULL)
		w->prev->next = w->next;
	else
		a->head = w->next;
	if (w->next != NULL)
		w->next->prev = w->prev;
	else
		a->tail = w->prev;
}

/* Closes a connection that never got to MHD. */
static void
waiting_drop(struct http_acceptor *a, struct waiting *w, const char *why)
{
	log_debug("http: PROXY header: %s, closing", why);
	waiting_unlink(a, w);
	conns_close(a->conns, w->slot);
	close(w->fd);
	free(w);
}

/* The header is in: the connection goes to MHD as the client's. */
static void
waiting_handoff(struct http_acceptor *a, struct waiting *w,
                const struct proxy_header *h)
{
	struct sockaddr_storage client = w->peer;
	socklen_t len = w->peerlen;

	if (h->has_addr)
		len = net_addr_to_sockaddr(&h->addr, h->port, &client);
	if (!conns_readdress(
	        a->conns, w->slot, (struct sockaddr *)&client,
	        !proxy_trusted(a->cfg, (struct sockaddr *)&client))) {
		waiting_drop(a, w, "client over per_ip_connections");
		return;
	}
	waiting_unlink(a, w);
	epoll_ctl(a->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	/* MHD's connection callback takes the slot (server.c); MHD owns fd
	 * from here on and closes it itself when it fails. */
	conns_bind(a->conns, w->fd, w->slot);
	if (MHD_add_connection(a->d, w->fd, (struct sockaddr *)&client, len) !=
	    MHD_YES) {
		log_warn("http: cannot add a connection: %s", strerror(errno));
		conns_unbind(a->conns, w->fd, w->slot);
		conns_close(a->conns, w->slot);
	} else {
		conns_put(a->conns, w->slot);
	}
	free(w);
}

static void
waiting_read(struct http_acceptor *a, struct waiting *w)
{
	struct proxy_header h;

	switch (proxy_header_read(w->fd, &h)) {
	case PROXY_MORE:
		return;
	case PROXY_BAD:
		waiting_drop(a, w, "not a header");
		return;
	case PROXY_DONE:
		waiting_handoff(a, w, &h);
		return;
	}
}

static void
accept_one(struct http_acceptor *a, int fd, const struct sockaddr_storage *ss,
           socklen_t sl)
{
	const struct sockaddr *peer = (const struct sockaddr *)ss;
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET};
	struct waiting *w;
	struct conn_slot *slot;

	/* Before the header, the peer is a balancer: counted in
	 * max_connections only; the header then names the client. */
	if (!proxy_peer_allowed(a->cfg, peer) ||
	    (slot = conns_admit(a->conns, fd, peer, false)) == NULL) {
		close(fd);
		return;
	}
	w = xcalloc(1, sizeof(*w));
	w->fd = fd;
	w->slot = slot;
	w->peer = *ss;
	w->peerlen = sl;
	w->deadline_us =
	    clock_now_us() +
	    (unsigned long long)a->cfg->server.handshake_timeout * 1000000ULL;
	w->prev = a->tail;
	if (a->tail != NULL)
		a->tail->next = w;
	else
		a->head = w;
	a->tail = w;
	ev.data.ptr = w;
	if (epoll_ctl(a->epfd, EPOLL_CTL_ADD, fd, &ev) == -1)
		waiting_drop(a, w, strerror(errno));
	/* Adding reports data that came already: no read here. */
}

static void
accept_batch(struct http_acceptor *a)
{
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(a->listen_fd, (struct sockaddr *)&ss, &sl,
		                 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			accept_one(a, fd, &ss, sl);
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			return;
		} else if (errno != EINTR && errno != ECONNABORTED) {
			/* Out of descriptors: the timeouts free some. */
			log_warn("http: accept: %s", strerror(errno));
			usleep(10000);
			return;
		}
	}
}

static int
accept_timeout(const struct http_acceptor *a)
{
	unsigned long long now = clock_now_us();

	if (a->head == NULL)
		return -1;
	if (a->head->deadline_us <= now)
		return 0;
	return (int)((a->head->deadline_us - now) / 1000) + 1;
}

static void *
accept_main(void *arg)
{
	struct http_acceptor *a = arg;
	struct epoll_event evs[ACCEPT_EVENTS];

	for (;;) {
		int n =
		    epoll_wait(a->epfd, evs, ACCEPT_EVENTS, accept_timeout(a));

		if (n == -1 && errno != EINTR) {
			log_err("http: epoll_wait: %s", strerror(errno));
			return NULL;
		}
		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr == &a->stop_fd)
				return NULL;
			if (evs[i].data.ptr == &a->listen_fd)
				accept_batch(a);
			else
				waiting_read(a, evs[i].data.ptr);
		}
		while (a->head != NULL &&
		       a->head->deadline_us <= clock_now_us())
			waiting_drop(a, a->head, "timed out");
	}
}

static void
acceptor_free(struct http_acceptor *a)
{
	while (a->head != NULL)
		waiting_drop(a, a->head, "stopping");
	if (a->epfd != -1)
		close(a->epfd);
	if (a->stop_fd != -1)
		close(a->stop_fd);
	close(a->listen_fd);
	free(a);
}

int
http_acceptor_start(struct http_acceptor **out, const struct config *cfg,
                    struct conns *conns, struct MHD_Daemon *d, int listen_fd,
                    char *err, size_t errlen)
{
	struct http_acceptor *a = xcalloc(1, sizeof(*a));
	struct epoll_event ls = {.events = EPOLLIN, .data.ptr = &a->listen_fd};
	struct epoll_event st = {.events = EPOLLIN, .data.ptr = &a->stop_fd};
	int rc;

	a->cfg = cfg;
	a->conns = conns;
	a->d = d;
	a->listen_fd = listen_fd;
	a->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	a->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (a->stop_fd == -1 || a->epfd == -1 ||
	    epoll_ctl(a->epfd, EPOLL_CTL_ADD, listen_fd, &ls) == -1 ||
	    epoll_ctl(a->epfd, EPOLL_CTL_ADD, a->stop_fd, &st) == -1) {
		snprintf(err, errlen, "server: PROXY listener: %s",
		         strerror(errno));
		acceptor_free(a);
		return -1;
	}
	if ((rc = pthread_create(&a->tid, NULL, accept_main, a)) != 0) {
		snprintf(err, errlen, "server: cannot start a thread: %s",
		         strerror(rc));
		acceptor_free(a);
		return -1;
	}
	*out = a;
	return 0;
}

void
http_acceptor_stop(struct http_acceptor *a)
{
	uint64_t one = 1;

	if (a == NULL)
		return;
	if (write(a->stop_fd, &one, sizeof(one)) == -1)
		log_err("http: cannot stop the PROXY listener: %s",
		        strerror(errno));
	pthread_join(a->tid, NULL);
	acceptor_free(a);
}
