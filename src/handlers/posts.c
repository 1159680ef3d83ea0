/* GET /, GET /posts/{slug} and GET /pages/{slug}. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "db.h"
#include "handlers.h"
#include "model.h"
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
