/*
 * The HTTPS listener: accepts TCP, runs the mbedtls handshake on its own
 * epoll threads, then carries plaintext to libmicrohttpd over a socketpair
 * (http_server_add_tls_connection), to a daemon that the same thread runs.
 * MHD never sees ciphertext.
 */
#ifndef BLOGD_TLS_FRONT_H
#define BLOGD_TLS_FRONT_H

#include <stddef.h>

struct conns;
struct http_server;
struct config;
struct tls_front;

/*
 * Session-ticket keys. Every instance on one database installs the same
 * two (the program reads them through the model): tickets are encrypted
 * with the current one and accepted with either, so a client resumes on
 * any instance and across reloads. A new current key every
 * TLS_TICKET_ROTATE seconds; a ticket is accepted for at most
 * TLS_TICKET_LIFETIME, and at least TLS_TICKET_ROTATE, seconds (until the
 * key that made it is two keys old).
 */
#define TLS_TICKET_NAME_LEN 4  /* names the key inside each ticket */
#define TLS_TICKET_KEY_LEN  32 /* AES-256-GCM */
#define TLS_TICKET_ROTATE   (12 * 3600)
#define TLS_TICKET_LIFETIME (2 * TLS_TICKET_ROTATE)
struct tls_ticket_key {
	unsigned char name[TLS_TICKET_NAME_LEN];
	unsigned char key[TLS_TICKET_KEY_LEN];
};

/*
 * Loads certificate and key and listens on server.https_listen; before the
 * HTTP server starts, so that once plain HTTP answers (/healthz) HTTPS
 * connections wait in the backlog instead of being refused.
 */
int tls_front_open(struct tls_front **front, const struct config *cfg,
                   struct conns *conns, int listen_fd, char *err,
                   size_t errlen);
/* Then, with the HTTP server started, starts the threads that accept and
 * run http's TLS daemons. On failure tls_front_stop still cleans up. */
int tls_front_run(struct tls_front *front, struct http_server *http, char *err,
                  size_t errlen);
/* SIGHUP: re-reads certificate and key. On error the old pair stays in
 * service and err says why. New connections get the new pair. */
int tls_front_reload(struct tls_front *front, char *err, size_t errlen);
/* [acme]: puts a certificate chain and key (PEM text) in service, as a
 * reload does; any thread. Until the first one, HTTPS closes connections
 * as they come. On error the pair in service stays and err says why. */
int tls_front_install(struct tls_front *front, const char *cert_pem,
                      const char *key_pem, char *err, size_t errlen);
/* SIGTERM, first step: stops accepting new connections (none is accepted
 * once this returns) but keeps relaying the open ones, so requests in
 * flight still get their answers while the HTTP layer drains; a handshake
 * in progress completes and its connection is handed to the HTTP layer,
 * whose TLS daemons run until tls_front_stop. A socket passed by the
 * service manager is left listening, its backlog for the next process;
 * one of blogd's own is shut down, so new clients are refused at once. */
void tls_front_quiesce(struct tls_front *front);
/* Stops accepting and closes every TLS connection; after
 * http_server_drain, before http_server_stop (the threads run the HTTPS
 * daemons until they end). */
void tls_front_stop(struct tls_front *front);
/* Installs the shared ticket keys (prev may be NULL): before
 * tls_front_run, and again whenever they may have changed; any thread.
 * Copies them. 0, or -1 with err set (the keys in service stay). */
int tls_front_ticket_keys(struct tls_front *front,
                          const struct tls_ticket_key *prev,
                          const struct tls_ticket_key *cur, char *err,
                          size_t errlen);
/* blogd check: certificate and key readable, parseable and matching. */
int tls_check_files(const struct config *cfg, char *err, size_t errlen);

/* Process-wide TLS counters for /metrics; any thread may call it. */
struct tls_front_stats {
	unsigned long long handshakes_full;
	unsigned long long handshakes_resumed; /* by session ticket */
	unsigned long long handshakes_failed;  /* errors and timeouts */
	unsigned long long connections_open;
};
void tls_front_stats(struct tls_front_stats *st);
struct buf;
/* A metrics source (metrics_add_source): the counters above in Prometheus
 * text; arg unused. */
void tls_front_metrics(struct buf *out, void *arg);

/* "mbedtls 3.6.6": the TLS library blogd was built with. */
const char *tls_library_version(void);

#endif
