/*
 * The page of one post (post_page.h): its text, its approved comments and
 * the comment form, rendered for GET /posts/{slug} (posts.c), again with
 * the typed text after a refused comment (comments.c), and as an admin's
 * preview (admin_posts.c).
 */
#include "post_page.h"

#include "app.h"
#include "buf.h"
#include "config.h"
#include "csrf.h"
#include "handlers.h"
#include "page.h"
#include "tmpl.h"

/* The hidden fields of a comment form: a masked CSRF token and a form
 * stamp (stamp, or a fresh one when NULL). 0, or -1 without a token. */
int
post_form_fields(struct http_request *req, struct tmpl_dict *content,
                 const char *stamp)
{
	char token[CSRF_TOKEN_LEN + 1], fresh[CSRF_STAMP_LEN + 1];

	if (csrf_token_for(req, token) != 0)
		return -1;
	if (stamp == NULL) {
		csrf_stamp_for(req, fresh);
		stamp = fresh;
	}
	tmpl_set(content, TK_CSRF_TOKEN, token);
	tmpl_set(content, TK_FORM_STAMP, stamp);
	return 0;
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
	tmpl_set(content, TK_FORM_EMAIL, form->email);
	tmpl_set(content, TK_FORM_BODY, form->body);
	page_field_error(content, TK_NAME_ERROR, form->name_error);
	page_field_error(content, TK_EMAIL_ERROR, form->email_error);
	page_field_error(content, TK_BODY_ERROR, form->body_error);
	if (form->error != NULL)
		page_field_error(content, TK_FORM_ERROR, form->error);
	else if (form->name_error != NULL || form->email_error != NULL ||
	         form->body_error != NULL)
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
