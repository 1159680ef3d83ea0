/*
 * The page cache's rules as pure code (src/cache/cache_internal.h): which
 * queries may be cached, the key, where a page's CSRF token is, and when a
 * page held may answer, fresh or stale.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cache_internal.h"
#include "csrf.h"

static void
test_query(void **state)
{
	(void)state;
	assert_true(pc_query_ok("/"));
	assert_true(pc_query_ok("/?"));
	assert_true(pc_query_ok("/?page=2"));
	assert_true(pc_query_ok("/tags/x?page=10"));
	assert_false(pc_query_ok("/?page="));
	assert_false(pc_query_ok("/?page=2x"));
	assert_false(pc_query_ok("/?page=2&a=b"));
	assert_false(pc_query_ok("/?utm_source=x"));
	assert_false(pc_query_ok("/?Page=2"));
}

static void
test_key(void **state)
{
	struct buf a = BUF_INIT, b = BUF_INIT, c = BUF_INIT;

	(void)state;
	pc_key_build(&a, true, "", "/posts/x");
	assert_int_equal(a.len, strlen("s\n/posts/x"));
	assert_memory_equal(a.data, "s\n/posts/x", a.len);
	/* The scheme and the host tell pages apart. */
	pc_key_build(&b, false, "", "/posts/x");
	assert_memory_equal(b.data, "p\n/posts/x", b.len);
	pc_key_build(&c, true, "example.org:8443", "/posts/x");
	assert_memory_equal(c.data, "sexample.org:8443\n/posts/x", c.len);
	/* The '\n' keeps host and target apart: a host that takes part of
	 * the path gives another key. */
	buf_reset(&b);
	pc_key_build(&b, true, "example.org:8443/posts", "x");
	assert_false(b.len == c.len && memcmp(b.data, c.data, b.len) == 0);
	buf_free(&a);
	buf_free(&b);
	buf_free(&c);
}

static const char *
token_in(const char *body, const char **stamp, bool *bad)
{
	struct http_response_view v = {.body = body, .body_len = strlen(body)};

	return pc_find_token(&v, stamp, bad);
}

/* A comment form as post.tpl writes it: the masked token, then the stamp
 * (tok and stamp may be cut or altered by the caller). */
static void
form_page(char *out, size_t n, const char *tok, const char *stamp)
{
	snprintf(out, n,
	         "<form><input name=\"csrf_token\" value=\"%s\">\n"
	         "<input name=\"form_stamp\" value=\"%s\"></form>",
	         tok, stamp);
}

static void
test_token(void **state)
{
	char tok[CSRF_TOKEN_LEN + 1], stamp[CSRF_STAMP_LEN + 1];
	char page[1024], two[2048], bad[1024];
	const char *t, *s;
	bool bad_page;

	(void)state;
	memset(tok, 'a', CSRF_TOKEN_LEN);
	tok[CSRF_TOKEN_LEN] = '\0';
	memset(stamp, '5', CSRF_STAMP_LEN);
	stamp[CSRF_STAMP_LEN] = '\0';
	form_page(page, sizeof(page), tok, stamp);
	t = token_in(page, &s, &bad_page);
	assert_non_null(t);
	assert_false(bad_page);
	assert_memory_equal(t, tok, CSRF_TOKEN_LEN);
	assert_int_equal(t[CSRF_TOKEN_LEN], '"');
	assert_non_null(s);
	assert_true(s > t);
	assert_memory_equal(s, stamp, CSRF_STAMP_LEN);
	/* None. */
	assert_null(token_in("<p>no form</p>", &s, &bad_page));
	assert_false(bad_page);
	/* Two: not split (each visitor would need both). */
	snprintf(two, sizeof(two), "%s%s", page, page);
	assert_null(token_in(two, &s, &bad_page));
	assert_true(bad_page);
	/* A token without its stamp, or the stamp before it. */
	snprintf(bad, sizeof(bad), "<input name=\"csrf_token\" value=\"%s\">",
	         tok);
	assert_null(token_in(bad, &s, &bad_page));
	assert_true(bad_page);
	snprintf(bad, sizeof(bad),
	         "<input name=\"form_stamp\" value=\"%s\">"
	         "<input name=\"csrf_token\" value=\"%s\">",
	         stamp, tok);
	assert_null(token_in(bad, &s, &bad_page));
	assert_true(bad_page);
	/* Not a token: the bare 64 digits of old, or not lower-case hex. */
	tok[64] = '\0';
	form_page(bad, sizeof(bad), tok, stamp);
	assert_null(token_in(bad, &s, &bad_page));
	assert_true(bad_page);
	tok[64] = 'a';
	tok[3] = 'G';
	form_page(bad, sizeof(bad), tok, stamp);
	assert_null(token_in(bad, &s, &bad_page));
	assert_true(bad_page);
	/* A stamp cut short. */
	tok[3] = 'a';
	stamp[70] = '\0';
	form_page(bad, sizeof(bad), tok, stamp);
	assert_null(token_in(bad, &s, &bad_page));
	assert_true(bad_page);
}

static void
test_freshness(void **state)
{
	struct pc_state s = {
	    .complete = true,
	    .version = 5,
	    .current = 5,
	    .age_us = 1000,
	    .stale_max_us = 3600000000ULL,
	    .db_available = true,
	};
	bool stale;

	(void)state;
	/* Current and the version just read: fresh. */
	assert_true(pc_usable_state(&s, &stale));
	assert_false(stale);
	/* A placeholder never answers. */
	s.complete = false;
	assert_false(pc_usable_state(&s, &stale));
	s.complete = true;
	/* Out of date: rendered again, unless a render is under way (the
	 * old copy answers meanwhile, stale) ... */
	s.current = 6;
	assert_false(pc_usable_state(&s, &stale));
	s.filling = true;
	assert_true(pc_usable_state(&s, &stale));
	assert_true(stale);
	s.filling = false;
	/* ... or the database is down: stale if error. */
	s.db_available = false;
	assert_true(pc_usable_state(&s, &stale));
	assert_true(stale);
	s.db_available = true;
	/* The version unread too long: unknown, so stale, but it answers. */
	s.current = 5;
	s.age_us = PC_FRESH_US + 1;
	assert_true(pc_usable_state(&s, &stale));
	assert_true(stale);
	/* Past stale_if_error: nothing held answers. */
	s.age_us = s.stale_max_us + 1;
	assert_false(pc_usable_state(&s, &stale));
	s.filling = true;
	s.db_available = false;
	assert_false(pc_usable_state(&s, &stale));
	/* A newer copy than the version read (a POST here read it first)
	 * is fresh. */
	s = (struct pc_state){.complete = true,
	                      .version = 7,
	                      .current = 6,
	                      .stale_max_us = 1,
	                      .db_available = true};
	assert_true(pc_usable_state(&s, &stale));
	assert_false(stale);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_query),
	    cmocka_unit_test(test_key),
	    cmocka_unit_test(test_token),
	    cmocka_unit_test(test_freshness),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
