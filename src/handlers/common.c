/*
 * What the page handlers share: a database connection (the primary's, or
 * for public reads maybe a replica's) or a 503, numbers
 * from the URL and text from forms, absolute and encoded URLs, and the
 * post lists of /, tags, authors and search. The page files call down into this
 * one, never into each other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "db.h"
#include "handlers.h"
#include "markdown.h"
#include "model.h"
#include "page.h"
#include "page_cache.h"
#include "session.h"
#include "text.h"
#include "xalloc.h"

struct db_conn *
handlers_db(struct http_request *req)
{
	struct db_conn *conn = db_acquire(http_req_app(req)->db);

	if (conn == NULL)
		http_error(req, 503);
	return conn;
}

/* db_acquire_read's check: the replica has the content version the page
 * cache will keep this page under (page_cache_fill_version explains). */
static bool
replica_has_version(struct db_conn *conn, void *arg)
{
	return model_content_version(conn) >= *(const long long *)arg;
}

struct db_conn *
handlers_db_read(struct http_request *req)
{
	long long want = page_cache_fill_version();
	struct db_conn *conn;

	/* Admins and a client that just wrote read what they wrote. */
	if (session_reads_primary(req))
		return handlers_db(req);
	conn = db_acquire_read(http_req_app(req)->db,
	                       want >= 0 ? replica_has_version : NULL, &want);
	if (conn == NULL)
		http_error(req, 503);
	return conn;
}

long long
handlers_number(const char *s, long long max)
{
	long long n = 0;
	const char *p;

	if (s == NULL || *s < '1' || *s > '9')
		return 0;
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || n > (max - (*p - '0')) / 10)
			return 0;
		n = n * 10 + (*p - '0');
	}
	return n;
}

char *
handlers_query_words(struct http_request *req, const char *name)
{
	const char *raw = http_query(req, name);
	size_t len;

	if (raw == NULL)
		raw = "";
	len = strlen(raw);
	/* A code point is at most 4 bytes: the first test spares a scan. */
	if (len > 4 * HANDLERS_WORDS_MAX || !text_utf8_valid(raw, len) ||
	    text_utf8_len(raw) > HANDLERS_WORDS_MAX)
		return NULL;
	return text_trim(raw);
}

long long
handlers_page_number(const char *value)
{
	return value == NULL ? 1 : handlers_number(value, HANDLERS_PAGE_MAX);
}

static void
list_add_tags(struct tmpl_dict *d, char *const *tags, size_t ntags)
{
	struct tmpl_dict *section;
	size_t i;

	if (ntags == 0)
		return;
	section = tmpl_add_section(d, TK_TAGS);
	for (i = 0; i < ntags; i++)
		tmpl_set(tmpl_add_section(section, TK_TAG), TK_TAG_NAME,
		         tags[i]);
}

/* What a post row of index.tpl and the head of post.tpl both show. */
void
handlers_post_header(struct tmpl_dict *d, const struct model_post *p)
{
	tmpl_set(d, TK_SLUG, p->slug);
	tmpl_set(d, TK_TITLE, p->title);
	tmpl_set(d, TK_AUTHOR, p->author_name);
	page_set_date(d, p->published_at);
	list_add_tags(d, p->tags, p->ntags);
}

/* A summary: the excerpt with its blocks (the plain text for rows not
 * rendered again since sql/009) and the post's header. */
static void
list_add_post(struct tmpl_dict *content, const struct model_post *p)
{
	struct tmpl_dict *d = tmpl_add_section(content, TK_POST);

	handlers_post_header(d, p);
	if (p->excerpt_html != NULL)
		tmpl_set(tmpl_add_section(d, TK_EXCERPT_BLOCKS),
		         TK_EXCERPT_HTML, p->excerpt_html);
	else
		tmpl_set(tmpl_add_section(d, TK_EXCERPT_TEXT), TK_EXCERPT,
		         p->excerpt);
}

void
handlers_add_pager(struct tmpl_dict *content, long long page, bool has_more,
                   const char *base_url)
{
	char sep = strchr(base_url, '?') != NULL ? '&' : '?';
	char url[4096]; /* /search?q= with 200 encoded code points */

	if (page <= 1 && !has_more)
		return;
	tmpl_show(content, TK_PAGER);
	if (page > 1) {
		if (page == 2)
			snprintf(url, sizeof(url), "%s", base_url);
		else
			snprintf(url, sizeof(url), "%s%cpage=%lld", base_url,
			         sep, page - 1);
		tmpl_show(content, TK_NEWER);
		tmpl_set(content, TK_NEWER_URL, url);
	}
	if (has_more) {
		snprintf(url, sizeof(url), "%s%cpage=%lld", base_url, sep,
		         page + 1);
		tmpl_show(content, TK_OLDER);
		tmpl_set(content, TK_OLDER_URL, url);
	}
}

void
handlers_fill_list(struct tmpl_dict *content,
                   const struct model_post_list *list, long long page,
                   const char *base_url)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		list_add_post(content, &list->items[i]);
	handlers_add_pager(content, page, list->has_more, base_url);
}

void
handlers_render_list(struct http_request *req, const char *title,
                     const char *heading, const char *empty_text,
                     const struct model_post_list *list, long long page,
                     const char *base_url)
{
	struct tmpl_dict *content, *root;

	root = page_new(req, title, TF_index, &content);
	if (heading != NULL) {
		tmpl_show(content, TK_HEADING);
		tmpl_set(content, TK_HEADING_TEXT, heading);
	}
	if (list->n == 0) {
		tmpl_show(content, TK_EMPTY);
		tmpl_set(content, TK_EMPTY_TEXT, empty_text);
	}
	handlers_fill_list(content, list, page, base_url);
	handlers_meta(req, root,
	              &(struct handlers_meta){.type = "website",
	                                      .title = title,
	                                      .path = base_url,
	                                      .page = page});
	page_render(req, 200, root);
}

void
handlers_post_path(struct buf *out, const struct model_post *p)
{
	buf_puts(out, p->page ? "/pages/" : "/posts/");
	handlers_url_encode(out, p->slug);
}

/* The first image of body_html as an absolute URL (http, https or a path
 * of this site), into out; false when there is none. */
static bool
meta_image(const char *base, const char *body_html, struct buf *out)
{
	char *src = markdown_first_image(body_html);
	bool ok = false;

	if (src == NULL)
		return false;
	if (strncmp(src, "https://", 8) == 0 ||
	    strncmp(src, "http://", 7) == 0) {
		buf_puts(out, src);
		ok = true;
	} else if (src[0] == '/' && src[1] != '/') {
		buf_printf(out, "%s%s", base, src);
		ok = true;
	}
	free(src);
	return ok;
}

void
handlers_meta(struct http_request *req, struct tmpl_dict *root,
              const struct handlers_meta *m)
{
	const char *site = http_req_app(req)->cfg->site.description;
	const char *desc = m->description;
	struct tmpl_dict *meta;
	struct buf url = BUF_INIT;
	char base[BASE_URL_MAX];
	struct text_datetime dt;

	if (desc != NULL && *desc != '\0')
		tmpl_set(root, TK_PAGE_DESCRIPTION, desc);
	else
		desc =
		    *site != '\0' ? site : http_req_app(req)->cfg->site.title;
	/* og:url and canonical must be absolute: without a base, none. */
	if (handlers_base_url(req, base, sizeof(base)) != 0)
		return;
	meta = tmpl_add_section(root, TK_META);
	buf_printf(&url, "%s%s", base, m->path);
	if (m->page > 1)
		buf_printf(&url, "?page=%lld", m->page);
	tmpl_set(meta, TK_URL, buf_cstr(&url));
	tmpl_set(meta, TK_OG_TYPE, m->type);
	tmpl_set(meta, TK_TITLE, m->title);
	tmpl_set(meta, TK_DESCRIPTION, desc);
	buf_reset(&url);
	if (meta_image(base, m->body_html, &url)) {
		tmpl_set(tmpl_add_section(meta, TK_IMAGE), TK_IMAGE_URL,
		         buf_cstr(&url));
		tmpl_set(meta, TK_TWITTER_CARD, "summary_large_image");
	} else {
		tmpl_set(meta, TK_TWITTER_CARD, "summary");
	}
	buf_free(&url);
	if (text_datetime_parse(m->published_at, &dt))
		tmpl_set(tmpl_add_section(meta, TK_PUBLISHED), TK_PUBLISHED,
		         dt.rfc3339);
}

void
handlers_url_encode(struct buf *out, const char *s)
{
	size_t n = strlen(s);

	buf_reserve(out, 3 * n);
	out->len += text_url_encode(out->data + out->len, s, n);
	out->data[out->len] = '\0';
}

int
handlers_base_url(struct http_request *req, char *out, size_t outlen)
{
	const char *cfg = http_req_app(req)->cfg->site.base_url;
	const char *host;
	int n;

	if (*cfg != '\0') {
		/* config_load already dropped any trailing '/'. */
		n = snprintf(out, outlen, "%s", cfg);
	} else {
		/* Only a Host that cannot end the authority goes into links. */
		host = http_request_host(req, NULL);
		if (host == NULL)
			return -1;
		n = snprintf(out, outlen, "%s://%s",
		             http_req_https(req) ? "https" : "http", host);
	}
	return n > 0 && (size_t)n < outlen ? 0 : -1;
}

char *
handlers_form_text(struct http_request *req, const char *name, bool trim,
                   const char **error)
{
	const char *raw = http_form(req, name);

	if (raw == NULL)
		return xstrdup("");
	if (!text_utf8_valid(raw, strlen(raw))) {
		*error = "This text is not valid UTF-8.";
		return xstrdup("");
	}
	return trim ? text_trim(raw) : xstrdup(raw);
}
