/* The application's route table (src/handlers/routes.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "handlers.h"
#include "router.h"

/*
 * A quick route runs on the MHD thread (http/server.c); a cacheable one
 * goes through the page cache, whose misses read the content version from
 * the database and may wait for another thread's render: never both.
 */
static void
test_quick_is_not_cacheable(void **state)
{
	(void)state;
	for (size_t i = 0; i < app_routes_count; i++)
		if (app_routes[i].quick && app_routes[i].cacheable)
			fail_msg("route %s is quick and cacheable",
			         app_routes[i].name);
}

/* The page cache keeps answers to GET (and HEAD) only. */
static void
test_cacheable_is_get_only(void **state)
{
	(void)state;
	for (size_t i = 0; i < app_routes_count; i++)
		if (app_routes[i].cacheable &&
		    app_routes[i].methods != HTTP_GET)
			fail_msg("cacheable route %s takes more than GET",
			         app_routes[i].name);
}

/* Static files and /metrics must not wait behind a busy worker. */
static void
test_quick_routes(void **state)
{
	/* Not acme: it reads blogd's own challenge answers from the
	 * database. */
	static const char *const quick[] = {"static", "favicon", "metrics"};

	(void)state;
	for (size_t q = 0; q < sizeof(quick) / sizeof(quick[0]); q++) {
		size_t i = 0;

		while (i < app_routes_count &&
		       strcmp(app_routes[i].name, quick[q]) != 0)
			i++;
		assert_true(i < app_routes_count);
		assert_true(app_routes[i].quick);
	}
}

/* The larger body limit is for the one form that sends files, which
 * only an admin may use: POST under /admin/, and no other route. */
static void
test_upload_routes(void **state)
{
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < app_routes_count; i++) {
		if (!app_routes[i].upload)
			continue;
		n++;
		assert_true((app_routes[i].methods & HTTP_POST) != 0);
		assert_int_equal(strncmp(app_routes[i].pattern, "/admin/", 7),
		                 0);
		assert_string_equal(app_routes[i].name, "admin_media");
	}
	assert_int_equal(n, 1);
}

/* /metrics labels its series with the name: two routes of one name would
 * print the same series twice. */
static void
test_names_unique(void **state)
{
	(void)state;
	for (size_t i = 0; i < app_routes_count; i++)
		for (size_t j = i + 1; j < app_routes_count; j++)
			if (strcmp(app_routes[i].name, app_routes[j].name) == 0)
				fail_msg("two routes are named %s",
				         app_routes[i].name);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_quick_is_not_cacheable),
	    cmocka_unit_test(test_cacheable_is_get_only),
	    cmocka_unit_test(test_quick_routes),
	    cmocka_unit_test(test_names_unique),
	    cmocka_unit_test(test_upload_routes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
