/*
 * What the page handlers share: a database connection (the primary's, or
 * for public reads maybe a replica's) or a 503, numbers
 * from the URL and text from forms, absolute and encoded URLs, and the
 * post lists of /, tags, authors and search. The page files call down into this
 * one, never into each other.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "db.h"
#include "handlers.h"
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

static void
list_add_post(struct tmpl_dict *content, const struct model_post *p)
{
	struct tmpl_dict *d = tmpl_add_section(content, TK_POST);

	handlers_post_header(d, p);
	tmpl_set(d, TK_EXCERPT, p->excerpt);
}

/* Newer/older links; page 2's newer link is base_url itself. */
static void
list_add_pager(struct tmpl_dict *content, long long page, bool has_more,
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
	list_add_pager(content, page, list->has_more, base_url);
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
	page_render(req, 200, root);
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
