/*
 * Configuration: one INI file plus BLOGD_<SECTION>_<KEY> environment
 * overrides (the environment wins). Loaded once at start-up by the main
 * thread; read-only afterwards, so every thread may read it without locks.
 */
#ifndef BLOGD_CONFIG_H
#define BLOGD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "netaddr.h"

#define CONFIG_DEFAULT_PATH "/etc/blogd/blogd.conf"
/* server.workers 0: this many per core. Handlers mostly wait on the
 * database, so more workers than cores keep the cores busy; each holds a
 * database connection (and its buffers) too. */
#define CONFIG_WORKERS_PER_CORE 2

struct config {
	struct {
		char *http_listen;  /* "host:port", "" = off */
		char *https_listen; /* "host:port", "" = off */
		/* "threads = 0" in the file or the environment means one per
		 * core; config_load resolves it, as for workers, tls_threads
		 * and database.pool_size: none is 0 once loaded. */
		unsigned threads; /* MHD threads for plain HTTP */
		/* Threads that run the handlers that may wait (database,
		 * password hashing), shared by both daemons; 0: two per
		 * core (CONFIG_WORKERS_PER_CORE). */
		unsigned workers;
		size_t max_body; /* bytes of request body */
		/* Bytes of one uploaded file (routes with upload set); the
		 * database's max_allowed_packet must be larger. */
		size_t max_upload;
		size_t max_header; /* bytes of request line + headers */
		unsigned per_ip_connections;
		/* Open client connections, plain and TLS together; 0 in the
		 * file: from the open-file limit (resolved by serve). */
		unsigned max_connections;
		unsigned idle_timeout;      /* seconds */
		unsigned handshake_timeout; /* seconds, TLS */
		unsigned shutdown_timeout;  /* seconds to finish in-flight */
		/* Seconds after SIGTERM during which /healthz answers 503 and
		 * everything else is served, before the listeners close. */
		unsigned drain_seconds;
		char *metrics_allow; /* "loopback" or "any" */
		/* Peers whose X-Forwarded-For and X-Forwarded-Proto count
		 * (and, when not empty, the only ones a PROXY header is
		 * taken from); empty: nobody. */
		struct net_list trusted_proxies;
		/* The listeners that expect a PROXY header: "off", "http",
		 * "https" or "both". */
		char *proxy_protocol;
		unsigned tls_threads; /* HTTPS front threads; 0: one per core */
	} server;
	struct {
		char *certificate;
		char *key;
	} tls;
	struct {
		/* Comma list of DNS names; "" = certificates come from [tls]
		 * files. Set: blogd gets them itself (src/acme/). */
		char *domains;
		char *email;     /* account contact, may be "" */
		char *directory; /* the ACME server's directory URL */
		char *ca_bundle; /* extra CA file for that server, or "" */
		unsigned renew_before; /* days before expiry */
		unsigned retry_min;    /* seconds before the first retry */
	} acme;
	struct {
		char *host;
		unsigned port;
		char *socket;
		char *name;
		char *user;
		char *password;
		char *password_file; /* read at load time into password */
		char *ssl_ca;
		bool ssl_verify;
		unsigned pool_size;       /* 0: one per worker */
		unsigned connect_timeout; /* seconds */
		unsigned read_timeout;    /* seconds */
		/* Comma list of read replicas, "host:port" each (same user,
		 * password and TLS settings); "" = none, every read on the
		 * primary. */
		char *replicas;
		unsigned replica_max_lag; /* seconds behind, else left out */
	} database;
	struct {
		char *templates;
		char *static_dir; /* key "static" */
		char *webroot;
		char *migrations; /* key "migrations": the sql/ directory */
	} paths;
	struct {
		char *title;
		char *base_url;
		char *description; /* meta description of non-post pages */
		char *time_zone;   /* include/zone.h */
		/* The pages' and the feed's language (Django's LANGUAGE_CODE):
		 * <html lang>, xml:lang; screen readers pronounce by it. */
		char *language;
		bool moderate_comments;
		bool markdown_unsafe_html; /* key "allow_raw_html" */
		/* Comment spam defence (handlers/comments.c): the seconds a
		 * form must have been open, the comments one client address
		 * may post in 10 minutes (0: no limit), the links one may
		 * carry. */
		unsigned comment_min_seconds;
		unsigned comment_rate_limit;
		unsigned comment_max_links;
	} site;
	struct {
		char *level;
	} log;
	struct {
		bool enabled;    /* rendered-page cache for anonymous GETs */
		size_t max_size; /* bytes of cached pages, the bound */
		/* Seconds after the database last answered that pages may
		 * still be served stale while it does not. */
		unsigned stale_if_error;
	} cache;
};

/*
 * Fills cfg with defaults, then the file, then the environment. path NULL
 * means CONFIG_DEFAULT_PATH, which may be absent (defaults and environment
 * only); a path given explicitly must exist. On error returns -1 and writes
 * a one-line message naming the file/key and the cause into err.
 */
int config_load(struct config *cfg, const char *path, char *err, size_t errlen);
void config_free(struct config *cfg);

/* The i-th known key, for documentation checks: false past the last. */
bool config_key_at(size_t i, const char **section, const char **key);

/* Splits "host:port" / "[v6]:port". Returns -1 when malformed. */
int config_parse_listen(const char *spec, char *host, size_t hostlen,
                        unsigned *port);

/* At most this many database.replicas. */
#define CONFIG_REPLICAS_MAX 16
/*
 * Reads the next "host:port" of a comma list (database.replicas) at *list,
 * spaces around items ignored, and moves *list past it: 1 with host and
 * port set, 0 at the end of the list, -1 when the item is malformed.
 */
int config_next_hostport(const char **list, char *host, size_t hostlen,
                         unsigned *port);

#endif
