/* Markdown to HTML and plain-text excerpts over cmark (include/markdown.h). */
#include "markdown.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* Code points in the n bytes of s (valid UTF-8). */
static size_t
u8_len(const char *s, size_t n)
{
	size_t i, chars = 0;

	for (i = 0; i < n; i++)
		chars += ((unsigned char)s[i] & 0xC0) != 0x80;
	return chars;
}

/* The byte offset after max code points of s (its length when shorter). */
static size_t
u8_offset(const char *s, size_t max)
{
	size_t i, chars = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (((unsigned char)s[i] & 0xC0) == 0x80)
			continue;
		if (chars++ == max)
			break;
	}
	return i;
}

#define ELLIPSIS "\xe2\x80\xa6" /* U+2026 HORIZONTAL ELLIPSIS */

/* Ends text (white space folded; consumed) within max_chars code points,
 * on a word, with "…" when it was cut or more (something after it was left
 * out); a ':' that announced what was left out goes. */
static char *
cut_text(struct buf *text, size_t max_chars, bool more)
{
	const char *s = buf_cstr(text);
	size_t cut = u8_offset(s, max_chars), i = cut;
	size_t el = sizeof(ELLIPSIS) - 1;

	/* The "…" of a cut in the tree (cut_text_node) is not text. */
	if (strncmp(s + cut, ELLIPSIS, el) == 0 &&
	    s[cut + el + strspn(s + cut + el, " ")] == '\0')
		cut += el;
	else if (s[cut] != '\0') {
		more = true;
		while (s[cut] != ' ' && i > 0 && s[i - 1] != ' ')
			i--;
		if (i > 0)
			cut = i;
	}
	while (cut > 0 && s[cut - 1] == ' ')
		cut--;
	if (more && cut > 0 && s[cut - 1] == ':')
		cut--;
	text->len = cut;
	if (more && cut > 0 &&
	    (cut < el || memcmp(s + cut - el, ELLIPSIS, el) != 0))
		buf_append(text, ELLIPSIS, el);
	else if (text->data != NULL)
		text->data[cut] = '\0';
	return buf_detach(text);
}

/* Unlinks and frees every node after n in document order, n's
 * descendants excepted. */
static void
drop_after(cmark_node *n)
{
	cmark_node *next;

	for (; n != NULL && cmark_node_get_type(n) != CMARK_NODE_DOCUMENT;
	     n = cmark_node_parent(n))
		while ((next = cmark_node_next(n)) != NULL)
			cmark_node_free(next);
}

/* Unlinks and frees n and everything after it. */
static void
drop_from(cmark_node *n)
{
	drop_after(n);
	cmark_node_free(n);
}

/*
 * What an excerpt leaves out or shows otherwise: images (og:image takes
 * the first), raw HTML (a cut could leave it unbalanced), thematic breaks;
 * headings become a paragraph in bold, so a list page keeps one outline.
 */
static void
excerpt_clean(cmark_node *n)
{
	cmark_node *c, *next, *p, *strong;

	for (c = cmark_node_first_child(n); c != NULL; c = next) {
		next = cmark_node_next(c);
		switch (cmark_node_get_type(c)) {
		case CMARK_NODE_IMAGE:
		case CMARK_NODE_HTML_INLINE:
		case CMARK_NODE_HTML_BLOCK:
		case CMARK_NODE_THEMATIC_BREAK:
			cmark_node_free(c);
			break;
		case CMARK_NODE_HEADING:
			p = cmark_node_new(CMARK_NODE_PARAGRAPH);
			strong = cmark_node_new(CMARK_NODE_STRONG);
			cmark_node_append_child(p, strong);
			while (cmark_node_first_child(c) != NULL)
				cmark_node_append_child(
				    strong, cmark_node_first_child(c));
			cmark_node_replace(c, p);
			cmark_node_free(c);
			excerpt_clean(strong);
			break;
		default:
			excerpt_clean(c);
			/* A paragraph that held only an image. */
			if (cmark_node_get_type(c) == CMARK_NODE_PARAGRAPH &&
			    cmark_node_first_child(c) == NULL)
				cmark_node_free(c);
			break;
		}
	}
}

/* Ends the excerpt inside text node n, which holds more than left code
 * points: on the last space before the limit, inside the word only when
 * nothing came before; "…" added. */
static void
cut_text_node(cmark_node *n, size_t left, bool any)
{
	const char *s = cmark_node_get_literal(n);
	size_t cut = u8_offset(s, left), i = cut;
	struct buf b = BUF_INIT;

	if (s[cut] != ' ') {
		while (i > 0 && s[i - 1] != ' ')
			i--;
		if (i > 0 || any)
			cut = i;
	}
	while (cut > 0 && s[cut - 1] == ' ')
		cut--;
	buf_append(&b, s, cut);
	buf_puts(&b, ELLIPSIS);
	cmark_node_set_literal(n, buf_cstr(&b));
	buf_free(&b);
	drop_after(n);
}

/* Ends the excerpt inside code block n: the whole lines that fit in left
 * code points, or none (the block goes). */
static void
cut_code_block(cmark_node *n, size_t left)
{
	const char *s = cmark_node_get_literal(n), *nl;
	size_t keep = 0;

	while ((nl = strchr(s + keep, '\n')) != NULL &&
	       u8_len(s, (size_t)(nl + 1 - s)) <= left)
		keep = (size_t)(nl + 1 - s);
	if (keep == 0) {
		drop_from(n);
		return;
	}
	char *lines = xstrndup(s, keep);
	cmark_node_set_literal(n, lines);
	free(lines);
	drop_after(n);
}

/*
 * Spends *left code points on the text of n's subtree in document order
 * (a block boundary or line break counts one); where they run out the
 * tree is cut (cut_text_node, cut_code_block) and true returned. *any:
 * some text came before.
 */
static bool
spend(cmark_node *n, size_t *left, bool *any)
{
	cmark_node_type t = cmark_node_get_type(n);
	const char *lit;
	size_t len;
	cmark_node *c;

	switch (t) {
	case CMARK_NODE_TEXT:
	case CMARK_NODE_CODE:
	case CMARK_NODE_CODE_BLOCK:
		lit = cmark_node_get_literal(n);
		len = u8_len(lit, strlen(lit));
		if (len > *left) {
			if (t == CMARK_NODE_CODE_BLOCK)
				cut_code_block(n, *left);
			else
				cut_text_node(n, *left, *any);
			return true;
		}
		*left -= len;
		*any = *any || len > 0;
		return false;
	case CMARK_NODE_SOFTBREAK:
	case CMARK_NODE_LINEBREAK:
		*left -= *left > 0;
		return false;
	default:
		break;
	}
	for (c = cmark_node_first_child(n); c != NULL; c = cmark_node_next(c))
		if (spend(c, left, any))
			return true;
	if (cmark_node_parent(n) != NULL && *left == 0 &&
	    cmark_node_next(n) != NULL) {
		drop_after(n);
		return true;
	}
	*left -= *left > 0; /* the block's end */
	return false;
}

/* True when n is a top-level "<!--more-->" line. */
static bool
is_more_marker(cmark_node *n)
{
	const char *lit;

	if (cmark_node_get_type(n) != CMARK_NODE_HTML_BLOCK)
		return false;
	lit = cmark_node_get_literal(n);
	return lit != NULL && strncasecmp(lit, "<!--more-->", 11) == 0;
}

/*
 * Plain text of the excerpt tree: text and inline code, blocks separated
 * by a space, up to the first code block after some text. True when it
 * stopped there.
 */
static bool
plain_text(cmark_node *doc, struct buf *out)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	cmark_node *n;
	cmark_node_type t;
	bool stopped = false;

	while (!stopped && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		n = cmark_iter_get_node(it);
		t = cmark_node_get_type(n);
		if (ev == CMARK_EVENT_EXIT) {
			if (t >= CMARK_NODE_FIRST_BLOCK &&
			    t <= CMARK_NODE_LAST_BLOCK)
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
		case CMARK_NODE_CODE_BLOCK:
			stopped = out->len > 0;
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
	return stopped;
}

/* Cuts doc (parsed from the body) down to its excerpt and fills out's
 * excerpt and excerpt_html; doc is consumed. */
static void
excerpt_of(cmark_node *doc, size_t max_chars, struct markdown_out *out)
{
	struct buf text = BUF_INIT;
	cmark_node *c;
	size_t left = max_chars;
	bool any = false, cut = false;

	for (c = cmark_node_first_child(doc); c != NULL && !cut;
	     c = cmark_node_next(c))
		if (is_more_marker(c)) {
			drop_from(c);
			cut = true;
			break;
		}
	excerpt_clean(doc);
	if (!cut)
		cut = spend(doc, &left, &any);
	out->excerpt_html = cmark_render_html(doc, CMARK_OPT_DEFAULT);
	cut = plain_text(doc, &text) || cut;
	cmark_node_free(doc);
	out->excerpt = cut_text(&text, max_chars, cut);
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

/* The plain text of an HTML body, cut like a Markdown excerpt. */
static char *
html_text(const char *html, size_t excerpt_chars)
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
	return cut_text(&text, excerpt_chars, false);
}

/* Appends s with &, <, > and " as entities. */
static void
put_escaped(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			buf_puts(b, "&amp;");
			break;
		case '<':
			buf_puts(b, "&lt;");
			break;
		case '>':
			buf_puts(b, "&gt;");
			break;
		case '"':
			buf_puts(b, "&quot;");
			break;
		default:
			buf_putc(b, *s);
		}
	}
}

void
markdown_html_body(const char *html, size_t excerpt_chars,
                   struct markdown_out *out)
{
	struct buf b = BUF_INIT;

	out->html = xstrdup(html);
	out->excerpt = html_text(html, excerpt_chars);
	if (*out->excerpt != '\0') {
		buf_puts(&b, "<p>");
		put_escaped(&b, out->excerpt);
		buf_puts(&b, "</p>\n");
	}
	out->excerpt_html = buf_detach(&b);
}

void
markdown_render(const char *md, size_t len, bool unsafe_html,
                size_t excerpt_chars, struct markdown_out *out)
{
	/* cmark 0.30 in its default (safe) mode drops raw HTML and
	 * javascript:/vbscript:/file:/most data: URLs. UNSAFE only changes
	 * the body's rendering: the excerpt is rendered safe, and without
	 * raw HTML (excerpt_clean). */
	int opts = CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8;
	cmark_node *doc;

	if (unsafe_html)
		opts |= CMARK_OPT_UNSAFE;
	/* cmark's default allocator is calloc/realloc/free (aborting when
	 * out of memory), so its strings need no copy for the caller's
	 * free(). */
	doc = cmark_parse_document(md, len, opts);
	out->html = cmark_render_html(doc, opts);
	excerpt_of(doc, excerpt_chars, out);
}

void
markdown_out_free(struct markdown_out *out)
{
	free(out->html);
	free(out->excerpt);
	free(out->excerpt_html);
	memset(out, 0, sizeof(*out));
}

char *
markdown_first_image(const char *html)
{
	static const char mark[] = "<img src=\"";
	const char *s = html != NULL ? strstr(html, mark) : NULL, *end;
	struct buf b = BUF_INIT;

	if (s == NULL)
		return NULL;
	s += sizeof(mark) - 1;
	if ((end = strchr(s, '"')) == NULL || end == s)
		return NULL;
	while (s < end) {
		if (*s == '<' || *s == '>') {
			buf_free(&b);
			return NULL;
		}
		if (*s == '&')
			s = put_entity(&b, s);
		else
			buf_putc(&b, *s++);
	}
	return buf_detach(&b);
}
