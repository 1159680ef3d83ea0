/* The admin area: shared helpers, sign-in and out, the list of posts. */
#include "admin.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "buf.h"
#include "db.h"
#include "log.h"
#include "model.h"
#include "page.h"
#include "password.h"
#include "text.h"
#include "throttle.h"
#include "totp.h"

#define LOGIN_FAILED "Invalid username or password."
#define LOGIN_BUSY   "Too many sign-ins at once. Please try again in a moment."

const struct session_user *
admin_require(struct http_request *req)
{
	const struct session_user *user;

	http_add_header(req, "Cache-Control", "no-store");
	if (session_get(req, &user) != 0) {
		http_error(req, 503);
		return NULL;
	}
	if (user == NULL || !user->is_admin) {
		http_redirect(req, 303, "/admin/login");
		return NULL;
	}
	return user;
}

const struct session_user *
admin_require_post(struct http_request *req)
{
	const struct session_user *user = admin_require(req);

	if (user != NULL && !csrf_check(req)) {
		http_error(req, 403);
		return NULL;
	}
	return user;
}

void
admin_set_token(struct http_request *req, const struct session_user *user,
                struct tmpl_dict *d)
{
	char token[CSRF_TOKEN_LEN + 1];

	/* From user's binding, not csrf_token_for: that asks the database
	 * for the session, which a form shown again in an outage cannot.
	 * Without random bytes for the mask (logged) the form carries no
	 * token, and posting it is refused (403). */
	if (csrf_session_token(&http_req_app(req)->csrf_key, user->binding,
	                       token) != 0)
		token[0] = '\0';
	tmpl_set(d, TK_CSRF_TOKEN, token);
}

struct tmpl_dict *
admin_page_new(struct http_request *req, const struct session_user *user,
               const char *title, const char *file, struct tmpl_dict **content)
{
	struct tmpl_dict *root, *nav;

	root = page_new(req, title, file, content);
	nav = tmpl_add_include(*content, TK_ADMIN_NAV, TF_admin_nav);
	admin_set_token(req, user, nav);
	tmpl_set(nav, TK_USER_NAME, user->name);
	admin_set_token(req, user, *content);
	return root;
}

void
admin_notice(struct http_request *req, struct tmpl_dict *root,
             const struct admin_notice *flags)
{
	const char *v;

	for (; flags->flag != NULL; flags++) {
		v = http_query(req, flags->flag);
		if (v != NULL && strcmp(v, "1") == 0) {
			page_notice(root, flags->text);
			return;
		}
	}
}

long long
admin_id(const char *param)
{
	return handlers_number(param, LLONG_MAX);
}

void
admin_act(struct http_request *req, int (*act)(struct db_conn *, long long),
          const char *done)
{
	struct db_conn *conn;
	long long id;
	int rc;

	if (admin_require_post(req) == NULL)
		return;
	if ((id = admin_id(http_req_param(req, 0))) == 0) {
		http_error(req, 404);
		return;
	}
	if ((conn = handlers_db(req)) == NULL)
		return;
	rc = act(conn, id);
	db_release(conn);
	if (rc == MODEL_OK) {
		session_note_write(req);
		http_redirect(req, 303, done);
	} else
		http_error(req, rc == MODEL_NOT_FOUND ? 404 : 503);
}

void
admin_retry_after(struct http_request *req, long wait)
{
	char retry[32];

	snprintf(retry, sizeof(retry), "%ld", wait);
	http_add_header(req, "Retry-After", retry);
}

const char *
admin_new_password_problem(const char *fresh, const char *again)
{
	size_t len;

	if (fresh == NULL || again == NULL || fresh[0] == '\0')
		return "Please enter the new password twice.";
	len = strlen(fresh);
	if (len > PASSWORD_MAX_LEN || !text_utf8_valid(fresh, len))
		return "The new password is too long or not text.";
	if (text_utf8_len(fresh) < ADMIN_PASSWORD_MIN)
		return "The new password needs at least " HANDLERS_STR(
		    ADMIN_PASSWORD_MIN) " characters.";
	if (strcmp(fresh, again) != 0)
		return "The two new passwords differ: please type them again.";
	return NULL;
}

int
admin_password_hash(const char *password, char *out)
{
	int rc;

	if (password_gate_enter() != 0)
		return -1;
	rc = password_hash(password, out, PASSWORD_HASH_MAX);
	password_gate_leave();
	return rc;
}

int
admin_password_ok(struct http_request *req, struct db_conn **conn,
                  const struct session_user *user, const char *password)
{
	struct model_user u;
	bool rehash;
	int rc;

	if (password == NULL || password[0] == '\0' ||
	    strlen(password) > PASSWORD_MAX_LEN)
		return 0;
	if ((rc = model_user_find(*conn, user->name, &u)) == MODEL_ERR)
		return -1;
	db_release(*conn);
	*conn = NULL;
	if (rc != MODEL_OK)
		rc = 0;
	else if (password_gate_enter() != 0)
		rc = -1;
	else {
		rc = password_verify(password, u.password_hash, &rehash) == 1;
		password_gate_leave();
	}
	model_user_free(&u);
	if (rc < 0 || (*conn = db_acquire(http_req_app(req)->db)) == NULL)
		return -1;
	return rc;
}

int
admin_proven(struct http_request *req, const struct session_user *user,
             admin_prove_fn prove, const void *arg, struct db_conn **conn,
             long *wait)
{
	const char *ip = http_req_client_ip(req);
	int rc;

	*wait = 0;
	if ((*conn = handlers_db(req)) == NULL)
		return -2;
	if ((*wait = throttle_check(*conn, user->name, ip)) != 0)
		rc = *wait < 0 ? -1 : 2;
	else if ((rc = prove(req, conn, user, arg)) == 0 &&
	         throttle_failed(*conn, user->name, ip) != 0)
		rc = -1;
	if (rc != 1 && *conn != NULL) {
		db_release(*conn);
		*conn = NULL;
	}
	return rc;
}

/* ---- sign-in ---- */

/* The sign-in page; username is shown again when it is printable text. */
static void
login_render(struct http_request *req, int status, const char *username,
             const char *error)
{
	static const struct admin_notice notices[] = {
	    {"signed_out", "You are signed out."},
	    {"expired", "The sign-in took too long: please start again."},
	    {NULL, NULL}};
	char token[CSRF_TOKEN_LEN + 1];
	struct tmpl_dict *root, *content;

	if (csrf_token_for(req, token) != 0) {
		http_error(req, 500);
		return;
	}
	root = page_new(req, "Sign in", TF_admin_login, &content);
	admin_notice(req, root, notices);
	tmpl_set(content, TK_CSRF_TOKEN, token);
	if (username != NULL && text_utf8_valid(username, strlen(username)))
		tmpl_set(content, TK_FORM_USERNAME, username);
	page_field_error(content, TK_FORM_ERROR, error);
	page_render(req, status, root);
}

/* A hash to verify against when the account does not exist, so that a
 * missing account costs as much time as a wrong password. */
static char login_dummy_hash[PASSWORD_HASH_MAX];
static pthread_once_t login_dummy_once = PTHREAD_ONCE_INIT;

static void
login_dummy_init(void)
{
	if (password_hash("blogd: no such account", login_dummy_hash,
	                  sizeof(login_dummy_hash)) != 0)
		login_dummy_hash[0] = '\0'; /* verifies as malformed: fails */
}

/* What the first database visit of a sign-in found out. */
struct login_lookup {
	long wait;  /* seconds of throttling, 0 when free to try */
	bool found; /* an admin account of that name exists */
	struct model_user user;
};

/* Throttling and the account. 0, or -1 on a database error. */
static int
login_lookup(struct http_request *req, const char *account,
             struct login_lookup *lk)
{
	struct db_conn *conn;
	int rc = 0;

	memset(lk, 0, sizeof(*lk));
	if ((conn = db_acquire(http_req_app(req)->db)) == NULL)
		return -1;
	lk->wait = throttle_check(conn, account, http_req_client_ip(req));
	if (lk->wait < 0)
		rc = -1;
	else if (lk->wait == 0 && account != NULL) {
		rc = model_user_find(conn, account, &lk->user);
		lk->found = rc == MODEL_OK;
		rc = rc == MODEL_ERR ? -1 : 0;
	}
	db_release(conn);
	return rc;
}

/*
 * Argon2 takes tens of milliseconds: no connection is held meanwhile, and
 * it runs behind the password gate (password.h), with the new argon2id
 * hash of an imported (Django) account's password when it matched:
 * rehash gets it, or "" when none is due or it failed (the upgrade waits
 * for the next sign-in). 1 for a match, 0 for none, -1 when the gate
 * stayed shut.
 */
static int
login_verify(const char *password, const struct login_lookup *lk,
             char rehash[PASSWORD_HASH_MAX])
{
	const char *hash = login_dummy_hash;
	bool ok, needs_rehash = false;

	rehash[0] = '\0';
	if (password_gate_enter() != 0)
		return -1;
	pthread_once(&login_dummy_once, login_dummy_init);
	if (lk->found)
		hash = lk->user.password_hash;
	ok = password_verify(password, hash, &needs_rehash) == 1;
	/* Only admins may sign in here; others fail like a wrong password. */
	ok = ok && lk->found && lk->user.is_admin;
	if (ok && needs_rehash &&
	    password_hash(password, rehash, PASSWORD_HASH_MAX) != 0)
		rehash[0] = '\0';
	password_gate_leave();
	return ok ? 1 : 0;
}

/* Stores the argon2id hash made in place of an imported (Django) one. A
 * failure only delays the upgrade to the next sign-in. */
static void
login_rehash(struct db_conn *conn, const struct model_user *user,
             const char *rehash)
{
	if (model_user_rehash(conn, user->id, rehash) != MODEL_OK)
		log_warn("admin: could not rehash the password of %s",
		         user->name);
	else
		log_info("admin: rehashed the password of %s to argon2id",
		         user->name);
}

/* Second visit: records the outcome and, on success, starts the session. */
static void
login_finish(struct http_request *req, const char *username,
             const char *account, const struct login_lookup *lk, bool ok,
             const char *rehash)
{
	struct db_conn *conn;
	int rc;

	if ((conn = handlers_db(req)) == NULL)
		return;
	if (!ok) {
		rc = throttle_failed(conn, account, http_req_client_ip(req));
		db_release(conn);
		log_info("admin: failed sign-in from %s",
		         http_req_client_ip(req));
		if (rc != 0)
			http_error(req, 503);
		else
			login_render(req, 401, username, LOGIN_FAILED);
		return;
	}
	if (rehash[0] != '\0')
		login_rehash(conn, &lk->user, rehash);
	if (lk->user.totp) {
		/* The failures stay counted until the code is right too:
		 * else the password would reopen guessing codes. */
		rc = totp_pending_start(req, conn, lk->user.id);
		db_release(conn);
		if (rc != 0)
			http_error(req, 503);
		else
			http_redirect(req, 303, "/admin/login/code");
		return;
	}
	rc = throttle_succeeded(conn, lk->user.name);
	if (rc == 0)
		rc = session_start(req, conn, lk->user.id);
	db_release(conn);
	if (rc != 0) {
		http_error(req, 503);
		return;
	}
	log_info("admin: %s signed in from %s", lk->user.name,
	         http_req_client_ip(req));
	http_redirect(req, 303, "/admin");
}

static void
login_post(struct http_request *req)
{
	const char *username = http_form(req, "username");
	const char *password = http_form(req, "password");
	struct login_lookup lk;
	const char *account;
	char rehash[PASSWORD_HASH_MAX];
	int ok;

	if (!csrf_check(req)) {
		http_error(req, 403);
		return;
	}
	if (username == NULL)
		username = "";
	if (password == NULL)
		password = "";
	/* A name no account can have is counted by address only. */
	account = model_user_name_valid(username) ? username : NULL;
	if (login_lookup(req, account, &lk) != 0) {
		http_error(req, 503);
	} else if (lk.wait > 0) {
		admin_retry_after(req, lk.wait);
		login_render(req, 429, username, ADMIN_THROTTLED);
	} else if ((ok = login_verify(password, &lk, rehash)) < 0) {
		/* Retry-After: the page cache's hook adds it to every 503. */
		login_render(req, 503, username, LOGIN_BUSY);
	} else {
		login_finish(req, username, account, &lk, ok == 1, rehash);
		explicit_bzero(rehash, sizeof(rehash));
	}
	model_user_free(&lk.user);
}

void
handle_admin_login(struct http_request *req)
{
	const struct session_user *user;

	http_add_header(req, "Cache-Control", "no-store");
	if (http_req_method(req) == HTTP_POST) {
		login_post(req);
		return;
	}
	if (session_get(req, &user) != 0)
		http_error(req, 503);
	else if (user != NULL && user->is_admin)
		http_redirect(req, 303, "/admin");
	else
		login_render(req, 200, NULL, NULL);
}

void
handle_admin_logout(struct http_request *req)
{
	struct db_conn *conn;
	int rc;

	if (admin_require_post(req) == NULL)
		return;
	if ((conn = handlers_db(req)) == NULL)
		return;
	rc = session_end(req, conn);
	db_release(conn);
	if (rc != 0)
		http_error(req, 503);
	else
		http_redirect(req, 303, "/admin/login?signed_out=1");
}

/* ---- the list of posts ---- */

static void
index_add_post(struct tmpl_dict *list, const struct model_post *p)
{
	struct tmpl_dict *d = tmpl_add_section(list, TK_POST);
	const char *status = !p->published  ? "Draft"
	                     : p->scheduled ? "Scheduled"
	                                    : "Published";
	struct buf text = BUF_INIT;

	tmpl_set_int(d, TK_POST_ID, p->id);
	tmpl_set(d, TK_TITLE, p->title);
	buf_printf(&text, "%s%s", status, p->page ? " page" : "");
	tmpl_set(d, TK_POST_STATUS, buf_cstr(&text));
	tmpl_set(d, TK_POST_STATUS_CLASS,
	         p->published && !p->scheduled ? "badge-published"
	                                       : "badge-draft");
	page_set_date(d, p->published ? p->published_at : p->updated_at);
	if (p->published && !p->scheduled) {
		buf_reset(&text);
		handlers_post_path(&text, p);
		tmpl_show(d, TK_VIEW);
		tmpl_set(d, TK_VIEW_URL, buf_cstr(&text));
	}
	buf_free(&text);
}

/* Posts per page of the admin's list, as Django admin's list_per_page. */
#define ADMIN_POSTS_PER_PAGE 100

/* The list's page links, keeping the search words. */
static void
index_add_pager(struct tmpl_dict *list, const char *words, long long page,
                bool more)
{
	struct buf base = BUF_INIT;

	buf_puts(&base, "/admin");
	if (words[0] != '\0') {
		buf_puts(&base, "?q=");
		handlers_url_encode(&base, words);
	}
	handlers_add_pager(list, page, more, buf_cstr(&base));
	buf_free(&base);
}

static void
index_render(struct http_request *req, const struct session_user *user,
             const struct model_post_list *posts, long long pending,
             const char *words, long long page)
{
	static const struct admin_notice notices[] = {
	    {"saved", "Post saved."},
	    {"deleted", "Post deleted."},
	    {NULL, NULL}};
	struct tmpl_dict *root, *content, *list;
	size_t i;

	root = admin_page_new(req, user, "Admin", TF_admin_index, &content);
	admin_notice(req, root, notices);
	tmpl_set_int(content, TK_PENDING_COUNT, pending);
	tmpl_set(content, TK_PENDING_TEXT,
	         pending == 1 ? "comment awaiting moderation"
	                      : "comments awaiting moderation");
	tmpl_set(content, TK_QUERY, words);
	if (posts->n == 0)
		tmpl_set(tmpl_add_section(content, TK_EMPTY), TK_EMPTY_TEXT,
		         words[0] != '\0'
		             ? "No post's title or slug holds that."
		             : "No posts yet.");
	else {
		list = tmpl_add_section(content, TK_POSTS);
		for (i = 0; i < posts->n; i++)
			index_add_post(list, &posts->items[i]);
	}
	index_add_pager(content, words, page, posts->has_more);
	page_render(req, 200, root);
}

void
handle_admin_index(struct http_request *req)
{
	struct model_post_query q = {.per_page = ADMIN_POSTS_PER_PAGE};
	const struct session_user *user;
	struct model_post_list posts = {0};
	struct db_conn *conn;
	long long pending = -1;
	char *words = NULL;
	int rc;

	if ((user = admin_require(req)) == NULL)
		return;
	if ((q.page = handlers_page_number(http_query(req, "page"))) == 0 ||
	    (words = handlers_query_words(req, "q")) == NULL) {
		http_error(req, q.page == 0 ? 404 : 400);
		return;
	}
	if ((conn = handlers_db(req)) == NULL) {
		free(words);
		return;
	}
	rc = model_post_list_admin(conn, words, &q, &posts);
	if (rc == MODEL_OK)
		pending = model_comment_count_pending(conn);
	db_release(conn);
	if (rc != MODEL_OK || pending < 0)
		http_error(req, 503);
	else if (posts.n == 0 && q.page > 1)
		http_error(req, 404);
	else
		index_render(req, user, &posts, pending, words, q.page);
	model_post_list_free(&posts);
	free(words);
}

void
handle_admin_other(struct http_request *req)
{
	if (admin_require(req) != NULL)
		http_error(req, 404);
}
