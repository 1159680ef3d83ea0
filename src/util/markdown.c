/* Markdown to HTML and plain-text excerpts over cmark (include/markdown.h). */
#include "markdown.h"

#include <stdbool.h>

#include <cmark.h>

#include "buf.h"
#include "xalloc.h"

/* Appends text with runs of white space folded into one space. */
static void
put_text(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			if (b->len > 0 && b->data[b->len - 1] != ' ')
				buf_putc(b, ' ');
		} else {
			buf_putc(b, *s);
		}
	}
}

static bool
is_block(cmark_node_type t)
{
	switch (t) {
	case CMARK_NODE_PARAGRAPH:
	case CMARK_NODE_HEADING:
	case CMARK_NODE_ITEM:
	case CMARK_NODE_BLOCK_QUOTE:
	case CMARK_NODE_LIST:
		return true;
	default:
		return false;
	}
}

/* Plain text of a document: text and inline code; no raw HTML, code
 * blocks or images, which read badly in a one-paragraph summary. */
static void
plain_text(cmark_node *doc, struct buf *out)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	cmark_node *n;
	cmark_node_type t;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		n = cmark_iter_get_node(it);
		t = cmark_node_get_type(n);
		if (ev == CMARK_EVENT_ENTER && t == CMARK_NODE_IMAGE) {
			cmark_iter_reset(it, n, CMARK_EVENT_EXIT);
			continue;
		}
		if (ev == CMARK_EVENT_EXIT) {
			if (is_block(t))
				put_text(out, " ");
			continue;
		}
		switch (t) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			put_text(out, cmark_node_get_literal(n));
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			put_text(out, " ");
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
}

/* The plain text of doc cut to max_chars code points (markdown.h). */
static char *
excerpt_of(cmark_node *doc, size_t max_chars)
{
	struct buf text = BUF_INIT;
	size_t i, chars = 0, cut = 0, space = 0;
	bool over = false;
	const char *s;

	if (doc != NULL)
		plain_text(doc, &text);
	s = buf_cstr(&text);
	/* Find the byte offset after max_chars code points, and the last
	 * space before it. */
	for (i = 0; s[i] != '\0'; i++) {
		if (((unsigned char)s[i] & 0xC0) == 0x80)
			continue;
		if (chars == max_chars) {
			cut = i;
			over = true;
			break;
		}
		if (s[i] == ' ')
			space = i;
		chars++;
	}
	if (!over) {
		/* Short enough: only the folded trailing space goes. */
		while (text.len > 0 && text.data[text.len - 1] == ' ')
			text.data[--text.len] = '\0';
		return buf_detach(&text);
	}
	if (s[cut] != ' ' && space > 0)
		cut = space;
	while (cut > 0 && s[cut - 1] == ' ')
		cut--;
	text.len = cut;
	text.data[cut] = '\0';
	buf_puts(&text, "\xe2\x80\xa6"); /* U+2026 HORIZONTAL ELLIPSIS */
	return buf_detach(&text);
}

void
markdown_render(const char *md, size_t len, bool unsafe_html,
                size_t excerpt_chars, char **html, char **excerpt)
{
	/* cmark 0.30 in its default (safe) mode drops raw HTML and
	 * javascript:/vbscript:/file:/most data: URLs. UNSAFE only changes
	 * rendering, so the excerpt reads the same tree. */
	int opts = CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8;
	cmark_node *doc;

	if (unsafe_html)
		opts |= CMARK_OPT_UNSAFE;
	doc = cmark_parse_document(md, len, opts);
	/* cmark's default allocator is calloc/realloc/free (aborting when
	 * out of memory), so its HTML needs no copy for the caller's free(). */
	*html = doc != NULL ? cmark_render_html(doc, opts) : NULL;
	if (*html == NULL)
		*html = xstrdup("");
	*excerpt = excerpt_of(doc, excerpt_chars);
	if (doc != NULL)
		cmark_node_free(doc);
}
