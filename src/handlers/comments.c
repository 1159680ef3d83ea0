/*
 * POST /posts/{slug}/comments, and the form text helpers of handlers.h.
 *
 * Spam defence, without third-party services, cheapest first: a honeypot
 * field no person sees (filled: a robot), the form stamp (csrf.h: sent
 * sooner than [site] comment_min_seconds after the form was served, or
 * more than COMMENT_STAMP_MAX_AGE later, or missing), the links a comment
 * carries ([site] comment_max_links), the comments of the client address
 * in the last COMMENT_RATE_WINDOW seconds ([site] comment_rate_limit,
 * counted in the database so every instance agrees), and the same text
 * again on the post or from the address within COMMENT_REPEAT_WINDOW.
 * Every refusal shows the form again with the text as typed and says why;
 * each is counted by reason for /metrics (comments_metrics).
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app.h"
#include "config.h"
#include "csrf.h"
#include "db.h"
#include "handlers.h"
#include "metrics.h"
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

/* The form's fields as sent. */
struct comment_fields {
	struct comment_field name, email, body;
};

/* The rules for one field and what to say when it breaks them. */
struct comment_rule {
	const char *name;  /* form field */
	size_t max;        /* code points after trimming */
	const char *empty; /* NULL: the field may be left empty */
	const char *too_long;
};

static const struct comment_rule comment_name_rule = {
    "name", COMMENT_NAME_MAX, "Please enter your name.",
    COMMENT_TOO_LONG("name", COMMENT_NAME_MAX)};
/* Django's comment forms ask for an address; here it is optional, and no
 * public page shows it (only the moderation queue and blogd export). */
static const struct comment_rule comment_email_rule = {
    "email", TEXT_EMAIL_MAX, NULL,
    COMMENT_TOO_LONG("e-mail address", TEXT_EMAIL_MAX)};
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

static void
comment_fields_read(struct http_request *req, struct comment_fields *f)
{
	comment_field_read(req, &comment_name_rule, &f->name);
	comment_field_read(req, &comment_email_rule, &f->email);
	comment_field_read(req, &comment_body_rule, &f->body);
	text_crlf_to_lf(f->body.text);
	if (f->email.error == NULL && f->email.text[0] != '\0' &&
	    !text_is_email(f->email.text))
		f->email.error =
		    "Please enter an e-mail address such as name@example.org, "
		    "or leave it empty.";
}

static bool
comment_fields_bad(const struct comment_fields *f)
{
	return f->name.error != NULL || f->email.error != NULL ||
	       f->body.error != NULL;
}

static void
comment_fields_free(struct comment_fields *f)
{
	free(f->name.text);
	free(f->email.text);
	free(f->body.text);
}

#define COMMENT_RETRY                                                          \
	"The database is unavailable for a moment, so your comment was not "   \
	"saved. Please try again in a moment: your text is kept below."

/* Spam defence: the honeypot field, how long a form stays good, and the
 * windows of the rate limit and of repeated text. */
#define COMMENT_HONEYPOT      "website"
#define COMMENT_STAMP_MAX_AGE (24L * 60 * 60)
#define COMMENT_STAMP_SKEW    60 /* seconds between instances' clocks */
#define COMMENT_RATE_WINDOW   (10L * 60)
#define COMMENT_REPEAT_WINDOW (24L * 60 * 60)

/* Why a comment was refused: the label of its /metrics series. */
enum comment_refusal {
	REFUSED_HONEYPOT,
	REFUSED_STAMP,
	REFUSED_TOO_FAST,
	REFUSED_EXPIRED,
	REFUSED_LINKS,
	REFUSED_RATE,
	REFUSED_DUPLICATE,
	REFUSED_N
};

static const char *const comment_refusal_names[REFUSED_N] = {
    "honeypot", "stamp", "too_fast", "expired", "links", "rate", "duplicate"};
static atomic_ullong comment_refused[REFUSED_N];

void
comments_metrics(struct buf *out, void *arg)
{
	(void)arg;
	metrics_family(out, "blogd_comment_refused_total", "counter",
	               "Comments refused by the spam defence, by reason.");
	for (int i = 0; i < REFUSED_N; i++)
		buf_printf(out,
		           "blogd_comment_refused_total{reason=\"%s\"} %llu\n",
		           comment_refusal_names[i],
		           atomic_load_explicit(&comment_refused[i],
		                                memory_order_relaxed));
}

/* What the answer to a comment is: status 0 stores it; otherwise the form
 * again with message (NULL: the fields' own) and, when retry_after > 0,
 * that Retry-After (seconds). */
struct comment_verdict {
	int status;
	const char *message;
	long long retry_after;
};

static void
comment_refuse(struct comment_verdict *v, int status,
               enum comment_refusal reason, const char *message,
               long long retry_after)
{
	v->status = status;
	v->message = message;
	v->retry_after = retry_after;
	atomic_fetch_add_explicit(&comment_refused[reason], 1,
	                          memory_order_relaxed);
}

/* Links in s: "http://", "https://" and "www." not after "//". */
static unsigned
comment_links(const char *s)
{
	unsigned n = 0;

	for (const char *p = s; *p != '\0'; p++)
		if (strncasecmp(p, "http://", 7) == 0 ||
		    strncasecmp(p, "https://", 8) == 0 ||
		    (strncasecmp(p, "www.", 4) == 0 &&
		     (p - s < 2 || strncmp(p - 2, "//", 2) != 0)))
			n++;
	return n;
}

/* The form stamp sent, with its age in *age; NULL when it is not one of
 * ours (or from further ahead than the clocks may differ). */
static const char *
comment_stamp(struct http_request *req, long long *age)
{
	const char *stamp = http_form(req, CSRF_STAMP_FIELD);
	long long at = csrf_stamp_time(&http_req_app(req)->csrf_key, stamp);

	*age = (long long)time(NULL) - at;
	return at < 0 || *age < -COMMENT_STAMP_SKEW ? NULL : stamp;
}

/* The stamp a form shown again keeps: the one sent while it is good, so
 * that a correction does not restart the clock; NULL for a fresh one. */
static const char *
comment_stamp_kept(struct http_request *req)
{
	long long age;
	const char *stamp = comment_stamp(req, &age);

	return age <= COMMENT_STAMP_MAX_AGE ? stamp : NULL;
}

/* The checks that need no database: the honeypot and the form stamp. */
static void
comment_check_form(struct http_request *req, struct comment_verdict *v)
{
	const char *trap = http_form(req, COMMENT_HONEYPOT);
	long long age, min = http_req_app(req)->cfg->site.comment_min_seconds;

	if (trap != NULL && trap[0] != '\0')
		comment_refuse(v, 400, REFUSED_HONEYPOT,
		               "Your comment was not posted: the form was "
		               "filled in as only robots do. Please send it "
		               "again.",
		               0);
	else if (comment_stamp(req, &age) == NULL)
		comment_refuse(v, 400, REFUSED_STAMP,
		               "Your comment was not posted: the form was "
		               "incomplete. Please send it again.",
		               0);
	else if (age > COMMENT_STAMP_MAX_AGE)
		comment_refuse(v, 400, REFUSED_EXPIRED,
		               "Your comment was not posted: the form was open "
		               "for more than a day. Please send it again.",
		               0);
	else if (age < min)
		comment_refuse(v, 429, REFUSED_TOO_FAST,
		               "That was quick: your comment was not posted "
		               "yet. Please read it over and send it again in "
		               "a few seconds.",
		               min - age);
}

#define COMMENT_RATE_TEXT                                                      \
	"You have posted several comments in the last few minutes. Please "    \
	"try again later: your text is kept below."

/* The checks that ask the database: the rate limit, then repeated text.
 * 0, or -1 when it did not answer. */
static int
comment_check_db(struct http_request *req, struct db_conn *conn,
                 const struct model_post *post, const char *body,
                 struct comment_verdict *v)
{
	unsigned limit = http_req_app(req)->cfg->site.comment_rate_limit;
	const char *ip = http_req_client_ip(req);
	long long n, age, wait;
	int rc;

	if (limit > 0) {
		if (model_comment_recent(conn, ip, COMMENT_RATE_WINDOW, &n,
		                         &age) != MODEL_OK)
			return -1;
		if (n >= (long long)limit) {
			/* A place frees when the oldest leaves the window. */
			wait = COMMENT_RATE_WINDOW - age;
			comment_refuse(v, 429, REFUSED_RATE, COMMENT_RATE_TEXT,
			               wait > 0 ? wait : 1);
			return 0;
		}
	}
	rc = model_comment_repeated(conn, post->id, ip, body,
	                            COMMENT_REPEAT_WINDOW);
	if (rc == MODEL_ERR)
		return -1;
	if (rc == 1)
		comment_refuse(v, 400, REFUSED_DUPLICATE,
		               "This comment has already been posted.", 0);
	return 0;
}

/* 503 with the form and the text as sent: the post page needs the
 * database, so this is a page of its own. */
static void
comment_retry(struct http_request *req)
{
	static const char *const fields[] = {"name", "email", "body"};
	static const char *const keys[] = {TK_FORM_NAME, TK_FORM_EMAIL,
	                                   TK_FORM_BODY};
	struct tmpl_dict *root, *content;
	const char *error = NULL;
	char *typed;

	root =
	    page_new(req, "Comment not saved yet", TF_comment_retry, &content);
	if (post_form_fields(req, content, comment_stamp_kept(req)) != 0) {
		tmpl_dict_free(root);
		http_error(req, 503);
		return;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		typed = handlers_form_text(req, fields[i], false, &error);
		tmpl_set(content, keys[i], typed);
		free(typed);
	}
	tmpl_set(content, TK_SLUG, http_req_param(req, 0));
	tmpl_set(content, TK_ERROR_TEXT, COMMENT_RETRY);
	page_render(req, 503, root);
}

/* The post page again with the form, the typed text and why it was not
 * posted: the verdict's status, its message and the field errors. */
static void
comment_reject(struct http_request *req, struct db_conn *conn,
               const struct model_post *post, const struct comment_fields *f,
               const struct comment_verdict *v)
{
	struct model_comment_list comments = {0};
	struct comment_form form = {
	    .name = f->name.text,
	    .email = f->email.text,
	    .body = f->body.text,
	    .name_error = f->name.error,
	    .email_error = f->email.error,
	    .body_error = f->body.error,
	    .error = v->message,
	    .stamp = comment_stamp_kept(req),
	};
	char retry[24];
	int rc;

	rc = model_comment_list_approved(conn, post->id, &comments);
	db_release(conn);
	if (rc != MODEL_OK) {
		comment_retry(req);
	} else {
		if (v->retry_after > 0) {
			snprintf(retry, sizeof(retry), "%lld", v->retry_after);
			http_add_header(req, "Retry-After", retry);
		}
		post_page_render(req, v->status, post, &comments, &form, NULL);
	}
	model_comment_list_free(&comments);
}

/* Stores the comment and answers 303, or 503 so nothing is claimed saved. */
static void
comment_store(struct http_request *req, struct db_conn *conn,
              const struct model_post *post, const struct comment_fields *f)
{
	struct model_comment_new c = {
	    .post_id = post->id,
	    .name = f->name.text,
	    .email = f->email.text,
	    .body = f->body.text,
	    .client_ip = http_req_client_ip(req),
	    .approved = !http_req_app(req)->cfg->site.moderate_comments,
	};
	char location[SLUG_MAX + 64];
	int rc;

	rc = model_comment_create(conn, &c, NULL);
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

#define COMMENT_LINKS_MAX_TEXT                                                 \
	"Your comment has more links than a comment may carry here. Please "   \
	"remove some."

/* The field checks, the spam checks, then the answer; releases conn. */
static void
comment_decide(struct http_request *req, struct db_conn *conn,
               const struct model_post *post, struct comment_fields *f)
{
	unsigned max_links = http_req_app(req)->cfg->site.comment_max_links;
	struct comment_verdict v = {0};

	comment_check_form(req, &v);
	if (v.status == 0 && comment_fields_bad(f))
		v.status = 400; /* the fields say why */
	if (v.status == 0 &&
	    comment_links(f->name.text) + comment_links(f->body.text) >
	        max_links) {
		comment_refuse(&v, 400, REFUSED_LINKS, NULL, 0);
		f->body.error = COMMENT_LINKS_MAX_TEXT;
	}
	if (v.status == 0 &&
	    comment_check_db(req, conn, post, f->body.text, &v) != 0) {
		db_release(conn);
		comment_retry(req);
	} else if (v.status != 0)
		comment_reject(req, conn, post, f, &v);
	else
		comment_store(req, conn, post, f);
}

static void
comment_handle(struct http_request *req, struct db_conn *conn,
               const struct model_post *post)
{
	struct comment_fields f;

	comment_fields_read(req, &f);
	comment_decide(req, conn, post, &f); /* releases conn */
	comment_fields_free(&f);
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
