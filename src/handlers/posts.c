/* GET /, GET /posts/{slug} and GET /pages/{slug}. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "db.h"
#include "handlers.h"
#include "model.h"
#include "page.h"
#include "post_page.h"
#include "text.h"

#define HOME_PER_PAGE 10

void
handle_home(struct http_request *req)
{
	struct model_post_query q = {.page = 0, .per_page = HOME_PER_PAGE};
	struct model_post_list list = {0};
	struct db_conn *conn;
	char title[64];
	int rc;

	if ((q.page = handlers_page_number(http_query(req, "page"))) == 0) {
		http_error(req, 404);
		return;
	}
	if ((conn = handlers_db_read(req)) == NULL)
		return;
	rc = model_post_list_published(conn, &q, &list);
	db_release(conn);
	if (rc != MODEL_OK)
		http_error(req, 503);
	else if (list.n == 0 && q.page > 1)
		http_error(req, 404);
	else {
		if (q.page == 1)
			snprintf(title, sizeof(title), "Latest posts");
		else
			snprintf(title, sizeof(title), "Posts, page %lld",
			         q.page);
		/* The page's one <h1>, as on the other lists. */
		handlers_render_list(req, title, title, "No posts yet.", &list,
		                     q.page, "/");
	}
	model_post_list_free(&list);
}

static void
post_add_comments(struct tmpl_dict *content,
                  const struct model_comment_list *comments)
{
	struct tmpl_dict *list, *d;
	size_t i;

	if (comments->n == 0) {
		tmpl_show(content, TK_NO_COMMENTS);
		return;
	}
	list = tmpl_add_section(content, TK_COMMENTS);
	for (i = 0; i < comments->n; i++) {
		d = tmpl_add_section(list, TK_COMMENT);
		tmpl_set(d, TK_COMMENT_NAME, comments->items[i].name);
		tmpl_set(d, TK_COMMENT_BODY, comments->items[i].body);
		page_set_date(d, comments->items[i].created_at);
	}
}

/* The comment form; -1 when no CSRF token could be made. */
static int
post_add_form(struct http_request *req, struct tmpl_dict *content,
              const struct comment_form *form)
{
	if (post_form_fields(req, content, form != NULL ? form->stamp : NULL) !=
	    0)
		return -1;
	if (http_req_app(req)->cfg->site.moderate_comments)
		tmpl_show(content, TK_MODERATED);
	if (form == NULL)
		return 0;
	tmpl_set(content, TK_FORM_NAME, form->name);
	tmpl_set(content, TK_FORM_BODY, form->body);
	page_field_error(content, TK_NAME_ERROR, form->name_error);
	page_field_error(content, TK_BODY_ERROR, form->body_error);
	if (form->error != NULL)
		page_field_error(content, TK_FORM_ERROR, form->error);
	else if (form->name_error != NULL || form->body_error != NULL)
		page_field_error(content, TK_FORM_ERROR,
		                 "Your comment was not posted: please correct "
		                 "the fields marked below.");
	return 0;
}

void
post_page_render(struct http_request *req, int status,
                 const struct model_post *post,
                 const struct model_comment_list *comments,
                 const struct comment_form *form, const char *notice)
{
	struct tmpl_dict *content, *root, *discussion;
	struct buf path = BUF_INIT;

	root = page_new(req, post->title, post->page ? TF_page : TF_post,
	                &content);
	handlers_post_path(&path, post);
	handlers_meta(
	    req, root,
	    &(struct handlers_meta){.type = post->page ? "website" : "article",
	                            .title = post->title,
	                            .description = post->excerpt,
	                            .path = buf_cstr(&path),
	                            .published_at =
	                                post->page ? NULL : post->published_at,
	                            .body_html = post->body_html});
	buf_free(&path);
	if (notice != NULL)
		page_notice(root, notice);
	handlers_post_header(content, post);
	tmpl_set(content, TK_BODY_HTML, post->body_html);
	if (comments != NULL && !post->page) {
		discussion = tmpl_add_section(content, TK_DISCUSSION);
		post_add_comments(discussion, comments);
		if (post_add_form(req, discussion, form) != 0) {
			tmpl_dict_free(root);
			http_error(req, 500);
			return;
		}
	}
	page_render(req, status, root);
}

static const char *
post_notice(struct http_request *req)
{
	const char *commented = http_query(req, "commented");

	if (commented == NULL || strcmp(commented, "1") != 0)
		return NULL;
	if (http_req_app(req)->cfg->site.moderate_comments)
		return "Thanks — your comment is awaiting moderation.";
	return "Thanks — your comment is published.";
}

/* The route's {slug} when it could be stored (text_is_slug), else NULL
 * once answered 404: junk never reaches the database. */
static const char *
slug_param(struct http_request *req)
{
	const char *slug = http_req_param(req, 0);

	if (text_is_slug(slug))
		return slug;
	http_error(req, 404);
	return NULL;
}

/* A post with its approved comments, or a page (which has none). */
static void
show_post(struct http_request *req, bool page)
{
	struct model_post post = {0};
	struct model_comment_list comments = {0};
	const char *slug;
	struct db_conn *conn;
	int rc;

	if ((slug = slug_param(req)) == NULL ||
	    (conn = handlers_db_read(req)) == NULL)
		return;
	rc = page ? model_post_get_published(conn, slug, true, &post)
	          : model_post_page(conn, slug, &post, &comments);
	db_release(conn);
	if (rc != MODEL_OK)
		http_error(req, rc == MODEL_NOT_FOUND ? 404 : 503);
	else if (page)
		post_page_render(req, 200, &post, NULL, NULL, NULL);
	else
		post_page_render(req, 200, &post, &comments, NULL,
		                 post_notice(req));
	model_comment_list_free(&comments);
	model_post_free(&post);
}

void
handle_post(struct http_request *req)
{
	show_post(req, false);
}

void
handle_page(struct http_request *req)
{
	show_post(req, true);
}
