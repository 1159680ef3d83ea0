/*
 * What blogd accepts as an uploaded file, told by its first bytes, never
 * by its name or the type the client claims: PNG, JPEG, GIF and WebP
 * images (shown in pages) and PDF (downloaded). Anything else, SVG and
 * HTML included, is refused: nothing uploaded may run as a page. Pure
 * code, unit-tested.
 */
#ifndef BLOGD_MEDIA_H
#define BLOGD_MEDIA_H

#include <stdbool.h>
#include <stddef.h>

struct media_type {
	const char *mime; /* Content-Type, e.g. "image/png" */
	const char *ext;  /* of its URL, e.g. "png" */
	bool image;       /* shown inline (![alt](url)); else a download */
};

/* SHA-256 in lower-case hex: the name of a file under /media/. */
#define MEDIA_HASH_HEX 64
/* Longest original file name kept (bytes of UTF-8). */
#define MEDIA_NAME_MAX 255
/* The longest URL path: "/media/" + hash + "." + extension. */
#define MEDIA_PATH_MAX (7 + MEDIA_HASH_HEX + 1 + 4 + 1)

/* The type of the len bytes at data, NULL when blogd does not take it. */
const struct media_type *media_sniff(const void *data, size_t len);
/* The type stored as mime, NULL when it is none of the list. */
const struct media_type *media_type_of(const char *mime);
/* "photo.png" -> "photo" for alt text (a copy without the extension and
 * characters Markdown would read as syntax: []()\ and line breaks).
 * Caller frees. */
char *media_alt(const char *name);
/* The Markdown that shows (image) or links (other) the file at path,
 * with label (made safe as media_alt makes it; "file" when nothing is
 * left). Caller frees. */
char *media_markdown(const struct media_type *t, const char *label,
                     const char *path);
/* The file's name for the list and Content-Disposition: the last part of
 * name after '/' or '\\', valid UTF-8 with no control characters or '"',
 * at most MEDIA_NAME_MAX bytes; "file" when nothing is left. Caller
 * frees. */
char *media_clean_name(const char *name);
/* "512 bytes", "34 KiB", "1.2 MiB" into out (32 bytes). */
void media_size_text(unsigned long long bytes, char out[32]);
/* "/media/HASH.EXT" into out (MEDIA_PATH_MAX bytes). */
void media_path(const char *hash, const struct media_type *t, char *out);
/* Splits "HASH.EXT" (a /media/ URL's last segment): true when hash is 64
 * lower-case hex digits; *ext points into file. */
bool media_file_split(const char *file, char hash[MEDIA_HASH_HEX + 1],
                      const char **ext);

#endif
