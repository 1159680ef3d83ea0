/* Route matching (src/http/router.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "router.h"

static void
h_dummy(struct http_request *req)
{
	(void)req;
}

static const struct route routes[] = {
    {HTTP_GET, "/", h_dummy, "home", false, false, false},
    {HTTP_GET, "/posts/{slug}", h_dummy, "post", false, false, false},
    {HTTP_POST, "/posts/{slug}/comments", h_dummy, "comment", false, false,
     false},
    {HTTP_GET | HTTP_POST, "/admin/login", h_dummy, "login", false, false,
     false},
    {HTTP_POST, "/admin/logout", h_dummy, "logout", false, false, false},
    {HTTP_GET, "/admin/posts/{id}/edit", h_dummy, "edit_get", false, false,
     false},
    {HTTP_POST, "/admin/posts/{id}/edit", h_dummy, "edit_post", false, false,
     false},
    {HTTP_GET, "/static/*", h_dummy, "static", false, false, false},
};
static const size_t nroutes = sizeof(routes) / sizeof(routes[0]);

struct result {
	const struct route *route;
	char *params[HTTP_MAX_PARAMS];
	size_t nparams;
	unsigned allowed;
};

static const char *
match(struct result *r, unsigned method, const char *path)
{
	r->route = router_match(routes, nroutes, method, path, r->params,
	                        &r->nparams, &r->allowed);
	return r->route != NULL ? r->route->name : NULL;
}

static void
done(struct result *r)
{
	for (size_t i = 0; i < r->nparams; i++)
		free(r->params[i]);
	r->nparams = 0;
}

static void
test_literals(void **state)
{
	struct result r;

	(void)state;
	assert_string_equal(match(&r, HTTP_GET, "/"), "home");
	assert_int_equal(r.nparams, 0);
	assert_string_equal(match(&r, HTTP_GET, "/admin/login"), "login");
	assert_string_equal(match(&r, HTTP_POST, "/admin/login"), "login");
	/* A literal matches its percent-decoded form. */
	assert_string_equal(match(&r, HTTP_GET, "/admin/log%69n"), "login");
	assert_null(match(&r, HTTP_GET, "/admin"));
	assert_int_equal(r.allowed, 0);
	assert_null(match(&r, HTTP_GET, "/nope"));
	assert_null(match(&r, HTTP_GET, ""));
	assert_null(match(&r, HTTP_GET, "posts/x"));
	assert_null(match(&r, HTTP_GET, "//"));
}

static void
test_params(void **state)
{
	struct result r;

	(void)state;
	assert_string_equal(match(&r, HTTP_GET, "/posts/hello-world"), "post");
	assert_int_equal(r.nparams, 1);
	assert_string_equal(r.params[0], "hello-world");
	done(&r);
	assert_string_equal(match(&r, HTTP_GET, "/posts/caf%C3%A9%20au+lait"),
	                    "post");
	assert_string_equal(r.params[0], "caf\xc3\xa9 au+lait");
	done(&r);
	assert_string_equal(match(&r, HTTP_POST, "/admin/posts/42/edit"),
	                    "edit_post");
	assert_string_equal(r.params[0], "42");
	done(&r);
	/* An empty segment is not a parameter. */
	assert_null(match(&r, HTTP_GET, "/posts/"));
	assert_int_equal(r.nparams, 0);
}

static void
test_bad_params(void **state)
{
	struct result r;

	(void)state;
	/* Encoded slash, encoded NUL, malformed escapes never match. */
	assert_null(match(&r, HTTP_GET, "/posts/a%2fb"));
	assert_null(match(&r, HTTP_GET, "/posts/a%2Fb"));
	assert_null(match(&r, HTTP_GET, "/posts/a%00b"));
	assert_null(match(&r, HTTP_GET, "/posts/a%zzb"));
	assert_null(match(&r, HTTP_GET, "/posts/a%2"));
	assert_int_equal(r.nparams, 0);
	assert_int_equal(r.allowed, 0);
}

static void
test_trailing_slash(void **state)
{
	struct result r;

	(void)state;
	assert_null(match(&r, HTTP_GET, "/posts/x/"));
	assert_null(match(&r, HTTP_GET, "/admin/login/"));
	assert_null(match(&r, HTTP_GET, "/posts//x"));
	assert_null(match(&r, HTTP_POST, "/posts/x/comments/"));
	assert_int_equal(r.nparams, 0);
}

static void
test_head_is_get(void **state)
{
	struct result r;

	(void)state;
	assert_string_equal(match(&r, HTTP_HEAD, "/posts/x"), "post");
	done(&r);
	assert_string_equal(match(&r, HTTP_HEAD, "/"), "home");
	/* HEAD is not POST. */
	assert_null(match(&r, HTTP_HEAD, "/admin/logout"));
	assert_int_equal(r.allowed, HTTP_POST);
}

static void
test_405_mask(void **state)
{
	struct result r;
	char allow[64];

	(void)state;
	assert_null(match(&r, HTTP_POST, "/posts/x"));
	assert_int_equal(r.allowed, HTTP_GET | HTTP_HEAD);
	assert_int_equal(r.nparams, 0);
	router_allow_header(r.allowed, allow, sizeof(allow));
	assert_string_equal(allow, "GET, HEAD");

	assert_null(match(&r, HTTP_GET, "/posts/x/comments"));
	assert_int_equal(r.allowed, HTTP_POST);
	router_allow_header(r.allowed, allow, sizeof(allow));
	assert_string_equal(allow, "POST");

	assert_null(match(&r, HTTP_OTHER, "/admin/login"));
	assert_int_equal(r.allowed, HTTP_GET | HTTP_HEAD | HTTP_POST);
	router_allow_header(r.allowed, allow, sizeof(allow));
	assert_string_equal(allow, "GET, HEAD, POST");

	/* Two routes with one pattern: the method picks, params kept. */
	assert_string_equal(match(&r, HTTP_GET, "/admin/posts/7/edit"),
	                    "edit_get");
	assert_string_equal(r.params[0], "7");
	done(&r);

	router_allow_header(HTTP_GET | HTTP_POST, allow, 6);
	assert_string_equal(allow, "GET");
}

static void
test_wildcard(void **state)
{
	struct result r;

	(void)state;
	assert_string_equal(match(&r, HTTP_GET, "/static/css/site.css"),
	                    "static");
	assert_int_equal(r.nparams, 1);
	assert_string_equal(r.params[0], "css/site.css");
	done(&r);
	/* The rest stays encoded for the handler to judge. */
	assert_string_equal(match(&r, HTTP_GET, "/static/%2e%2e/x"), "static");
	assert_string_equal(r.params[0], "%2e%2e/x");
	done(&r);
	assert_string_equal(match(&r, HTTP_GET, "/static/"), "static");
	assert_string_equal(r.params[0], "");
	done(&r);
	assert_null(match(&r, HTTP_GET, "/static"));
	assert_null(match(&r, HTTP_GET, "/staticx/a"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_literals),
	    cmocka_unit_test(test_params),
	    cmocka_unit_test(test_bad_params),
	    cmocka_unit_test(test_trailing_slash),
	    cmocka_unit_test(test_head_is_get),
	    cmocka_unit_test(test_405_mask),
	    cmocka_unit_test(test_wildcard),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
