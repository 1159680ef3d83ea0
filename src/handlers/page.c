/* The page frame (include/page.h). */
#include "page.h"

#include <stdio.h>

#include "app.h"
#include "config.h"
#include "log.h"

struct tmpl_dict *
page_new(struct http_request *req, const char *title, const char *file,
         struct tmpl_dict **content)
{
	struct tmpl_dict *root = tmpl_dict_new();

	tmpl_set(root, TK_SITE_TITLE, req->app->cfg->site.title);
	tmpl_set(root, TK_PAGE_TITLE, title);
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
page_render(struct http_request *req, int status, struct tmpl_dict *root)
{
	struct buf out = BUF_INIT;
	int rc;

	rc = tmpl_render(TF_layout, root, &out);
	tmpl_dict_free(root);
	if (rc != 0) {
		buf_free(&out);
		log_err("page: rendering %s failed", req->path);
		http_error(req, 500);
		return;
	}
	http_respond(req, status, PAGE_CONTENT_TYPE, &out); /* takes out */
}

void
page_set_date(struct tmpl_dict *d, const char *datetime)
{
	static const char *const months[] = {"January", "February", "March",
	                                     "April",   "May",      "June",
	                                     "July",    "August",   "September",
	                                     "October", "November", "December"};
	int y, mo, da, h, mi, s;
	char text[32], iso[32];

	if (datetime == NULL ||
	    sscanf(datetime, "%4d-%2d-%2d %2d:%2d:%2d", &y, &mo, &da, &h, &mi,
	           &s) != 6 ||
	    mo < 1 || mo > 12)
		return;
	snprintf(text, sizeof(text), "%d %s %04d", da, months[mo - 1], y);
	snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, da,
	         h, mi, s);
	tmpl_set(d, TK_DATE, text);
	tmpl_set(d, TK_DATE_ISO, iso);
}
