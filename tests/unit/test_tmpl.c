/* The ctemplate wrapper (include/tmpl.h) over templates in a temp dir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tmpl.h"
#include "tmpl_keys.h"

static char dir[] = "/tmp/blogd-test-tmpl-XXXXXX";

static void
write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void
remove_file(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

#define HTML "{{%AUTOESCAPE context=\"HTML\"}}"

/*
 * Every file tmpl_init insists on (TMPL_FILES) gets a placeholder, so a
 * template added to that list needs nothing here; the four the tests
 * render then get real content.
 */
static void
write_required(void)
{
#define WRITE_PLACEHOLDER(id, file) write_file(file, HTML "{{STATUS}}\n");
	TMPL_FILES(WRITE_PLACEHOLDER)
#undef WRITE_PLACEHOLDER
	write_file("layout.tpl", HTML "<title>{{PAGE_TITLE}}</title>"
	                              "<main>{{>CONTENT}}</main>\n");
	write_file("error.tpl", HTML "{{STATUS}} {{REASON}}\n");
	write_file("index.tpl", HTML "{{#POST}}<a href=\"/posts/"
	                             "{{SLUG:x-path}}\">{{TITLE}}</a>"
	                             "{{/POST}}\n");
	write_file("post.tpl", HTML "<h1>{{TITLE}}</h1>{{BODY_HTML:none}}\n");
}

static int
setup(void **state)
{
	char err[256];

	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	write_required();
	write_file("text.txt.tpl", "{{%AUTOESCAPE context=\"HTML\"}}"
	                           "a {{V}}\n  b\n");
	return tmpl_init(dir, err, sizeof(err));
}

static int
teardown(void **state)
{
	(void)state;
#define REMOVE_REQUIRED(id, file) remove_file(file);
	TMPL_FILES(REMOVE_REQUIRED)
#undef REMOVE_REQUIRED
	remove_file("text.txt.tpl");
	return rmdir(dir);
}

static char *
render(const char *file, struct tmpl_dict *d)
{
	struct buf out = BUF_INIT;

	assert_int_equal(tmpl_render(file, d, &out), 0);
	return buf_detach(&out);
}

static void
test_escapes_values(void **state)
{
	struct tmpl_dict *d = tmpl_dict_new();
	char *html;

	(void)state;
	tmpl_set(d, TK_TITLE, "<script>alert(\"x\")</script>");
	tmpl_set(d, TK_BODY_HTML, "<p>kept <em>as is</em></p>");
	html = render(TF_post, d);
	assert_null(strstr(html, "<script>"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(&quot;x&quot;)"));
	assert_non_null(strstr(html, "<p>kept <em>as is</em></p>"));
	free(html);
	tmpl_dict_free(d);
}

static void
test_include_and_sections(void **state)
{
	struct tmpl_dict *root = tmpl_dict_new(), *content, *post;
	char *html;

	(void)state;
	tmpl_set(root, TK_PAGE_TITLE, "A & B");
	content = tmpl_add_include(root, TK_CONTENT, TF_index);
	post = tmpl_add_section(content, TK_POST);
	tmpl_set(post, TK_SLUG, "a b/c");
	tmpl_set(post, TK_TITLE, "one");
	post = tmpl_add_section(content, TK_POST);
	tmpl_set(post, TK_SLUG, "two");
	tmpl_set_int(post, TK_TITLE, 42);
	html = render(TF_layout, root);
	assert_string_equal(html, "<title>A &amp; B</title><main>"
	                          "<a href=\"/posts/a%20b%2Fc\">one</a>"
	                          "<a href=\"/posts/two\">42</a></main>");
	free(html);
	tmpl_dict_free(root);
}

static void
test_text_keeps_lines(void **state)
{
	struct tmpl_dict *d = tmpl_dict_new();
	char *text;

	(void)state;
	tmpl_set(d, "V", "x");
	text = render("text.txt.tpl", d);
	assert_string_equal(text, "a x\n  b\n");
	free(text);
	tmpl_dict_free(d);
}

static void
test_missing_template(void **state)
{
	struct tmpl_dict *d = tmpl_dict_new();
	struct buf out = BUF_INIT;
	char err[256];

	(void)state;
	assert_int_equal(tmpl_render("nope.tpl", d, &out), -1);
	buf_free(&out);
	tmpl_dict_free(d);

	/* A required file missing at start-up is named in the error. */
	remove_file("post.tpl");
	assert_int_equal(tmpl_init(dir, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "post.tpl"));
	write_required();
	assert_int_equal(tmpl_init(dir, err, sizeof(err)), 0);
}

static void
test_bad_syntax(void **state)
{
	char err[256];

	(void)state;
	write_file("broken.tpl", HTML "{{#OPEN}} never closed\n");
	assert_int_equal(tmpl_init(dir, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "broken.tpl"));
	remove_file("broken.tpl");
	assert_int_equal(tmpl_init(dir, err, sizeof(err)), 0);
}

/* The shipped templates (ctest runs in the source dir): they load, and a
 * comment keeps its line breaks while its markup is escaped. */
static void
test_real_post_template(void **state)
{
	struct tmpl_dict *root = tmpl_dict_new(), *content, *discussion,
	                 *comment;
	char err[256], *html;

	(void)state;
	assert_int_equal(tmpl_init("templates", err, sizeof(err)), 0);
	content = tmpl_add_include(root, TK_CONTENT, TF_post);
	tmpl_set(content, TK_SLUG, "a-post");
	discussion = tmpl_add_section(content, TK_DISCUSSION);
	comment = tmpl_add_section(tmpl_add_section(discussion, TK_COMMENTS),
	                           TK_COMMENT);
	tmpl_set(comment, TK_COMMENT_BODY, "one\n<u>two</u>");
	html = render(TF_layout, root);
	assert_non_null(strstr(html, "<!DOCTYPE html>"));
	assert_non_null(strstr(html, "one\n&lt;u&gt;two&lt;/u&gt;"));
	assert_non_null(strstr(html, "action=\"/posts/a-post/comments\""));
	free(html);
	tmpl_dict_free(root);
	assert_int_equal(tmpl_init(dir, err, sizeof(err)), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escapes_values),
	    cmocka_unit_test(test_include_and_sections),
	    cmocka_unit_test(test_text_keeps_lines),
	    cmocka_unit_test(test_missing_template),
	    cmocka_unit_test(test_bad_syntax),
	    cmocka_unit_test(test_real_post_template),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
