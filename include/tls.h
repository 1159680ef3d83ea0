/*
 * TLS with mbedtls 3.6: the server context (certificate, key, settings),
 * the session-ticket keys, and one non-blocking connection on a TCP
 * socket. Only src/tls/tls.c includes the mbedtls TLS headers.
 *
 * Policy: TLS 1.3 and 1.2, nothing older. 1.3 with its standard suites
 * (AES-GCM, ChaCha20-Poly1305), 1.2 with ECDHE and those AEADs only, in
 * the server's order (1.2 only: mbedtls 3.6 takes the client's on 1.3);
 * groups x25519, P-256, P-384; no renegotiation, no 0-RTT, ALPN
 * "http/1.1". Session tickets on both versions, encrypted
 * with keys the caller supplies (tls_tickets_set), so that every
 * instance on one database resumes the others' sessions.
 *
 * Threads: a struct tls_server is shared; it has one "slot" (config, key
 * copy, random generator) per thread that creates connections, because
 * mbedtls does not allow one EC key to sign in two threads at once. A
 * struct tls_conn belongs to the thread that created it with that slot.
 *
 * I/O: the connection never blocks. Ciphertext mbedtls produces is kept in
 * the connection and goes out in tls_conn_flush() (so a handshake flight
 * leaves in one send()); incoming ciphertext is read in large pieces.
 */
#ifndef BLOGD_TLS_H
#define BLOGD_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include "tls_front.h" /* struct tls_ticket_key */

struct tls_server;
struct tls_conn;
struct tls_tickets;

enum tls_status {
	TLS_OK = 0,
	TLS_WANT_READ,  /* wait until the socket is readable */
	TLS_WANT_WRITE, /* unsent ciphertext: wait until writable */
	TLS_CLOSED,     /* the peer sent close_notify or closed TCP */
	TLS_ERROR,      /* fatal: close the connection */
};

/*
 * The session-ticket context: one per process, shared by every server
 * context (a reload keeps it, and with it the sessions it can resume). It
 * starts with random keys of its own; tls_tickets_set installs shared
 * ones. Any thread may use it. The caller frees it after the last server
 * context that uses it.
 */
int tls_tickets_new(struct tls_tickets **t, char *err, size_t errlen);
void tls_tickets_free(struct tls_tickets *t);
/* New tickets are encrypted with cur; tickets made with prev (may be
 * NULL) or cur are accepted. Cheap when nothing changed. 0, or -1 with err
 * set (the keys in service stay). */
int tls_tickets_set(struct tls_tickets *t, const struct tls_ticket_key *prev,
                    const struct tls_ticket_key *cur, char *err, size_t errlen);

/*
 * Loads certificate (chain) and key from PEM files, checks that they match,
 * and builds a server context for nslots threads with one reference; its
 * tickets come from tickets, which must outlive it. On error returns -1
 * with a one-line message naming the file and the cause.
 */
int tls_server_new(struct tls_server **srv, const char *cert_path,
                   const char *key_path, unsigned nslots,
                   struct tls_tickets *tickets, char *err, size_t errlen);
/* The same from PEM text in memory (the certificate ACME got, from the
 * database); errors name it "(ACME certificate)" / "(ACME key)". */
int tls_server_new_pem(struct tls_server **srv, const char *cert_pem,
                       const char *key_pem, unsigned nslots,
                       struct tls_tickets *tickets, char *err, size_t errlen);
/* References are atomic: any thread may take or drop one. */
void tls_server_ref(struct tls_server *srv);
void tls_server_unref(struct tls_server *srv);

/* For `blogd check`: readable, parseable, matching, not expired. */
int tls_check_pair(const char *cert_path, const char *key_path, char *err,
                   size_t errlen);

/*
 * A server-side connection on the non-blocking socket fd (not owned: the
 * caller closes it after tls_conn_free). Holds a reference to srv until
 * freed. NULL when mbedtls cannot allocate its buffers.
 */
struct tls_conn *tls_conn_new(struct tls_server *srv, unsigned slot, int fd);
void tls_conn_free(struct tls_conn *c);

/* The socket became readable (an epoll event; hup: it said EPOLLRDHUP,
 * EPOLLHUP or EPOLLERR): the next read calls recv() again. Reads assume
 * the socket stays empty after a short recv() until this is called, so
 * the caller must watch it edge-triggered. */
void tls_conn_readable(struct tls_conn *c, bool hup);

/* Advances the handshake: TLS_OK once it is complete (ciphertext may still
 * be unsent), TLS_WANT_READ / TLS_WANT_WRITE, or TLS_ERROR. */
enum tls_status tls_conn_handshake(struct tls_conn *c);
/* After the handshake: whether a session ticket resumed it. */
bool tls_conn_resumed(const struct tls_conn *c);

/* Decrypts up to len bytes: TLS_OK with *n > 0, TLS_WANT_READ, TLS_CLOSED
 * or TLS_ERROR. */
enum tls_status tls_conn_read(struct tls_conn *c, void *buf, size_t len,
                              size_t *n);
/* Encrypts all of buf into records kept for tls_conn_flush(): TLS_OK or
 * TLS_ERROR. */
enum tls_status tls_conn_write(struct tls_conn *c, const void *buf, size_t len);
/* Sends kept ciphertext: TLS_OK when none is left, TLS_WANT_WRITE, or
 * TLS_ERROR. The buffer stays for the next records. */
enum tls_status tls_conn_flush(struct tls_conn *c);
size_t tls_conn_unsent(const struct tls_conn *c);
/* The connection goes back to waiting: once all is sent, gives back the
 * buffer a large response grew (kept while the response streams). */
void tls_conn_trim(struct tls_conn *c);
/* Queues a close_notify alert (send it with tls_conn_flush). */
enum tls_status tls_conn_close_notify(struct tls_conn *c);
/* Why the last call returned TLS_ERROR, for a debug log line. */
void tls_conn_strerror(const struct tls_conn *c, char *buf, size_t len);

#endif
