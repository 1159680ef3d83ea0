/*
 * libFuzzer: Markdown from authors and imports must never crash, and
 * with raw HTML off nothing in it may become a script.
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
	char *html, *excerpt, *text;

	markdown_render((const char *)data, size, false, 40, &html, &excerpt);
	if (html != NULL) {
		check_safe(html);
		text = markdown_html_excerpt(html, 40);
		free(text);
	}
	free(html);
	free(excerpt);
	return 0;
}
