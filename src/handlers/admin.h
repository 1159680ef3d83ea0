/*
 * The admin area (/admin): handlers listed in routes.c and the helpers the
 * admin files share. Every handler but login starts with admin_require*()
 * and every answer carries Cache-Control: no-store, so no shared cache or
 * back button keeps an admin page.
 */
#ifndef BLOGD_HANDLERS_ADMIN_H
#define BLOGD_HANDLERS_ADMIN_H

#include "csrf.h"
#include "handlers.h"
#include "http.h"
#include "session.h"
#include "tmpl.h"

/* admin.c */
void handle_admin_login(struct http_request *req);  /* GET, POST */
void handle_admin_logout(struct http_request *req); /* POST */
void handle_admin_index(struct http_request *req);  /* GET */
void handle_admin_other(struct http_request *req);  /* any other /admin/ */
/* admin_posts.c */
void handle_admin_post_new(struct http_request *req);    /* GET, POST */
void handle_admin_post_edit(struct http_request *req);   /* GET, POST */
void handle_admin_post_delete(struct http_request *req); /* POST */
/* POST: the post form's contents shown as the public page would show
 * them, saving nothing. */
void handle_admin_preview(struct http_request *req);
/* admin_totp.c */
void handle_admin_login_code(struct http_request *req);   /* GET, POST */
void handle_admin_totp(struct http_request *req);         /* GET */
void handle_admin_totp_start(struct http_request *req);   /* POST */
void handle_admin_totp_confirm(struct http_request *req); /* POST */
void handle_admin_totp_disable(struct http_request *req); /* POST */
/* POST: new recovery codes, shown once, in place of the old ones. */
void handle_admin_totp_recovery(struct http_request *req);
/* admin_password.c: GET the form, POST a new password for oneself. */
void handle_admin_password(struct http_request *req);
/* admin_users.c: the accounts; GET the list, POST a new one. */
void handle_admin_users(struct http_request *req);
void handle_admin_user_delete(struct http_request *req); /* POST */
/* admin_redirects.c: GET the list, POST a new one; POST .../delete. */
void handle_admin_redirects(struct http_request *req);
void handle_admin_redirect_delete(struct http_request *req);
/* admin_comments.c */
void handle_admin_comments(struct http_request *req);        /* GET */
void handle_admin_comment_approve(struct http_request *req); /* POST */
void handle_admin_comment_delete(struct http_request *req);  /* POST */
/* admin_media.c */
void handle_admin_media(struct http_request *req);        /* GET, POST */
void handle_admin_media_delete(struct http_request *req); /* POST */
/* The upload form (media_upload.tpl) as content's MEDIA_UPLOAD; insert:
 * in the post editor, whose script puts the Markdown into the body. */
void admin_media_form(struct http_request *req, const struct session_user *user,
                      struct tmpl_dict *content, bool insert);

/*
 * The signed-in admin, or NULL when the request has been answered: 303 to
 * /admin/login without a valid admin session, 503 when the database could
 * not tell. admin_require_post() also answers 403 to a POST without the
 * session's CSRF token.
 */
const struct session_user *admin_require(struct http_request *req);
const struct session_user *admin_require_post(struct http_request *req);

/* The root of an admin page (page_new) with the admin menu, the form token
 * set in the menu and in *content. */
struct tmpl_dict *admin_page_new(struct http_request *req,
                                 const struct session_user *user,
                                 const char *title, const char *file,
                                 struct tmpl_dict **content);

/* Sets CSRF_TOKEN in d (an included template's own dictionary does not
 * see its parent's values) to user's form token. */
void admin_set_token(struct http_request *req, const struct session_user *user,
                     struct tmpl_dict *d);

/* Shows the text for the first "?flag=1" of the request found in flags,
 * pairs of { flag, text } ended by { NULL, NULL }. */
struct admin_notice {
	const char *flag;
	const char *text;
};
void admin_notice(struct http_request *req, struct tmpl_dict *root,
                  const struct admin_notice *flags);

/* What a throttled sign-in (429) says, and its Retry-After of wait s. */
#define ADMIN_THROTTLED                                                        \
	"Too many failed sign-in attempts. Please try again later."
void admin_retry_after(struct http_request *req, long wait);

struct db_conn;
/*
 * Whether password is the signed-in admin's: 1, 0, or -1 on a database
 * error or when the password gate stayed shut (password.h). *conn is given
 * back during the check (argon2 takes tens of milliseconds) and a new one
 * borrowed after; on -1 *conn may be NULL.
 */
int admin_password_ok(struct http_request *req, struct db_conn **conn,
                      const struct session_user *user, const char *password);
/* A new password as typed twice: NULL when it can be taken, else why not
 * (shorter than ADMIN_PASSWORD_MIN code points, as Django's
 * MinimumLengthValidator asks, over PASSWORD_MAX_LEN bytes, not UTF-8, or
 * the two differ). */
#define ADMIN_PASSWORD_MIN 8
const char *admin_new_password_problem(const char *fresh, const char *again);
/* Hashes password into out (PASSWORD_HASH_MAX bytes) through the password
 * gate; call it holding no database connection. 0 or -1. */
int admin_password_hash(const char *password, char *out);
/* What proves the admin is here for a change (admin_password_ok, or a
 * current code): 1, 0 or -1 as admin_password_ok, with its *conn. */
typedef int (*admin_prove_fn)(struct http_request *req, struct db_conn **conn,
                              const struct session_user *user, const void *arg);
/*
 * For a change behind a proof: checks the sign-in throttle, then
 * prove(arg); a failed proof counts toward the throttle, as a stolen
 * session must not become a way to guess the password. 1 proven, with
 * *conn to make the change on and release; 0 not proven; 2 throttled
 * (*wait seconds); -1 database or gate; -2 already answered (503). *conn
 * is NULL but after 1.
 */
int admin_proven(struct http_request *req, const struct session_user *user,
                 admin_prove_fn prove, const void *arg, struct db_conn **conn,
                 long *wait);

/* A {id} route parameter: 1..LLONG_MAX in plain digits, else 0. */
long long admin_id(const char *param);

/*
 * A POST that changes row {id}: checks session and CSRF, runs act (a model
 * function answering MODEL_OK, MODEL_NOT_FOUND or MODEL_ERR) and answers
 * 303 to done, or 404/503.
 */
void admin_act(struct http_request *req,
               int (*act)(struct db_conn *, long long), const char *done);

#endif
