/*
 * Markdown (CommonMark, cmark) to HTML for posts, and a plain-text excerpt.
 * Raw HTML and unsafe URLs (javascript:, data: other than images, ...) are
 * suppressed unless unsafe_html is set ([site] allow_raw_html).
 */
#ifndef BLOGD_MARKDOWN_H
#define BLOGD_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

/*
 * From one parse of len bytes of Markdown: *html, and *excerpt, its plain
 * text (no markup, no raw HTML, white space collapsed) cut to at most
 * excerpt_chars code points on a word boundary with "…" appended when cut.
 * The caller frees both.
 */
void markdown_render(const char *md, size_t len, bool unsafe_html,
                     size_t excerpt_chars, char **html, char **excerpt);

/* The plain text of an HTML body (tags, script and style dropped, common
 * entities decoded), cut like markdown_render's excerpt. Caller frees. */
char *markdown_html_excerpt(const char *html, size_t excerpt_chars);

#endif
