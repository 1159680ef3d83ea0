/* POST /posts/{slug}/comments, and the form text helpers of handlers.h. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "csrf.h"
#include "db.h"
#include "handlers.h"
#include "model.h"
#include "page.h"
#include "post_page.h"
#include "session.h"
#include "text.h"

/* Code points. Plain decimal numbers: COMMENT_TOO_LONG spells them. */
#define COMMENT_NAME_MAX 80
#define COMMENT_BODY_MAX 5000
/* The message for a field over its limit, built from the limit's macro so
 * that the two cannot disagree. */
#define COMMENT_TOO_LONG(what, max)                                            \
	"Please keep your " what " to " HANDLERS_STR(max) " characters."

/* One submitted field: trimmed text (valid UTF-8, "" when unusable) and the
 * message to show next to it, or NULL when it is fine. */
struct comment_field {
	char *text;
	const char *error;
};

/* The rules for one field and what to say when it breaks them. */
struct comment_rule {
	const char *name; /* form field */
	size_t max;       /* code points after trimming */
	const char *empty;
	const char *too_long;
};

static const struct comment_rule comment_name_rule = {
    "name", COMMENT_NAME_MAX, "Please enter your name.",
    COMMENT_TOO_LONG("name", COMMENT_NAME_MAX)};
static const struct comment_rule comment_body_rule = {
    "body", COMMENT_BODY_MAX, "Please write a comment.",
    COMMENT_TOO_LONG("comment", COMMENT_BODY_MAX)};

static void
comment_field_read(struct http_request *req, const struct comment_rule *rule,
                   struct comment_field *f)
{
	size_t len;

	f->error = NULL;
	f->text = handlers_form_text(req, rule->name, true, &f->error);
	if (f->error != NULL)
		return;
	len = text_utf8_len(f->text);
	if (len == 0)
		f->error = rule->empty;
	else if (len > rule->max)
		f->error = rule->too_long;
}

#define COMMENT_RETRY                                                          \
	"The database is unavailable for a moment, so your comment was not "   \
	"saved. Please try again in a moment: your text is kept below."

/* 503 with the form and the text as sent: the post page needs the
 * database, so this is a page of its own. */
static void
comment_retry(struct http_request *req)
{
	char token[CSRF_HEX_LEN + 1];
	struct tmpl_dict *root, *content;
	const char *error = NULL;
	char *name, *body;

	if (csrf_token_for(req, token) != 0) {
		http_error(req, 503);
		return;
	}
	name = handlers_form_text(req, "name", false, &error);
	body = handlers_form_text(req, "body", false, &error);
	root =
	    page_new(req, "Comment not saved yet", TF_comment_retry, &content);
	tmpl_set(content, TK_SLUG, http_req_param(req, 0));
	tmpl_set(content, TK_CSRF_TOKEN, token);
	tmpl_set(content, TK_FORM_NAME, name);
	tmpl_set(content, TK_FORM_BODY, body);
	tmpl_set(content, TK_ERROR_TEXT, COMMENT_RETRY);
	page_render(req, 503, root);
	free(name);
	free(body);
}

/* 400: the post page again with the errors and the typed text. */
static void
comment_reject(struct http_request *req, struct db_conn *conn,
               const struct model_post *post, const struct comment_field *name,
               const struct comment_field *body)
{
	struct model_comment_list comments = {0};
	struct comment_form form = {name->text, body->text, name->error,
	                            body->error};
	int rc;

	rc = model_comment_list_approved(conn, post->id, &comments);
	db_release(conn);
	if (rc != MODEL_OK)
		comment_retry(req);
	else
		post_page_render(req, 400, post, &comments, &form, NULL);
	model_comment_list_free(&comments);
}

/* Stores the comment and answers 303, or 503 so nothing is claimed saved. */
static void
comment_store(struct http_request *req, struct db_conn *conn,
              const struct model_post *post, const struct comment_field *name,
              const struct comment_field *body)
{
	bool approved = !http_req_app(req)->cfg->site.moderate_comments;
	char location[SLUG_MAX + 64];
	int rc;

	rc = model_comment_create(conn, post->id, name->text, body->text,
	                          http_req_client_ip(req), approved, NULL);
	db_release(conn);
	if (rc != MODEL_OK) {
		comment_retry(req);
		return;
	}
	/* The slug passed text_is_slug: safe to paste into a URL. */
	snprintf(location, sizeof(location), "/posts/%s?commented=1#comments",
	         post->slug);
	session_note_write(req);
	http_redirect(req, 303, location);
}

static void
comment_handle(struct http_request *req, struct db_conn *conn,
               const struct model_post *post)
{
	struct comment_field name, body;

	comment_field_read(req, &comment_name_rule, &name);
	comment_field_read(req, &comment_body_rule, &body);
	text_crlf_to_lf(body.text);
	if (name.error != NULL || body.error != NULL)
		comment_reject(req, conn, post, &name, &body);
	else
		comment_store(req, conn, post, &name, &body);
	free(name.text);
	free(body.text);
}

void
handle_comment_create(struct http_request *req)
{
	struct model_post post = {0};
	struct db_conn *conn;
	int rc;

	if (!csrf_check(req)) {
		http_error(req, 403);
		return;
	}
	/* As handle_post finds it, but a database failure keeps the text. */
	if (!text_is_slug(http_req_param(req, 0))) {
		http_error(req, 404);
		return;
	}
	if ((conn = db_acquire(http_req_app(req)->db)) == NULL) {
		comment_retry(req);
		return;
	}
	if ((rc = model_post_get_published(conn, http_req_param(req, 0), false,
	                                   &post)) != MODEL_OK) {
		db_release(conn);
		if (rc == MODEL_NOT_FOUND)
			http_error(req, 404);
		else
			comment_retry(req);
	} else
		comment_handle(req, conn, &post); /* releases conn */
	model_post_free(&post);
}
