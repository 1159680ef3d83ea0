/*
 * Admin: the accounts (GET, POST /admin/users; POST
 * /admin/users/{name}/delete), what Django admin's Users page gives an
 * owner without a shell: see them, add an admin or an author, delete one.
 * An author cannot sign in (only admins may); they name who wrote a post.
 * No one deletes their own account here, so an admin always remains; an
 * account that still authors posts stays (model_user_delete).
 */
#include <string.h>

#include "admin.h"
#include "app.h"
#include "db.h"
#include "log.h"
#include "model.h"
#include "page.h"
#include "password.h"

/* The typed fields of the add form shown again (never the passwords). */
struct user_form {
	const char *name;
	bool admin;
};

static void
users_render(struct http_request *req, const struct session_user *user,
             int status, const struct model_user_list *users,
             const struct user_form *form, const char *error)
{
	static const struct admin_notice notices[] = {
	    {"added", "Account added."},
	    {"deleted", "Account deleted."},
	    {NULL, NULL}};
	struct tmpl_dict *root, *content, *d;
	const struct model_user *u;

	root = admin_page_new(req, user, "Users", TF_admin_users, &content);
	admin_notice(req, root, notices);
	page_field_error(content, TK_FORM_ERROR, error);
	tmpl_set_int(content, TK_PASSWORD_MIN, ADMIN_PASSWORD_MIN);
	if (form != NULL) {
		tmpl_set(content, TK_FORM_NAME, form->name);
		if (form->admin)
			tmpl_show(content, TK_ADMIN_CHECKED);
	}
	for (size_t i = 0; i < users->n; i++) {
		u = &users->items[i];
		d = tmpl_add_section(content, TK_USER);
		tmpl_set(d, TK_USER_NAME, u->name);
		tmpl_set(d, TK_ROLE, u->is_admin ? "admin" : "author");
		page_set_date(d, u->created_at);
		if (strcmp(u->name, user->name) == 0)
			tmpl_show(d, TK_SELF);
		else
			tmpl_show(d, TK_DELETE);
	}
	page_render(req, status, root);
}

/* The list, then the page; 503 when the database cannot give it. */
static void
users_show(struct http_request *req, const struct session_user *user,
           int status, const struct user_form *form, const char *error)
{
	struct model_user_list users = {0};
	struct db_conn *conn;
	int rc;

	if ((conn = handlers_db(req)) == NULL)
		return;
	rc = model_user_list(conn, &users);
	db_release(conn);
	if (rc != MODEL_OK)
		http_error(req, 503);
	else
		users_render(req, user, status, &users, form, error);
	model_user_list_free(&users);
}

/* Creates the account the form describes: NULL, or why not (then
 * *status is the answer's). */
static const char *
users_create(struct http_request *req, const struct user_form *form,
             int *status)
{
	const char *problem = admin_new_password_problem(
	    http_form(req, "password"), http_form(req, "password_again"));
	char hash[PASSWORD_HASH_MAX];
	struct db_conn *conn;
	int rc = MODEL_ERR;

	*status = 400;
	if (!model_user_name_valid(form->name))
		return "A name is 1 to 64 of the letters A-Z and a-z, the "
		       "digits, "
		       "'_', '.' and '-'.";
	if (problem != NULL)
		return problem;
	*status = 503;
	/* The hash first, holding no connection (tens of milliseconds); a
	 * shut password gate reads as the database's failure. */
	if (admin_password_hash(http_form(req, "password"), hash) == 0 &&
	    (conn = db_acquire(http_req_app(req)->db)) != NULL) {
		rc = model_user_create(conn, form->name, hash, form->admin,
		                       NULL);
		db_release(conn);
	}
	explicit_bzero(hash, sizeof(hash));
	if (rc == MODEL_DUPLICATE) {
		*status = 400;
		return "That name is taken.";
	}
	if (rc != MODEL_OK)
		return "The account is not added: the server is busy or the "
		       "database did not answer. Please try again in a moment.";
	return NULL;
}

void
handle_admin_users(struct http_request *req)
{
	const struct session_user *user;
	const char *name, *error;
	struct user_form form;
	int status;

	if (http_req_method(req) != HTTP_POST) {
		if ((user = admin_require(req)) != NULL)
			users_show(req, user, 200, NULL, NULL);
		return;
	}
	if ((user = admin_require_post(req)) == NULL)
		return;
	name = http_form(req, "name");
	form.name = name != NULL ? name : "";
	form.admin = http_form(req, "admin") != NULL;
	if ((error = users_create(req, &form, &status)) != NULL) {
		users_show(req, user, status, &form, error);
		return;
	}
	log_info("admin: %s added the %s %s", user->name,
	         form.admin ? "admin" : "author", form.name);
	session_note_write(req);
	http_redirect(req, 303, "/admin/users?added=1");
}

void
handle_admin_user_delete(struct http_request *req)
{
	const struct session_user *user;
	const char *name = http_req_param(req, 0);
	struct db_conn *conn;
	int rc;

	if ((user = admin_require_post(req)) == NULL)
		return;
	if (strcmp(name, user->name) == 0) {
		users_show(req, user, 400, NULL,
		           "You cannot delete your own account here.");
		return;
	}
	if ((conn = handlers_db(req)) == NULL)
		return;
	rc = model_user_delete(conn, name);
	db_release(conn);
	if (rc == MODEL_OK) {
		log_info("admin: %s deleted the account %s", user->name, name);
		session_note_write(req);
		http_redirect(req, 303, "/admin/users?deleted=1");
	} else if (rc == MODEL_INVALID) {
		users_show(req, user, 400, NULL,
		           "That account still authors posts: delete them "
		           "first, or keep the account.");
	} else {
		http_error(req, rc == MODEL_NOT_FOUND ? 404 : 503);
	}
}
