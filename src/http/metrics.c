/*
 * Request metrics and the GET /metrics handler (include/metrics.h).
 *
 * The counters are process-wide static arrays of atomics updated with
 * relaxed ordering: each is an independent tally, nothing is published
 * through them. Histogram buckets are stored per bucket, not cumulative,
 * so a request touches one bucket; rendering adds them up, which also makes
 * +Inf equal _count by construction.
 */
#include "metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "router.h"

/* Methods: GET, HEAD, POST and everything else. */
#define METRICS_METHODS 4
static const char *const metrics_method_names[METRICS_METHODS] = {
    "GET", "HEAD", "POST", "other"};

/* The codes blogd answers with, each counted under its own label. */
static const short metrics_codes[] = {
    200, 201, 204, 206, 301, 302, 303, 304, 307, 308, 400, 401, 403, 404,
    405, 408, 411, 413, 414, 415, 429, 431, 500, 501, 502, 503, 504, 505,
};

/*
 * Status slots: 0 for "no status sent", 1 + i for metrics_codes[i], then
 * one per class (1xx to 5xx) for anything unexpected.
 */
enum {
	STATUS_NONE = 0,
	STATUS_NCODES = sizeof(metrics_codes) / sizeof(metrics_codes[0]),
	STATUS_CLASS0 = STATUS_NCODES + 1, /* 1xx; 5xx is CLASS0 + 4 */
	METRICS_STATUSES = STATUS_CLASS0 + 5,
};

/* Upper bounds of the latency buckets in microseconds; the labels are
 * these in seconds. */
#define METRICS_BUCKETS 13
static const unsigned long long metrics_bucket_us[METRICS_BUCKETS] = {
    500,    1000,   2500,   5000,    10000,   25000,  50000,
    100000, 250000, 500000, 1000000, 2500000, 5000000};

/* Route slot 0 is "none"; route i of the route table is slot i + 1. */
static atomic_ullong metrics_requests[METRICS_MAX_ROUTES][METRICS_METHODS]
                                     [METRICS_STATUSES];
/* The last bucket of each row is +Inf. */
static atomic_ullong metrics_hist[METRICS_MAX_ROUTES][METRICS_BUCKETS + 1];
static atomic_ullong metrics_hist_sum_us[METRICS_MAX_ROUTES];

/* route points into the route table (or is NULL): its slot is its index. */
static size_t
metrics_route_slot(const struct route *route)
{
	size_t i;

	if (route == NULL)
		return 0;
	i = (size_t)(route - router_table()->routes) + 1;
	return i < METRICS_MAX_ROUTES ? i : 0;
}

static const char *
metrics_route_label(size_t slot)
{
	return slot == 0 ? "none" : router_table()->routes[slot - 1].name;
}

static size_t
metrics_method_slot(unsigned method)
{
	switch (method) {
	case HTTP_GET:
		return 0;
	case HTTP_HEAD:
		return 1;
	case HTTP_POST:
		return 2;
	default:
		return 3;
	}
}

static size_t
metrics_status_index(int status)
{
	if (status < 100 || status > 599)
		return STATUS_NONE;
	for (size_t i = 0; i < STATUS_NCODES; i++)
		if (metrics_codes[i] == status)
			return i + 1;
	return STATUS_CLASS0 + (size_t)(status / 100 - 1);
}

/* The status label of slot s: "none", the code, or its class. */
static void
metrics_status_label(size_t s, char *out, size_t outlen)
{
	if (s == STATUS_NONE)
		snprintf(out, outlen, "none");
	else if (s <= STATUS_NCODES)
		snprintf(out, outlen, "%d", metrics_codes[s - 1]);
	else
		snprintf(out, outlen, "%zuxx", s - STATUS_CLASS0 + 1);
}

void
metrics_record(const struct route *route, unsigned method, int status,
               unsigned long long duration_us)
{
	size_t r = metrics_route_slot(route), b = 0;

	atomic_fetch_add_explicit(&metrics_requests[r][metrics_method_slot(
	                              method)][metrics_status_index(status)],
	                          1, memory_order_relaxed);
	while (b < METRICS_BUCKETS && duration_us > metrics_bucket_us[b])
		b++;
	atomic_fetch_add_explicit(&metrics_hist[r][b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&metrics_hist_sum_us[r], duration_us,
	                          memory_order_relaxed);
}

bool
metrics_client_allowed(const char *client_ip, const char *allow)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (allow != NULL && strcmp(allow, "any") == 0)
		return true;
	if (client_ip == NULL)
		return false;
	if (inet_pton(AF_INET, client_ip, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, client_ip, &a6) != 1)
		return false;
	if (IN6_IS_ADDR_LOOPBACK(&a6))
		return true;
	return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
}

static unsigned long long
metrics_load(atomic_ullong *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

void
metrics_family(struct buf *out, const char *name, const char *type,
               const char *help)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void
metrics_gauge(struct buf *out, const char *name, const char *type,
              const char *help, unsigned long long value)
{
	metrics_family(out, name, type, help);
	buf_printf(out, "%s %llu\n", name, value);
}

/* Written by the main thread before serving, read by scrapes: no lock
 * (see metrics_add_source). */
static struct {
	metrics_source_fn fn;
	void *arg;
} metrics_sources[METRICS_MAX_SOURCES];
static size_t metrics_nsources;

void
metrics_add_source(metrics_source_fn fn, void *arg)
{
	if (metrics_nsources == METRICS_MAX_SOURCES)
		abort(); /* a programming error: raise METRICS_MAX_SOURCES */
	metrics_sources[metrics_nsources].fn = fn;
	metrics_sources[metrics_nsources].arg = arg;
	metrics_nsources++;
}

void
metrics_clear_sources(void)
{
	metrics_nsources = 0;
}

static void
metrics_render_requests(struct buf *out)
{
	metrics_family(out, "blogd_http_requests_total", "counter",
	               "HTTP requests answered, by route, method and status.");
	for (size_t r = 0; r < METRICS_MAX_ROUTES && r <= router_table()->count;
	     r++) {
		for (size_t m = 0; m < METRICS_METHODS; m++)
			for (size_t s = 0; s < METRICS_STATUSES; s++) {
				unsigned long long n =
				    metrics_load(&metrics_requests[r][m][s]);
				char status[8];

				if (n == 0)
					continue;
				metrics_status_label(s, status, sizeof(status));
				buf_printf(
				    out,
				    "blogd_http_requests_total{route=\"%s\""
				    ",method=\"%s\",status=\"%s\"} %llu\n",
				    metrics_route_label(r),
				    metrics_method_names[m], status, n);
			}
	}
}

static void
metrics_render_histogram(struct buf *out)
{
	static const char name[] = "blogd_http_request_duration_seconds";

	metrics_family(out, name, "histogram",
	               "Time from request line to response sent, by route.");
	for (size_t r = 0; r < METRICS_MAX_ROUTES && r <= router_table()->count;
	     r++) {
		unsigned long long row[METRICS_BUCKETS + 1], count = 0;
		const char *route = metrics_route_label(r);

		for (size_t b = 0; b <= METRICS_BUCKETS; b++) {
			row[b] = metrics_load(&metrics_hist[r][b]);
			count += row[b];
		}
		if (count == 0)
			continue;
		count = 0;
		for (size_t b = 0; b < METRICS_BUCKETS; b++) {
			count += row[b];
			buf_printf(out,
			           "%s_bucket{route=\"%s\",le=\"%g\"} %llu\n",
			           name, route,
			           (double)metrics_bucket_us[b] / 1e6, count);
		}
		count += row[METRICS_BUCKETS];
		buf_printf(out, "%s_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
		           name, route, count);
		buf_printf(out, "%s_sum{route=\"%s\"} %.6f\n", name, route,
		           (double)metrics_load(&metrics_hist_sum_us[r]) / 1e6);
		buf_printf(out, "%s_count{route=\"%s\"} %llu\n", name, route,
		           count);
	}
}

/* Reads a small /proc file into buf; -1 when it cannot. */
static int
metrics_read_proc(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n > 0 ? 0 : -1;
}

/* Seconds since the epoch when this process started: boot time from
 * /proc/stat plus field 22 (starttime, in clock ticks) of /proc/self/stat,
 * as the Prometheus client libraries compute it. */
static int
metrics_start_time(double *out)
{
	char st[1024], all[8192];
	const char *p, *bt;
	unsigned long long btime, ticks;
	long hz = sysconf(_SC_CLK_TCK);

	if (hz <= 0 || metrics_read_proc("/proc/self/stat", st, sizeof(st)) ||
	    metrics_read_proc("/proc/stat", all, sizeof(all)))
		return -1;
	/* The command name (field 2, in parentheses) may hold spaces: start
	 * after it, and stop on the space before field 22. */
	if ((p = strrchr(st, ')')) == NULL)
		return -1;
	for (int field = 3; field <= 22; field++) {
		p = strchr(p + 1, ' ');
		if (p == NULL)
			return -1;
	}
	if ((bt = strstr(all, "\nbtime ")) == NULL ||
	    sscanf(bt, "\nbtime %llu", &btime) != 1 ||
	    sscanf(p, " %llu", &ticks) != 1)
		return -1;
	*out = (double)btime + (double)ticks / (double)hz;
	return 0;
}

static void
metrics_render_process(struct buf *out)
{
	char statm[256];
	unsigned long long size, resident;
	double start;

	metrics_family(out, "blogd_build_info", "gauge",
	               "Always 1; the version is the label.");
	buf_printf(out, "blogd_build_info{version=\"%s\"} 1\n", BLOGD_VERSION);
	if (metrics_start_time(&start) == 0) {
		metrics_family(out, "process_start_time_seconds", "gauge",
		               "Start time of the process since the epoch.");
		buf_printf(out, "process_start_time_seconds %.2f\n", start);
	}
	if (metrics_read_proc("/proc/self/statm", statm, sizeof(statm)) == 0 &&
	    sscanf(statm, "%llu %llu", &size, &resident) == 2)
		metrics_gauge(out, "process_resident_memory_bytes", "gauge",
		              "Resident memory size in bytes.",
		              resident *
		                  (unsigned long long)sysconf(_SC_PAGESIZE));
}

void
metrics_render(struct buf *out)
{
	metrics_render_requests(out);
	metrics_render_histogram(out);
	for (size_t i = 0; i < metrics_nsources; i++)
		metrics_sources[i].fn(out, metrics_sources[i].arg);
	metrics_render_process(out);
}

/* [server] metrics_allow, set before serving; NULL: loopback only. */
static const char *metrics_allow;

void
metrics_set_allow(const char *allow)
{
	metrics_allow = allow;
}

void
metrics_handle(struct http_request *req)
{
	struct buf out = BUF_INIT;

	if (!metrics_client_allowed(http_req_client_ip(req), metrics_allow)) {
		http_error(req, 403);
		return;
	}
	metrics_render(&out);
	http_add_header(req, "Cache-Control", "no-store");
	http_respond(req, 200, "text/plain; version=0.0.4; charset=utf-8",
	             &out);
}
