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
	char *html, *excerpt;

	markdown_render(md, strlen(md), unsafe, 100, &html, &excerpt);
	free(excerpt);
	return html;
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

/* Renders md; every string of lacks (NULL-ended) must be absent from the
 * HTML and every one of has present. */
static void
render_check(const char *md, bool unsafe, const char *const *lacks,
             const char *const *has)
{
	char *html = render(md, unsafe);

	for (; *lacks != NULL; lacks++)
		if (strstr(html, *lacks) != NULL)
			fail_msg("\"%s\" in %s", *lacks, html);
	for (; *has != NULL; has++)
		if (strstr(html, *has) == NULL)
			fail_msg("\"%s\" not in %s", *has, html);
	free(html);
}

#define STRINGS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NONE         STRINGS(NULL)

static void
test_raw_html_suppressed(void **state)
{
	(void)state;
	render_check("<script>alert(1)</script>\n\nhi <img src=x "
	             "onerror=alert(1)> there\n",
	             false, STRINGS("<script", "<img", "onerror"),
	             STRINGS("raw HTML omitted"));
}

static void
test_raw_html_allowed(void **state)
{
	(void)state;
	render_check("<div class=\"x\">kept</div>\n", true, NONE,
	             STRINGS("<div class=\"x\">kept</div>"));
}

static void
test_javascript_link_dropped(void **state)
{
	(void)state;
	render_check(
	    "[a](javascript:alert(1)) [b](JaVaScRiPt:x) "
	    "[c](https://example.org/)\n",
	    false, STRINGS("javascript:", "JaVaScRiPt:"),
	    STRINGS("<a href=\"\">a</a>", "href=\"https://example.org/\""));
}

static void
test_invalid_utf8_replaced(void **state)
{
	char *html = render("bad \xff\xfe byte\n", false);

	(void)state;
	/* Each invalid byte becomes U+FFFD; the text around it stays. */
	assert_string_equal(html, "<p>bad \xef\xbf\xbd\xef\xbf\xbd byte</p>\n");
	free(html);
}

/* The excerpt of md cut to max code points is want, and valid UTF-8. */
static void
excerpt_is(const char *md, size_t max, const char *want)
{
	char *html, *ex;

	markdown_render(md, strlen(md), false, max, &html, &ex);
	free(html);

	assert_string_equal(ex, want);
	assert_true(text_utf8_valid(ex, strlen(ex)));
	free(ex);
}

static void
test_excerpt_short(void **state)
{
	(void)state;
	excerpt_is("## Head\n\nA *short* [link](http://x) <b>raw</b>\n"
	           "![alt text](img.png)\n\n```\ncode block\n```\n",
	           300, "Head A short link raw");
}

static void
test_excerpt_word_boundary(void **state)
{
	(void)state;
	/* 10 code points end inside "three": cut before it. */
	excerpt_is("one two three four five", 10, "one two\xe2\x80\xa6");
	excerpt_is("one two three four five", 7, "one two\xe2\x80\xa6");
}

static void
test_excerpt_utf8_intact(void **state)
{
	(void)state;
	/* Each "é" and "日" is several bytes: counting code points, 9 of
	 * them end after "日本語 ééé" and before the next word. */
	excerpt_is("日本語 ééé ñandú", 9, "日本語 ééé…");
	/* One long word: cut inside it, on a code point boundary. */
	excerpt_is("ééééééééé", 4, "éééé…");
}

static void
html_excerpt_is(const char *html, size_t chars, const char *want)
{
	char *got = markdown_html_excerpt(html, chars);

	assert_string_equal(got, want);
	free(got);
}

static void
test_html_excerpt(void **state)
{
	(void)state;
	/* Block tags separate words, inline ones do not; script and style
	 * content is not text. */
	html_excerpt_is("<p>Rich <strong>text</strong>.</p><p>Next</p>", 300,
	                "Rich text. Next");
	html_excerpt_is("<style>p{}</style><p>a &amp; b &lt;c&gt;</p>"
	                "<script>alert(1)</script>",
	                300, "a & b <c>");
	html_excerpt_is("\n  <div>one two three</div>", 7,
	                "one two\xe2\x80\xa6");
	/* Unknown entities and stray ampersands stay as they are. */
	html_excerpt_is("<p>AT&T &copy; x</p>", 300, "AT&T &copy; x");
	/* An unclosed tag or script ends the text. */
	html_excerpt_is("text <b", 300, "text");
	html_excerpt_is("a <script>never closed", 300, "a");
	html_excerpt_is("", 300, "");
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
	    cmocka_unit_test(test_html_excerpt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
