/*
 * The HTTPS front (include/tls_front.h).
 *
 * server.tls_threads threads (0: one per core; one thread alone cannot
 * keep up with keep-alive traffic on two cores) each run an edge-triggered
 * epoll loop. They share one listening socket, registered with
 * EPOLLEXCLUSIVE so that a new connection wakes one of them. A connection
 * stays on the thread that accepted it: its struct front_conn, its TLS
 * connection, its timer and its two sockets are owned by that thread alone
 * and touched by no other. Shared between threads: the current TLS server
 * context (front->lock), the session-ticket context (it locks itself), the
 * connection budget (conns, with its own lock) and the counters
 * (atomics).
 *
 * A connection goes: accept → PROXY header when [server] proxy_protocol
 * says so (read before any TLS byte; include/proxy.h) → TLS handshake
 * (one deadline of handshake_timeout for both) →
 * socketpair, one end handed to libmicrohttpd with the client's address →
 * bytes pumped both ways (decrypted TLS → pair; pair → TLS records) →
 * close_notify and a short lingering read when MHD closes its end.
 *
 * The MHD side is this thread's too: each thread runs its own daemon
 * (http_server_tls_run) after every batch of events that gave it input,
 * when the daemon's epoll fd turns readable (MHD 1.0 also signals a
 * worker's resume there), and for its timeouts. So a request's
 * bytes are decrypted, parsed, answered and encrypted by one thread.
 */
#include "tls_front.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "config.h"
#include "conns.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "proxy.h"
#include "tls.h"
#include "xalloc.h"

#define FRONT_EVENTS          64
#define FRONT_CHUNK           (64 * 1024) /* bytes moved per read */
#define FRONT_ACCEPT_PAUSE_MS 100         /* after EMFILE and friends */
#define FRONT_LINGER_MS       2000        /* reading after our close_notify */

/* epoll data: a connection pointer with the socket in its low bit (they
 * are at least 8-aligned), or one of these, which no pointer can be. */
#define EV_TCP    0u
#define EV_PAIR   1u
#define EV_LISTEN 2u
#define EV_STOP   4u
#define EV_MHD    8u /* this thread's HTTP daemon has work */

static atomic_ullong front_full, front_resumed, front_failed, front_open;

struct front_conn;

/* Connections whose deadlines are "pushed at + ms": a FIFO is sorted. */
struct timer_list {
	struct front_conn *head, *tail;
	uint64_t ms;
};

enum conn_state { CONN_PROXY, CONN_HANDSHAKE, CONN_OPEN, CONN_LINGER };

struct front_conn {
	struct front_thread *t;
	struct tls_conn *tls; /* NULL until the handshake starts */
	int tcp;              /* owned */
	int pair;             /* owned: our end of the socketpair, or -1 */
	int mhd;              /* owned: MHD's end until handed over, or -1 */
	enum conn_state state;
	/* May read / write without EAGAIN: set by epoll events, cleared when
	 * a call would block (edge-triggered). */
	bool tcp_rd, tcp_wr, pair_rd, pair_wr;
	bool pair_out;  /* EPOLLOUT is watched on the pair */
	bool pair_hup;  /* MHD's EOF is queued behind its data */
	bool tls_done;  /* the client finished sending: pair shut for writing */
	bool pair_done; /* MHD closed: close_notify queued */
	bool up_dead;   /* MHD takes no more input */
	bool mhd_reset; /* MHD closed with input unread */
	bool dead;      /* sockets closed; freed after this event batch */
	struct buf up;  /* plaintext for MHD not yet written, from up_off */
	size_t up_off;
	struct sockaddr_storage peer; /* the client's: a PROXY header's */
	socklen_t peerlen;
	struct conn_slot *slot; /* in the budget (conns.h), until closed */
	struct timer_list *timer;
	struct front_conn *prev, *next; /* in timer */
	uint64_t deadline;
	struct front_conn *dead_next;
};

struct front_thread {
	struct tls_front *front;
	unsigned slot; /* this thread's slot in the TLS server contexts */
	pthread_t tid;
	bool started;
	/* Held while accepting: tls_front_quiesce waits for it, so that
	 * none is accepted once it returns. */
	pthread_mutex_t accepting_lock;
	int epfd;
	/* The HTTP daemon of this slot (http_server_tls_run): due when it
	 * was given work or has some, and at mhd_at for its timeouts. */
	bool mhd_due;
	uint64_t mhd_at;
	bool accepting; /* the listener is in this epoll */
	uint64_t accept_resume;
	struct timer_list handshake, idle, linger;
	struct front_conn *dead;
	unsigned char scratch[FRONT_CHUNK];
};

struct tls_front {
	const struct config *cfg;
	struct conns *conns;      /* the budget, shared with plain HTTP */
	struct http_server *http; /* its TLS daemons; set by tls_front_run */
	int listen_fd;
	/* The service manager passed listen_fd (socket activation): it
	 * keeps its own copy and the backlog outlives this process, so
	 * quiescing must not shut the socket down. */
	bool listen_inherited;
	int stop_fd;           /* eventfd, readable once stopping */
	atomic_bool quiescing; /* listener shut down: take no new connections */
	pthread_mutex_t lock;  /* guards current */
	struct tls_server *current;
	/* Owned; outlives every server context, which all use it: a reload
	 * keeps the ticket keys. */
	struct tls_tickets *tickets;
	unsigned nthreads;
	struct front_thread *threads; /* nthreads */
};

static uint64_t
front_now_ms(void)
{
	return clock_now_us() / 1000;
}

static void
timer_remove(struct front_conn *c)
{
	struct timer_list *l = c->timer;

	if (l == NULL)
		return;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		l->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		l->tail = c->prev;
	c->prev = c->next = NULL;
	c->timer = NULL;
}

static void
timer_push(struct timer_list *l, struct front_conn *c, uint64_t now)
{
	timer_remove(c);
	c->deadline = now + l->ms;
	c->timer = l;
	c->prev = l->tail;
	if (l->tail != NULL)
		l->tail->next = c;
	else
		l->head = c;
	l->tail = c;
}

static const char *
front_peer(const struct front_conn *c, char *buf, size_t len)
{
	const void *a =
	    c->peer.ss_family == AF_INET6
	        ? (const void *)&((const struct sockaddr_in6 *)&c->peer)
	              ->sin6_addr
	        : (const void *)&((const struct sockaddr_in *)&c->peer)
	              ->sin_addr;

	if (inet_ntop(c->peer.ss_family, a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

/* Closes both sockets now; the memory waits for the end of the batch, as
 * later events of the same batch may still point at it. */
static void
conn_close(struct front_conn *c)
{
	if (c->dead)
		return;
	c->dead = true;
	timer_remove(c);
	/* Before the close: another thread may shutdown() c->tcp to make
	 * room (conns.h) until the budget lets go of it. */
	conns_close(c->t->front->conns, c->slot);
	close(c->tcp);
	if (c->pair != -1)
		close(c->pair);
	if (c->mhd != -1)
		close(c->mhd);
	c->dead_next = c->t->dead;
	c->t->dead = c;
}

static void
conn_free(struct front_conn *c)
{
	tls_conn_free(c->tls);
	buf_free(&c->up);
	atomic_fetch_sub(&front_open, 1);
	free(c);
}

static void
conn_fail(struct front_conn *c, const char *what)
{
	if (log_enabled(LOG_DEBUG)) {
		char peer[INET6_ADDRSTRLEN], why[160] = "before TLS";
		if (c->tls != NULL)
			tls_conn_strerror(c->tls, why, sizeof(why));
		log_debug("https: %s: %s: %s",
		          front_peer(c, peer, sizeof(peer)), what, why);
	}
	conn_close(c);
}

/*
 * The pair's EPOLLOUT is watched only while plaintext waits for room in it:
 * a unix socket raises that edge every time MHD reads, which would wake
 * this thread for nothing after every request. Returns false when the
 * connection was closed.
 */
static bool
conn_watch_pair(struct front_conn *c, bool out)
{
	struct epoll_event ev = {
	    .events = EPOLLIN | EPOLLRDHUP | EPOLLET | (out ? EPOLLOUT : 0u),
	    .data.u64 = (uintptr_t)c | EV_PAIR,
	};

	if (c->pair_out == out)
		return true;
	/* Re-arming an edge-triggered watch reports room that came before
	 * it, so no wake-up is lost between EAGAIN and here. */
	if (epoll_ctl(c->t->epfd, EPOLL_CTL_MOD, c->pair, &ev) == -1) {
		log_warn("https: epoll_ctl: %s", strerror(errno));
		conn_close(c);
		return false;
	}
	c->pair_out = out;
	return true;
}

/* Writes plaintext to MHD; what the pair does not take waits in c->up.
 * Returns false when the connection was closed. */
static bool
conn_to_pair(struct front_conn *c, const unsigned char *p, size_t len)
{
	while (len > 0 && c->pair_wr && !c->up_dead) {
		ssize_t r = send(c->pair, p, len, MSG_NOSIGNAL);
		if (r > 0) {
			p += r;
			len -= (size_t)r;
			c->t->mhd_due = true;
		} else if (r == -1 && errno == EAGAIN) {
			c->pair_wr = false;
		} else if (r == -1 && errno != EINTR) {
			/* MHD closed its end; its EOF follows on the read side.
			 */
			c->up_dead = true;
		}
	}
	if (len == 0 || c->up_dead)
		return true;
	buf_append(&c->up, p, len);
	return conn_watch_pair(c, true);
}

static bool
conn_up_pending(const struct front_conn *c)
{
	return c->up.len > c->up_off && !c->up_dead;
}

/* Client → MHD. Returns false when the connection was closed. */
static bool
conn_up(struct front_conn *c)
{
	unsigned char *scratch = c->t->scratch;

	if (conn_up_pending(c)) {
		size_t off = c->up_off, len = c->up.len - off;
		struct buf old = c->up;
		buf_init(&c->up);
		c->up_off = 0;
		bool open =
		    conn_to_pair(c, (unsigned char *)old.data + off, len);
		buf_free(&old);
		if (!open)
			return false;
	}
	if (!conn_up_pending(c) && !conn_watch_pair(c, false))
		return false;
	while (!conn_up_pending(c) && !c->up_dead && !c->tls_done &&
	       c->tcp_rd) {
		enum tls_status st = TLS_OK;
		size_t fill = 0, n;
		while (fill < FRONT_CHUNK &&
		       (st = tls_conn_read(c->tls, scratch + fill,
		                           FRONT_CHUNK - fill, &n)) == TLS_OK)
			fill += n;
		if (!conn_to_pair(c, scratch, fill))
			return false;
		if (st == TLS_WANT_READ) {
			c->tcp_rd = false;
		} else if (st == TLS_CLOSED) {
			/* Half-close: MHD sees EOF and answers what it has. */
			c->tls_done = true;
			(void)shutdown(c->pair, SHUT_WR);
		} else if (st == TLS_ERROR) {
			conn_fail(c, "read");
			return false;
		}
	}
	return true;
}

/* MHD → client: records are kept until the socket takes them, and the pair
 * is not read while any wait. Returns false when the connection closed. */
static bool
conn_down(struct front_conn *c)
{
	for (;;) {
		if (tls_conn_unsent(c->tls) > 0) {
			if (!c->tcp_wr)
				return true;
			enum tls_status st = tls_conn_flush(c->tls);
			if (st == TLS_WANT_WRITE) {
				c->tcp_wr = false;
				return true;
			}
			if (st == TLS_ERROR) {
				conn_fail(c, "write");
				return false;
			}
		}
		if (c->pair_done || !c->pair_rd)
			return true;
		ssize_t r = recv(c->pair, c->t->scratch, FRONT_CHUNK, 0);
		if (r > 0) {
			/* A short read emptied the socket; more data raises a
			 * new edge. Saves the EAGAIN read per response. An EOF
			 * that came with the data raises none: read on. */
			if ((size_t)r < FRONT_CHUNK && !c->pair_hup)
				c->pair_rd = false;
			if (tls_conn_write(c->tls, c->t->scratch, (size_t)r) !=
			    TLS_OK) {
				conn_fail(c, "encrypt");
				return false;
			}
		} else if (r == -1 && errno == EAGAIN) {
			c->pair_rd = false;
		} else if (r == 0 || errno != EINTR) {
			/* MHD is done with the connection; a reset says it
			 * left some of the client's bytes unread. */
			c->mhd_reset = r == -1 && errno == ECONNRESET;
			c->pair_done = true;
			if (tls_conn_close_notify(c->tls) != TLS_OK) {
				conn_fail(c, "close_notify");
				return false;
			}
		}
	}
}

/* Lingering: after our close_notify went out, the client's last bytes are
 * read and dropped so that close() sends no RST that could destroy the
 * response before the client read it. */
static void
conn_linger(struct front_conn *c)
{
	while (c->tcp_rd) {
		ssize_t r = recv(c->tcp, c->t->scratch, FRONT_CHUNK, 0);
		if (r > 0 || (r == -1 && errno == EINTR))
			continue;
		if (r == -1 && errno == EAGAIN) {
			c->tcp_rd = false;
			return;
		}
		conn_close(c);
		return;
	}
}

/*
 * MHD closed and our close_notify is out. As nginx's "lingering_close
 * auto": only a client that may still be sending (MHD left some of its
 * bytes unread, or more are waiting) gets the lingering read. One that
 * closed first or sent nothing more is closed at once: no RST can follow,
 * and a wake-up and two system calls per connection are saved.
 */
static void
conn_finish(struct front_conn *c, uint64_t now)
{
	close(c->pair);
	c->pair = -1;
	if (c->tls_done || (!c->tcp_rd && !c->up_dead && !c->mhd_reset &&
	                    !conn_up_pending(c))) {
		conn_close(c);
		return;
	}
	(void)shutdown(c->tcp, SHUT_WR);
	/* Only the socket is read from now on: give the memory back. */
	tls_conn_free(c->tls);
	c->tls = NULL;
	buf_free(&c->up);
	c->state = CONN_LINGER;
	timer_push(&c->t->linger, c, now);
	conn_linger(c);
}

static void
conn_pump(struct front_conn *c, uint64_t now)
{
	if (!conn_up(c) || !conn_down(c))
		return;
	if (c->pair_done && tls_conn_unsent(c->tls) == 0) {
		conn_finish(c, now);
		return;
	}
	/* Back to epoll: not before, or a large response would regrow its
	 * buffer for every FRONT_CHUNK it moves. */
	tls_conn_trim(c->tls);
	timer_push(&c->t->idle, c, now);
}

/* The plaintext side: c->pair for us, c->mhd for libmicrohttpd. */
static int
conn_pair_open(struct front_conn *c)
{
	struct epoll_event ev = {
	    .events = EPOLLIN | EPOLLRDHUP | EPOLLET,
	    .data.u64 = (uintptr_t)c | EV_PAIR,
	};
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	               sv) == -1) {
		log_warn("https: socketpair: %s", strerror(errno));
		return -1;
	}
	c->pair = sv[0];
	c->mhd = sv[1];
	if (epoll_ctl(c->t->epfd, EPOLL_CTL_ADD, c->pair, &ev) == -1) {
		log_warn("https: epoll_ctl: %s", strerror(errno));
		return -1;
	}
	c->pair_wr = true;
	return 0;
}

/* Gives MHD its end of the pair; also once the front quiesces: a client
 * accepted before then gets its answer while the HTTP layer drains (its
 * slot's daemon lives until tls_front_stop has ended this thread). */
static int
conn_handoff(struct front_conn *c)
{
	struct front_thread *t = c->t;
	int fd = c->mhd, rc;

	c->mhd = -1;
	/* MHD's side counts requests against c's slot (busy/idle). */
	conns_bind(t->front->conns, fd, c->slot);
	rc = http_server_add_tls_connection(t->front->http, t->slot, fd,
	                                    (struct sockaddr *)&c->peer,
	                                    c->peerlen); /* takes fd */
	if (rc == -1)
		conns_unbind(t->front->conns, fd, c->slot);
	t->mhd_due = true;
	return rc;
}

static void
conn_handshake(struct front_conn *c, uint64_t now)
{
	switch (tls_conn_handshake(c->tls)) {
	case TLS_WANT_READ:
		return;
	case TLS_WANT_WRITE:
		c->tcp_wr = false;
		return;
	case TLS_OK:
		break;
	default:
		atomic_fetch_add(&front_failed, 1);
		conn_fail(c, "handshake");
		return;
	}
	atomic_fetch_add(
	    tls_conn_resumed(c->tls) ? &front_resumed : &front_full, 1);
	c->state = CONN_OPEN;
	if (conn_pair_open(c) == -1) {
		conn_close(c);
		return;
	}
	/* The client may have sent its request right behind Finished. It
	 * goes into the pair before MHD learns of the connection, so MHD's
	 * thread finds it on its first wake-up instead of waking twice. */
	c->tcp_rd = true;
	if (!conn_up(c))
		return;
	if (conn_handoff(c) == -1) {
		conn_close(c);
		return;
	}
	conn_pump(c, now);
}

/* The TLS handshake begins, with the certificate in service now. */
static void
conn_tls_start(struct front_conn *c, uint64_t now)
{
	struct tls_front *f = c->t->front;
	struct tls_server *srv;
	char addr[INET6_ADDRSTRLEN];

	pthread_mutex_lock(&f->lock);
	if ((srv = f->current) != NULL)
		tls_server_ref(srv);
	pthread_mutex_unlock(&f->lock);
	if (srv == NULL) {
		/* [acme] before its first certificate: nothing to offer. */
		log_debug("https: %s: no certificate yet",
		          front_peer(c, addr, sizeof(addr)));
		conn_close(c);
		return;
	}
	c->tls = tls_conn_new(srv, c->t->slot, c->tcp); /* its own reference */
	tls_server_unref(srv);
	if (c->tls == NULL) {
		log_warn("https: out of memory for a TLS connection");
		conn_close(c);
		return;
	}
	c->state = CONN_HANDSHAKE;
	conn_handshake(c, now);
}

/* The PROXY header, before any TLS byte: the client becomes the one it
 * names (the address MHD gets, and the budget counts it against). */
static void
conn_proxy(struct front_conn *c, uint64_t now)
{
	const struct config *cfg = c->t->front->cfg;
	struct proxy_header h;

	switch (proxy_header_read(c->tcp, &h)) {
	case PROXY_MORE:
		c->tcp_rd = false;
		return;
	case PROXY_BAD:
		conn_fail(c, "PROXY header");
		return;
	case PROXY_DONE:
		break;
	}
	if (h.has_addr)
		c->peerlen = net_addr_to_sockaddr(&h.addr, h.port, &c->peer);
	if (!conns_readdress(
	        c->t->front->conns, c->slot, (struct sockaddr *)&c->peer,
	        !proxy_trusted(cfg, (struct sockaddr *)&c->peer))) {
		conn_fail(c, "client over per_ip_connections");
		return;
	}
	conn_tls_start(c, now);
}

static void
conn_run(struct front_conn *c, uint64_t now)
{
	switch (c->state) {
	case CONN_PROXY:
		conn_proxy(c, now);
		break;
	case CONN_HANDSHAKE:
		conn_handshake(c, now);
		break;
	case CONN_OPEN:
		conn_pump(c, now);
		break;
	case CONN_LINGER:
		conn_linger(c);
		break;
	}
}

static void
front_conn_new(struct front_thread *t, int fd,
               const struct sockaddr_storage *peer, socklen_t peerlen)
{
	struct tls_front *f = t->front;
	const struct sockaddr *sa = (const struct sockaddr *)peer;
	bool proxy = proxy_expected(f->cfg, true);
	struct front_conn *c;
	char addr[INET6_ADDRSTRLEN];

	if (proxy && !proxy_peer_allowed(f->cfg, sa)) {
		close(fd); /* a PROXY header only from trusted_proxies */
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->t = t;
	c->tcp = fd;
	c->pair = c->mhd = -1;
	c->peer = *peer;
	c->peerlen = peerlen;
	buf_init(&c->up);
	/* A balancer carries many clients: until its PROXY header names
	 * one, and a trusted proxy at all, counts in max_connections only. */
	c->slot =
	    conns_admit(f->conns, fd, sa, !proxy && !proxy_trusted(f->cfg, sa));
	if (c->slot == NULL) {
		log_debug("https: %s: over the connection budget",
		          front_peer(c, addr, sizeof(addr)));
		close(fd);
		free(c);
		return;
	}
	atomic_fetch_add(&front_open, 1);
	struct epoll_event ev = {
	    .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
	    .data.u64 = (uintptr_t)c | EV_TCP,
	};
	if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, fd, &ev) == -1) {
		log_warn("https: epoll_ctl: %s", strerror(errno));
		conns_close(f->conns, c->slot);
		close(fd);
		conn_free(c);
		return;
	}
	c->tcp_rd = c->tcp_wr = true;
	uint64_t now = front_now_ms();
	timer_push(&t->handshake, c, now);
	c->state = proxy ? CONN_PROXY : CONN_HANDSHAKE;
	if (proxy)
		conn_proxy(c, now);
	else
		conn_tls_start(c, now);
}

/* One connection per readiness event: the listener is level-triggered, so
 * epoll reports it again while more wait, and the accept4() that would
 * only say EAGAIN after each connection is saved. */
static void
front_accept(struct front_thread *t)
{
	struct tls_front *f = t->front;
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd;

	pthread_mutex_lock(&t->accepting_lock);
	do {
		sl = sizeof(ss);
		fd = atomic_load(&f->quiescing)
		         ? -1
		         : accept4(f->listen_fd, (struct sockaddr *)&ss, &sl,
		                   SOCK_NONBLOCK | SOCK_CLOEXEC);
	} while (fd == -1 && !atomic_load(&f->quiescing) &&
	         (errno == EINTR || errno == ECONNABORTED || errno == EPROTO));
	pthread_mutex_unlock(&t->accepting_lock);
	if (fd != -1) {
		front_conn_new(t, fd, &ss, sl);
		return;
	}
	if (atomic_load(&f->quiescing)) {
		/* tls_front_quiesce: the connections still waiting are for
		 * the next process (socket activation), or refused. */
		epoll_ctl(t->epfd, EPOLL_CTL_DEL, f->listen_fd, NULL);
		t->accepting = false;
		t->accept_resume = UINT64_MAX;
		return;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return;
	/* Out of descriptors or memory: the listener would wake us in a busy
	 * loop, so leave it alone for a moment. */
	log_warn("https: accept: %s; pausing for %d ms", strerror(errno),
	         FRONT_ACCEPT_PAUSE_MS);
	if (epoll_ctl(t->epfd, EPOLL_CTL_DEL, f->listen_fd, NULL) == 0) {
		t->accepting = false;
		t->accept_resume = front_now_ms() + FRONT_ACCEPT_PAUSE_MS;
	}
}

static int
front_watch_listener(struct front_thread *t)
{
	struct epoll_event ev = {
	    .events = EPOLLIN | EPOLLEXCLUSIVE,
	    .data.u64 = EV_LISTEN,
	};

	if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, t->front->listen_fd, &ev) == -1)
		return -1;
	t->accepting = true;
	return 0;
}

static void
front_expire(struct front_thread *t, uint64_t now)
{
	struct front_conn *c;

	while ((c = t->handshake.head) != NULL && c->deadline <= now) {
		if (c->state == CONN_HANDSHAKE)
			atomic_fetch_add(&front_failed, 1);
		conn_fail(c, "handshake timed out");
	}
	while ((c = t->idle.head) != NULL && c->deadline <= now) {
		/* Best effort: say goodbye if the socket takes it now. */
		if (tls_conn_close_notify(c->tls) == TLS_OK)
			tls_conn_flush(c->tls);
		conn_close(c);
	}
	while ((c = t->linger.head) != NULL && c->deadline <= now)
		conn_close(c);
	if (!t->accepting && now >= t->accept_resume &&
	    !atomic_load(&t->front->quiescing) && front_watch_listener(t) == -1)
		t->accept_resume = now + FRONT_ACCEPT_PAUSE_MS;
}

static int
front_timeout(const struct front_thread *t, uint64_t now)
{
	const struct timer_list *lists[] = {&t->handshake, &t->idle,
	                                    &t->linger};
	uint64_t next = UINT64_MAX;

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (lists[i]->head != NULL && lists[i]->head->deadline < next)
			next = lists[i]->head->deadline;
	if (!t->accepting && t->accept_resume < next)
		next = t->accept_resume;
	if (t->mhd_at < next)
		next = t->mhd_at;
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)(next - now);
}

static void
front_reap(struct front_thread *t)
{
	while (t->dead != NULL) {
		struct front_conn *c = t->dead;
		t->dead = c->dead_next;
		conn_free(c);
	}
}

static void
front_close_all(struct front_thread *t)
{
	struct timer_list *lists[] = {&t->handshake, &t->idle, &t->linger};

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		while (lists[i]->head != NULL)
			conn_close(lists[i]->head);
	front_reap(t);
}

/* Lets this slot's HTTP daemon read what the batch wrote to it and
 * answer: after the batch, so that one run serves every connection. */
static void
front_run_http(struct front_thread *t)
{
	int ms;

	if (!t->mhd_due && front_now_ms() < t->mhd_at)
		return;
	t->mhd_due = false;
	ms = http_server_tls_run(t->front->http, t->slot);
	t->mhd_at = ms < 0 ? UINT64_MAX : front_now_ms() + (uint64_t)ms;
}

static void *
front_thread_main(void *arg)
{
	struct front_thread *t = arg;
	struct epoll_event evs[FRONT_EVENTS];
	bool stop = false;

	while (!stop) {
		int n = epoll_wait(t->epfd, evs, FRONT_EVENTS,
		                   front_timeout(t, front_now_ms()));
		if (n == -1 && errno != EINTR) {
			log_err("https: epoll_wait: %s", strerror(errno));
			break;
		}
		uint64_t now = front_now_ms();
		for (int i = 0; i < n; i++) {
			uint64_t d = evs[i].data.u64;
			if (d == EV_STOP) {
				stop = true;
			} else if (d == EV_MHD) {
				t->mhd_due = true;
			} else if (d == EV_LISTEN) {
				front_accept(t);
			} else {
				struct front_conn *c =
				    (void *)(uintptr_t)(d & ~(uint64_t)1);
				uint32_t e = evs[i].events;
				bool rd = e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP |
				               EPOLLERR);
				bool wr = e & (EPOLLOUT | EPOLLHUP | EPOLLERR);
				if (c->dead)
					continue;
				if ((d & 1) == EV_PAIR) {
					c->pair_rd |= rd;
					c->pair_hup |=
					    (e & (EPOLLRDHUP | EPOLLHUP)) != 0;
					c->pair_wr |= wr;
				} else {
					c->tcp_rd |= rd;
					c->tcp_wr |= wr;
					if (rd && c->tls != NULL)
						tls_conn_readable(
						    c->tls,
						    (e &
						     (EPOLLRDHUP | EPOLLHUP |
						      EPOLLERR)) != 0);
				}
				conn_run(c, now);
			}
		}
		front_run_http(t);
		front_expire(t, front_now_ms());
		front_reap(t);
	}
	front_close_all(t);
	return NULL;
}

static int
front_thread_start(struct tls_front *f, unsigned i, char *err, size_t errlen)
{
	struct front_thread *t = &f->threads[i];
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = EV_STOP};
	struct epoll_event http = {.events = EPOLLIN, .data.u64 = EV_MHD};
	int rc, http_fd = http_server_tls_fd(f->http, i);

	t->front = f;
	t->slot = i;
	t->mhd_at = UINT64_MAX;
	t->handshake.ms = (uint64_t)f->cfg->server.handshake_timeout * 1000;
	t->idle.ms = (uint64_t)f->cfg->server.idle_timeout * 1000;
	t->linger.ms = FRONT_LINGER_MS;
	if (http_fd == -1) {
		snprintf(err, errlen, "https: no HTTP daemon for thread %u", i);
		return -1;
	}
	t->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (t->epfd == -1 ||
	    epoll_ctl(t->epfd, EPOLL_CTL_ADD, f->stop_fd, &ev) == -1 ||
	    epoll_ctl(t->epfd, EPOLL_CTL_ADD, http_fd, &http) == -1 ||
	    front_watch_listener(t) == -1) {
		snprintf(err, errlen, "https: epoll: %s", strerror(errno));
		return -1;
	}
	if ((rc = pthread_create(&t->tid, NULL, front_thread_main, t)) != 0) {
		snprintf(err, errlen, "https: cannot start a thread: %s",
		         strerror(rc));
		return -1;
	}
	t->started = true;
	return 0;
}

int
tls_front_open(struct tls_front **out, const struct config *cfg,
               struct conns *conns, int listen_fd, char *err, size_t errlen)
{
	struct tls_front *f = xcalloc(1, sizeof(*f));

	f->cfg = cfg;
	f->conns = conns;
	f->listen_fd = f->stop_fd = -1;
	f->nthreads = cfg->server.tls_threads; /* config_load resolved 0 */
	f->threads = xcalloc(f->nthreads, sizeof(f->threads[0]));
	for (unsigned i = 0; i < f->nthreads; i++) {
		f->threads[i].epfd = -1;
		pthread_mutex_init(&f->threads[i].accepting_lock, NULL);
	}
	pthread_mutex_init(&f->lock, NULL);
	/* With [acme] the certificate comes later (tls_front_install). */
	if (tls_tickets_new(&f->tickets, err, errlen) == -1 ||
	    (cfg->acme.domains[0] == '\0' &&
	     tls_server_new(&f->current, cfg->tls.certificate, cfg->tls.key,
	                    f->nthreads, f->tickets, err, errlen) == -1))
		goto fail;
	/* TCP_NODELAY: mbedtls never sets it, and without it handshakes
	 * stall on Nagle; Linux copies it to every accepted socket. */
	f->listen_inherited = listen_fd >= 0;
	f->listen_fd = listen_fd;
	if (f->listen_inherited &&
	    setsockopt(listen_fd, IPPROTO_TCP, TCP_NODELAY, &(int){1},
	               sizeof(int)) != 0) {
		snprintf(err, errlen, "server.https_listen: TCP_NODELAY: %s",
		         strerror(errno));
		goto fail;
	}
	if (!f->listen_inherited &&
	    (f->listen_fd =
	         http_listen_socket("https_listen", cfg->server.https_listen,
	                            true, err, errlen)) == -1)
		goto fail;
	if ((f->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1) {
		snprintf(err, errlen, "https: eventfd: %s", strerror(errno));
		goto fail;
	}
	*out = f;
	return 0;
fail:
	tls_front_stop(f);
	return -1;
}

int
tls_front_run(struct tls_front *f, struct http_server *http, char *err,
              size_t errlen)
{
	f->http = http; /* before the threads, which read it */
	for (unsigned i = 0; i < f->nthreads; i++)
		if (front_thread_start(f, i, err, errlen) == -1)
			return -1;
	return 0;
}

/* Makes srv the server new handshakes use (reload and install). */
static void
front_swap(struct tls_front *f, struct tls_server *srv)
{
	struct tls_server *old;

	pthread_mutex_lock(&f->lock);
	old = f->current;
	f->current = srv;
	pthread_mutex_unlock(&f->lock);
	/* Open connections hold their own references to the old one. */
	tls_server_unref(old);
}

int
tls_front_reload(struct tls_front *f, char *err, size_t errlen)
{
	const struct config *cfg = f->cfg;
	struct tls_server *srv;

	if (tls_server_new(&srv, cfg->tls.certificate, cfg->tls.key,
	                   f->nthreads, f->tickets, err, errlen) == -1)
		return -1;
	front_swap(f, srv);
	return 0;
}

int
tls_front_install(struct tls_front *f, const char *cert_pem,
                  const char *key_pem, char *err, size_t errlen)
{
	struct tls_server *srv;

	if (tls_server_new_pem(&srv, cert_pem, key_pem, f->nthreads, f->tickets,
	                       err, errlen) == -1)
		return -1;
	front_swap(f, srv);
	return 0;
}

void
tls_front_quiesce(struct tls_front *f)
{
	if (f == NULL || atomic_exchange(&f->quiescing, true))
		return;
	/* Our own socket: shutdown(2) stops it listening, so that new
	 * clients are refused at once instead of waiting in a backlog nobody
	 * reads, and keeps the descriptor valid until tls_front_stop closes
	 * it. A passed one stays as it is: its backlog is the next
	 * process's. The threads drop it from their epoll when it next wakes
	 * them. */
	if (!f->listen_inherited && shutdown(f->listen_fd, SHUT_RDWR) == -1)
		log_warn("https: cannot stop listening: %s", strerror(errno));
	/* A thread inside front_accept may not have seen the flag: wait for
	 * it. */
	for (unsigned i = 0; i < f->nthreads; i++) {
		pthread_mutex_lock(&f->threads[i].accepting_lock);
		pthread_mutex_unlock(&f->threads[i].accepting_lock);
	}
}

void
tls_front_stop(struct tls_front *f)
{
	uint64_t one = 1;

	if (f == NULL)
		return;
	if (f->stop_fd != -1 && write(f->stop_fd, &one, sizeof(one)) == -1)
		log_err("https: cannot stop the front: %s", strerror(errno));
	for (unsigned i = 0; i < f->nthreads; i++) {
		struct front_thread *t = &f->threads[i];
		if (t->started)
			pthread_join(t->tid, NULL);
		if (t->epfd != -1)
			close(t->epfd);
		pthread_mutex_destroy(&t->accepting_lock);
	}
	if (f->listen_fd != -1)
		close(f->listen_fd);
	if (f->stop_fd != -1)
		close(f->stop_fd);
	/* The threads have closed every connection: this is the last
	 * reference, and the tickets' last user goes with it. */
	tls_server_unref(f->current);
	tls_tickets_free(f->tickets);
	pthread_mutex_destroy(&f->lock);
	free(f->threads);
	free(f);
}

int
tls_front_ticket_keys(struct tls_front *f, const struct tls_ticket_key *prev,
                      const struct tls_ticket_key *cur, char *err,
                      size_t errlen)
{
	return tls_tickets_set(f->tickets, prev, cur, err, errlen);
}

/* config_load has made sure that https_listen comes with both files. */
int
tls_check_files(const struct config *cfg, char *err, size_t errlen)
{
	return tls_check_pair(cfg->tls.certificate, cfg->tls.key, err, errlen);
}

void
tls_front_stats(struct tls_front_stats *st)
{
	st->handshakes_full = atomic_load(&front_full);
	st->handshakes_resumed = atomic_load(&front_resumed);
	st->handshakes_failed = atomic_load(&front_failed);
	st->connections_open = atomic_load(&front_open);
}

void
tls_front_metrics(struct buf *out, void *arg)
{
	static const char name[] = "blogd_tls_handshakes_total";
	struct tls_front_stats st;

	(void)arg;
	tls_front_stats(&st);
	metrics_family(out, name, "counter",
	               "TLS handshakes by result (resumed: session ticket).");
	buf_printf(out,
	           "%s{result=\"full\"} %llu\n%s{result=\"resumed\"} %llu\n"
	           "%s{result=\"failed\"} %llu\n",
	           name, st.handshakes_full, name, st.handshakes_resumed, name,
	           st.handshakes_failed);
	metrics_gauge(out, "blogd_tls_connections_open", "gauge",
	              "TLS connections open now.", st.connections_open);
}
