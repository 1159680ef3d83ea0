/*
 * libFuzzer: Markdown from authors and imports must never crash, and
 * with raw HTML off nothing in it (body or excerpt) may become a script.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "markdown.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_safe(const char *html)
{
	for (const char *p = html; (p = strchr(p, '<')) != NULL; p++)
		if (strncasecmp(p + 1, "script", 6) == 0 ||
		    strncasecmp(p + 1, "iframe", 6) == 0)
			abort();
	if (strcasestr(html, "href=\"javascript:") != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct markdown_out out, imported;
	char *img;

	markdown_render((const char *)data, size, false, 40, &out);
	if (out.html != NULL) {
		check_safe(out.html);
		/* The excerpt's blocks come from the same safe tree. */
		if (out.excerpt_html != NULL)
			check_safe(out.excerpt_html);
		/* An image URL goes into attributes: no quote, no bracket. */
		img = markdown_first_image(out.html);
		if (img != NULL && strpbrk(img, "\"'<>") != NULL)
			abort();
		free(img);
		markdown_html_body(out.html, 40, &imported);
		markdown_out_free(&imported);
	}
	markdown_out_free(&out);
	return 0;
}
