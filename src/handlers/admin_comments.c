/* Admin: the comment moderation queue and the published comments. */
#include "admin.h"
#include "db.h"
#include "model.h"
#include "page.h"

/* Published comments per page of the admin's list. */
#define PUBLISHED_PER_PAGE 50

/* One of the page's lists under its heading; pending ones can be
 * approved, any deleted. Returns the list's dictionary. */
static struct tmpl_dict *
comments_add_list(struct tmpl_dict *content, const char *heading,
                  const char *empty, const struct model_comment_list *l,
                  bool pending)
{
	struct tmpl_dict *list = tmpl_add_section(content, TK_LIST), *d;
	const struct model_comment *c;

	tmpl_set(list, TK_HEADING, heading);
	if (l->n == 0)
		tmpl_set(tmpl_add_section(list, TK_EMPTY), TK_EMPTY_TEXT,
		         empty);
	for (size_t i = 0; i < l->n; i++) {
		c = &l->items[i];
		d = tmpl_add_section(list, TK_COMMENT);
		tmpl_set_int(d, TK_COMMENT_ID, c->id);
		tmpl_set(d, TK_COMMENT_NAME, c->name);
		if (c->email != NULL && c->email[0] != '\0')
			tmpl_set(tmpl_add_section(d, TK_COMMENT_EMAIL),
			         TK_EMAIL_ADDRESS, c->email);
		tmpl_set(d, TK_COMMENT_BODY, c->body);
		tmpl_set(d, TK_TITLE, c->post_title);
		tmpl_set(d, TK_SLUG, c->post_slug);
		page_set_date(d, c->created_at);
		if (pending)
			tmpl_show(d, TK_APPROVE);
	}
	return list;
}

/* The moderation queue, then a page of what is published: spam that got
 * through (or any comment when moderate_comments is off) is deleted
 * from there. */
static void
comments_render(struct http_request *req, const struct session_user *user,
                const struct model_comment_list *pending,
                const struct model_comment_list *published, long long page,
                bool more)
{
	static const struct admin_notice notices[] = {
	    {"approved", "Comment approved."},
	    {"deleted", "Comment deleted."},
	    {NULL, NULL}};
	struct tmpl_dict *root, *content, *list;

	root =
	    admin_page_new(req, user, "Comments", TF_admin_comments, &content);
	admin_notice(req, root, notices);
	comments_add_list(content, "Awaiting moderation",
	                  "Nothing to moderate.", pending, true);
	list = comments_add_list(content, "Published", "No published comments.",
	                         published, false);
	handlers_add_pager(list, page, more, "/admin/comments");
	page_render(req, 200, root);
}

void
handle_admin_comments(struct http_request *req)
{
	const struct session_user *user;
	struct model_comment_list pending = {0}, published = {0};
	struct db_conn *conn;
	long long page;
	bool more = false;
	int rc;

	if ((user = admin_require(req)) == NULL)
		return;
	if ((page = handlers_page_number(http_query(req, "page"))) == 0) {
		http_error(req, 404);
		return;
	}
	if ((conn = handlers_db(req)) == NULL)
		return;
	rc = model_comment_list_pending(conn, &pending);
	if (rc == MODEL_OK)
		rc = model_comment_list_published(
		    conn, page, PUBLISHED_PER_PAGE, &published, &more);
	db_release(conn);
	if (rc != MODEL_OK)
		http_error(req, 503);
	else if (published.n == 0 && page > 1)
		http_error(req, 404);
	else
		comments_render(req, user, &pending, &published, page, more);
	model_comment_list_free(&pending);
	model_comment_list_free(&published);
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
