/* The page frame (include/page.h). */
#include "page.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "model.h"
#include "page_cache.h"
#include "static.h"
#include "text.h"
#include "zone.h"

#define PAGE_RESERVE (16 * 1024 - 1)
/* Without a content version (page cache off), the navigation is read
 * again this often. */
#define NAV_TTL_US 1000000ULL

/*
 * The site navigation: links to the visible pages (model_page_list),
 * read again when the page cache's content version moves, so a cached
 * page never holds an older navigation than its version says (or, with
 * the cache off, after NAV_TTL_US). The lock guards the list, which this
 * file owns; the database is read outside it.
 */
static struct {
	pthread_mutex_t lock;
	bool valid;
	long long version;
	unsigned long long read_us;
	struct model_post_list pages;
} nav = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Reads the pages again when out of date; keeps the old list when the
 * database fails (a page without its navigation is still a page). */
static void
nav_refresh(struct http_request *req)
{
	long long v = page_cache_version();
	unsigned long long now = clock_now_us();
	struct model_post_list fresh, old;
	struct db_conn *conn;
	bool due;
	int rc;

	pthread_mutex_lock(&nav.lock);
	due = !nav.valid ||
	      (v >= 0 ? v != nav.version : now - nav.read_us >= NAV_TTL_US);
	pthread_mutex_unlock(&nav.lock);
	if (!due || (conn = db_acquire(http_req_app(req)->db)) == NULL)
		return;
	rc = model_page_list(conn, &fresh);
	db_release(conn);
	if (rc != MODEL_OK)
		return;
	pthread_mutex_lock(&nav.lock);
	old = nav.pages;
	nav.pages = fresh;
	nav.valid = true;
	nav.version = v;
	nav.read_us = now;
	pthread_mutex_unlock(&nav.lock);
	model_post_list_free(&old);
}

/* The navigation as last read, into the layout's NAV section. */
static void
nav_fill(struct tmpl_dict *root)
{
	struct tmpl_dict *list, *d;
	size_t i;

	pthread_mutex_lock(&nav.lock);
	if (nav.pages.n > 0) {
		list = tmpl_add_section(root, TK_NAV);
		for (i = 0; i < nav.pages.n; i++) {
			d = tmpl_add_section(list, TK_NAV_ITEM);
			tmpl_set(d, TK_SLUG, nav.pages.items[i].slug);
			tmpl_set(d, TK_TITLE, nav.pages.items[i].title);
		}
	}
	pthread_mutex_unlock(&nav.lock);
}

void
page_nav_free(void)
{
	pthread_mutex_lock(&nav.lock);
	model_post_list_free(&nav.pages);
	nav.valid = false;
	pthread_mutex_unlock(&nav.lock);
}

/* Under /admin: kept out of search engines. */
static bool
in_admin_area(struct http_request *req)
{
	const char *path = http_req_path(req);

	return strncmp(path, "/admin", 6) == 0 &&
	       (path[6] == '\0' || path[6] == '/');
}

/* The admin area has a menu and a style of its own; but a preview shows
 * a post in the public frame. */
static bool
is_admin(struct http_request *req)
{
	return in_admin_area(req) &&
	       strcmp(http_req_path(req), PAGE_PREVIEW_PATH) != 0;
}

struct tmpl_dict *
page_new(struct http_request *req, const char *title, const char *file,
         struct tmpl_dict **content)
{
	const struct config *cfg = http_req_app(req)->cfg;
	struct tmpl_dict *root = tmpl_dict_new();
	const char *css = static_inline_css(req), *url;
	bool admin = is_admin(req);

	tmpl_set(root, TK_SITE_TITLE, cfg->site.title);
	tmpl_set(root, TK_LANGUAGE, cfg->site.language);
	tmpl_set(root, TK_PAGE_TITLE, title);
	/* A post's excerpt replaces it (post_meta in posts.c). */
	tmpl_set(root, TK_PAGE_DESCRIPTION,
	         cfg->site.description[0] != '\0' ? cfg->site.description
	                                          : cfg->site.title);
	if (css != NULL) {
		tmpl_set(tmpl_add_section(root, TK_INLINE_STYLE), TK_STYLE_CSS,
		         css);
	} else {
		url = static_url(req, "style.css");
		tmpl_set(tmpl_add_section(root, TK_STYLESHEET), TK_STYLE_URL,
		         url != NULL ? url : "/static/style.css");
	}
	if ((url = static_url(req, "favicon.svg")) != NULL)
		tmpl_set(tmpl_add_section(root, TK_ICON), TK_ICON_URL, url);
	if (admin) {
		/* Only admins see these pages: one more request is fine. */
		url = static_url(req, "admin.css");
		tmpl_set(tmpl_add_section(root, TK_ADMIN_STYLE),
		         TK_ADMIN_CSS_URL,
		         url != NULL ? url : "/static/admin.css");
	}
	/* robots.txt keeps crawlers out; this keeps a login page that is
	 * linked from elsewhere out of the index. */
	if (in_admin_area(req))
		tmpl_show(root, TK_NOINDEX);
	*content = tmpl_add_include(root, TK_CONTENT, file);
	return root;
}

void
page_notice(struct tmpl_dict *root, const char *text)
{
	tmpl_show(root, TK_NOTICE);
	tmpl_set(root, TK_NOTICE_TEXT, text);
}

void
page_field_error(struct tmpl_dict *d, const char *section, const char *message)
{
	if (message != NULL)
		tmpl_set(tmpl_add_section(d, section), TK_ERROR_TEXT, message);
}

void
page_render(struct http_request *req, int status, struct tmpl_dict *root)
{
	struct buf out = BUF_INIT;
	int rc;

	if (!is_admin(req)) {
		nav_refresh(req);
		nav_fill(root);
	}
	/* Most pages fit (the home page is 9-10 KB): one allocation instead
	 * of doubling from 256 bytes. */
	buf_reserve(&out, PAGE_RESERVE);
	rc = tmpl_render(TF_layout, root, &out);
	tmpl_dict_free(root);
	if (rc != 0) {
		/* tmpl_render logged the cause, http_error logs the route. */
		buf_free(&out);
		http_error(req, 500);
		return;
	}
	http_respond(req, status, PAGE_CONTENT_TYPE, &out); /* takes out */
}

const char *
page_error(struct http_request *req, int status, const char *reason,
           struct buf *out)
{
	struct tmpl_dict *dict, *content;
	char code[16];
	int rc;

	snprintf(code, sizeof(code), "%d", status);
	/* The frame of every other page, so that error pages cannot drift
	 * from it. */
	dict = page_new(req, reason, TF_error, &content);
	/* As last read: this may run on an HTTP thread, which never waits
	 * for the database. */
	nav_fill(dict);
	tmpl_set(content, TK_STATUS, code);
	tmpl_set(content, TK_REASON, reason);
	rc = tmpl_render(TF_layout, dict, out);
	tmpl_dict_free(dict);
	return rc == 0 ? PAGE_CONTENT_TYPE : NULL;
}

/* Formatted by hand, for the reason text_datetime_parse parses by hand.
 * The day shown is the site's (zone.h); the machine-readable value UTC. */
void
page_set_date(struct tmpl_dict *d, const char *datetime)
{
	static const char *const months[] = {"January", "February", "March",
	                                     "April",   "May",      "June",
	                                     "July",    "August",   "September",
	                                     "October", "November", "December"};
	struct text_datetime utc, dt;
	char local[TEXT_DATETIME_SIZE], text[32];
	size_t n = 0, mlen;

	if (!text_datetime_parse(datetime, &utc))
		return;
	dt = utc; /* in UTC, the day stored is the day shown */
	if (!zone_is_utc() && (!zone_to_local(datetime, local) ||
	                       !text_datetime_parse(local, &dt)))
		return;
	/* "25 November 2026" */
	if (dt.day >= 10)
		text[n++] = (char)('0' + dt.day / 10);
	text[n++] = (char)('0' + dt.day % 10);
	text[n++] = ' ';
	mlen = strlen(months[dt.month - 1]);
	memcpy(text + n, months[dt.month - 1], mlen);
	n += mlen;
	text[n++] = ' ';
	memcpy(text + n, dt.rfc3339, 4); /* the year */
	n += 4;
	text[n] = '\0';
	tmpl_set(d, TK_DATE, text);
	tmpl_set(d, TK_DATE_ISO, utc.rfc3339);
}
