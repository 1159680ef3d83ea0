/*
 * Automatic HTTPS ([acme] domains): a thread of its own gets the
 * certificate from an ACME CA (RFC 8555, HTTP-01), keeps it in the
 * database, renews it, and puts whatever certificate the database holds in
 * service in the TLS front, so every instance on one database serves the
 * same one and only one of them orders at a time (src/acme/manager.c).
 *
 * Threads: acme_start, acme_reload and acme_stop are the main thread's.
 * Everything else happens on the ACME thread, which borrows database
 * connections from the pool like a worker does (never for longer than a
 * few statements) and never runs on a request thread.
 */
#ifndef BLOGD_ACME_H
#define BLOGD_ACME_H

#include <stddef.h>

struct acme;
struct buf;
struct app;
struct config;
struct tls_front;

/* Starts the thread; app->cfg->acme.domains must be set and front open.
 * -1 with err when the thread cannot start. */
int acme_start(struct acme **acme, struct app *app, struct tls_front *front,
               char *err, size_t errlen);
/* SIGHUP: read the certificate from the database again now. */
void acme_reload(struct acme *acme);
/* Stops the thread (an order in progress is abandoned; the next start or
 * another instance takes it up again) and frees acme. NULL is fine. */
void acme_stop(struct acme *acme);
/* A metrics source (metrics_add_source), registered only with [acme]:
 * the certificate in service and this instance's orders; arg unused. */
void acme_metrics(struct buf *out, void *arg);

/* blogd check with [acme]: the certificate the database holds, if any,
 * must parse and match its key (logged: domains, expiry). 0, or -1 with
 * err. */
int acme_check(const struct config *cfg, char *err, size_t errlen);

#endif
