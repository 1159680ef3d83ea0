/*
 * The HTTP layer between libmicrohttpd and the handlers.
 *
 * Threads: requests run on MHD's internal epoll thread pool. A request's
 * struct http_request is allocated by http/server.c on MHD's first call for
 * it, owned by that connection's thread, and freed in MHD's completion
 * callback after the access line is written. Handlers run once per request,
 * after the whole body has arrived, and must answer through exactly one of
 * http_respond*(), http_redirect() or http_error(); a handler that answers
 * nothing gets a 500.
 */
#ifndef BLOGD_HTTP_H
#define BLOGD_HTTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "buf.h"

struct app;
struct http_kv;
struct route;

enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_HEAD = 1 << 1,
	HTTP_POST = 1 << 2,
	HTTP_OTHER = 1 << 3, /* anything else: always 405 */
};

#define HTTP_MAX_PARAMS 4

/* A request as the server holds it: private to src/http/
 * (http_internal.h); everything above uses the functions below. */
struct http_request;

/* Request accessors. Values are decoded, NUL-terminated, valid until the
 * request ends; NULL when absent. Names are case-sensitive except headers. */
const char *http_header(struct http_request *req, const char *name);
const char *http_query(struct http_request *req, const char *name);
const char *http_cookie(struct http_request *req, const char *name);
/* A field of an application/x-www-form-urlencoded or multipart/form-data
 * body (not a file); NULL for other types. */
const char *http_form(struct http_request *req, const char *name);

/* A file sent in a multipart/form-data body (routes with upload set take
 * up to server.max_upload + HTTP_UPLOAD_SLACK bytes of body). */
struct http_file {
	const char *filename; /* as the client named it, may be "" */
	const unsigned char *data;
	size_t len;
};
/* Room for the other fields and the multipart framing of an upload. */
#define HTTP_UPLOAD_SLACK (64 * 1024)
/* The first file sent as field name, NULL when none; valid until the
 * request ends. */
const struct http_file *http_req_file(struct http_request *req,
                                      const char *name);

/* The request as the layers above see it. */
struct app *http_req_app(const struct http_request *req);
/* HEAD is routed as GET: HTTP_HEAD here, the body is dropped. */
enum http_method http_req_method(const struct http_request *req);
/* The matched route, NULL before routing or when none matched. */
const struct route *http_req_route(const struct http_request *req);
/* Decoded route parameter i (0-based), NULL past the last. */
const char *http_req_param(const struct http_request *req, size_t i);
const char *http_req_path(const struct http_request *req);
const char *http_req_target(const struct http_request *req);
/* The client's address as text: the peer, or the address a trusted
 * proxy gives for it. */
const char *http_req_client_ip(const struct http_request *req);
/* The request arrived over HTTPS (or through a trusted proxy that says
 * it did). */
bool http_req_https(const struct http_request *req);
/* The body as received (POST), at most server.max_body bytes; empty for
 * multipart/form-data. */
const struct buf *http_req_body(const struct http_request *req);
/* Per-request state of one subsystem of the handler layer, freed with
 * free_fn when the request ends. http_req_state returns it when it was set
 * with this free_fn, else NULL; http_req_set_state refuses (false) when a
 * state is already set. */
void *http_req_state(const struct http_request *req, void (*free_fn)(void *));
bool http_req_set_state(struct http_request *req, void *state,
                        void (*free_fn)(void *));

/* Longest Host value blogd accepts (a DNS name's limit). */
#define HTTP_HOST_MAX 255

/*
 * The one check of a Host value, for everything that puts it into a URL:
 * a DNS name or IPv4 address (letters, digits, '.', '-', '_') or an IPv6
 * literal in brackets, then an optional ":port" of 1 to 5 digits; at most
 * HTTP_HOST_MAX bytes in all, so nothing that could end or redirect the
 * authority ('/', '@', '?', '#', spaces, CR, LF) gets through. s need not
 * be NUL-terminated. Returns the length of the host without its port, 0
 * when s[0..len) is not one.
 */
size_t http_host_check(const char *s, size_t len);
/* The request's Host header, host[:port] as sent, when http_host_check
 * takes it; NULL when it is absent or not one. *hostlen (may be NULL) gets
 * the length of the part before the port. */
const char *http_request_host(struct http_request *req, size_t *hostlen);

/* Response. Headers added before the answer are sent with it. */
void http_add_header(struct http_request *req, const char *name,
                     const char *value);
/* Cookie with HttpOnly; SameSite=Lax; Path=/ (+ Secure over HTTPS).
 * max_age < 0: session cookie; 0: delete. */
void http_set_cookie(struct http_request *req, const char *name,
                     const char *value, long max_age, bool http_only);
/*
 * The answers. content_type (NULL for none) is not copied: pass a string
 * constant or storage that lives as long as the server (static.c's type
 * table); the page cache keeps the pointer in its entries, past this
 * response. http_respond takes ownership of body's memory (body is left
 * empty).
 */
void http_respond(struct http_request *req, int status,
                  const char *content_type, struct buf *body);
/* data must outlive the response (string literals, cached entries). */
void http_respond_static(struct http_request *req, int status,
                         const char *content_type, const void *data,
                         size_t len);
/* Sends len bytes of an open file and closes it afterwards. */
void http_respond_fd(struct http_request *req, int status,
                     const char *content_type, int fd, size_t len);
void http_redirect(struct http_request *req, int status, const char *location);
/* Error page with the standard text ("reason") for status: the body the
 * error renderer makes, else "STATUS REASON" in plain text. */
void http_error(struct http_request *req, int status);
/*
 * The error renderer: the handler layer's page frame, which http/ cannot
 * include (it sits above). Appends the page for status to out and returns
 * its content type, or NULL when it could not (then out is discarded and
 * the plain text goes out): it must not answer req, since its own failure
 * path is http_error. Set once by the program before serving; NULL (the
 * start, and the unit tests) means plain text.
 */
typedef const char *(*http_error_renderer_fn)(struct http_request *req,
                                              int status, const char *reason,
                                              struct buf *out);
void http_set_error_renderer(http_error_renderer_fn fn);

/* Server lifecycle (main thread). */
struct http_server;
struct config;
struct conns;
/* What the server takes from the program (all kept, none owned). */
struct http_server_opts {
	const struct config *cfg;
	/* The connection budget shared with the TLS front (conns.h). */
	struct conns *conns;
	/* Where plain HTTP redirects to once https_ready (NULL: never). */
	unsigned https_port;
	const atomic_bool *https_ready;
	/* http_listen's socket, taken, when the service manager passed it
	 * (listen_fds.h); -1: open http_listen here. */
	int listen_fd;
	/* Not read here: handed to every request (http_req_app) for the
	 * handlers. */
	struct app *app;
};
int http_server_start(struct http_server **srv,
                      const struct http_server_opts *opts, char *err,
                      size_t errlen);
/*
 * SIGTERM, with the TLS front quiesced: stops accepting plain HTTP (closing
 * its copy of the socket, never shutdown(2): a socket passed by the
 * service manager keeps its backlog for the next process), waits
 * up to the shutdown timeout for the requests in flight (the front threads
 * still run, and answer, the HTTPS ones), ends the workers.
 */
void http_server_drain(struct http_server *srv);
/* After http_server_drain and once the TLS front has stopped (its threads
 * run the TLS daemons): closes what is left and frees srv. */
void http_server_stop(struct http_server *srv);
/*
 * For the TLS front: HTTPS plaintext goes to one MHD daemon per front
 * thread ("slot", 0 to tls_threads - 1), which that thread alone runs.
 * add_tls_connection hands it one end of a socketpair that carries a TLS
 * connection's plaintext from the given peer (0 or -1; fd is taken either
 * way). tls_fd turns readable when the daemon has work, a worker's resume
 * of one of its connections included. tls_run does the work and returns the
 * milliseconds until the daemon must run again for a timeout, or -1 for
 * none.
 */
int http_server_add_tls_connection(struct http_server *srv, unsigned slot,
                                   int fd, const struct sockaddr *peer,
                                   unsigned peerlen);
int http_server_tls_fd(struct http_server *srv, unsigned slot);
int http_server_tls_run(struct http_server *srv, unsigned slot);
/* Requests in flight, for /metrics. */
unsigned http_server_in_flight(struct http_server *srv);
/* The workers (http/workers.c), for /metrics: how many there are, how
 * many run a route now, how many requests wait for one. */
struct http_worker_stats {
	unsigned workers, busy, queued;
};
void http_server_worker_stats(struct http_server *srv,
                              struct http_worker_stats *out);
/* A non-blocking listening TCP socket for spec ("host:port", the value of
 * [server] key, named in errors), with TCP_NODELAY inherited by accepted
 * sockets when nodelay; -1 with err. Both listeners open theirs here. */
int http_listen_socket(const char *key, const char *spec, bool nodelay,
                       char *err, size_t errlen);

#endif
