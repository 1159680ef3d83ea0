/*
 * The frame of every HTML page: layout.tpl with the site title, the page
 * title, the site navigation (links to the pages, but on admin pages), an
 * optional notice and one content template included as CONTENT.
 *
 *	struct tmpl_dict *content;
 *	struct tmpl_dict *root = page_new(req, "Title", TF_post, &content);
 *	tmpl_set(content, TK_TITLE, ...);
 *	page_render(req, 200, root);	(renders, answers, frees root)
 *
 * Template names are in tmpl_keys.h (TK_* keys, TF_* files).
 */
#ifndef BLOGD_PAGE_H
#define BLOGD_PAGE_H

#include "http.h"
#include "tmpl.h"
#include "tmpl_keys.h"

#define PAGE_CONTENT_TYPE "text/html; charset=utf-8"
/* The admin's preview of a post (handle_admin_preview), which page_new
 * frames as a public page. */
#define PAGE_PREVIEW_PATH "/admin/preview"

/* A new root dictionary (owned by the caller until page_render) and, in
 * *content, the dictionary of file included as CONTENT (owned by root). */
struct tmpl_dict *page_new(struct http_request *req, const char *title,
                           const char *file, struct tmpl_dict **content);
/* Shows text in the notice bar above the content. */
void page_notice(struct tmpl_dict *root, const char *text);
/* Shows section (a form's {{#..._ERROR}} block) with message as its
 * ERROR_TEXT; nothing when message is NULL. */
void page_field_error(struct tmpl_dict *d, const char *section,
                      const char *message);
/* Renders layout.tpl with root and answers with status; frees root. A
 * render failure (logged by tmpl_render) is answered with a 500 page. */
void page_render(struct http_request *req, int status, struct tmpl_dict *root);
/* The error page (error.tpl in the frame): http/'s error renderer
 * (http_set_error_renderer), set by the program before serving. Not
 * page_render: its failure path is http_error, and this one must not
 * answer. */
const char *page_error(struct http_request *req, int status, const char *reason,
                       struct buf *out);
/* Frees the site navigation page_render keeps (main thread, at exit). */
void page_nav_free(void);
/* Sets DATE ("5 March 2024") and DATE_ISO ("2024-03-05T10:00:00Z") in d from
 * a model date ("YYYY-MM-DD HH:MM:SS", UTC); nothing when NULL or malformed
 * (text_datetime_parse, text.h, decides). */
void page_set_date(struct tmpl_dict *d, const char *datetime);

#endif
