/* Markdown rendering and excerpts (src/util/markdown.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "markdown.h"
#include "text.h"

static char *
render(const char *md, bool unsafe)
{
	return markdown_to_html(md, strlen(md), unsafe);
}

static void
test_basic(void **state)
{
	char *html = render("# Title\n\nSome *em* and `code`.\n", false);

	(void)state;
	assert_string_equal(html, "<h1>Title</h1>\n<p>Some <em>em</em> and "
	                          "<code>code</code>.</p>\n");
	free(html);
}

static void
test_raw_html_suppressed(void **state)
{
	char *html = render("<script>alert(1)</script>\n\nhi <img src=x "
	                    "onerror=alert(1)> there\n",
	                    false);

	(void)state;
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<img"));
	assert_null(strstr(html, "onerror"));
	assert_non_null(strstr(html, "raw HTML omitted"));
	free(html);
}

static void
test_raw_html_allowed(void **state)
{
	char *html = render("<div class=\"x\">kept</div>\n", true);

	(void)state;
	assert_non_null(strstr(html, "<div class=\"x\">kept</div>"));
	free(html);
}

static void
test_javascript_link_dropped(void **state)
{
	char *html = render("[a](javascript:alert(1)) [b](JaVaScRiPt:x) "
	                    "[c](https://example.org/)\n",
	                    false);

	(void)state;
	assert_null(strstr(html, "javascript:"));
	assert_null(strstr(html, "JaVaScRiPt:"));
	assert_non_null(strstr(html, "<a href=\"\">a</a>"));
	assert_non_null(strstr(html, "href=\"https://example.org/\""));
	free(html);
}

static void
test_invalid_utf8_replaced(void **state)
{
	char *html = render("bad \xff\xfe byte\n", false);

	(void)state;
	assert_true(text_utf8_valid(html, strlen(html)));
	free(html);
}

static void
test_excerpt_short(void **state)
{
	const char *md = "## Head\n\nA *short* [link](http://x) <b>raw</b>\n"
	                 "![alt text](img.png)\n\n```\ncode block\n```\n";
	char *ex = markdown_excerpt(md, strlen(md), 300);

	(void)state;
	assert_string_equal(ex, "Head A short link raw");
	free(ex);
}

static void
test_excerpt_word_boundary(void **state)
{
	const char *md = "one two three four five";
	char *ex = markdown_excerpt(md, strlen(md), 10);

	(void)state;
	/* 10 code points end inside "three": cut before it. */
	assert_string_equal(ex, "one two\xe2\x80\xa6");
	free(ex);
	ex = markdown_excerpt(md, strlen(md), 7);
	assert_string_equal(ex, "one two\xe2\x80\xa6");
	free(ex);
}

static void
test_excerpt_utf8_intact(void **state)
{
	/* Each "é" and "日" is several bytes: counting code points, 9 of
	 * them end after "日本語 ééé" and before the next word. */
	const char *md = "日本語 ééé ñandú";
	char *ex = markdown_excerpt(md, strlen(md), 9);

	(void)state;
	assert_string_equal(ex, "日本語 ééé…");
	assert_true(text_utf8_valid(ex, strlen(ex)));
	free(ex);
	/* One long word: cut inside it, on a code point boundary. */
	ex = markdown_excerpt("ééééééééé", strlen("ééééééééé"), 4);
	assert_string_equal(ex, "éééé…");
	free(ex);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_basic),
	    cmocka_unit_test(test_raw_html_suppressed),
	    cmocka_unit_test(test_raw_html_allowed),
	    cmocka_unit_test(test_javascript_link_dropped),
	    cmocka_unit_test(test_invalid_utf8_replaced),
	    cmocka_unit_test(test_excerpt_short),
	    cmocka_unit_test(test_excerpt_word_boundary),
	    cmocka_unit_test(test_excerpt_utf8_intact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
