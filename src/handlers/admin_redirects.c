/*
 * Admin: the redirects set by hand (GET, POST /admin/redirects; POST
 * /admin/redirects/delete), what Django admin's Redirects page gave: an
 * old path that no page answers goes to a new address (301) or is gone
 * (410). The old URLs an import keeps for posts follow their posts and
 * are only counted here: an import may keep thousands.
 */
#include <stdlib.h>

#include "admin.h"
#include "app.h"
#include "db.h"
#include "import.h"
#include "log.h"
#include "model.h"
#include "page.h"
#include "text.h"

/* The typed fields of the add form, shown again after a refusal. */
struct redirect_form {
	const char *path;
	const char *target;
	bool gone;
};

static void
redirects_render(struct http_request *req, const struct session_user *user,
                 int status, const struct db_rows *rows, long long posts,
                 const struct redirect_form *form, const char *error)
{
	static const struct admin_notice notices[] = {
	    {"added", "Redirect saved."},
	    {"deleted", "Redirect deleted."},
	    {NULL, NULL}};
	struct tmpl_dict *root, *content, *list = NULL, *d;

	root = admin_page_new(req, user, "Redirects", TF_admin_redirects,
	                      &content);
	admin_notice(req, root, notices);
	page_field_error(content, TK_FORM_ERROR, error);
	if (form != NULL) {
		tmpl_set(content, TK_FORM_OLD_PATH, form->path);
		tmpl_set(content, TK_FORM_TARGET, form->target);
		if (form->gone)
			tmpl_show(content, TK_GONE_CHECKED);
	}
	if (posts > 0)
		tmpl_set_int(tmpl_add_section(content, TK_POST_REDIRECTS),
		             TK_POST_REDIRECT_COUNT, posts);
	for (size_t i = 0; i < rows->nrows; i++) {
		const char *to = db_cell(rows, i, 1);

		if (list == NULL)
			list = tmpl_add_section(content, TK_REDIRECTS);
		d = tmpl_add_section(list, TK_REDIRECT);
		tmpl_set(d, TK_OLD_PATH, db_cell(rows, i, 0));
		if (to[0] == '\0')
			tmpl_show(d, TK_GONE);
		else
			tmpl_set(tmpl_add_section(d, TK_MOVED), TK_LOCATION,
			         to);
	}
	page_render(req, status, root);
}

/* The list, then the page; 503 when the database cannot give it. */
static void
redirects_show(struct http_request *req, const struct session_user *user,
               int status, const struct redirect_form *form, const char *error)
{
	struct db_rows rows = {0};
	struct db_conn *conn;
	long long posts = -1;

	if ((conn = handlers_db(req)) == NULL)
		return;
	if (model_redirect_list(conn, false, &rows) == MODEL_OK)
		posts = model_redirect_post_count(conn);
	db_release(conn);
	if (posts < 0)
		http_error(req, 503);
	else
		redirects_render(req, user, status, &rows, posts, form, error);
	db_rows_free(&rows);
}

/* Saves the redirect the form describes: NULL, or why not (then *status
 * is the answer's). */
static const char *
redirects_save(struct http_request *req, const struct session_user *user,
               const struct redirect_form *form, int *status)
{
	const char *problem = text_redirect_problem(form->path, form->target);
	enum import_outcome o;
	struct db_conn *conn;
	int rc = MODEL_ERR;

	*status = 400;
	if (!form->gone && form->target[0] == '\0')
		return "Give the new address, or tick \"Gone for good\".";
	if (problem != NULL)
		return problem;
	*status = 503;
	if ((conn = db_acquire(http_req_app(req)->db)) != NULL) {
		rc = model_redirect_set(conn, form->path, form->target, true,
		                        &o);
		db_release(conn);
	}
	if (rc != MODEL_OK)
		return "The redirect is not saved: the server is busy or the "
		       "database did not answer. Please try again in a moment.";
	/* Validated: printable ASCII, no line break for the log. */
	log_info("admin: %s sent %s to %s", user->name, form->path,
	         form->gone ? "nothing (410)" : form->target);
	return NULL;
}

void
handle_admin_redirects(struct http_request *req)
{
	const struct session_user *user;
	struct redirect_form form;
	const char *error = NULL;
	char *path, *target;
	int status;

	if (http_req_method(req) != HTTP_POST) {
		if ((user = admin_require(req)) != NULL)
			redirects_show(req, user, 200, NULL, NULL);
		return;
	}
	if ((user = admin_require_post(req)) == NULL)
		return;
	path = handlers_form_text(req, "path", true, &error);
	target = handlers_form_text(req, "target", true, &error);
	form.path = path;
	form.gone = http_form(req, "gone") != NULL;
	form.target = form.gone ? "" : target;
	if (error == NULL)
		error = redirects_save(req, user, &form, &status);
	else
		status = 400;
	if (error != NULL) {
		redirects_show(req, user, status, &form, error);
	} else {
		session_note_write(req);
		http_redirect(req, 303, "/admin/redirects?added=1");
	}
	free(path);
	free(target);
}

void
handle_admin_redirect_delete(struct http_request *req)
{
	const struct session_user *user;
	const char *path = http_form(req, "path");
	struct db_conn *conn;
	int rc;

	if ((user = admin_require_post(req)) == NULL)
		return;
	if ((conn = handlers_db(req)) == NULL)
		return;
	rc = model_redirect_delete(conn, path != NULL ? path : "");
	db_release(conn);
	if (rc == MODEL_OK) {
		log_info("admin: %s deleted the redirect of %s", user->name,
		         path);
		session_note_write(req);
		http_redirect(req, 303, "/admin/redirects?deleted=1");
	} else {
		http_error(req, rc == MODEL_NOT_FOUND ? 404 : 503);
	}
}
