/*
 * Private to src/http/: the pure parts of static.c, which its unit test
 * (tests/unit/test_static.c) calls directly.
 */
#ifndef BLOGD_STATIC_INTERNAL_H
#define BLOGD_STATIC_INTERNAL_H

#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>

/* The Content-Type for a file name, by its extension (any case);
 * application/octet-stream for the rest. A constant. */
const char *static_content_type(const char *name);

/*
 * Opens what is at the percent-encoded path rest below the directory
 * root (the caller checks that it is a regular file), or returns -1: no
 * segment may be empty, start with '.'
 * (so no "..") or decode to one holding '/' or '\'; no symbolic link is
 * followed, nor more than 16 levels gone down. *name gets the last
 * decoded segment (caller frees), for the content type.
 */
int static_open_at(int root, const char *rest, char **name);

/* Fingerprinted names (style.3f9a1c2e.css: 8 or more lower-case hex
 * digits between two dots) change whenever the content does, so clients
 * may keep them for a year without asking again. path ends in the name. */
bool static_fingerprinted(const char *path);

/* A file's validators and caching headers. */
struct static_meta {
	char etag[64]; /* W/"<size hex>-<mtime hex>" */
	char date[40]; /* Last-Modified */
	const char *cache_control;
	time_t mtime;
};
void static_meta(const struct stat *st, bool immutable, struct static_meta *m);

#endif
