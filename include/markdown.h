/*
 * Markdown (CommonMark, cmark) to HTML for posts, and their excerpts.
 * Raw HTML and unsafe URLs (javascript:, data: other than images, ...) are
 * suppressed unless unsafe_html is set ([site] allow_raw_html).
 */
#ifndef BLOGD_MARKDOWN_H
#define BLOGD_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

/* What a post body becomes; every string is the caller's to free
 * (markdown_out_free). */
struct markdown_out {
	char *html; /* the whole body */
	/*
	 * The excerpt: the top-level blocks before a "<!--more-->" line, or
	 * else the first blocks up to excerpt_chars code points of text, the
	 * last one cut on a word (a code block on a line) with "…".
	 * excerpt_html keeps the blocks (paragraphs, lists, quotes, code;
	 * headings become bold paragraphs; images and raw HTML go);
	 * excerpt is its plain text on one line, white space collapsed,
	 * ending before the first code block that follows some text (what
	 * comes after one rarely reads on without it), with "…" whenever
	 * something was left out.
	 */
	char *excerpt;
	char *excerpt_html;
};

/* From one parse of len bytes of Markdown. */
void markdown_render(const char *md, size_t len, bool unsafe_html,
                     size_t excerpt_chars, struct markdown_out *out);

/* An HTML body (imported posts): html is a copy, the excerpt its plain
 * text (tags, script and style dropped, common entities decoded) cut
 * like markdown_render's, and excerpt_html that text as one paragraph. */
void markdown_html_body(const char *html, size_t excerpt_chars,
                        struct markdown_out *out);

void markdown_out_free(struct markdown_out *out);

/* The src of the first <img> in rendered HTML, entities decoded, or NULL
 * (also when it holds a quote or angle bracket). Caller frees. */
char *markdown_first_image(const char *html);

#endif
