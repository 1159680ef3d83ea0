/*
 * libmicrohttpd glue (include/http.h): the daemons, the access handler that
 * collects a request and runs its route, and the completion callback that
 * writes the access line and frees the request.
 *
 * The daemons share one set of callbacks: "plain" listens on
 * server.http_listen, with an internal epoll thread pool; each TLS slot's
 * daemon has no socket and no thread, gets the plaintext side of its TLS
 * connections from the TLS front and is run by that front thread. Either
 * way the callbacks for one connection always run on one thread. Routes
 * that may wait run on the workers (workers.c), the connection suspended
 * meanwhile; the MHD (or front) threads answer the rest, and cached pages,
 * at once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "conns.h"
#include "form.h"
#include "http.h"
#include "http_internal.h"
#include "log.h"
#include "metrics.h"
#include "proxy.h"
#include "router.h"
#include "static.h"
#include "text.h"
#include "xalloc.h"

/* What the callbacks of one daemon get as their closure. */
struct http_listener {
	struct http_server *srv;
	bool https;
};

/*
 * One per TLS front thread: its daemon, run by that thread alone
 * (tls/front.c) and with no MHD thread of its own, so that an HTTPS
 * request does not cross threads between TLS and HTTP. A worker that
 * resumes one of its connections wakes that thread through the daemon's
 * epoll fd: MHD 1.0 puts its inter-thread channel in it (0.9.75 did not,
 * and needed an eventfd of blogd's own).
 */
struct http_tls_slot {
	struct http_listener l;
	struct MHD_Daemon *d;
};

struct http_server {
	struct http_server_opts o;
	struct MHD_Daemon *plain;
	struct http_listener plain_l;
	/* Accepts for plain when it expects PROXY headers, else NULL. */
	struct http_acceptor *acceptor;
	struct http_tls_slot *tls; /* ntls, one per TLS front thread */
	unsigned ntls;
	struct http_workers workers;
	/* Plain connections closed with the client still sending. */
	struct http_linger *linger;
	atomic_uint in_flight;
};

/* The path must stay encoded: the router decodes segment by segment. */
static size_t
http_unescape_none(void *cls, struct MHD_Connection *conn, char *s)
{
	(void)cls;
	(void)conn;
	return strlen(s);
}

static void
http_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("mhd: %s", line);
}

static enum http_method
http_parse_method(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return HTTP_GET;
	if (strcmp(m, "HEAD") == 0)
		return HTTP_HEAD;
	if (strcmp(m, "POST") == 0)
		return HTTP_POST;
	return HTTP_OTHER;
}

/* src (NUL-terminated) into dst, cut to fit size bytes. */
static void
http_copy_cut(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * MHD's socket context: made when a connection starts and freed when it
 * closes, both on the connection's thread. The client address as text is
 * copied into each request.
 */
struct http_conn {
	/* Its place in the connection budget (include/conns.h). Plain HTTP
	 * admits it here; a TLS connection's was admitted by the front and
	 * bound to the socketpair end MHD got. NULL: not counted, and for
	 * plain HTTP refused. */
	struct conn_slot *slot;
	bool https;
	/* The peer (or, after a PROXY header, the client it named) is in
	 * trusted_proxies: its X-Forwarded-* count. */
	bool trusted;
	/* Answered while its request may still be coming, and closed:
	 * lingers (linger.c) so that the answer is not lost. */
	bool linger;
	char ip[HTTP_CLIENT_IP_LEN];
};

static void
http_conn_ip(struct http_conn *hc, const struct sockaddr *sa)
{
	const void *addr = NULL;

	if (sa != NULL && sa->sa_family == AF_INET)
		addr =
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa != NULL && sa->sa_family == AF_INET6)
		addr =
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (addr == NULL ||
	    inet_ntop(sa->sa_family, addr, hc->ip, sizeof(hc->ip)) == NULL)
		memcpy(hc->ip, "-", 2);
}

/* Plain HTTP: counts the connection, or shuts its socket so that MHD
 * closes it at once (MHD has accepted it already; it cannot be refused
 * sooner without taking accept() away from MHD). A trusted proxy carries
 * many clients: it is not held to per_ip_connections. */
static void
http_conn_admit(struct http_conn *hc, struct conns *cs, int fd,
                const struct sockaddr *sa)
{
	hc->slot = conns_admit(cs, fd, sa, !hc->trusted);
	if (hc->slot == NULL) {
		log_debug("http: %s: connection refused (budget)", hc->ip);
		if (shutdown(fd, SHUT_RDWR) != 0)
			log_debug("http: shutdown: %s", strerror(errno));
	}
}

/* Hands a duplicate of conn's socket to the lingering close, which keeps
 * it open once MHD has closed its own descriptor. */
static void
http_conn_linger(struct http_server *srv, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	int fd;

	if (srv->linger == NULL || ci == NULL)
		return;
	if ((fd = fcntl(ci->connect_fd, F_DUPFD_CLOEXEC, 0)) < 0)
		log_debug("http: no lingering close: %s", strerror(errno));
	else
		http_linger_add(srv->linger, fd);
}

static void
http_connection_notify(void *cls, struct MHD_Connection *conn,
                       void **socket_context,
                       enum MHD_ConnectionNotificationCode code)
{
	struct http_listener *l = cls;
	struct conns *cs = l->srv->o.conns;
	struct http_conn *hc = *socket_context;
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;

	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		/* MHD closes the socket right after: uncount it first. */
		if (hc != NULL && hc->slot != NULL)
			(hc->https ? conns_put : conns_close)(cs, hc->slot);
		if (hc != NULL && hc->linger && !hc->https)
			http_conn_linger(l->srv, conn);
		free(hc);
		*socket_context = NULL;
		return;
	}
	hc = xcalloc(1, sizeof(*hc));
	hc->https = l->https;
	/* Each answer of MHD_get_connection_info overwrites the last. */
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	sa = ci != NULL ? ci->client_addr : NULL;
	http_conn_ip(hc, sa);
	hc->trusted = proxy_trusted(l->srv->o.cfg, sa);
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	/* A slot admitted before MHD got the socket (the TLS front, the
	 * PROXY acceptor) is bound to it. */
	if (cs != NULL && ci != NULL &&
	    (hc->slot = conns_take(cs, ci->connect_fd)) == NULL && !l->https)
		http_conn_admit(hc, cs, ci->connect_fd, sa);
	*socket_context = hc;
}

static struct http_conn *
http_conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

/* RFC 9112 3.2.2: a target "http://host[:port]/path?query" names the
 * host itself. Returns the length of its scheme and "://", or 0. */
static size_t
http_absolute_prefix(const char *t)
{
	if (strncasecmp(t, "http://", 7) == 0)
		return 7;
	if (strncasecmp(t, "https://", 8) == 0)
		return 8;
	return 0;
}

/* Copies n bytes of s and a NUL to p; returns the byte after the NUL. */
static char *
http_put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	p[n] = '\0';
	return p + n + 1;
}

/*
 * MHD calls this with the raw request target before it splits off the
 * query, which is the only place the raw target is visible; the request is
 * allocated here and MHD hands it to every later callback. An absolute
 * target is split into its authority and the origin form ("/path?query")
 * that the rest of blogd sees; the access line keeps the raw one.
 */
static void *
http_uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_listener *l = cls;
	struct http_conn *hc = http_conn_of(conn);
	size_t tlen = strlen(uri), skip = http_absolute_prefix(uri), alen = 0;
	const char *origin = uri;
	struct http_req_priv *rp;
	struct http_request *req;
	char *p;

	if (skip != 0) {
		alen = strcspn(uri + skip, "/?");
		origin = uri + skip + alen;
	}
	/* raw, origin form (maybe with a '/' added), path, authority */
	rp = xcalloc(1, sizeof(*rp) + 4 * (tlen + 2));
	req = &rp->req;
	rp->raw_target = rp->text;
	p = http_put(rp->text, uri, tlen);
	req->target = p;
	if (origin[0] != '/' && skip != 0)
		*p++ = '/';
	p = http_put(p, origin, strlen(origin));
	req->path = p;
	p = http_put(p, req->target, strcspn(req->target, "?"));
	if (skip != 0) {
		rp->authority = p;
		http_put(p, uri + skip, alen);
	}
	rp->srv = l->srv;
	req->app = l->srv->o.app;
	req->https = l->https;
	req->method_name = rp->method;
	req->resp_fd = -1;
	req->start_us = clock_now_us();
	http_copy_cut(req->client_ip, hc != NULL ? hc->ip : "-",
	              sizeof(req->client_ip));
	if (hc != NULL && hc->slot != NULL) {
		rp->slot = hc->slot;
		conns_busy(l->srv->o.conns, rp->slot);
	}
	rp->refused = hc != NULL && hc->slot == NULL && !hc->https &&
	              l->srv->o.conns != NULL;
	rp->trusted = hc != NULL && hc->trusted;
	buf_init(&req->body);
	buf_init(&req->resp_body);
	atomic_fetch_add(&l->srv->in_flight, 1);
	return rp;
}

/* What one header line adds to the framing checks of http_begin. */
struct http_scan {
	unsigned host, length, coding;
	bool bad; /* a control byte in a name or value */
};

/* RFC 9110 5.5: no control bytes but HTAB in a field; MHD itself only
 * refuses NUL, CR and LF. */
static bool
http_field_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return true;
}

static enum MHD_Result
http_scan_header(void *cls, enum MHD_ValueKind kind, const char *key,
                 size_t key_size, const char *value, size_t value_size)
{
	struct http_scan *sc = cls;

	(void)kind;
	if (!http_field_ok(key, key_size) ||
	    (value != NULL && !http_field_ok(value, value_size)))
		sc->bad = true;
	if (strcasecmp(key, "Host") == 0)
		sc->host++;
	else if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
		sc->length++;
	else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
		sc->coding++;
	return MHD_YES;
}

/* RFC 9112 3.2: visible ASCII only (so nothing raw reaches a log or a
 * Location), and no fragment. */
static bool
http_target_ok(const char *t)
{
	for (const unsigned char *p = (const unsigned char *)t; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '#')
			return false;
	return true;
}

/*
 * What MHD leaves to blogd of RFC 9112's framing rules (MHD 1.0 at
 * discipline level 1 refuses obs-fold, NUL, bare CR or LF, Content-Length
 * with Transfer-Encoding, a coding other than "chunked", a malformed
 * length): a repeated Content-Length or Transfer-Encoding (MHD reads the
 * first and ignores the rest, where a proxy in front may read another),
 * other control bytes, a bad target, and Host: exactly one in HTTP/1.1, at
 * most one in 1.0, and for an absolute target a usable authority. Returns
 * 0 or the status to answer and close with.
 */
static int
http_request_status(struct http_request *req)
{
	struct http_req_priv *rp = http_priv(req);
	struct http_scan sc = {0, 0, 0, false};
	bool v10 = strcmp(req->version, MHD_HTTP_VERSION_1_0) == 0;

	MHD_get_connection_values_n(req->conn, MHD_HEADER_KIND,
	                            http_scan_header, &sc);
	if (sc.bad || sc.length > 1 || sc.coding > 1 || sc.host > 1 ||
	    (sc.host == 0 && !v10))
		return 400;
	if (!http_target_ok(rp->raw_target) || req->path[0] != '/')
		return 400;
	if (rp->authority != NULL &&
	    http_host_check(rp->authority, strlen(rp->authority)) == 0)
		return 400;
	return 0;
}

_Static_assert(HTTP_CLIENT_IP_LEN >= NET_ADDR_TEXT,
               "a forwarded address fits req->client_ip");

/* What http_forwarded gathers from the header lines. */
struct http_fwd {
	struct buf xff;    /* every X-Forwarded-For line, joined by ',' */
	const char *proto; /* the last X-Forwarded-Proto, or NULL */
};

static enum MHD_Result
http_fwd_header(void *cls, enum MHD_ValueKind kind, const char *key,
                size_t key_size, const char *value, size_t value_size)
{
	struct http_fwd *f = cls;

	(void)kind;
	(void)key_size;
	if (value == NULL)
		return MHD_YES;
	if (strcasecmp(key, "X-Forwarded-For") == 0) {
		if (f->xff.len > 0)
			buf_putc(&f->xff, ',');
		buf_append(&f->xff, value, value_size);
	} else if (strcasecmp(key, "X-Forwarded-Proto") == 0) {
		f->proto = value;
	}
	return MHD_YES;
}

/*
 * A request from a trusted proxy: the client and the scheme it forwards
 * (include/proxy.h). A header that does not parse leaves the peer's
 * address, which is never worse than believing it.
 */
static void
http_forwarded(struct http_request *req)
{
	const struct config *cfg = http_priv(req)->srv->o.cfg;
	struct http_fwd f = {BUF_INIT, NULL};
	struct net_addr client;

	MHD_get_connection_values_n(req->conn, MHD_HEADER_KIND, http_fwd_header,
	                            &f);
	if (f.xff.len > 0 &&
	    proxy_forwarded_for(f.xff.data, f.xff.len,
	                        &cfg->server.trusted_proxies, &client))
		net_addr_text(&client, req->client_ip);
	if (f.proto != NULL)
		req->https = proxy_forwarded_https(f.proto);
	buf_free(&f.xff);
}

/* max_body, or for a POST to a route that takes files, the upload limit. */
static size_t
http_body_limit(struct http_request *req)
{
	const struct config *cfg = http_priv(req)->srv->o.cfg;
	const struct route *route = http_priv(req)->matched;
	size_t max = cfg->server.max_body;
	size_t upload = cfg->server.max_upload + HTTP_UPLOAD_SLACK;

	if (req->method != HTTP_POST)
		return max;
	return route != NULL && route->upload && upload > max ? upload : max;
}

/* First call: the request line and headers are in. */
static void
http_begin(struct http_request *req, struct MHD_Connection *conn,
           const char *method, const char *version)
{
	struct http_req_priv *rp = http_priv(req);
	const char *cl;

	rp->started = true;
	req->conn = conn;
	http_copy_cut(rp->method, method, sizeof(rp->method));
	http_copy_cut(req->version, version, sizeof(req->version));
	req->method = http_parse_method(method);
	if (rp->refused) {
		rp->reject = 503;
		return;
	}
	if (rp->trusted)
		http_forwarded(req);
	if ((rp->reject = http_request_status(req)) != 0)
		return;
	rp->matched = router_match(
	    router_table()->routes, router_table()->count, req->method,
	    req->path, req->params, &req->nparams, &rp->allowed);
	rp->max_body = http_body_limit(req);
	cl = http_header(req, "Content-Length");
	if (cl != NULL && strtoull(cl, NULL, 10) > rp->max_body)
		rp->reject = 413;
}

/* The paths kept on plain HTTP when HTTPS is on: the ACME challenge
 * (the certificate may not exist yet) and the load balancer's health check.
 * /metrics is not one: with HTTPS on, a scraper asks over HTTPS. */
static bool
http_redirect_exempt(const char *path)
{
	static const char acme[] = "/.well-known/acme-challenge/";

	return strncmp(path, acme, sizeof(acme) - 1) == 0 ||
	       strcmp(path, "/healthz") == 0;
}

/* Plain HTTP while HTTPS runs: 301 to the same target over HTTPS, on the
 * host the client asked for, or base_url's when its Host is unusable. */
static void
http_to_https(struct http_request *req)
{
	const char *host, *base;
	char port[16] = "", *loc, *target;
	size_t hlen = 0, tlen;

	if ((host = http_request_host(req, &hlen)) == NULL &&
	    (base = strstr(http_priv(req)->srv->o.cfg->site.base_url, "://")) !=
	        NULL) {
		host = base + 3;
		hlen = http_host_check(host, strcspn(host, "/?#"));
	}
	if (hlen == 0) {
		http_error(req, 400);
		return;
	}
	if (http_priv(req)->srv->o.https_port != 443)
		snprintf(port, sizeof(port), ":%u",
		         http_priv(req)->srv->o.https_port);
	/* The target was checked (http_target_ok); encoding it anyway keeps
	 * the Location well-formed should that check ever loosen. */
	tlen = strlen(req->target);
	target = xmalloc(3 * tlen + 1);
	target[text_uri_escape(target, req->target, tlen)] = '\0';
	if (asprintf(&loc, "https://%.*s%s%s", (int)hlen, host, port, target) <
	    0) {
		free(target);
		http_error(req, 500);
		return;
	}
	http_redirect(req, 301, loc);
	free(loc);
	free(target);
}

/* HTTPS has a certificate, so plain HTTP redirects to it. */
static bool
http_https_ready(struct http_request *req)
{
	const atomic_bool *ready = http_priv(req)->srv->o.https_ready;

	return ready != NULL && atomic_load(ready);
}

/* 405 for every method the path does not take, including ones blogd has
 * never heard of (SPEC: unsupported method -> 405 with Allow). */
static void
http_method_not_allowed(struct http_request *req, unsigned allowed)
{
	char allow[64];

	router_allow_header(allowed, allow, sizeof(allow));
	http_add_header(req, "Allow", allow);
	http_error(req, 405);
}

/* Written once before the server starts (http_set_route_hook), then
 * only read. */
struct http_route_hook http_route_hook;

void
http_set_route_hook(const struct http_route_hook *hook)
{
	http_route_hook = *hook;
}

/* Runs the route of req and makes sure there is an answer. */
static void
http_run_route(struct http_request *req)
{
	if (http_route_hook.run != NULL)
		http_route_hook.run(req, req->route);
	else
		req->route->handler(req);
	if (!req->answered) {
		log_err("http: route %s answered nothing for %s %s",
		        req->route->name, req->method_name, req->path);
		http_error(req, 500);
	}
}

/*
 * Last call: the whole request is in. Routes it and answers it, or returns
 * true when the route must run on a worker (req->route set).
 */
static bool
http_dispatch(struct http_request *req)
{
	const struct route *route;
	unsigned allowed;

	if (http_priv(req)->too_large) {
		http_error(req, 413);
		return false;
	}
	http_body_end(http_priv(req));
	if (http_priv(req)->bad_body) {
		http_error(req, 400);
		return false;
	}
	if (!req->https && http_https_ready(req) &&
	    !http_redirect_exempt(req->path)) {
		http_to_https(req);
		return false;
	}
	route = http_priv(req)->matched; /* http_begin matched it */
	allowed = http_priv(req)->allowed;
	if (req->method == HTTP_OTHER) {
		if (allowed == 0)
			allowed = HTTP_GET | HTTP_HEAD | HTTP_POST;
		http_method_not_allowed(req, allowed);
		return false;
	}
	if (route == NULL && allowed == 0 &&
	    (req->method & (HTTP_GET | HTTP_HEAD)) != 0)
		route = router_table()->not_found;
	if (route == NULL) {
		if (allowed != 0)
			http_method_not_allowed(req, allowed);
		else
			http_error(req, 404);
		return false;
	}
	req->route = route;
	if (http_route_hook.answer != NULL &&
	    http_route_hook.answer(req, route))
		return false;
	if (!route->quick)
		return true;
	http_run_route(req);
	return false;
}

/* Turns the recorded answer into an MHD response and queues it. */
static enum MHD_Result
http_queue(struct http_request *req)
{
	struct http_req_priv *rp = http_priv(req);
	struct MHD_Response *r;
	size_t len;
	enum MHD_Result ret;

	if (rp->shared != NULL)
		return (enum MHD_Result)http_queue_shared(req);
	if (req->resp_fd >= 0) {
		len = req->resp_fd_len;
		r = MHD_create_response_from_fd(len, req->resp_fd);
		if (r != NULL)
			req->resp_fd = -1; /* the response closes it */
	} else if (req->resp_static != NULL) {
		len = req->resp_static_len;
		r = MHD_create_response_from_buffer(
		    len, (void *)(uintptr_t)req->resp_static,
		    MHD_RESPMEM_PERSISTENT);
	} else if (req->resp_body.len == 0) {
		len = 0;
		r = MHD_create_response_from_buffer(0, (void *)(uintptr_t) "",
		                                    MHD_RESPMEM_PERSISTENT);
	} else {
		char *data;

		len = req->resp_body.len;
		data = buf_detach(&req->resp_body);
		r = MHD_create_response_from_buffer(len, data,
		                                    MHD_RESPMEM_MUST_FREE);
		if (r == NULL)
			free(data);
	}
	if (r == NULL) {
		log_err("http: cannot create a response for %s", req->path);
		return MHD_NO;
	}
	http_add_common_headers(req, r);
	ret = MHD_queue_response(req->conn, (unsigned)req->status, r);
	MHD_destroy_response(r);
	rp->queued = ret == MHD_YES;
	rp->resp_bytes = req->method == HTTP_HEAD ? 0 : len;
	return ret;
}

/*
 * MHD's timeout is between reads, so a body sent a byte at a time would
 * hold its connection forever. As Apache's mod_reqtimeout: the body gets
 * idle_timeout seconds, plus one for each KiB that has come; a client
 * slower than that loses the connection (the bytes cannot be answered
 * mid-body).
 */
static bool
http_body_too_slow(struct http_request *req, unsigned long long got)
{
	unsigned long long allowed_s =
	    http_priv(req)->srv->o.cfg->server.idle_timeout + got / 1024;

	if (clock_now_us() - req->start_us <= allowed_s * 1000000ULL)
		return false;
	log_info("http: %s: request body too slow, closing", req->client_ip);
	return true;
}

static enum MHD_Result
http_access(void *cls, struct MHD_Connection *conn, const char *url,
            const char *method, const char *version, const char *upload_data,
            size_t *upload_data_size, void **con_cls)
{
	struct http_listener *l = cls;
	struct http_req_priv *rp = *con_cls;
	struct http_request *req;

	if (rp == NULL) /* MHD always logs the URI first; be safe anyway */
		*con_cls = rp = http_uri_log(l, url, conn);
	req = &rp->req;
	if (!rp->started) {
		http_begin(req, conn, method, version);
		/* Answering now would cost keep-alive
		 * (docs/DEPENDENCIES.md), except for a request that must not
		 * be read on: a body announced too large, or framing that a
		 * proxy in front might read differently. Its connection
		 * closes after this answer. */
		if (rp->reject != 0) {
			struct http_conn *hc = http_conn_of(conn);

			if (hc != NULL)
				hc->linger = true;
			http_error(req, rp->reject);
			http_add_header(req, "Connection", "close");
			return http_queue(req);
		}
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		size_t n = *upload_data_size;

		/* MHD cannot queue mid-body: drop the rest and answer 413 at
		 * the end (only chunked bodies get here; Content-Length is
		 * checked on the first call). A client that keeps sending
		 * long after that loses the connection without an answer. */
		if (http_body_too_slow(req, rp->received + rp->dropped))
			return MHD_NO;
		if (!rp->too_large && rp->received + n > rp->max_body)
			rp->too_large = true;
		if (!rp->too_large) {
			rp->received += n;
			http_body_take(rp, upload_data, n);
		} else {
			rp->dropped += n;
		}
		*upload_data_size = 0;
		return rp->dropped > rp->max_body + 65536 ? MHD_NO : MHD_YES;
	}
	if (rp->handed_off) /* resumed: the worker's answer */
		return http_queue(req);
	if (http_dispatch(req)) {
		/* Suspended first: the worker may resume it at once. */
		rp->handed_off = true;
		MHD_suspend_connection(conn);
		http_workers_submit(&l->srv->workers, rp);
		return MHD_YES;
	}
	return http_queue(req);
}

static void
http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
               enum MHD_RequestTerminationCode toe)
{
	struct http_listener *l = cls;
	struct http_req_priv *rp = *con_cls;
	struct http_request *req;
	struct access_entry e;

	(void)toe;
	if (rp == NULL)
		return;
	*con_cls = NULL;
	req = &rp->req;
	memset(&e, 0, sizeof(e));
	e.client_ip = req->client_ip; /* "-" when unknown */
	e.method = rp->method[0] != '\0' ? rp->method : "-";
	e.target = rp->raw_target;
	e.protocol = req->version;
	e.referer = http_header(req, "Referer");
	e.user_agent = http_header(req, "User-Agent");
	e.status = rp->queued ? req->status : 0;
	if (!rp->queued) {
		/* MHD answered by itself (e.g. headers too large). */
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		    conn, MHD_CONNECTION_INFO_HTTP_STATUS);

		if (ci != NULL)
			e.status = (int)ci->http_status;
	}
	e.bytes = rp->resp_bytes;
	e.duration_us = clock_now_us() - req->start_us;
	e.stale = rp->stale;
	log_access(&e);
	metrics_record(req->route, req->method, e.status, e.duration_us);

	for (size_t i = 0; i < req->nparams; i++)
		free(req->params[i]);
	form_free(req->query);
	form_free(req->form);
	form_free(req->cookies);
	http_body_free(rp);
	http_response_clear(req);
	if (req->handler_state != NULL && req->handler_state_free != NULL)
		req->handler_state_free(req->handler_state);
	if (rp->slot != NULL)
		conns_idle(l->srv->o.conns, rp->slot);
	free(rp);
	atomic_fetch_sub(&l->srv->in_flight, 1);
}

int
http_listen_socket(const char *key, const char *spec, bool nodelay, char *err,
                   size_t errlen)
{
	char host[256], portstr[8];
	unsigned port;
	struct addrinfo hints, *res;
	int fd, one = 1, rc;

	if (config_parse_listen(spec, host, sizeof(host), &port) != 0) {
		snprintf(err, errlen, "server.%s \"%s\": expected host:port",
		         key, spec);
		return -1;
	}
	snprintf(portstr, sizeof(portstr), "%u", port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host[0] != '\0' ? host : NULL, portstr, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "server.%s \"%s\": %s", key, spec,
		         gai_strerror(rc));
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	            0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    (nodelay && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
	                           sizeof(one)) != 0) ||
	    bind(fd, res->ai_addr, res->ai_addrlen) != 0 ||
	    listen(fd, SOMAXCONN) != 0) {
		snprintf(err, errlen, "server.%s: cannot listen on %s: %s", key,
		         spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* Plain HTTP (l->https false) on MHD's own pool of threads, which accept
 * on listen_fd or, without one (-1), take connections from the PROXY
 * acceptor. A TLS slot's daemon, run from its front thread
 * (http_server_tls_run). */
static struct MHD_Daemon *
http_daemon(struct http_server *srv, struct http_listener *l, int listen_fd)
{
	const struct config *cfg = srv->o.cfg;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
	unsigned threads = cfg->server.threads; /* config_load resolved 0 */
	/* The pool holds the request line and headers (max_header), then the
	 * response header block: ours are about 1.2 KiB with the CSP and two
	 * cookies, so 4 KiB leaves room. Larger request headers get MHD's
	 * 431. MHD zeroes the pool on every request and every connection
	 * keeps one, so its size is both time and resident memory. */
	size_t mem = cfg->server.max_header + 4096;
	struct MHD_OptionItem ops[14];
	size_t n = 0;

	/* MHD's messages are mostly about clients going away; and the
	 * socketpairs from the TLS front would log on every response. */
	if (log_enabled(LOG_DEBUG))
		flags |= MHD_USE_ERROR_LOG;
	if (listen_fd < 0)
		flags |= MHD_USE_NO_LISTEN_SOCKET;
	else
		ops[n++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET,
		                                   listen_fd, NULL};
	if (!l->https) {
		flags |= MHD_USE_INTERNAL_POLLING_THREAD;
		ops[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE,
		                                   (intptr_t)threads, NULL};
	}
	ops[n++] =
	    (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT,
	                            (intptr_t)cfg->server.idle_timeout, NULL};
	/* The budget (conns.h) counts and refuses connections, exactly and
	 * across plain and TLS; MHD's own limit only backs it up. Connections
	 * closed to make room, or refused, stay with MHD until its thread
	 * next runs, hence twice the budget. MHD's per-address count is
	 * left off: it lags behind connections the client has closed. */
	ops[n++] = (struct MHD_OptionItem){
	    MHD_OPTION_CONNECTION_LIMIT,
	    (intptr_t)(2 * cfg->server.max_connections + 16), NULL};
	/* Level 1, upstream's choice "for highly loaded public servers":
	 * within RFC 9112 it refuses what it may (obs-fold, bare CR/LF, NUL,
	 * whitespace in the target or before a colon, Content-Length with
	 * Transfer-Encoding) and still takes what clients may send (one
	 * empty line before a request). Level 2 would refuse that too,
	 * which the RFC forbids a server to do. */
	ops[n++] =
	    (struct MHD_OptionItem){MHD_OPTION_CLIENT_DISCIPLINE_LVL, 1, NULL};
	ops[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	                                   (intptr_t)mem, NULL};
	ops[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED,
	                                   (intptr_t)http_completed, l};
	ops[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_CONNECTION,
	                                   (intptr_t)http_connection_notify, l};
	ops[n++] = (struct MHD_OptionItem){MHD_OPTION_URI_LOG_CALLBACK,
	                                   (intptr_t)http_uri_log, l};
	ops[n++] = (struct MHD_OptionItem){MHD_OPTION_UNESCAPE_CALLBACK,
	                                   (intptr_t)http_unescape_none, NULL};
	ops[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER,
	                                   (intptr_t)http_mhd_log, NULL};
	ops[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
	return MHD_start_daemon(flags, 0, NULL, NULL, http_access, l,
	                        MHD_OPTION_ARRAY, ops, MHD_OPTION_END);
}

static int
http_tls_slot_open(struct http_server *srv, struct http_tls_slot *slot,
                   char *err, size_t errlen)
{
	slot->l = (struct http_listener){srv, true};
	if ((slot->d = http_daemon(srv, &slot->l, -1)) == NULL) {
		snprintf(err, errlen, "server: cannot start HTTPS: %s",
		         strerror(errno));
		return -1;
	}
	return 0;
}

/* The TLS daemons (their front threads have ended), then the rest. */
static void
http_server_free(struct http_server *srv)
{
	for (unsigned i = 0; i < srv->ntls; i++)
		if (srv->tls[i].d != NULL)
			MHD_stop_daemon(srv->tls[i].d);
	free(srv->tls);
	/* No MHD thread is left to hand it a socket. */
	http_linger_stop(srv->linger);
	http_workers_free(&srv->workers);
	static_close();
	log_flush(); /* the access lines of the last requests */
	free(srv);
}

/* The plain listener: MHD accepts, or with PROXY headers the acceptor. */
static int
http_plain_start(struct http_server *srv, char *err, size_t errlen)
{
	const struct config *cfg = srv->o.cfg;
	bool proxy = proxy_expected(cfg, false);
	int fd = srv->o.listen_fd;

	if (fd < 0 &&
	    (fd = http_listen_socket("http_listen", cfg->server.http_listen,
	                             false, err, errlen)) < 0)
		return -1;
	srv->plain = http_daemon(srv, &srv->plain_l, proxy ? -1 : fd);
	if (srv->plain == NULL) {
		close(fd);
		snprintf(err, errlen, "server: cannot start HTTP on %s: %s",
		         cfg->server.http_listen, strerror(errno));
		return -1;
	}
	if (proxy) /* takes fd */
		return http_acceptor_start(&srv->acceptor, cfg, srv->o.conns,
		                           srv->plain, fd, err, errlen);
	return 0;
}

int
http_server_start(struct http_server **out, const struct http_server_opts *opts,
                  char *err, size_t errlen)
{
	const struct config *cfg = opts->cfg;
	struct http_server *srv = xcalloc(1, sizeof(*srv));

	srv->o = *opts;
	srv->plain_l = (struct http_listener){srv, false};
	atomic_init(&srv->in_flight, 0);
	static_open(cfg);
	/* Before any thread starts: a /metrics scrape on one may read *out
	 * (the program's app->http), and pthread_create orders this write
	 * before it. */
	*out = srv;
	if (http_workers_start(&srv->workers, cfg->server.workers,
	                       http_run_route, http_resume) != 0) {
		snprintf(err, errlen, "server: cannot start %u workers",
		         cfg->server.workers);
		goto fail;
	}
	if (cfg->server.http_listen[0] != '\0') {
		srv->linger = http_linger_start();
		if (http_plain_start(srv, err, errlen) == -1)
			goto fail;
	}
	if (cfg->server.https_listen[0] != '\0') {
		/* One per front thread; config_load resolved 0. */
		srv->tls = xcalloc(cfg->server.tls_threads, sizeof(*srv->tls));
		while (srv->ntls < cfg->server.tls_threads)
			if (http_tls_slot_open(srv, &srv->tls[srv->ntls++], err,
			                       errlen) == -1)
				goto fail; /* counted: freed with the others */
	}
	return 0;
fail:
	http_workers_stop(&srv->workers);
	http_acceptor_stop(srv->acceptor);
	if (srv->plain != NULL)
		MHD_stop_daemon(srv->plain);
	*out = NULL; /* every thread that could read it has ended */
	http_server_free(srv);
	return -1;
}

void
http_server_drain(struct http_server *srv)
{
	unsigned long long deadline;
	MHD_socket listen_fd = MHD_INVALID_SOCKET;

	if (srv == NULL)
		return;
	/* MHD's thread may still be in epoll with the listening socket:
	 * it is closed only once MHD_stop_daemon has joined that thread.
	 * The PROXY acceptor closes its own once its thread has ended. */
	if (srv->acceptor != NULL) {
		http_acceptor_stop(srv->acceptor);
		srv->acceptor = NULL;
	} else if (srv->plain != NULL) {
		/* MHD takes the socket out of its threads' epoll sets and
		 * hands it back untouched: never shut down, since a socket
		 * the service manager passed keeps its backlog for the next
		 * process. */
		listen_fd = MHD_quiesce_daemon(srv->plain);
	}
	deadline = clock_now_us() +
	           (unsigned long long)srv->o.cfg->server.shutdown_timeout *
	               1000000ULL;
	/* Also the connections accepted just before the listeners closed,
	 * whose first request is on its way: closing them would fail a
	 * client that did nothing wrong. Idle keep-alive connections are
	 * closed; a client may retry its next request, which that allows. */
	while ((atomic_load(&srv->in_flight) > 0 ||
	        conns_fresh(srv->o.conns) > 0) &&
	       clock_now_us() < deadline)
		usleep(10000);
	if (atomic_load(&srv->in_flight) > 0 || conns_fresh(srv->o.conns) > 0)
		log_warn("http: stopping with %u requests in flight and %u "
		         "connections without a request yet",
		         atomic_load(&srv->in_flight),
		         conns_fresh(srv->o.conns));
	/* MHD cannot stop with a connection suspended: the workers finish
	 * what they hold and what is queued, and resume each; a request
	 * that comes in later runs on its MHD (or front) thread
	 * (workers.c). */
	http_workers_stop(&srv->workers);
	if (srv->plain != NULL)
		MHD_stop_daemon(srv->plain);
	srv->plain = NULL;
	if (listen_fd != MHD_INVALID_SOCKET)
		close(listen_fd);
}

void
http_server_stop(struct http_server *srv)
{
	http_server_free(srv);
}

void
http_resume(struct http_req_priv *rp)
{
	/* rp may be gone once resumed: its connection's thread answers. For
	 * a TLS slot, MHD's channel wakes the front thread (tls_fd). */
	MHD_resume_connection(rp->req.conn);
}

int
http_server_add_tls_connection(struct http_server *srv, unsigned slot, int fd,
                               const struct sockaddr *peer, unsigned peerlen)
{
	/* MHD owns fd from here on, and closes it itself on failure. */
	if (MHD_add_connection(srv->tls[slot].d, fd, peer,
	                       (socklen_t)peerlen) != MHD_YES) {
		log_warn("http: cannot add a TLS connection: %s",
		         strerror(errno));
		return -1;
	}
	return 0;
}

int
http_server_tls_fd(struct http_server *srv, unsigned slot)
{
	const union MHD_DaemonInfo *info;

	if (slot >= srv->ntls ||
	    (info = MHD_get_daemon_info(srv->tls[slot].d,
	                                MHD_DAEMON_INFO_EPOLL_FD)) == NULL)
		return -1;
	return info->epoll_fd;
}

int
http_server_tls_run(struct http_server *srv, unsigned slot)
{
	struct MHD_Daemon *d = srv->tls[slot].d;
	MHD_UNSIGNED_LONG_LONG ms;

	if (MHD_run(d) != MHD_YES)
		log_warn("http: MHD_run failed for TLS slot %u", slot);
	if (MHD_get_timeout(d, &ms) != MHD_YES)
		return -1;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

unsigned
http_server_in_flight(struct http_server *srv)
{
	return atomic_load(&srv->in_flight);
}

void
http_server_worker_stats(struct http_server *srv, struct http_worker_stats *out)
{
	http_workers_stats(&srv->workers, out);
}
