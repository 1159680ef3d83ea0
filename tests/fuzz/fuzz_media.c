/*
 * libFuzzer target for src/util/media.c: an upload's bytes (the type is
 * told from them) and its file name, which becomes a page's text, a
 * header's filename and Markdown.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media.h"
#include "text.h"
#include "xalloc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct media_type *t = media_sniff(data, size);
	char *name = xstrndup((const char *)data, size);
	char *clean = media_clean_name(name), *alt, *md, *label;
	char hash[MEDIA_HASH_HEX + 1];
	const char *ext;

	/* What is shown and sent must be valid UTF-8 without controls or
	 * quotes, and never empty. */
	if (clean[0] == '\0' || strlen(clean) > MEDIA_NAME_MAX ||
	    !text_utf8_valid(clean, strlen(clean)) ||
	    strpbrk(clean, "\"/\\\r\n") != NULL)
		abort();
	alt = media_alt(clean);
	md = media_markdown(t != NULL ? t : media_type_of("image/png"), alt,
	                    "/media/x.png");
	/* The label is not empty and cannot end the link text early. */
	label = md + (md[0] == '!' ? 2 : 1);
	if (label[0] == ']' || strchr(label, ']') != strrchr(md, ']'))
		abort();
	(void)media_file_split(name, hash, &ext);
	free(md);
	free(alt);
	free(clean);
	free(name);
	return 0;
}
