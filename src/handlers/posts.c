/* GET / and GET /posts/{slug}. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "csrf.h"
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
	char token[CSRF_HEX_LEN + 1];

	if (csrf_token_for(req, token) != 0)
		return -1;
	tmpl_set(content, TK_CSRF_TOKEN, token);
	if (http_req_app(req)->cfg->site.moderate_comments)
		tmpl_show(content, TK_MODERATED);
	if (form == NULL)
		return 0;
	tmpl_set(content, TK_FORM_NAME, form->name);
	tmpl_set(content, TK_FORM_BODY, form->body);
	page_field_error(content, TK_NAME_ERROR, form->name_error);
	page_field_error(content, TK_BODY_ERROR, form->body_error);
	if (form->name_error != NULL || form->body_error != NULL)
		page_field_error(content, TK_FORM_ERROR,
		                 "Your comment was not posted: please correct "
		                 "the fields marked below.");
	return 0;
}

/* The canonical and OpenGraph head of a post page, and its description. */
static void
post_meta(struct http_request *req, struct tmpl_dict *root,
          const struct model_post *post)
{
	struct tmpl_dict *meta;
	struct buf url = BUF_INIT;
	char base[BASE_URL_MAX];
	struct text_datetime dt;

	if (post->excerpt != NULL && post->excerpt[0] != '\0')
		tmpl_set(root, TK_PAGE_DESCRIPTION, post->excerpt);
	/* og:url and canonical must be absolute: without a base, none. */
	if (handlers_base_url(req, base, sizeof(base)) != 0)
		return;
	meta = tmpl_add_section(root, TK_META);
	buf_printf(&url, "%s/posts/", base);
	handlers_url_encode(&url, post->slug);
	tmpl_set(meta, TK_URL, buf_cstr(&url));
	buf_free(&url);
	tmpl_set(meta, TK_TITLE, post->title);
	tmpl_set(meta, TK_DESCRIPTION, post->excerpt);
	if (text_datetime_parse(post->published_at, &dt))
		tmpl_set(tmpl_add_section(meta, TK_PUBLISHED), TK_PUBLISHED,
		         dt.rfc3339);
}

void
post_page_render(struct http_request *req, int status,
                 const struct model_post *post,
                 const struct model_comment_list *comments,
                 const struct comment_form *form, const char *notice)
{
	struct tmpl_dict *content, *root;

	root = page_new(req, post->title, TF_post, &content);
	post_meta(req, root, post);
	if (notice != NULL)
		page_notice(root, notice);
	handlers_post_header(content, post);
	tmpl_set(content, TK_BODY_HTML, post->body_html);
	post_add_comments(content, comments);
	if (post_add_form(req, content, form) != 0) {
		tmpl_dict_free(root);
		http_error(req, 500);
		return;
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

void
handle_post(struct http_request *req)
{
	struct model_post post = {0};
	struct model_comment_list comments = {0};
	struct db_conn *conn;
	int rc;

	/* Every stored slug passes text_is_slug: skip the DB for junk. */
	if (!text_is_slug(http_req_param(req, 0))) {
		http_error(req, 404);
		return;
	}
	if ((conn = handlers_db_read(req)) == NULL)
		return;
	rc = model_post_page(conn, http_req_param(req, 0), &post, &comments);
	db_release(conn);
	if (rc != MODEL_OK)
		http_error(req, rc == MODEL_NOT_FOUND ? 404 : 503);
	else
		post_page_render(req, 200, &post, &comments, NULL,
		                 post_notice(req));
	model_comment_list_free(&comments);
	model_post_free(&post);
}
