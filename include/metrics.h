/*
 * Request metrics and GET /metrics (Prometheus text format 0.0.4).
 *
 * Threads: every MHD thread records into process-wide fixed arrays of
 * relaxed atomic counters, indexed by route number, method and a small
 * status table, so recording takes no lock and allocates nothing. The
 * handler reads them (and the pool, server and TLS counters) when scraped;
 * a scrape that races requests may see a sum a little ahead of its count,
 * which Prometheus tolerates.
 */
#ifndef BLOGD_METRICS_H
#define BLOGD_METRICS_H

#include <stdbool.h>

#include "http.h"

struct route;

/* Room for the routes of handlers/routes.c plus "none"; a unit test checks
 * that app_routes fits. */
#define METRICS_MAX_ROUTES 48

/*
 * Counts one finished request: route is req->route (an entry of
 * app_routes, or NULL, counted as "none"), method a value of enum
 * http_method (0 when the request line never parsed), status the HTTP
 * status sent (0: none was).
 */
void metrics_record(const struct route *route, unsigned method, int status,
                    unsigned long long duration_us);

/*
 * Whether client_ip (text as inet_ntop writes it) may read /metrics under
 * server.metrics_allow: "any" allows everyone, otherwise only 127.0.0.0/8,
 * ::1 and IPv4-mapped 127.0.0.0/8.
 */
bool metrics_client_allowed(const char *client_ip, const char *allow);

/*
 * The certificate in service (Unix time it expires) and the ACME thread's
 * orders: when this instance last tried, how it went, when it tries next.
 * Called by src/acme/; any thread.
 */
void metrics_tls_certificate(long long not_after);
void metrics_acme_attempt(bool ok, long long when, long long next);
void metrics_acme_next_attempt(long long next);

struct app;
struct buf;
/* Appends the whole exposition: the request counters and histogram, and
 * the gauges of app's server, pool (either may be NULL) and TLS front. */
void metrics_render(struct buf *out, struct app *app);

/* GET /metrics: 403 to a client metrics_client_allowed refuses. */
void metrics_handle(struct http_request *req);

#endif
