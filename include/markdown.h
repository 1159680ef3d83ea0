/*
 * Markdown (CommonMark, cmark) to HTML for posts, and a plain-text excerpt.
 * Raw HTML and unsafe URLs (javascript:, data: other than images, ...) are
 * suppressed unless unsafe_html is set ([site] allow_raw_html).
 */
#ifndef BLOGD_MARKDOWN_H
#define BLOGD_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

/* HTML for len bytes of Markdown. Caller frees. */
char *markdown_to_html(const char *md, size_t len, bool unsafe_html);
/*
 * Plain text of the Markdown (no markup, no raw HTML, white space collapsed),
 * cut to at most max_chars code points on a word boundary with "…" appended
 * when cut. Caller frees.
 */
char *markdown_excerpt(const char *md, size_t len, size_t max_chars);

#endif
