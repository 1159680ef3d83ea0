/*
 * Request metrics and GET /metrics (Prometheus text format 0.0.4).
 *
 * Threads: every MHD thread records into process-wide fixed arrays of
 * relaxed atomic counters, indexed by route number, method and a small
 * status table, so recording takes no lock and allocates nothing. The
 * handler reads them (and calls the registered sources) when scraped;
 * a scrape that races requests may see a sum a little ahead of its count,
 * which Prometheus tolerates.
 */
#ifndef BLOGD_METRICS_H
#define BLOGD_METRICS_H

#include <stdbool.h>

#include "http.h"

struct route;

/* Room for the routes of handlers/routes.c plus "none"; a unit test checks
 * that the route table fits. */
#define METRICS_MAX_ROUTES 48

/*
 * Counts one finished request: route is the request's (an entry of
 * the route table, or NULL, counted as "none"), method a value of enum
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

struct buf;

/*
 * The gauges of the layers above http (pool, page cache, TLS front, ACME)
 * come from "sources": a function that appends its families to out with
 * the helpers below. Programs register them at start-up, before serving
 * (main.c), so this file needs none of their headers; registration takes
 * no lock, so it must be done before the first scrape and sources must
 * stay valid until metrics_clear_sources. They render in the order they
 * were added, after the request counters and before the process lines.
 */
typedef void (*metrics_source_fn)(struct buf *out, void *arg);
#define METRICS_MAX_SOURCES 8
/* Main thread, before serving; aborts past METRICS_MAX_SOURCES. */
void metrics_add_source(metrics_source_fn fn, void *arg);
/* Main thread, once nothing serves any more. */
void metrics_clear_sources(void);

/* Helpers for sources: "# HELP" and "# TYPE" lines of a family; a family
 * of one unlabelled series. */
void metrics_family(struct buf *out, const char *name, const char *type,
                    const char *help);
void metrics_gauge(struct buf *out, const char *name, const char *type,
                   const char *help, unsigned long long value);

/* Appends the whole exposition: the request counters and histogram, every
 * source's lines, and the process's. */
void metrics_render(struct buf *out);

/* Main thread, before serving: [server] metrics_allow (kept, not copied);
 * until then only loopback clients may read /metrics. */
void metrics_set_allow(const char *allow);
/* GET /metrics: 403 to a client metrics_client_allowed refuses. */
void metrics_handle(struct http_request *req);

#endif
