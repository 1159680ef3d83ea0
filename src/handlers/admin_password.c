/*
 * Admin: an admin changes their own password (GET, POST /admin/password),
 * as Django's admin lets them, without a shell on the server. The current
 * password proves it is them, under the sign-in throttle; the new one
 * ends every other session of the account (model_user_set_password), so
 * whoever held the old password or a stolen session is out.
 */
#include <string.h>

#include "admin.h"
#include "app.h"
#include "db.h"
#include "log.h"
#include "model.h"
#include "page.h"
#include "password.h"

#define PASSWORD_RETRY                                                         \
	"The database did not answer: your password is unchanged. Please "     \
	"try again in a moment."

static void
password_render(struct http_request *req, const struct session_user *user,
                int status, const char *error)
{
	static const struct admin_notice notices[] = {
	    {"changed",
	     "Password changed. Your other sessions are signed out."},
	    {NULL, NULL}};
	struct tmpl_dict *root, *content;

	root =
	    admin_page_new(req, user, "Password", TF_admin_password, &content);
	admin_notice(req, root, notices);
	tmpl_set(content, TK_USER_NAME, user->name);
	tmpl_set_int(content, TK_PASSWORD_MIN, ADMIN_PASSWORD_MIN);
	page_field_error(content, TK_FORM_ERROR, error);
	page_render(req, status, root);
}

/* Hashes fresh (through the gate, holding no connection) and stores it,
 * keeping this session. MODEL_OK or MODEL_ERR. */
static int
password_store(struct http_request *req, const struct session_user *user,
               const char *fresh)
{
	char hash[PASSWORD_HASH_MAX];
	struct db_conn *conn;
	int rc = MODEL_ERR;

	if (admin_password_hash(fresh, hash) == 0 &&
	    (conn = db_acquire(http_req_app(req)->db)) != NULL) {
		rc = model_user_set_password(conn, user->id, hash,
		                             user->binding);
		db_release(conn);
	}
	explicit_bzero(hash, sizeof(hash));
	return rc;
}

/* admin_prove_fn: the current password. */
static int
password_proof(struct http_request *req, struct db_conn **conn,
               const struct session_user *user, const void *arg)
{
	(void)arg;
	return admin_password_ok(req, conn, user, http_form(req, "password"));
}

static void
password_change(struct http_request *req, const struct session_user *user)
{
	const char *fresh = http_form(req, "new_password");
	const char *problem = admin_new_password_problem(
	    fresh, http_form(req, "new_password_again"));
	struct db_conn *conn;
	long wait;
	int rc;

	if (problem != NULL) {
		password_render(req, user, 400, problem);
		return;
	}
	rc = admin_proven(req, user, password_proof, NULL, &conn, &wait);
	if (rc == 1) {
		db_release(conn); /* hashing takes tens of milliseconds */
		rc = password_store(req, user, fresh) == MODEL_OK ? 1 : -1;
	}
	if (rc == 1) {
		log_info("admin: %s changed their password", user->name);
		session_note_write(req);
		http_redirect(req, 303, "/admin/password?changed=1");
	} else if (rc == 2) {
		admin_retry_after(req, wait);
		password_render(req, user, 429, ADMIN_THROTTLED);
	} else if (rc == 0) {
		password_render(req, user, 401,
		                "Your current password is not right: the "
		                "password is unchanged.");
	} else if (rc == -1) {
		password_render(req, user, 503, PASSWORD_RETRY);
	} /* -2: answered */
}

void
handle_admin_password(struct http_request *req)
{
	const struct session_user *user;

	if (http_req_method(req) == HTTP_POST) {
		if ((user = admin_require_post(req)) != NULL)
			password_change(req, user);
	} else if ((user = admin_require(req)) != NULL) {
		password_render(req, user, 200, NULL);
	}
}
