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
	struct markdown_out out;
	char *html;

	markdown_render(md, strlen(md), unsafe, 100, &out);
	html = out.html;
	out.html = NULL;
	markdown_out_free(&out);
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

/* The excerpt of md cut to max code points is want (and its HTML
 * want_html, unless NULL), both valid UTF-8. */
static void
excerpts_are(const char *md, size_t max, const char *want,
             const char *want_html)
{
	struct markdown_out out;

	markdown_render(md, strlen(md), false, max, &out);
	assert_string_equal(out.excerpt, want);
	assert_true(text_utf8_valid(out.excerpt, strlen(out.excerpt)));
	if (want_html != NULL)
		assert_string_equal(out.excerpt_html, want_html);
	assert_true(
	    text_utf8_valid(out.excerpt_html, strlen(out.excerpt_html)));
	markdown_out_free(&out);
}

static void
excerpt_is(const char *md, size_t max, const char *want)
{
	excerpts_are(md, max, want, NULL);
}

static void
test_excerpt_short(void **state)
{
	(void)state;
	/* The code block fits: shown as code, but the text stops before
	 * it, with "…" for what it left out. */
	excerpts_are("## Head\n\nA *short* [link](http://x) <b>raw</b>\n"
	             "![alt text](img.png)\n\n```\ncode block\n```\n",
	             300, "Head A short link raw\xe2\x80\xa6",
	             "<p><strong>Head</strong></p>\n"
	             "<p>A <em>short</em> <a href=\"http://x\">link</a> "
	             "raw\n</p>\n<pre><code>code block\n</code></pre>\n");
}

/* The complaint: "…or from a shell: Comments wait…" (the code block
 * between them vanished mid-sentence). */
static void
test_excerpt_code_block_not_glued(void **state)
{
	static const char md[] =
	    "You can publish from the editor or from a shell:\n\n"
	    "```sh\nblogd post add --title T --author me < post.md\n```\n\n"
	    "Comments wait for moderation.\n";

	(void)state;
	excerpts_are(md, 300,
	             "You can publish from the editor or from a "
	             "shell\xe2\x80\xa6",
	             "<p>You can publish from the editor or from a shell:</p>\n"
	             "<pre><code class=\"language-sh\">blogd post add "
	             "--title T --author me &lt; post.md\n</code></pre>\n"
	             "<p>Comments wait for moderation.</p>\n");
	/* Too long for the budget: the block goes whole lines at a time,
	 * and what follows it too. */
	excerpts_are(md, 60,
	             "You can publish from the editor or from a "
	             "shell\xe2\x80\xa6",
	             "<p>You can publish from the editor or from a "
	             "shell:</p>\n");
}

/* Lists and quotes keep their blocks: never one run-on line. */
static void
test_excerpt_lists_and_quotes(void **state)
{
	(void)state;
	excerpts_are("Three steps:\n\n- build\n- test\n- ship\n\n"
	             "> Quoted wisdom.\n\nAfter.\n",
	             300, "Three steps: build test ship Quoted wisdom. After.",
	             "<p>Three steps:</p>\n<ul>\n<li>build</li>\n"
	             "<li>test</li>\n<li>ship</li>\n</ul>\n<blockquote>\n"
	             "<p>Quoted wisdom.</p>\n</blockquote>\n"
	             "<p>After.</p>\n");
	/* Cut inside the list: the items after the cut go, the list is
	 * closed. */
	excerpts_are("Steps:\n\n- build it all\n- test everything\n"
	             "- ship\n",
	             27, "Steps: build it all test\xe2\x80\xa6",
	             "<p>Steps:</p>\n<ul>\n<li>build it all</li>\n"
	             "<li>test\xe2\x80\xa6</li>\n</ul>\n");
}

/* Up to a <!--more--> line, whatever its length; nothing after it. */
static void
test_excerpt_image_only_paragraph(void **state)
{
	(void)state;
	excerpts_are("![a chart](/media/c.png)\n\nThe text.\n", 300,
	             "The text.", "<p>The text.</p>\n");
}

static void
test_excerpt_more_marker(void **state)
{
	(void)state;
	excerpts_are("First *part*.\n\nStill first.\n\n<!--more-->\n\n"
	             "The rest.\n",
	             10, "First\xe2\x80\xa6",
	             "<p>First <em>part</em>.</p>\n<p>Still first.</p>\n");
	excerpts_are("Short intro.\n<!-- more -->\nnot a marker\n", 300,
	             "Short intro. not a marker", NULL);
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
	struct markdown_out out;

	markdown_html_body(html, chars, &out);
	assert_string_equal(out.excerpt, want);
	assert_string_equal(out.html, html);
	markdown_out_free(&out);
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

static void
test_html_excerpt_blocks(void **state)
{
	struct markdown_out out;

	(void)state;
	markdown_html_body("<p>a &lt;b&gt; &amp; \"c\"</p>", 300, &out);
	assert_string_equal(out.excerpt_html,
	                    "<p>a &lt;b&gt; &amp; &quot;c&quot;</p>\n");
	markdown_out_free(&out);
}

static void
test_first_image(void **state)
{
	char *src;

	(void)state;
	src = markdown_first_image(
	    "<p>x <img src=\"/media/a.png?x=1&amp;y=2\" alt=\"a\"> "
	    "<img src=\"/media/b.png\" alt=\"\"></p>");
	assert_string_equal(src, "/media/a.png?x=1&y=2");
	free(src);
	assert_null(markdown_first_image("<p>no image</p>"));
	assert_null(markdown_first_image("<img src=\"\">"));
	assert_null(markdown_first_image(NULL));
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
	    cmocka_unit_test(test_excerpt_code_block_not_glued),
	    cmocka_unit_test(test_excerpt_lists_and_quotes),
	    cmocka_unit_test(test_excerpt_more_marker),
	    cmocka_unit_test(test_excerpt_image_only_paragraph),
	    cmocka_unit_test(test_html_excerpt_blocks),
	    cmocka_unit_test(test_first_image),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
