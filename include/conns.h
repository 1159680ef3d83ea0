/*
 * The connection budget (src/http/conns.c): one count of open client
 * connections across plain HTTP and the TLS front, [server]
 * max_connections in all and per_ip_connections from one address.
 *
 * A slot stands for one accepted TCP connection. It is "idle" while no
 * request is in progress on it (also before the first one) and "busy"
 * from the request line to the end of the answer. When the budget is full,
 * admitting a connection closes the one idle the longest (shutdown(2) of
 * its socket: its owner sees EOF and cleans up as usual), so that idle
 * keep-alive connections cannot starve new clients. A connection whose
 * TCP state is no longer ESTABLISHED (either side closed) does not count
 * against its address, even if its owner has not cleaned it up yet.
 *
 * Every call is thread-safe. A slot has one or two holders: the owner of
 * its socket (conns_close before closing the socket) and, for a TLS
 * connection, the HTTP side of its socketpair (conns_bind/conns_take,
 * then conns_put).
 */
#ifndef BLOGD_CONNS_H
#define BLOGD_CONNS_H

#include <stdbool.h>
#include <sys/socket.h>

struct conns;
struct conn_slot;

/* max_total and per_ip are at least 1. fd_limit sizes the table of
 * conns_bind (the process's open-file limit). NULL on allocation failure.
 */
struct conns *conns_new(unsigned max_total, unsigned per_ip, unsigned fd_limit);
void conns_free(struct conns *cs);

/* Counts the client connection on TCP socket fd, or returns NULL when it
 * must be refused: its address already has per_ip open connections (only
 * checked when per_ip is true), or the budget is full and none is idle to
 * make room. A trusted proxy's connections are admitted with per_ip false:
 * it carries many clients, and max_connections still bounds it. */
struct conn_slot *conns_admit(struct conns *cs, int fd,
                              const struct sockaddr *peer, bool per_ip);
/* The connection's client turned out to be client (a PROXY header): s
 * counts against that address from now on, if it has room (per_ip as
 * above); false when it has not, and s stays as it was. */
bool conns_readdress(struct conns *cs, struct conn_slot *s,
                     const struct sockaddr *client, bool per_ip);
/* A request started / ended on the connection. */
void conns_busy(struct conns *cs, struct conn_slot *s);
void conns_idle(struct conns *cs, struct conn_slot *s);
/* Connections admitted on which no request has started yet (a TLS one
 * may still be in its handshake): a shutting-down server waits for their
 * first request rather than close them under a client that just
 * connected. */
unsigned conns_fresh(struct conns *cs);
/* The socket owner: uncounts s before closing its socket, and lets go. */
void conns_close(struct conns *cs, struct conn_slot *s);
/* The second holder lets go of s. */
void conns_put(struct conns *cs, struct conn_slot *s);

/* Hands s to whoever takes fd (another socket, e.g. the HTTP end of a
 * socketpair) with conns_take, with a hold of its own; conns_unbind gives
 * back that hold when fd was not taken. */
void conns_bind(struct conns *cs, int fd, struct conn_slot *s);
struct conn_slot *conns_take(struct conns *cs, int fd);
void conns_unbind(struct conns *cs, int fd, struct conn_slot *s);

#endif
