/* The page frame (include/page.h). */
#include "page.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "log.h"

#define PAGE_RESERVE (16 * 1024 - 1)

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

	/* Most pages fit (the home page is 9-10 KB): one allocation instead
	 * of doubling from 256 bytes. */
	buf_reserve(&out, PAGE_RESERVE);
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

/* The value of n decimal digits at s; -1 when one is not a digit. */
static int
page_digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/*
 * datetime is "YYYY-MM-DD HH:MM:SS" as the database writes it. Parsed and
 * formatted by hand: with sscanf and snprintf this was a fifth of the
 * instructions of a home page (two dates for each of ten posts).
 */
void
page_set_date(struct tmpl_dict *d, const char *datetime)
{
	static const char *const months[] = {"January", "February", "March",
	                                     "April",   "May",      "June",
	                                     "July",    "August",   "September",
	                                     "October", "November", "December"};
	static const char shape[] = "0000-00-00 00:00:00";
	char text[32], iso[21];
	size_t i, n = 0, mlen;
	int mo, da;

	if (datetime == NULL)
		return;
	for (i = 0; i < sizeof(shape) - 1; i++) {
		char c = datetime[i];

		if (shape[i] == '0' ? c < '0' || c > '9' : c != shape[i])
			return;
	}
	mo = page_digits(datetime + 5, 2);
	da = page_digits(datetime + 8, 2);
	if (mo < 1 || mo > 12)
		return;
	/* "25 November 2026" */
	if (da >= 10)
		text[n++] = (char)('0' + da / 10);
	text[n++] = (char)('0' + da % 10);
	text[n++] = ' ';
	mlen = strlen(months[mo - 1]);
	memcpy(text + n, months[mo - 1], mlen);
	n += mlen;
	text[n++] = ' ';
	memcpy(text + n, datetime, 4);
	n += 4;
	text[n] = '\0';
	/* "2026-11-25T22:17:01Z" */
	memcpy(iso, datetime, 19);
	iso[10] = 'T';
	iso[19] = 'Z';
	iso[20] = '\0';
	tmpl_set(d, TK_DATE, text);
	tmpl_set(d, TK_DATE_ISO, iso);
}
