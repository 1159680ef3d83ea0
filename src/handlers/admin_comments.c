/* Admin: the comment moderation queue. */
#include "admin.h"
#include "db.h"
#include "model.h"
#include "page.h"

static void
comments_render(struct http_request *req, const struct session_user *user,
                const struct model_comment_list *list)
{
	static const struct admin_notice notices[] = {
	    {"approved", "Comment approved."},
	    {"deleted", "Comment deleted."},
	    {NULL, NULL}};
	struct tmpl_dict *root, *content, *d;
	const struct model_comment *c;
	size_t i;

	root =
	    admin_page_new(req, user, "Comments", TF_admin_comments, &content);
	admin_notice(req, root, notices);
	if (list->n == 0)
		tmpl_show(content, TK_EMPTY);
	for (i = 0; i < list->n; i++) {
		c = &list->items[i];
		d = tmpl_add_section(content, TK_COMMENT);
		tmpl_set_int(d, TK_COMMENT_ID, c->id);
		tmpl_set(d, TK_COMMENT_NAME, c->name);
		if (c->email != NULL && c->email[0] != '\0')
			tmpl_set(tmpl_add_section(d, TK_COMMENT_EMAIL),
			         TK_EMAIL_ADDRESS, c->email);
		tmpl_set(d, TK_COMMENT_BODY, c->body);
		tmpl_set(d, TK_TITLE, c->post_title);
		tmpl_set(d, TK_SLUG, c->post_slug);
		page_set_date(d, c->created_at);
	}
	page_render(req, 200, root);
}

void
handle_admin_comments(struct http_request *req)
{
	const struct session_user *user;
	struct model_comment_list list = {0};
	struct db_conn *conn;
	int rc;

	if ((user = admin_require(req)) == NULL)
		return;
	if ((conn = handlers_db(req)) == NULL)
		return;
	rc = model_comment_list_pending(conn, &list);
	db_release(conn);
	if (rc != MODEL_OK)
		http_error(req, 503);
	else
		comments_render(req, user, &list);
	model_comment_list_free(&list);
}

void
handle_admin_comment_approve(struct http_request *req)
{
	admin_act(req, model_comment_approve, "/admin/comments?approved=1");
}

void
handle_admin_comment_delete(struct http_request *req)
{
	admin_act(req, model_comment_delete, "/admin/comments?deleted=1");
}
