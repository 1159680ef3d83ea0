/*
 * Two-factor sign-in in the admin (include/totp.h): the code step of
 * signing in, and turning it on (a secret shown as text and QR code,
 * confirmed by a first code, then recovery codes shown once) and off.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "app.h"
#include "buf.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "model.h"
#include "page.h"
#include "password.h"
#include "qr.h"
#include "throttle.h"
#include "totp.h"

#define CODE_FAILED "That code is not right, or was used already."
#define CODE_RETRY  "The database did not answer: please try again in a moment."

/* The code field of a form, "" when absent. */
static const char *
code_field(struct http_request *req)
{
	const char *code = http_form(req, "code");

	return code != NULL ? code : "";
}

/* ---- the code step of signing in ---- */

static void
code_render(struct http_request *req, int status, const char *error)
{
	char token[CSRF_TOKEN_LEN + 1];
	struct tmpl_dict *root, *content;

	if (csrf_token_for(req, token) != 0) {
		http_error(req, 500);
		return;
	}
	root =
	    page_new(req, "Two-factor sign-in", TF_admin_login_code, &content);
	tmpl_set(content, TK_CSRF_TOKEN, token);
	page_field_error(content, TK_FORM_ERROR, error);
	page_render(req, status, root);
}

/* The pending sign-in of the request and its account's state into *t:
 * true, or false once answered (303 to start again, 503). */
static bool
code_pending(struct http_request *req, struct db_conn *conn, long long *id,
             struct model_totp *t)
{
	int rc = totp_pending_get(req, conn, id);

	if (rc == MODEL_OK)
		rc = model_totp_get(conn, *id, t);
	if (rc == MODEL_OK && t->enabled)
		return true;
	db_release(conn);
	if (rc == MODEL_ERR)
		http_error(req, 503);
	else
		http_redirect(req, 303, "/admin/login?expired=1");
	return false;
}

/* Right code: the session replaces the pending sign-in. 0 or -1. */
static int
code_accepted(struct http_request *req, struct db_conn *conn, long long id,
              const struct model_totp *t)
{
	if (throttle_succeeded(conn, t->name) != 0 ||
	    totp_pending_end(req, conn) != 0 ||
	    session_start(req, conn, id) != 0)
		return -1;
	log_info("admin: %s signed in with a second factor from %s", t->name,
	         http_req_client_ip(req));
	return 0;
}

static void
code_post(struct http_request *req)
{
	const char *ip = http_req_client_ip(req);
	struct model_totp t;
	struct db_conn *conn;
	long long id;
	long wait;
	int rc;

	if ((conn = handlers_db(req)) == NULL)
		return;
	if (!code_pending(req, conn, &id, &t))
		goto wipe;
	/* Shared with the password step: the same counts, the same 429. */
	if ((wait = throttle_check(conn, t.name, ip)) != 0) {
		db_release(conn);
		if (wait < 0) {
			http_error(req, 503);
		} else {
			admin_retry_after(req, wait);
			code_render(req, 429, ADMIN_THROTTLED);
		}
		goto wipe;
	}
	rc = totp_check(conn, id, &t, code_field(req));
	if (rc == 1)
		rc = code_accepted(req, conn, id, &t) == 0 ? 1 : -1;
	else if (rc == 0 && throttle_failed(conn, t.name, ip) != 0)
		rc = -1;
	db_release(conn);
	if (rc == 1) {
		http_redirect(req, 303, "/admin");
	} else if (rc == 0) {
		log_info("admin: failed second factor from %s", ip);
		code_render(req, 401, CODE_FAILED);
	} else {
		http_error(req, 503);
	}
wipe:
	explicit_bzero(&t, sizeof(t));
}

void
handle_admin_login_code(struct http_request *req)
{
	struct model_totp t;
	struct db_conn *conn;
	long long id;

	http_add_header(req, "Cache-Control", "no-store");
	if (http_req_method(req) == HTTP_POST) {
		if (!csrf_check(req))
			http_error(req, 403);
		else
			code_post(req);
		return;
	}
	if ((conn = handlers_db(req)) == NULL)
		return;
	if (code_pending(req, conn, &id, &t)) {
		db_release(conn);
		code_render(req, 200, NULL);
	}
	explicit_bzero(&t, sizeof(t));
}

/* ---- turning it on and off ---- */

/* The QR code of the otpauth:// URI of the pending secret, into content. */
static void
totp_qr(struct http_request *req, struct tmpl_dict *content,
        const struct session_user *user, const struct model_totp *t)
{
	const char *issuer = http_req_app(req)->cfg->site.title;
	struct buf uri = BUF_INIT, svg = BUF_INIT;
	char b32[TOTP_SECRET_B32_LEN + 1];

	totp_secret_text(t->pending_secret, b32);
	tmpl_set(content, TK_TOTP_SECRET, b32);
	totp_uri(&uri, issuer[0] != '\0' ? issuer : "blogd", user->name,
	         t->pending_secret);
	if (qr_svg(&svg, buf_cstr(&uri),
	           "QR code of the key for an authenticator app"))
		tmpl_set(content, TK_QR_SVG, buf_cstr(&svg));
	explicit_bzero(b32, sizeof(b32));
	explicit_bzero(uri.data, uri.len);
	buf_free(&uri);
	explicit_bzero(svg.data, svg.len);
	buf_free(&svg);
}

/* The page for state t: off, waiting for its first code, or on. */
static void
totp_render(struct http_request *req, const struct session_user *user,
            int status, const struct model_totp *t, const char *error)
{
	static const struct admin_notice notices[] = {
	    {"disabled", "Two-factor sign-in is off."}, {NULL, NULL}};
	struct tmpl_dict *root, *content, *on;

	root = admin_page_new(req, user, "Two-factor sign-in", TF_admin_totp,
	                      &content);
	admin_notice(req, root, notices);
	page_field_error(content, TK_FORM_ERROR, error);
	if (t->enabled) {
		on = tmpl_add_section(content, TK_TOTP_ON);
		tmpl_set_int(on, TK_RECOVERY_LEFT, t->recovery_left);
	} else if (t->pending) {
		totp_qr(req, tmpl_add_section(content, TK_TOTP_PENDING), user,
		        t);
	} else {
		tmpl_show(content, TK_TOTP_OFF);
	}
	page_render(req, status, root);
}

/* The admin's state into *t with a connection: true, or false once
 * answered (503). The connection is released either way. */
static bool
totp_state(struct http_request *req, const struct session_user *user,
           struct model_totp *t)
{
	struct db_conn *conn;
	int rc;

	if ((conn = handlers_db(req)) == NULL)
		return false;
	rc = model_totp_get(conn, user->id, t);
	db_release(conn);
	if (rc != MODEL_OK)
		http_error(req, 503);
	return rc == MODEL_OK;
}

void
handle_admin_totp(struct http_request *req)
{
	const struct session_user *user;
	struct model_totp t;

	if ((user = admin_require(req)) == NULL)
		return;
	if (totp_state(req, user, &t))
		totp_render(req, user, 200, &t, NULL);
	explicit_bzero(&t, sizeof(t));
}

void
handle_admin_totp_start(struct http_request *req)
{
	const struct session_user *user;
	unsigned char secret[MODEL_TOTP_SECRET_LEN];
	struct db_conn *conn;
	int rc;

	if ((user = admin_require_post(req)) == NULL)
		return;
	if (totp_secret_new(secret) != 0) {
		http_error(req, 500);
		return;
	}
	if ((conn = handlers_db(req)) == NULL)
		goto wipe;
	rc = model_totp_set_pending(conn, user->id, secret);
	db_release(conn);
	if (rc == MODEL_OK)
		http_redirect(req, 303, "/admin/totp");
	else
		http_error(req, 503);
wipe:
	explicit_bzero(secret, sizeof(secret));
}

/* The recovery codes, shown this once. */
static void
totp_render_codes(struct http_request *req, const struct session_user *user,
                  char codes[][TOTP_RECOVERY_SIZE])
{
	struct tmpl_dict *root, *content, *list;

	root = admin_page_new(req, user, "Two-factor sign-in", TF_admin_totp,
	                      &content);
	list = tmpl_add_section(content, TK_RECOVERY_CODES);
	for (size_t i = 0; i < MODEL_TOTP_RECOVERY_N; i++)
		tmpl_set(tmpl_add_section(list, TK_RECOVERY_CODE), TK_CODE,
		         codes[i]);
	page_render(req, 200, root);
}

/* A right first code: two-factor on, recovery codes made and shown. */
static void
totp_enable(struct http_request *req, const struct session_user *user,
            const struct model_totp *t, long long step)
{
	char codes[MODEL_TOTP_RECOVERY_N][TOTP_RECOVERY_SIZE];
	unsigned char hashes[MODEL_TOTP_RECOVERY_N][MODEL_TOTP_RECOVERY_LEN];
	struct db_conn *conn;
	int rc = MODEL_ERR;

	if (totp_recovery_new(codes, hashes) != 0) {
		http_error(req, 500);
		goto wipe;
	}
	if ((conn = handlers_db(req)) == NULL)
		goto wipe;
	rc = model_totp_enable(conn, user->id, t->pending_secret, step, hashes);
	db_release(conn);
	if (rc == MODEL_OK) {
		log_info("admin: %s turned two-factor sign-in on", user->name);
		totp_render_codes(req, user, codes);
	} else if (rc == MODEL_NOT_FOUND) {
		/* Enrolment started again elsewhere: show the new key. */
		http_redirect(req, 303, "/admin/totp");
	} else {
		totp_render(req, user, 503, t, CODE_RETRY);
	}
wipe:
	explicit_bzero(codes, sizeof(codes));
	explicit_bzero(hashes, sizeof(hashes));
}

void
handle_admin_totp_confirm(struct http_request *req)
{
	const struct session_user *user;
	struct model_totp t;
	long long step = -1;

	if ((user = admin_require_post(req)) == NULL)
		return;
	if (!totp_state(req, user, &t))
		goto wipe;
	if (!t.pending || t.enabled) {
		http_redirect(req, 303, "/admin/totp");
		goto wipe;
	}
	if (strlen(code_field(req)) <= TOTP_CODE_MAX)
		step = totp_match(t.pending_secret, code_field(req),
		                  totp_step(time(NULL)));
	if (step < 0)
		totp_render(req, user, 400, &t,
		            "That code is not right: check the app's clock, "
		            "and enter the code it shows now.");
	else
		totp_enable(req, user, &t, step);
wipe:
	explicit_bzero(&t, sizeof(t));
}

/* Whether the form proves the admin is here (admin_prove_fn): a right
 * current code (arg: the model_totp) or the password. */
static int
totp_proof(struct http_request *req, struct db_conn **conn,
           const struct session_user *user, const void *arg)
{
	if (code_field(req)[0] != '\0')
		return totp_check(*conn, user->id, arg, code_field(req));
	return admin_password_ok(req, conn, user, http_form(req, "password"));
}

/* What the form of an admin whose two-factor is on asks for, each behind
 * the same proof. */
enum totp_change {
	TOTP_DISABLE,      /* POST /admin/totp/disable */
	TOTP_NEW_RECOVERY, /* POST /admin/totp/recovery: the old codes go */
};

/* The change itself: MODEL_OK or another MODEL_ code. */
static int
totp_apply(struct db_conn *conn, long long id, enum totp_change what,
           unsigned char hashes[][MODEL_TOTP_RECOVERY_LEN])
{
	if (what == TOTP_DISABLE)
		return model_totp_disable(conn, id);
	return model_totp_recovery_replace(conn, id, hashes);
}

/* Makes the change after a proof (admin_proven): 1 done, or what
 * admin_proven answered. hashes: the new recovery codes'. */
static int
totp_change_proven(struct http_request *req, const struct session_user *user,
                   const struct model_totp *t, enum totp_change what,
                   unsigned char hashes[][MODEL_TOTP_RECOVERY_LEN], long *wait)
{
	struct db_conn *conn;
	int rc = admin_proven(req, user, totp_proof, t, &conn, wait);

	if (rc == 1) {
		if (totp_apply(conn, user->id, what, hashes) != MODEL_OK)
			rc = -1;
		db_release(conn);
	}
	return rc;
}

static void
totp_change(struct http_request *req, const struct session_user *user,
            const struct model_totp *t, enum totp_change what)
{
	char codes[MODEL_TOTP_RECOVERY_N][TOTP_RECOVERY_SIZE];
	unsigned char hashes[MODEL_TOTP_RECOVERY_N][MODEL_TOTP_RECOVERY_LEN];
	long wait = 0;
	int rc;

	if (what == TOTP_NEW_RECOVERY &&
	    totp_recovery_new(codes, hashes) != 0) {
		http_error(req, 500);
		goto wipe;
	}
	rc = totp_change_proven(req, user, t, what, hashes, &wait);
	if (rc == 1 && what == TOTP_DISABLE) {
		log_info("admin: %s turned two-factor sign-in off", user->name);
		http_redirect(req, 303, "/admin/totp?disabled=1");
	} else if (rc == 1) {
		log_info("admin: %s made new recovery codes", user->name);
		totp_render_codes(req, user, codes);
	} else if (rc == 2) {
		admin_retry_after(req, wait);
		totp_render(req, user, 429, t, ADMIN_THROTTLED);
	} else if (rc == 0) {
		totp_render(req, user, 401, t,
		            what == TOTP_DISABLE
		                ? "Two-factor sign-in stays on: give your "
		                  "password or a current code."
		                : "Your recovery codes stay as they were: give "
		                  "your password or a current code.");
	} else if (rc == -1) {
		totp_render(req, user, 503, t, CODE_RETRY);
	} /* -2: handlers_db answered */
wipe:
	explicit_bzero(codes, sizeof(codes));
	explicit_bzero(hashes, sizeof(hashes));
}

static void
totp_change_post(struct http_request *req, enum totp_change what)
{
	const struct session_user *user;
	struct model_totp t;

	if ((user = admin_require_post(req)) == NULL)
		return;
	if (!totp_state(req, user, &t))
		goto wipe;
	if (!t.enabled)
		http_redirect(req, 303, "/admin/totp");
	else
		totp_change(req, user, &t, what);
wipe:
	explicit_bzero(&t, sizeof(t));
}

void
handle_admin_totp_disable(struct http_request *req)
{
	totp_change_post(req, TOTP_DISABLE);
}

void
handle_admin_totp_recovery(struct http_request *req)
{
	totp_change_post(req, TOTP_NEW_RECOVERY);
}
