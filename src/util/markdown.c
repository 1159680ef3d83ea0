/* Markdown to HTML and plain-text excerpts over cmark (include/markdown.h). */
#include "markdown.h"

#include <stdbool.h>
#include <string.h>

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

/* text (white space folded) cut to max_chars code points; consumes it. */
static char *
cut_text(struct buf *textp, size_t max_chars)
{
	struct buf text = *textp;
	size_t i, chars = 0, cut = 0, space = 0;
	bool over = false;
	const char *s;

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

/* The plain text of doc cut to max_chars code points (markdown.h). */
static char *
excerpt_of(cmark_node *doc, size_t max_chars)
{
	struct buf text = BUF_INIT;

	if (doc != NULL)
		plain_text(doc, &text);
	return cut_text(&text, max_chars);
}

/* The tag name at s ("script" in "script>" or "/script>"), lower-cased
 * into name (room for 8; longer names are cut). */
static void
tag_name(const char *s, char name[8])
{
	size_t n = 0;

	if (*s == '/')
		s++;
	for (; n < 7 && ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'));
	     s++)
		name[n++] = (char)(*s | 0x20);
	name[n] = '\0';
}

/* Inline elements run on inside a word ("<b>bold</b>."); others end it. */
static bool
is_inline(const char *name)
{
	static const char *const inl[] = {
	    "a", "abbr",  "b",    "code",   "em",  "i",   "mark",
	    "s", "small", "span", "strong", "sub", "sup", "u"};

	for (size_t i = 0; i < sizeof(inl) / sizeof(inl[0]); i++)
		if (strcmp(name, inl[i]) == 0)
			return true;
	return false;
}

/* Skips the tag at s ('<'); for <script> and <style> their content too,
 * which is not text a reader sees. Returns where the text goes on;
 * *space tells whether the tag separates words. */
static const char *
skip_tag(const char *s, bool *space)
{
	char name[8];
	const char *end;

	tag_name(s + 1, name);
	*space = !is_inline(name);
	if (s[1] != '/' &&
	    (strcmp(name, "script") == 0 || strcmp(name, "style") == 0)) {
		end = strstr(s, name[1] == 'c' ? "</script" : "</style");
		if (end == NULL)
			return s + strlen(s);
		s = end;
	}
	end = strchr(s, '>');
	return end != NULL ? end + 1 : s + strlen(s);
}

/* The few entities that turn up in text; the others are kept verbatim. */
static const char *
put_entity(struct buf *b, const char *s)
{
	static const struct {
		const char *name, *text;
	} ents[] = {{"&amp;", "&"},
	            {"&lt;", "<"},
	            {"&gt;", ">"},
	            {"&quot;", "\""},
	            {"&#39;", "'"},
	            {"&nbsp;", " "},
	            {"&rsquo;", "\xe2\x80\x99"},
	            {"&hellip;", "\xe2\x80\xa6"}};

	for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
		size_t n = strlen(ents[i].name);
		if (strncmp(s, ents[i].name, n) == 0) {
			put_text(b, ents[i].text);
			return s + n;
		}
	}
	buf_putc(b, '&');
	return s + 1;
}

char *
markdown_html_excerpt(const char *html, size_t excerpt_chars)
{
	struct buf text = BUF_INIT;
	const char *s = html;
	char c[2] = {0, 0};
	bool space;

	while (*s != '\0') {
		if (*s == '<') {
			s = skip_tag(s, &space);
			/* "<p>a</p><p>b</p>" is two words. */
			if (space)
				put_text(&text, " ");
		} else if (*s == '&') {
			s = put_entity(&text, s);
		} else {
			c[0] = *s++;
			put_text(&text, c);
		}
	}
	/* Like the Markdown excerpt: no leading space. */
	if (text.len > 0 && text.data[0] == ' ') {
		memmove(text.data, text.data + 1, text.len);
		text.len--;
	}
	return cut_text(&text, excerpt_chars);
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
