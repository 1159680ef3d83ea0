/* Unit tests for src/http/metrics.c: who may scrape, and the exposition. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tls_front.h"
#include "buf.h"
#include "metrics.h"
#include "handlers.h"
#include "router.h"

static void
test_loopback_only(void **state)
{
	static const char *const yes[] = {"127.0.0.1", "127.255.0.9", "::1",
	                                  "::ffff:127.0.0.1",
	                                  "0:0:0:0:0:0:0:1"};
	static const char *const no[] = {"10.0.0.1",
	                                 "128.0.0.1",
	                                 "126.255.255.255",
	                                 "0.0.0.0",
	                                 "192.168.1.127",
	                                 "::",
	                                 "::2",
	                                 "fe80::1",
	                                 "::ffff:10.0.0.1",
	                                 "2001:db8::1",
	                                 "-",
	                                 "",
	                                 "127.0.0.1 ",
	                                 "localhost",
	                                 "1"};

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!metrics_client_allowed(yes[i], "loopback"))
			fail_msg("%s refused", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (metrics_client_allowed(no[i], "loopback"))
			fail_msg("%s allowed", no[i]);
	assert_false(metrics_client_allowed(NULL, "loopback"));
}

static void
test_allow_any(void **state)
{
	(void)state;
	assert_true(metrics_client_allowed("203.0.113.9", "any"));
	assert_true(metrics_client_allowed("2001:db8::1", "any"));
	assert_true(metrics_client_allowed("127.0.0.1", "any"));
}

/* Every route needs its own slot, plus one for "none". */
static void
test_routes_fit(void **state)
{
	(void)state;
	assert_true(app_routes_count + 1 <= METRICS_MAX_ROUTES);
}

static const struct route *
route_named(const char *name)
{
	for (size_t i = 0; i < app_routes_count; i++)
		if (strcmp(app_routes[i].name, name) == 0)
			return &app_routes[i];
	fail_msg("no route %s", name);
	return NULL;
}

/* The value of the series that starts with prefix + " ", or -1. */
static double
series(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);

	for (const char *p = text; p != NULL && *p != '\0';) {
		if (strncmp(p, prefix, n) == 0 && p[n] == ' ')
			return strtod(p + n + 1, NULL);
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return -1;
}

static void
test_render(void **state)
{
	struct buf out = BUF_INIT;
	const char *text;
	const struct route *home = route_named("home");
	char key[256];
	double prev = 0;
	static const char *const le[] = {
	    "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
	    "0.1",    "0.25",  "0.5",    "1",     "2.5",  "5",     "+Inf"};

	(void)state;
	metrics_record(home, HTTP_GET, 200, 300);     /* 0.0005 */
	metrics_record(home, HTTP_GET, 200, 500);     /* 0.0005, inclusive */
	metrics_record(home, HTTP_GET, 200, 40000);   /* 0.05 */
	metrics_record(home, HTTP_HEAD, 200, 700);    /* 0.001 */
	metrics_record(home, HTTP_GET, 418, 9000000); /* +Inf, 4xx */
	metrics_record(NULL, HTTP_GET, 404, 100);
	metrics_record(route_named("comment"), HTTP_POST, 303, 2000);
	metrics_record(NULL, 0, 0, 1);
	/* The gauges of higher layers come from registered sources; the TLS
	 * front's needs no running front. */
	metrics_add_source(tls_front_metrics, NULL);
	metrics_render(&out);
	metrics_clear_sources();
	text = buf_cstr(&out);

	assert_true(series(text, "blogd_http_requests_total{route=\"home\","
	                         "method=\"GET\",status=\"200\"}") == 3);
	assert_true(series(text, "blogd_http_requests_total{route=\"home\","
	                         "method=\"HEAD\",status=\"200\"}") == 1);
	assert_true(series(text, "blogd_http_requests_total{route=\"home\","
	                         "method=\"GET\",status=\"4xx\"}") == 1);
	assert_true(series(text, "blogd_http_requests_total{route=\"none\","
	                         "method=\"GET\",status=\"404\"}") == 1);
	assert_true(series(text, "blogd_http_requests_total{route=\"comment\","
	                         "method=\"POST\",status=\"303\"}") == 1);
	assert_true(series(text, "blogd_http_requests_total{route=\"none\","
	                         "method=\"other\",status=\"none\"}") == 1);
	/* Series that never happened are left out. */
	assert_null(strstr(text, "route=\"feed\""));

	for (size_t i = 0; i < sizeof(le) / sizeof(le[0]); i++) {
		double v;

		snprintf(key, sizeof(key),
		         "blogd_http_request_duration_seconds_bucket{route="
		         "\"home\",le=\"%s\"}",
		         le[i]);
		v = series(text, key);
		if (v < prev)
			fail_msg("%s = %g after %g: not cumulative", key, v,
			         prev);
		prev = v;
	}
	assert_true(series(text, "blogd_http_request_duration_seconds_bucket{"
	                         "route=\"home\",le=\"0.0005\"}") == 2);
	assert_true(series(text, "blogd_http_request_duration_seconds_bucket{"
	                         "route=\"home\",le=\"0.001\"}") == 3);
	assert_true(series(text, "blogd_http_request_duration_seconds_bucket{"
	                         "route=\"home\",le=\"5\"}") == 4);
	assert_true(prev == 5);
	assert_true(series(text, "blogd_http_request_duration_seconds_count{"
	                         "route=\"home\"}") == 5);
	assert_true(series(text, "blogd_http_request_duration_seconds_sum{"
	                         "route=\"home\"}") == 9.0415);

	assert_non_null(strstr(text, "# TYPE blogd_http_request_duration_"
	                             "seconds histogram\n"));
	assert_true(series(text, "blogd_tls_handshakes_total{result="
	                         "\"full\"}") >= 0);
	assert_true(series(text, "blogd_build_info{version=\"" BLOGD_VERSION
	                         "\"}") == 1);
	assert_true(series(text, "process_start_time_seconds") > 1.6e9);
	assert_true(series(text, "process_resident_memory_bytes") > 0);
	/* No pool or server registered: their gauges are left out. */
	assert_null(strstr(text, "blogd_db_pool_size"));
	assert_int_equal(text[out.len - 1], '\n');
	buf_free(&out);
}

/* Each status blogd knows is its own label; others count by class. */
static void
test_status_labels(void **state)
{
	static const int codes[] = {200, 201, 204, 206, 301, 302, 303,
	                            304, 307, 308, 400, 401, 403, 404,
	                            405, 408, 411, 413, 414, 415, 429,
	                            431, 500, 501, 502, 503, 504, 505};
	const struct route *robots = route_named("robots");
	struct buf out = BUF_INIT;
	char key[256];

	(void)state;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		metrics_record(robots, HTTP_POST, codes[i], 10);
	metrics_record(robots, HTTP_POST, 102, 10);
	metrics_record(robots, HTTP_POST, 299, 10);
	metrics_record(robots, HTTP_POST, 599, 10);
	metrics_record(robots, HTTP_POST, 600, 10);
	metrics_render(&out);
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		snprintf(key, sizeof(key),
		         "blogd_http_requests_total{route=\"robots\",method="
		         "\"POST\",status=\"%d\"}",
		         codes[i]);
		if (series(buf_cstr(&out), key) != 1)
			fail_msg("%s missing", key);
	}
	for (size_t i = 0; i < 4; i++) {
		static const char *const other[] = {"1xx", "2xx", "5xx",
		                                    "none"};

		snprintf(key, sizeof(key),
		         "blogd_http_requests_total{route=\"robots\",method="
		         "\"POST\",status=\"%s\"}",
		         other[i]);
		if (series(buf_cstr(&out), key) != 1)
			fail_msg("%s missing", key);
	}
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_loopback_only),
	    cmocka_unit_test(test_allow_any),
	    cmocka_unit_test(test_routes_fit),
	    cmocka_unit_test(test_render),
	    cmocka_unit_test(test_status_labels),
	};

	/* As main.c does before serving: /metrics counts by this table. */
	router_set_table(&(struct route_table){app_routes, app_routes_count,
	                                       app_not_found_route});
	return cmocka_run_group_tests(tests, NULL, NULL);
}
