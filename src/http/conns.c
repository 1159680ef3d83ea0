/*
 * The connection budget (include/conns.h).
 *
 * One mutex guards everything: the calls are a few pointer moves each, two
 * per request, far below what a request costs. Slots sit on one list per
 * client address (to count them) and, while idle, on one idle list in the
 * order they became idle, so the head is the one to close when the budget
 * is full.
 */
#include "conns.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "netaddr.h"
#include "xalloc.h"

#define CONNS_BUCKETS 4096

enum slot_state { SLOT_IDLE, SLOT_BUSY, SLOT_GONE };

struct ip_entry;

struct conn_slot {
	int fd; /* the TCP socket, until conns_close */
	enum slot_state state;
	bool fresh; /* counted, and no request has started on it yet */
	unsigned refs;
	struct ip_entry *ip;
	struct conn_slot *ip_prev, *ip_next; /* in ip->slots */
	struct conn_slot *prev, *next;       /* in cs->idle while idle */
};

struct ip_entry {
	struct ip_entry *next; /* in its bucket */
	unsigned char key[16];
	unsigned n; /* counted slots: neither gone nor closing */
	struct conn_slot *slots;
};

struct conns {
	pthread_mutex_t lock;
	unsigned max_total, per_ip;
	unsigned open;  /* counted slots */
	unsigned fresh; /* of which no request has started yet */
	struct conn_slot *idle_head, *idle_tail;
	struct ip_entry *buckets[CONNS_BUCKETS];
	struct conn_slot **bound; /* by fd, for conns_take */
	unsigned nbound;
};

struct conns *
conns_new(unsigned max_total, unsigned per_ip, unsigned fd_limit)
{
	struct conns *cs = xcalloc(1, sizeof(*cs));

	if (pthread_mutex_init(&cs->lock, NULL) != 0) {
		free(cs);
		return NULL;
	}
	cs->max_total = max_total;
	cs->per_ip = per_ip;
	/* Pages of the table are only touched for the fds in use. */
	cs->nbound = fd_limit;
	cs->bound = xcalloc(fd_limit, sizeof(cs->bound[0]));
	return cs;
}

static void
idle_remove(struct conns *cs, struct conn_slot *s)
{
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		cs->idle_head = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	else
		cs->idle_tail = s->prev;
	s->prev = s->next = NULL;
}

static void
idle_append(struct conns *cs, struct conn_slot *s)
{
	s->prev = cs->idle_tail;
	s->next = NULL;
	if (cs->idle_tail != NULL)
		cs->idle_tail->next = s;
	else
		cs->idle_head = s;
	cs->idle_tail = s;
}

/* One key format for both families (netaddr.h); no address: all zero. */
static void
conns_key(const struct sockaddr *sa, unsigned char key[16])
{
	struct net_addr a;

	if (net_addr_from_sockaddr(sa, &a))
		memcpy(key, a.b, 16);
	else
		memset(key, 0, 16);
}

static struct ip_entry **
conns_bucket(struct conns *cs, const unsigned char key[16])
{
	uint32_t h = 2166136261u; /* FNV-1a */
	struct ip_entry **pp;

	for (int i = 0; i < 16; i++)
		h = (h ^ key[i]) * 16777619u;
	pp = &cs->buckets[h % CONNS_BUCKETS];
	while (*pp != NULL && memcmp((*pp)->key, key, 16) != 0)
		pp = &(*pp)->next;
	return pp;
}

/* Leaves the counts: the slot is gone or closing. */
static void
slot_uncount(struct conns *cs, struct conn_slot *s)
{
	if (s->state == SLOT_GONE)
		return;
	if (s->state == SLOT_IDLE)
		idle_remove(cs, s);
	if (s->fresh)
		cs->fresh--;
	s->fresh = false;
	s->state = SLOT_GONE;
	s->ip->n--;
	cs->open--;
}

/* Either side has closed (or is closing) the TCP connection. */
static bool
tcp_closing(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
		return false; /* not TCP: it counts */
	return ti.tcpi_state != TCP_ESTABLISHED &&
	       ti.tcpi_state != TCP_SYN_RECV;
}

/* The address is at its limit: its connections that are closing but not
 * cleaned up yet by their owners stop counting, so that a client that
 * closed one can open the next at once. */
static void
conns_prune_ip(struct conns *cs, struct ip_entry *e)
{
	for (struct conn_slot *s = e->slots; s != NULL; s = s->ip_next)
		if (s->state != SLOT_GONE && tcp_closing(s->fd))
			slot_uncount(cs, s);
}

/* The budget is full: closes the connection idle the longest. Its owner
 * sees EOF (or a reset) and cleans up; the socket stays open until then,
 * so shutdown() cannot hit a reused descriptor. */
static bool
conns_evict(struct conns *cs)
{
	struct conn_slot *s = cs->idle_head;

	if (s == NULL)
		return false;
	slot_uncount(cs, s);
	if (shutdown(s->fd, SHUT_RDWR) != 0)
		log_debug("conns: shutdown of an idle connection failed");
	return true;
}

static struct ip_entry *
conns_entry(struct conns *cs, const unsigned char key[16])
{
	struct ip_entry **pp = conns_bucket(cs, key);

	if (*pp == NULL) {
		*pp = xcalloc(1, sizeof(**pp));
		memcpy((*pp)->key, key, 16);
	}
	return *pp;
}

static void
conns_entry_drop(struct conns *cs, struct ip_entry *e)
{
	struct ip_entry **pp;

	if (e->slots != NULL)
		return;
	pp = conns_bucket(cs, e->key);
	*pp = e->next;
	free(e);
}

/* Caller holds the lock. Whether e takes one more connection. */
static bool
conns_ip_room(struct conns *cs, struct ip_entry *e, bool per_ip)
{
	if (!per_ip)
		return true;
	if (e->n >= cs->per_ip)
		conns_prune_ip(cs, e);
	return e->n < cs->per_ip;
}

/* Caller holds the lock. Puts s on e's list (and count, unless gone). */
static void
slot_link(struct conn_slot *s, struct ip_entry *e)
{
	s->ip = e;
	s->ip_prev = NULL;
	s->ip_next = e->slots;
	if (e->slots != NULL)
		e->slots->ip_prev = s;
	e->slots = s;
	if (s->state != SLOT_GONE)
		e->n++;
}

/* Caller holds the lock. Takes s off its address's list and count. */
static void
slot_unlink(struct conn_slot *s)
{
	struct ip_entry *e = s->ip;

	if (s->ip_prev != NULL)
		s->ip_prev->ip_next = s->ip_next;
	else
		e->slots = s->ip_next;
	if (s->ip_next != NULL)
		s->ip_next->ip_prev = s->ip_prev;
	if (s->state != SLOT_GONE)
		e->n--;
}

struct conn_slot *
conns_admit(struct conns *cs, int fd, const struct sockaddr *peer, bool per_ip)
{
	unsigned char key[16];
	struct conn_slot *s = NULL;
	struct ip_entry *e;

	conns_key(peer, key);
	pthread_mutex_lock(&cs->lock);
	e = conns_entry(cs, key);
	if (conns_ip_room(cs, e, per_ip) &&
	    (cs->open < cs->max_total || conns_evict(cs))) {
		s = xcalloc(1, sizeof(*s));
		s->fd = fd;
		s->refs = 1;
		slot_link(s, e);
		cs->open++;
		s->fresh = true;
		cs->fresh++;
		idle_append(cs, s);
	}
	conns_entry_drop(cs, e);
	pthread_mutex_unlock(&cs->lock);
	return s;
}

bool
conns_readdress(struct conns *cs, struct conn_slot *s,
                const struct sockaddr *client, bool per_ip)
{
	unsigned char key[16];
	struct ip_entry *e, *old;
	bool ok = true;

	conns_key(client, key);
	pthread_mutex_lock(&cs->lock);
	e = conns_entry(cs, key);
	if (e != s->ip && (ok = conns_ip_room(cs, e, per_ip))) {
		old = s->ip;
		slot_unlink(s);
		slot_link(s, e);
		conns_entry_drop(cs, old);
	}
	conns_entry_drop(cs, e);
	pthread_mutex_unlock(&cs->lock);
	return ok;
}

void
conns_busy(struct conns *cs, struct conn_slot *s)
{
	pthread_mutex_lock(&cs->lock);
	if (s->state == SLOT_IDLE) {
		idle_remove(cs, s);
		s->state = SLOT_BUSY;
	}
	if (s->fresh)
		cs->fresh--;
	s->fresh = false;
	pthread_mutex_unlock(&cs->lock);
}

unsigned
conns_fresh(struct conns *cs)
{
	unsigned n;

	pthread_mutex_lock(&cs->lock);
	n = cs->fresh;
	pthread_mutex_unlock(&cs->lock);
	return n;
}

void
conns_idle(struct conns *cs, struct conn_slot *s)
{
	pthread_mutex_lock(&cs->lock);
	if (s->state == SLOT_BUSY) {
		idle_append(cs, s);
		s->state = SLOT_IDLE;
	}
	pthread_mutex_unlock(&cs->lock);
}

/* Caller holds the lock. */
static void
slot_put_locked(struct conns *cs, struct conn_slot *s)
{
	struct ip_entry *e = s->ip;

	if (--s->refs > 0)
		return;
	slot_unlink(s);
	free(s);
	conns_entry_drop(cs, e);
}

void
conns_close(struct conns *cs, struct conn_slot *s)
{
	pthread_mutex_lock(&cs->lock);
	slot_uncount(cs, s);
	s->fd = -1;
	slot_put_locked(cs, s);
	pthread_mutex_unlock(&cs->lock);
}

void
conns_put(struct conns *cs, struct conn_slot *s)
{
	pthread_mutex_lock(&cs->lock);
	slot_put_locked(cs, s);
	pthread_mutex_unlock(&cs->lock);
}

void
conns_bind(struct conns *cs, int fd, struct conn_slot *s)
{
	pthread_mutex_lock(&cs->lock);
	if (fd >= 0 && (unsigned)fd < cs->nbound && cs->bound[fd] == NULL) {
		cs->bound[fd] = s;
		s->refs++;
	}
	pthread_mutex_unlock(&cs->lock);
}

struct conn_slot *
conns_take(struct conns *cs, int fd)
{
	struct conn_slot *s = NULL;

	pthread_mutex_lock(&cs->lock);
	if (fd >= 0 && (unsigned)fd < cs->nbound) {
		s = cs->bound[fd];
		cs->bound[fd] = NULL;
	}
	pthread_mutex_unlock(&cs->lock);
	return s;
}

void
conns_unbind(struct conns *cs, int fd, struct conn_slot *s)
{
	pthread_mutex_lock(&cs->lock);
	if (fd >= 0 && (unsigned)fd < cs->nbound && cs->bound[fd] == s) {
		cs->bound[fd] = NULL;
		slot_put_locked(cs, s);
	}
	pthread_mutex_unlock(&cs->lock);
}

void
conns_free(struct conns *cs)
{
	if (cs == NULL)
		return;
	for (size_t i = 0; i < CONNS_BUCKETS; i++)
		while (cs->buckets[i] != NULL) {
			struct ip_entry *e = cs->buckets[i];

			cs->buckets[i] = e->next;
			while (e->slots != NULL) {
				struct conn_slot *s = e->slots;

				e->slots = s->ip_next;
				free(s);
			}
			free(e);
		}
	free(cs->bound);
	pthread_mutex_destroy(&cs->lock);
	free(cs);
}
