/* Unit tests for src/util/media.c: types from the bytes, names, Markdown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "media.h"

static const char *
sniff(const char *bytes, size_t len)
{
	const struct media_type *t = media_sniff(bytes, len);

	return t != NULL ? t->mime : NULL;
}

static void
test_sniff(void **state)
{
	static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
	static const char webp[] = "RIFF\x24\0\0\0WEBPVP8 ";

	(void)state;
	assert_string_equal(sniff(png, sizeof(png) - 1), "image/png");
	assert_string_equal(sniff("\xff\xd8\xff\xe0", 4), "image/jpeg");
	assert_string_equal(sniff("GIF89a\1\0", 8), "image/gif");
	assert_string_equal(sniff("GIF87a\1\0", 8), "image/gif");
	assert_string_equal(sniff(webp, sizeof(webp) - 1), "image/webp");
	assert_string_equal(sniff("%PDF-1.7\n", 9), "application/pdf");
	/* One pointer per type, whichever signature matched. */
	assert_ptr_equal(media_sniff("GIF87a", 6), media_sniff("GIF89a", 6));
	assert_ptr_equal(media_sniff("GIF87a", 6), media_type_of("image/gif"));
	/* Not taken: short, HTML, SVG, text, a RIFF that is not WebP. */
	assert_null(sniff(png, 7));
	assert_null(sniff("", 0));
	assert_null(sniff("<!DOCTYPE html><p>", 18));
	assert_null(sniff("<svg xmlns=\"http://www.w3.org/2000/svg\">", 40));
	assert_null(sniff("plain text", 10));
	assert_null(sniff("RIFF\x24\0\0\0WAVEfmt ", 16));
	assert_null(sniff("WEBP", 4));
	assert_null(media_type_of("image/svg+xml"));
	assert_null(media_type_of(NULL));
	assert_true(media_type_of("image/png")->image);
	assert_false(media_type_of("application/pdf")->image);
	assert_string_equal(media_type_of("image/jpeg")->ext, "jpg");
}

static void
name_is(const char *in, const char *want)
{
	char *got = media_clean_name(in);

	if (strcmp(got, want) != 0)
		fail_msg("clean_name(\"%s\") = \"%s\", want \"%s\"", in, got,
		         want);
	free(got);
}

static void
test_clean_name(void **state)
{
	char long_name[400], *got;

	(void)state;
	name_is("photo.png", "photo.png");
	name_is("C:\\Users\\me\\photo.png", "photo.png");
	name_is("../../etc/passwd", "passwd");
	name_is("a\"b\r\nc\x7f.png", "abc.png");
	name_is("", "file");
	name_is("dir/", "file");
	name_is("caf\xc3\xa9.png", "caf\xc3\xa9.png");
	name_is("bad\xff.png", "bad_.png");
	/* Cut at MEDIA_NAME_MAX bytes, never inside a character. */
	memset(long_name, 'a', sizeof(long_name));
	memcpy(long_name + 254, "\xc3\xa9", 2);
	long_name[sizeof(long_name) - 1] = '\0';
	got = media_clean_name(long_name);
	assert_int_equal(strlen(got), 254);
	free(got);
}

static void
test_markdown(void **state)
{
	const struct media_type *png = media_type_of("image/png");
	const struct media_type *pdf = media_type_of("application/pdf");
	char path[MEDIA_PATH_MAX], hash[MEDIA_HASH_HEX + 1], *s;
	const char *ext;

	(void)state;
	memset(hash, 'a', MEDIA_HASH_HEX);
	hash[MEDIA_HASH_HEX] = '\0';
	media_path(hash, png, path);
	assert_int_equal(strlen(path), 7 + 64 + 4);
	assert_int_equal(strncmp(path, "/media/aaaa", 11), 0);
	s = media_alt("My [best] (photo)\\.v2.png");
	assert_string_equal(s, "My best photo.v2");
	free(s);
	s = media_alt(".hidden");
	assert_string_equal(s, ".hidden");
	free(s);
	s = media_markdown(png, "a]b\nc", "/media/x.png");
	assert_string_equal(s, "![ab c](/media/x.png)");
	free(s);
	s = media_markdown(pdf, "[]", "/media/y.pdf");
	assert_string_equal(s, "[file](/media/y.pdf)");
	free(s);
	s = media_markdown(pdf, "Report", "/media/y.pdf");
	assert_string_equal(s, "[Report](/media/y.pdf)");
	free(s);

	assert_true(media_file_split(path + 7, hash, &ext));
	assert_string_equal(ext, "png");
	assert_false(media_file_split("abc.png", hash, &ext));
	path[7] = 'A'; /* upper case is not how hashes are written */
	assert_false(media_file_split(path + 7, hash, &ext));
	path[7] = 'a';
	path[7 + 64] = '-';
	assert_false(media_file_split(path + 7, hash, &ext));
}

static void
test_size_text(void **state)
{
	char out[32];

	(void)state;
	media_size_text(512, out);
	assert_string_equal(out, "512 bytes");
	media_size_text(525312, out);
	assert_string_equal(out, "513 KiB");
	media_size_text(10 * 1024 * 1024, out);
	assert_string_equal(out, "10 MiB");
	media_size_text(11 * 1024 * 1024 + 200, out);
	assert_string_equal(out, "11.0 MiB");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sniff),
	    cmocka_unit_test(test_clean_name),
	    cmocka_unit_test(test_markdown),
	    cmocka_unit_test(test_size_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
