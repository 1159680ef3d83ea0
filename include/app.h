/*
 * What every handler can reach: the configuration, the database pool and
 * the CSRF key made from the site secret. Built by the main thread before
 * the server starts and read-only while it runs.
 */
#ifndef BLOGD_APP_H
#define BLOGD_APP_H

#include <stdatomic.h>
#include <stdbool.h>

#include "crypto.h"

struct config;
struct conns;
struct db_pool;
struct http_server;

#define APP_SECRET_LEN 32

struct app {
	const struct config *cfg;
	struct db_pool *db;
	struct http_server *http;
	/* Open client connections, plain and TLS ([server]
	 * max_connections, per_ip_connections); thread-safe. */
	struct conns *conns;
	/* HMAC key for CSRF tokens, from the secret every instance shares
	 * through the database (table site_secret, made by the first
	 * migration). Set once at start-up, cleared at exit. */
	struct crypto_hmac_key csrf_key;
	bool https_enabled; /* an HTTPS listener runs */
	unsigned https_port;
	/* One of the two fields that change while serving: HTTPS has a
	 * certificate, so plain HTTP redirects to it. True from the start with
	 * [tls] files; with [acme] the ACME thread sets it once the first
	 * certificate is in service (until then plain HTTP serves pages). */
	atomic_bool https_ready;
	/* Set by the main thread on SIGTERM for [server] drain_seconds:
	 * /healthz answers 503 so that a load balancer stops sending. */
	atomic_bool draining;
};

#endif
