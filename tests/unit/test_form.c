/* Decoding of escapes, forms and cookies (src/http/form.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "form.h"

static char *
dec(const char *s, bool plus)
{
	return form_decode(s, strlen(s), plus);
}

static void
test_decode(void **state)
{
	char *s;

	(void)state;
	s = dec("a%20b%2Fc%2fd", false);
	assert_string_equal(s, "a b/c/d");
	free(s);
	s = dec("caf%C3%A9", false);
	assert_string_equal(s, "caf\xc3\xa9");
	free(s);
	s = dec("", false);
	assert_string_equal(s, "");
	free(s);
	/* Only part of a longer buffer. */
	s = form_decode("ab%41cd", 5, false);
	assert_string_equal(s, "abA");
	free(s);
}

static void
test_plus(void **state)
{
	char *s;

	(void)state;
	s = dec("a+b%2B", true);
	assert_string_equal(s, "a b+");
	free(s);
	s = dec("a+b", false);
	assert_string_equal(s, "a+b");
	free(s);
}

static void
test_malformed(void **state)
{
	(void)state;
	assert_null(dec("%", false));
	assert_null(dec("a%2", false));
	assert_null(dec("%zz", false));
	assert_null(dec("%4g", false));
	assert_null(dec("a%00b", false));
	assert_null(form_decode("a\0b", 3, false));
	/* The cut-off escape is outside len: malformed. */
	assert_null(form_decode("ab%41", 4, false));
}

static void
test_parse(void **state)
{
	const char *body = "name=Ann+Lee&body=hi%21%0D%0Athere&empty=&flag"
	                   "&=nokey&bad=%zz&name=second&&x=1=2";
	struct http_kv *kv = form_parse(body, strlen(body));

	(void)state;
	assert_string_equal(form_get(kv, "name"), "Ann Lee"); /* first wins */
	assert_string_equal(form_get(kv, "body"), "hi!\r\nthere");
	assert_string_equal(form_get(kv, "empty"), "");
	assert_string_equal(form_get(kv, "flag"), "");
	assert_null(form_get(kv, "bad")); /* malformed pairs are skipped */
	assert_null(form_get(kv, ""));
	assert_string_equal(form_get(kv, "x"), "1=2");
	assert_null(form_get(kv, "missing"));
	form_free(kv);

	assert_null(form_parse("", 0));
	assert_null(form_parse("&&&", 3));
	kv = form_parse("q=a%00b", 7);
	assert_null(form_get(kv, "q"));
	form_free(kv);
}

static void
test_parse_order(void **state)
{
	struct http_kv *kv = form_parse("a=1&b=2&a=3", 11);

	(void)state;
	assert_string_equal(kv->name, "a");
	assert_string_equal(kv->value, "1");
	assert_string_equal(kv->next->name, "b");
	assert_string_equal(kv->next->next->value, "3");
	assert_null(kv->next->next->next);
	form_free(kv);
}

static void
test_query(void **state)
{
	struct http_kv *kv = form_parse_query("/search?q=a+b%21&page=2?x=1");

	(void)state;
	assert_string_equal(form_get(kv, "q"), "a b!");
	/* Only the first '?' starts the query: the second is data. */
	assert_string_equal(form_get(kv, "page"), "2?x=1");
	assert_null(kv->next->next);
	form_free(kv);
	assert_null(form_parse_query("/posts/a"));
	assert_null(form_parse_query("/posts/a?"));
	assert_null(form_parse_query("/?&=x&"));
}

static void
test_cookies(void **state)
{
	struct http_kv *kv = form_parse_cookies(
	    "session=abc123;  csrf = \"q%20x\" ;theme=dark mode; novalue;"
	    " =anon; empty=; session=second");

	(void)state;
	assert_string_equal(form_get(kv, "session"), "abc123");
	/* Quotes are removed, values are not decoded. */
	assert_string_equal(form_get(kv, "csrf"), "q%20x");
	assert_string_equal(form_get(kv, "theme"), "dark mode");
	assert_string_equal(form_get(kv, "empty"), "");
	assert_null(form_get(kv, "novalue"));
	assert_null(form_get(kv, ""));
	form_free(kv);

	assert_null(form_parse_cookies(NULL));
	assert_null(form_parse_cookies(""));
	assert_null(form_parse_cookies(" ; ;"));
	kv = form_parse_cookies("a=\"\"");
	assert_string_equal(form_get(kv, "a"), "");
	form_free(kv);
	kv = form_parse_cookies("a=\"");
	assert_string_equal(form_get(kv, "a"), "\"");
	form_free(kv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode),      cmocka_unit_test(test_plus),
	    cmocka_unit_test(test_malformed),   cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_parse_order), cmocka_unit_test(test_query),
	    cmocka_unit_test(test_cookies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
