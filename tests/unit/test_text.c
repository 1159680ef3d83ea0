/* Unit tests for src/util/text.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

static void
slug_is(const char *title, const char *want)
{
	char *got = text_slugify(title);

	if (strcmp(got, want) != 0)
		fail_msg("slugify(\"%s\") = \"%s\", want \"%s\"", title, got,
		         want);
	assert_true(text_is_slug(got));
	free(got);
}

static void
test_slugify(void **state)
{
	(void)state;
	slug_is("Hello, World!", "hello-world");
	slug_is("  --Hello--   World--  ", "hello-world");
	slug_is("C++ & Rust: a *fair* comparison?!",
	        "c-rust-a-fair-comparison");
	slug_is("Don't panic", "dont-panic");
	slug_is("Don\xe2\x80\x99t panic", "dont-panic");
	slug_is("Version 2.0 released", "version-2-0-released");
	slug_is("ALL CAPS", "all-caps");
}

static void
test_slugify_accents(void **state)
{
	(void)state;
	slug_is("Crème brûlée à la française", "creme-brulee-a-la-francaise");
	slug_is("Straße Über Öl", "strasse-uber-ol");
	slug_is("Łódź, Kraków i Gdańsk", "lodz-krakow-i-gdansk");
	slug_is("Œuvre æther Ørsted", "oeuvre-aether-orsted");
	slug_is("Dvořák Škoda Žižkov", "dvorak-skoda-zizkov");
	slug_is("2×3÷4", "2-3-4");
	/* Scripts without a folding become separators. */
	slug_is("日本語 text", "text");
	slug_is("emoji 🎉 party", "emoji-party");
}

static void
test_slugify_empty(void **state)
{
	(void)state;
	slug_is("", "post");
	slug_is("!!! ???", "post");
	slug_is("日本語", "post");
	/* Invalid UTF-8 is skipped like punctuation. */
	slug_is("a\xff\xfe"
	        "b",
	        "a-b");
	slug_is("\xc3", "post");
}

static void
test_slugify_length(void **state)
{
	char title[400], *s;

	(void)state;
	memset(title, 'x', sizeof(title) - 1);
	title[sizeof(title) - 1] = '\0';
	s = text_slugify(title);
	assert_int_equal(strlen(s), SLUG_MAX);
	free(s);

	/* Cut between words: no trailing dash, whole words only. */
	strcpy(title, "");
	for (int i = 0; i < 30; i++)
		strcat(title, "wordy ");
	s = text_slugify(title);
	/* 13 words make 77 bytes; a 14th would be cut. */
	assert_int_equal(strlen(s), 77);
	assert_true(text_is_slug(s));
	assert_true(s[strlen(s) - 1] == 'y');
	free(s);

	/* A folding that expands ("ß" -> "ss") does not overflow. */
	strcpy(title, "");
	for (int i = 0; i < 60; i++)
		strcat(title, "ß");
	s = text_slugify(title);
	assert_true(strlen(s) <= SLUG_MAX);
	assert_true(text_is_slug(s));
	free(s);
}

static void
test_is_slug(void **state)
{
	char long_slug[SLUG_MAX + 2];

	(void)state;
	assert_true(text_is_slug("a"));
	assert_true(text_is_slug("hello-world-2"));
	assert_false(text_is_slug(""));
	assert_false(text_is_slug("-a"));
	assert_false(text_is_slug("a-"));
	assert_false(text_is_slug("a--b"));
	assert_false(text_is_slug("Hello"));
	assert_false(text_is_slug("a/b"));
	assert_false(text_is_slug("a b"));
	assert_false(text_is_slug("caf\xc3\xa9"));
	memset(long_slug, 'a', sizeof(long_slug) - 1);
	long_slug[SLUG_MAX + 1] = '\0';
	assert_false(text_is_slug(long_slug));
	long_slug[SLUG_MAX] = '\0';
	assert_true(text_is_slug(long_slug));
}

static bool
valid(const char *s)
{
	return text_utf8_valid(s, strlen(s));
}

static void
test_utf8_valid(void **state)
{
	(void)state;
	assert_true(valid(""));
	assert_true(valid("plain ascii"));
	assert_true(valid("caf\xc3\xa9"));
	assert_true(valid("\xe2\x82\xac"));     /* € */
	assert_true(valid("\xf0\x9f\x8e\x89")); /* 🎉 */
	assert_true(valid("\xed\x9f\xbf"));     /* U+D7FF */
	assert_true(valid("\xee\x80\x80"));     /* U+E000 */
	assert_true(valid("\xf4\x8f\xbf\xbf")); /* U+10FFFF */
	/* Embedded NUL is a valid code point when the length says so. */
	assert_true(text_utf8_valid("a\0b", 3));

	/* Overlong forms. */
	assert_false(valid("\xc0\xaf"));
	assert_false(valid("\xc1\xbf"));
	assert_false(valid("\xe0\x80\xaf"));
	assert_false(valid("\xe0\x9f\xbf"));
	assert_false(valid("\xf0\x80\x80\xaf"));
	assert_false(valid("\xf0\x8f\xbf\xbf"));
	/* Surrogates. */
	assert_false(valid("\xed\xa0\x80"));
	assert_false(valid("\xed\xbf\xbf"));
	/* Beyond U+10FFFF. */
	assert_false(valid("\xf4\x90\x80\x80"));
	assert_false(valid("\xf5\x80\x80\x80"));
	assert_false(valid("\xff"));
	/* Truncated and stray continuation bytes. */
	assert_false(valid("\xc3"));
	assert_false(valid("ab\xe2\x82"));
	assert_false(valid("\xf0\x9f\x8e"));
	assert_false(valid("\x80"));
	assert_false(valid("a\xbf"
	                   "b"));
	assert_false(valid("\xc3"
	                   "a"));
	/* The length bounds the check. */
	assert_false(text_utf8_valid("\xe2\x82\xac", 2));
}

static void
test_utf8_len(void **state)
{
	(void)state;
	assert_int_equal(text_utf8_len(""), 0);
	assert_int_equal(text_utf8_len("abc"), 3);
	assert_int_equal(text_utf8_len("caf\xc3\xa9"), 4);
	assert_int_equal(text_utf8_len("\xf0\x9f\x8e\x89!"), 2);
}

static void
trim_is(const char *in, const char *want)
{
	char *got = text_trim(in);

	assert_string_equal(got, want);
	free(got);
}

static void
test_crlf_to_lf(void **state)
{
	char s[] = "a\r\nb\rc\n\r\n\r";

	(void)state;
	text_crlf_to_lf(s);
	/* Only CR before LF goes; a lone CR stays. */
	assert_string_equal(s, "a\nb\rc\n\n\r");
}

static void
test_url_encode(void **state)
{
	/* Unreserved characters stay; everything else, UTF-8 bytes and '%'
	 * included, becomes %XX in upper case. */
	static const char in[] = "aZ09-._~ /?#%&+=\xc3\xa9";
	char out[3 * sizeof(in)];
	size_t n;

	(void)state;
	n = text_url_encode(out, in, sizeof(in) - 1);
	out[n] = '\0';
	assert_string_equal(out, "aZ09-._~%20%2F%3F%23%25%26%2B%3D%C3%A9");
	assert_int_equal(text_url_encode(out, "", 0), 0);
}

static void
test_uri_escape(void **state)
{
	/* A target's own syntax stays ('/', '?', '%', '=', '&', ':', '@');
	 * what may not appear in a URI (controls, space, DEL, non-ASCII,
	 * "<>\"\\^`{|}") becomes %XX: nothing can break a Location. */
	static const char in[] = "/a/b?c=%41&d:e@f \x1b[\x7f\xff<>\"\\^`{|}";
	char out[3 * sizeof(in)];
	size_t n;

	(void)state;
	n = text_uri_escape(out, in, sizeof(in) - 1);
	out[n] = '\0';
	assert_string_equal(out, "/a/b?c=%41&d:e@f%20%1B[%7F%FF%3C%3E%22%5C%5E"
	                         "%60%7B%7C%7D");
	assert_int_equal(text_uri_escape(out, "", 0), 0);
}

static void
test_trim(void **state)
{
	(void)state;
	trim_is("", "");
	trim_is("   ", "");
	trim_is("abc", "abc");
	trim_is(" \t\r\n abc def \v\f\n", "abc def");
	trim_is("a  b", "a  b");
	/* Non-ASCII white space is content. */
	trim_is("\xc2\xa0"
	        "x",
	        "\xc2\xa0"
	        "x");
}

/* On an exact-size heap copy, so that ASan sees a read past the NUL. */
static bool
datetime_parse(const char *in, struct text_datetime *dt)
{
	char *copy = strdup(in);
	bool ok;

	assert_non_null(copy);
	ok = text_datetime_parse(copy, dt);
	free(copy);
	return ok;
}

static void
datetime_is(const char *in, int month, int day, const char *rfc3339)
{
	struct text_datetime dt;

	if (!datetime_parse(in, &dt))
		fail_msg("text_datetime_parse(\"%s\") failed", in);
	assert_int_equal(dt.month, month);
	assert_int_equal(dt.day, day);
	assert_string_equal(dt.rfc3339, rfc3339);
}

static void
test_datetime_parse(void **state)
{
	(void)state;
	datetime_is("2026-11-25 22:17:01", 11, 25, "2026-11-25T22:17:01Z");
	datetime_is("2024-03-05 10:00:00", 3, 5, "2024-03-05T10:00:00Z");
	datetime_is("1999-01-01 00:00:00", 1, 1, "1999-01-01T00:00:00Z");
	datetime_is("2023-12-31 23:59:59", 12, 31, "2023-12-31T23:59:59Z");
	/* DATETIME(6) fractions and anything else after the seconds. */
	datetime_is("2024-02-04 12:00:00.123456", 2, 4, "2024-02-04T12:00:00Z");
}

static void
test_datetime_malformed(void **state)
{
	static const char *const bad[] = {
	    "",
	    "2024",
	    "2024-03-05",
	    "2024-03-05 10:00:0",
	    "2024-03-05 10:00:0x",
	    "2024-03-05T10:00:00",
	    " 2024-03-05 10:00:00",
	    "2024-3-05 10:00:00",
	    "2024-03-5 10:00:00",
	    "+024-03-05 10:00:00",
	    "2024/03/05 10:00:00",
	    "2024-00-05 10:00:00",
	    "2024-13-05 10:00:00",
	    "2024-99-05 10:00:00",
	};
	struct text_datetime dt;

	(void)state;
	assert_false(text_datetime_parse(NULL, &dt));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (datetime_parse(bad[i], &dt))
			fail_msg("text_datetime_parse(\"%s\") succeeded",
			         bad[i]);
}

/* RFC 4648 section 10, without the padding. */
static void
test_base32(void **state)
{
	static const char *const want[] = {
	    "", "MY", "MZXQ", "MZXW6", "MZXW6YQ", "MZXW6YTB", "MZXW6YTBOI",
	};
	char out[16];

	(void)state;
	for (size_t n = 0; n < sizeof(want) / sizeof(want[0]); n++) {
		assert_int_equal(text_base32_encode(out, "foobar", n),
		                 strlen(want[n]));
		assert_string_equal(out, want[n]);
		assert_int_equal(strlen(want[n]), TEXT_BASE32_LEN(n));
	}
	/* Every bit reaches the output: all ones, then a single low bit. */
	text_base32_encode(out, "\xff\xff\xff\xff\xff", 5);
	assert_string_equal(out, "77777777");
	text_base32_encode(out, "\0\0\0\0\x01", 5);
	assert_string_equal(out, "AAAAAAAB");
}

static void
test_datetime_normalize(void **state)
{
	char out[TEXT_DATETIME_SIZE];

	(void)state;
	assert_true(text_datetime_normalize("2026-12-24 09:30", out));
	assert_string_equal(out, "2026-12-24 09:30:00");
	assert_true(text_datetime_normalize("2026-12-24T09:30:15", out));
	assert_string_equal(out, "2026-12-24 09:30:15");
	assert_true(text_datetime_normalize("2028-02-29 00:00", out));
	/* No such moment, or another shape. */
	assert_false(text_datetime_normalize("2026-02-29 00:00", out));
	assert_false(text_datetime_normalize("2026-04-31 00:00", out));
	assert_false(text_datetime_normalize("2026-12-24 24:00", out));
	assert_false(text_datetime_normalize("2026-12-24 09:60", out));
	assert_false(text_datetime_normalize("2026-13-01 00:00", out));
	assert_false(text_datetime_normalize("2026-12-24", out));
	assert_false(text_datetime_normalize("2026-12-24 9:30", out));
	assert_false(text_datetime_normalize("2026-12-24x09:30", out));
	assert_false(text_datetime_normalize("2026-12-24 09:30:00Z", out));
	assert_false(text_datetime_normalize("", out));
	assert_false(text_datetime_normalize(NULL, out));
}

static void
test_is_email(void **state)
{
	static const char *const good[] = {"ada@example.org",
	                                   "a.b+tag@mail.example.co.uk",
	                                   "x@localhost",
	                                   "émile@exemple.fr",
	                                   "user@bücher.de",
	                                   "o'neil@example.com",
	                                   "\"odd@quoted\"@example.com"};
	static const char *const bad[] = {"",
	                                  "ada",
	                                  "@example.org",
	                                  "ada@",
	                                  "ada@example",
	                                  "ada@.org",
	                                  "ada@example..org",
	                                  "ada@example.org.",
	                                  "ada@-example.org",
	                                  "ada@exa_mple.org",
	                                  "ad a@example.org",
	                                  "ada\t@example.org",
	                                  "ada@exam ple.org",
	                                  "ada@example.org>"};
	char long_local[TEXT_EMAIL_MAX + 2], multibyte[2 * TEXT_EMAIL_MAX + 4];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(text_is_email(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(text_is_email(bad[i]));
	/* TEXT_EMAIL_MAX bytes pass, one more does not. */
	memset(long_local, 'a', sizeof(long_local));
	memcpy(long_local + TEXT_EMAIL_MAX - 12, "@example.org", 13);
	assert_int_equal(strlen(long_local), TEXT_EMAIL_MAX);
	assert_true(text_is_email(long_local));
	memset(long_local, 'a', sizeof(long_local));
	memcpy(long_local + TEXT_EMAIL_MAX - 11, "@example.org", 13);
	assert_false(text_is_email(long_local));
	/* The limit counts characters: 242 two-byte ones before
	 * "@example.org" (484 bytes) pass, one more does not. */
	multibyte[0] = '\0';
	for (int i = 0; i < TEXT_EMAIL_MAX - 12; i++)
		strcat(multibyte, "\xc3\xa9"); /* é */
	strcat(multibyte, "@example.org");
	assert_true(text_is_email(multibyte));
	memmove(multibyte + 2, multibyte, strlen(multibyte) + 1);
	assert_false(text_is_email(multibyte));
	/* Not UTF-8. */
	assert_false(text_is_email("\xff@example.org"));
}

static void
test_redirects(void **state)
{
	static const char *const paths[] = {"/", "/feed/", "/a%20b?x=1"};
	static const char *const bad_paths[] = {
	    "", "feed/", "/a b", "/a\tb", "/caf\xc3\xa9", "/a\x7f"};
	static const char *const targets[] = {"", "/feed.xml", "/tags/a?page=2",
	                                      "https://example.org",
	                                      "http://example.org/x?y=1#z"};
	static const char *const bad_targets[] = {
	    "//evil.example", "/\\evil.example",     "https://",
	    "https:///x",     "javascript:alert(1)", "ftp://example.org",
	    "feed.xml",       "/a\r\nSet-Cookie: x", "/a b"};
	char long_path[TEXT_REDIRECT_MAX + 2];

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		assert_true(text_is_redirect_path(paths[i]));
	for (size_t i = 0; i < sizeof(bad_paths) / sizeof(bad_paths[0]); i++)
		assert_false(text_is_redirect_path(bad_paths[i]));
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		assert_true(text_is_redirect_target(targets[i]));
	for (size_t i = 0; i < sizeof(bad_targets) / sizeof(bad_targets[0]);
	     i++)
		assert_false(text_is_redirect_target(bad_targets[i]));
	memset(long_path, 'a', sizeof(long_path));
	long_path[0] = '/';
	long_path[TEXT_REDIRECT_MAX] = '\0';
	assert_true(text_is_redirect_path(long_path));
	assert_true(text_is_redirect_target(long_path));
	long_path[TEXT_REDIRECT_MAX] = 'a';
	long_path[TEXT_REDIRECT_MAX + 1] = '\0';
	assert_false(text_is_redirect_path(long_path));
	assert_false(text_is_redirect_target(long_path));
}

static void
test_language_tags(void **state)
{
	static const char *const good[] = {
	    "en", "fr", "pt-BR", "zh-Hant-TW", "es-419", "de-CH-1996", "sgn"};
	static const char *const bad[] = {"",      "e",       "e1",
	                                  "en-",   "-en",     "en--GB",
	                                  "en_GB", "en GB",   "en-toolongsub",
	                                  "\"en",  "en\"><x", "fr-\xc3\xa9"};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(text_is_language_tag(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(text_is_language_tag(bad[i]));
	/* 35 bytes at most. */
	assert_true(
	    text_is_language_tag("en-aaaaaaaa-bbbbbbbb-cccccccc-ddddd"));
	assert_false(
	    text_is_language_tag("en-aaaaaaaa-bbbbbbbb-cccccccc-dddddd"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_slugify),
	    cmocka_unit_test(test_crlf_to_lf),
	    cmocka_unit_test(test_url_encode),
	    cmocka_unit_test(test_uri_escape),
	    cmocka_unit_test(test_slugify_accents),
	    cmocka_unit_test(test_slugify_empty),
	    cmocka_unit_test(test_slugify_length),
	    cmocka_unit_test(test_is_slug),
	    cmocka_unit_test(test_is_email),
	    cmocka_unit_test(test_redirects),
	    cmocka_unit_test(test_language_tags),
	    cmocka_unit_test(test_utf8_valid),
	    cmocka_unit_test(test_utf8_len),
	    cmocka_unit_test(test_trim),
	    cmocka_unit_test(test_datetime_parse),
	    cmocka_unit_test(test_datetime_malformed),
	    cmocka_unit_test(test_base32),
	    cmocka_unit_test(test_datetime_normalize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
