/*
 * What machines read: GET /feed.xml (Atom 1.0), /sitemap.xml and
 * /robots.txt. All of them need absolute URLs (handlers_base_url).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "config.h"
#include "db.h"
#include "handlers.h"
#include "log.h"
#include "model.h"
#include "page.h"
#include "text.h"

#define FEED_ENTRIES      20
#define SITEMAP_PAGE      1000  /* posts per query while building it */
#define SITEMAP_MAX_URLS  50000 /* the sitemap protocol's limit per file */
#define FEED_CONTENT_TYPE "application/atom+xml; charset=utf-8"
#define XML_CONTENT_TYPE  "application/xml; charset=utf-8"
#define TEXT_CONTENT_TYPE "text/plain; charset=utf-8"
#define DNS_CHARS                                                              \
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-"

/* When a post last changed for a reader: edits, or a later publication.
 * Model dates share one fixed format, so they compare as strings. */
static const char *
feeds_post_updated(const struct model_post *p)
{
	if (p->published_at != NULL &&
	    (p->updated_at == NULL ||
	     strcmp(p->published_at, p->updated_at) > 0))
		return p->published_at;
	return p->updated_at;
}

/*
 * An entry id that survives a slug change (RFC 4151 tag URI from the host
 * and the first publication date); the post URL when the host is not a
 * plain DNS name (an IPv6 literal).
 */
static void
feeds_entry_id(const char *base, const struct model_post *p, struct buf *out)
{
	const char *host = strstr(base, "://");
	size_t len;

	host = host != NULL ? host + 3 : base;
	len = strcspn(host, ":/");
	if (len == 0 || strspn(host, DNS_CHARS) != len ||
	    p->published_at == NULL || strlen(p->published_at) < 10) {
		buf_printf(out, "%s/posts/", base);
		handlers_url_encode(out, p->slug);
		return;
	}
	buf_printf(out, "tag:%.*s,%.10s:post-%lld", (int)len, host,
	           p->published_at, p->id);
}

static void
feeds_add_entry(struct tmpl_dict *root, const char *base,
                const struct model_post *p)
{
	struct tmpl_dict *d = tmpl_add_section(root, TK_ENTRY);
	struct buf id = BUF_INIT;
	struct text_datetime dt;

	feeds_entry_id(base, p, &id);
	tmpl_set(d, TK_ENTRY_ID, buf_cstr(&id));
	buf_free(&id);
	tmpl_set(d, TK_SLUG, p->slug);
	tmpl_set(d, TK_TITLE, p->title);
	tmpl_set(d, TK_AUTHOR, p->author_name);
	tmpl_set(d, TK_EXCERPT, p->excerpt);
	tmpl_set(d, TK_BODY_HTML, p->body_html);
	if (text_datetime_parse(feeds_post_updated(p), &dt))
		tmpl_set(d, TK_UPDATED, dt.rfc3339);
	if (text_datetime_parse(p->published_at, &dt))
		tmpl_set(d, TK_PUBLISHED, dt.rfc3339);
}

/* Renders an XML template with root (freed here) and answers. */
static void
feeds_respond(struct http_request *req, const char *file,
              const char *content_type, struct tmpl_dict *root)
{
	struct buf out = BUF_INIT;
	int rc = tmpl_render(file, root, &out);

	tmpl_dict_free(root);
	if (rc != 0) {
		buf_free(&out);
		http_error(req, 500);
		return;
	}
	http_respond(req, 200, content_type, &out); /* takes out */
}

/* The feed's <updated>: its newest entry, or now for an empty blog. */
static void
feeds_set_feed_updated(struct tmpl_dict *root,
                       const struct model_post_list *list)
{
	const char *newest = NULL, *u;
	struct text_datetime dt;
	struct tm tm;
	time_t now;
	size_t i;

	for (i = 0; i < list->n; i++) {
		u = feeds_post_updated(&list->items[i]);
		if (u != NULL && (newest == NULL || strcmp(u, newest) > 0))
			newest = u;
	}
	if (!text_datetime_parse(newest, &dt)) {
		now = time(NULL);
		gmtime_r(&now, &tm);
		strftime(dt.rfc3339, sizeof(dt.rfc3339), "%Y-%m-%dT%H:%M:%SZ",
		         &tm);
	}
	tmpl_set(root, TK_UPDATED, dt.rfc3339);
}

/*
 * What the feed and the sitemap need first: the absolute base URL (every
 * link in them is absolute) and a connection. NULL when the request is
 * already answered: 400 without a usable base, 503 without the database.
 */
static struct db_conn *
feeds_start(struct http_request *req, char base[BASE_URL_MAX])
{
	if (handlers_base_url(req, base, BASE_URL_MAX) != 0) {
		http_error(req, 400);
		return NULL;
	}
	return handlers_db_read(req);
}

void
handle_feed(struct http_request *req)
{
	struct model_post_query q = {
	    .page = 1, .per_page = FEED_ENTRIES, .with_html = true};
	struct model_post_list list = {0};
	struct tmpl_dict *root;
	struct db_conn *conn;
	char base[BASE_URL_MAX];
	size_t i;
	int rc;

	if ((conn = feeds_start(req, base)) == NULL)
		return;
	rc = model_post_list_published(conn, &q, &list);
	db_release(conn);
	if (rc != MODEL_OK) {
		http_error(req, 503);
		return;
	}
	root = tmpl_dict_new();
	tmpl_set(root, TK_SITE_TITLE, http_req_app(req)->cfg->site.title);
	tmpl_set(root, TK_LANGUAGE, http_req_app(req)->cfg->site.language);
	tmpl_set(root, TK_BASE_URL, base);
	feeds_set_feed_updated(root, &list);
	for (i = 0; i < list.n; i++)
		feeds_add_entry(root, base, &list.items[i]);
	model_post_list_free(&list);
	feeds_respond(req, TF_feed, FEED_CONTENT_TYPE, root);
}

/* One <url>: base + path + the encoded segment (or nothing), lastmod when
 * known. */
static void
sitemap_add(struct tmpl_dict *root, const char *base, const char *path,
            const char *segment, const char *lastmod)
{
	struct tmpl_dict *d = tmpl_add_section(root, TK_ENTRY);
	struct buf url = BUF_INIT;
	struct text_datetime dt;

	buf_printf(&url, "%s%s", base, path);
	if (segment != NULL)
		handlers_url_encode(&url, segment);
	tmpl_set(d, TK_URL, buf_cstr(&url));
	buf_free(&url);
	if (text_datetime_parse(lastmod, &dt)) {
		tmpl_show(d, TK_LASTMOD);
		tmpl_set(d, TK_UPDATED, dt.rfc3339);
	}
}

/* Adds the home page and every published post, newest first, while
 * *count (URLs so far) stays within the protocol's limit. */
static int
sitemap_add_posts(struct db_conn *conn, struct tmpl_dict *root,
                  const char *base, size_t *count)
{
	struct model_post_query q = {.page = 1, .per_page = SITEMAP_PAGE};
	struct model_post_list list;
	bool more = true, cut = false;
	size_t i;

	while (more && !cut) {
		if (model_post_list_published(conn, &q, &list) != MODEL_OK)
			return -1;
		if (q.page == 1) {
			sitemap_add(root, base, "/", NULL,
			            list.n > 0
			                ? feeds_post_updated(&list.items[0])
			                : NULL);
			(*count)++;
		}
		for (i = 0; i < list.n && !cut; i++) {
			cut = *count >= SITEMAP_MAX_URLS;
			if (!cut) {
				sitemap_add(root, base, "/posts/",
				            list.items[i].slug,
				            feeds_post_updated(&list.items[i]));
				(*count)++;
			}
		}
		more = list.has_more;
		model_post_list_free(&list);
		q.page++;
	}
	if (cut)
		log_warn("sitemap: over %d URLs, the oldest posts are left out",
		         SITEMAP_MAX_URLS);
	return 0;
}

/* Adds the pages of the site navigation. */
static int
sitemap_add_pages(struct db_conn *conn, struct tmpl_dict *root,
                  const char *base, size_t *count)
{
	struct model_post_list list;
	size_t i;

	if (model_page_list(conn, &list) != MODEL_OK)
		return -1;
	for (i = 0; i < list.n && *count < SITEMAP_MAX_URLS; i++, (*count)++)
		sitemap_add(root, base, "/pages/", list.items[i].slug,
		            feeds_post_updated(&list.items[i]));
	model_post_list_free(&list);
	return 0;
}

void
handle_sitemap(struct http_request *req)
{
	struct model_tag_list tags = {0};
	struct tmpl_dict *root;
	struct db_conn *conn;
	char base[BASE_URL_MAX];
	size_t count = 0, i;
	int rc;

	if ((conn = feeds_start(req, base)) == NULL)
		return;
	root = tmpl_dict_new();
	rc = sitemap_add_posts(conn, root, base, &count);
	if (rc == 0)
		rc = sitemap_add_pages(conn, root, base, &count);
	if (rc == 0)
		rc = model_tag_list_published(conn, &tags) == MODEL_OK ? 0 : -1;
	db_release(conn);
	if (rc != 0) {
		tmpl_dict_free(root);
		http_error(req, 503);
		return;
	}
	for (i = 0; i < tags.n && count < SITEMAP_MAX_URLS; i++, count++)
		sitemap_add(root, base, "/tags/", tags.names[i], NULL);
	model_tag_list_free(&tags);
	feeds_respond(req, TF_sitemap, XML_CONTENT_TYPE, root);
}

void
handle_robots(struct http_request *req)
{
	struct buf out = BUF_INIT;
	char base[BASE_URL_MAX];

	buf_puts(&out, "User-agent: *\nDisallow: /admin\n");
	/* Without a known address the file is still right, just shorter. */
	if (handlers_base_url(req, base, sizeof(base)) == 0)
		buf_printf(&out, "\nSitemap: %s/sitemap.xml\n", base);
	http_respond(req, 200, TEXT_CONTENT_TYPE, &out); /* takes out */
}
