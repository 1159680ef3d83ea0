/* Reading ACME answers (src/acme/parse.c): header lines, the http-01
 * challenge and its token, the reason an authorization failed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/acme/parse.h"

static void
test_header_value(void **state)
{
	static const char line[] = "replay-nonce: \t abc-DEF_1 \r\n";
	char *v;

	(void)state;
	v = acme_header_value(line, strlen(line), "Replay-Nonce");
	assert_string_equal(v, "abc-DEF_1");
	free(v);
	assert_null(acme_header_value(line, strlen(line), "Location"));
	/* The name must end at the colon: no prefix matches. */
	assert_null(
	    acme_header_value("Replay-Nonce-X: a\r\n", 19, "Replay-Nonce"));
	assert_null(acme_header_value("Replay-Nonce", 12, "Replay-Nonce"));
}

/* The http-01 challenge of an authorization made of one challenge. */
static const json_t *
http01_of(const char *json, json_t **keep, const char **token, bool *bad)
{
	json_error_t je;
	const char *url;

	*keep = json_loads(json, 0, &je);
	assert_non_null(*keep);
	return acme_http01(*keep, token, &url, bad);
}

static void
test_http01_token(void **state)
{
	static const char good[] =
	    "{\"challenges\":[{\"type\":\"dns-01\",\"url\":\"u\","
	    "\"token\":\"x\"},{\"type\":\"http-01\",\"url\":\"https://a/c\","
	    "\"token\":\"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0\"}]}";
	static const char *const bad_tokens[] = {
	    "{\"challenges\":[{\"type\":\"http-01\",\"url\":\"u\","
	    "\"token\":\"../../etc/passwd/aaaaaaaaaaaaaaaa\"}]}",
	    "{\"challenges\":[{\"type\":\"http-01\",\"url\":\"u\","
	    "\"token\":\"short\"}]}",
	    "{\"challenges\":[{\"type\":\"http-01\",\"url\":\"u\"}]}",
	    "{\"challenges\":[{\"type\":\"http-01\",\"token\":"
	    "\"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0\"}]}",
	};
	const char *token;
	json_t *j;
	bool bad;

	(void)state;
	assert_non_null(http01_of(good, &j, &token, &bad));
	assert_false(bad);
	assert_string_equal(token,
	                    "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0");
	json_decref(j);
	for (size_t i = 0; i < sizeof(bad_tokens) / sizeof(bad_tokens[0]);
	     i++) {
		assert_non_null(http01_of(bad_tokens[i], &j, &token, &bad));
		assert_true(bad);
		json_decref(j);
	}
	assert_null(http01_of("{\"challenges\":[]}", &j, &token, &bad));
	json_decref(j);
}

static void
test_authz_reason(void **state)
{
	json_error_t je;
	char why[256];
	json_t *j;

	(void)state;
	j = json_loads("{\"status\":\"invalid\",\"challenges\":[{\"type\":"
	               "\"http-01\",\"error\":{\"type\":\"urn:ietf:params:"
	               "acme:error:connection\",\"detail\":\"refused\"}}]}",
	               0, &je);
	acme_authz_reason(j, "blog.test", why, sizeof(why));
	assert_string_equal(
	    why, "HTTP-01 challenge for blog.test failed: connection: refused");
	json_decref(j);
	j = json_loads("{\"status\":\"expired\"}", 0, &je);
	acme_authz_reason(j, "blog.test", why, sizeof(why));
	assert_string_equal(why, "authorization for blog.test is expired");
	json_decref(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_header_value),
	    cmocka_unit_test(test_http01_token),
	    cmocka_unit_test(test_authz_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
