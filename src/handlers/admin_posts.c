/* Admin: writing, editing and deleting posts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "app.h"
#include "config.h"
#include "db.h"
#include "handlers.h"
#include "markdown.h"
#include "model.h"
#include "page.h"
#include "post_page.h"
#include "text.h"
#include "xalloc.h"
#include "zone.h"

/* Messages that state a limit, spelled from the limit's macro. */
#define POST_TITLE_MAX_S HANDLERS_STR(MODEL_TITLE_MAX)
#define POST_TAG_MAX_S   HANDLERS_STR(MODEL_TAG_MAX)
#define POST_SLUG_MAX_S  HANDLERS_STR(SLUG_MAX)
#define POST_TITLE_TOO_LONG                                                    \
	"Please keep the title to " POST_TITLE_MAX_S " characters."
#define POST_TAG_TOO_LONG "Please keep each tag to " POST_TAG_MAX_S " bytes."
#define POST_SLUG_BAD                                                          \
	"Use at most " POST_SLUG_MAX_S " lower-case letters, digits and "      \
	"single hyphens, or leave it empty."
#define POST_RETRY                                                             \
	"The database is unavailable for a moment, so the post was not "       \
	"saved. Please try again in a moment: your text is kept below."

/* The post form as typed (or as stored), with a message per field. Every
 * text is valid UTF-8, owned by the struct. */
struct post_form {
	char *title, *slug, *body, *tags;
	/* As typed (a datetime-local value in the site's time zone), ""
	 * for none; publish_at is that moment in UTC, a model date, when it
	 * is one (text_datetime_normalize, zone_to_utc). */
	char *publish_at_text;
	char publish_at[TEXT_DATETIME_SIZE];
	bool published, page;
	const char *title_error, *slug_error, *body_error, *tags_error;
	const char *publish_at_error;
};

static void
post_form_free(struct post_form *f)
{
	free(f->title);
	free(f->slug);
	free(f->body);
	free(f->tags);
	free(f->publish_at_text);
	memset(f, 0, sizeof(*f));
}

/* NULL when every comma-separated tag can be stored, else a message. */
static const char *
post_tags_error(const char *csv)
{
	const char *p = csv, *end;
	size_t len;

	while (*p != '\0') {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len > MODEL_TAG_MAX)
			return POST_TAG_TOO_LONG;
		if (memchr(p, '/', len) != NULL)
			return "Tags cannot contain \"/\".";
		p = *end == ',' ? end + 1 : end;
	}
	return NULL;
}

/* Reads and checks the submitted form. True when it can be saved. */
static bool
post_form_read(struct http_request *req, struct post_form *f)
{
	const char *published = http_form(req, "published");
	const char *kind = http_form(req, "kind");
	char local[TEXT_DATETIME_SIZE];
	size_t n;
	char *trimmed;

	memset(f, 0, sizeof(*f));
	f->title = handlers_form_text(req, "title", true, &f->title_error);
	f->slug = handlers_form_text(req, "slug", true, &f->slug_error);
	f->body = handlers_form_text(req, "body", false, &f->body_error);
	f->tags = handlers_form_text(req, "tags", true, &f->tags_error);
	f->publish_at_text =
	    handlers_form_text(req, "publish_at", true, &f->publish_at_error);
	f->published = published != NULL && strcmp(published, "1") == 0;
	f->page = kind != NULL && strcmp(kind, "page") == 0;
	text_crlf_to_lf(f->body);
	/* Typed in the site's time (zone.h), stored in UTC. */
	if (f->publish_at_error == NULL && *f->publish_at_text != '\0' &&
	    (!text_datetime_normalize(f->publish_at_text, local) ||
	     !zone_to_utc(local, f->publish_at)))
		f->publish_at_error = "Use a date and time such as "
		                      "2026-12-24 09:30, or leave it empty.";

	n = text_utf8_len(f->title);
	if (f->title_error == NULL && n == 0)
		f->title_error = "Please enter a title.";
	else if (f->title_error == NULL && n > MODEL_TITLE_MAX)
		f->title_error = POST_TITLE_TOO_LONG;
	if (f->slug_error == NULL && *f->slug != '\0' && !text_is_slug(f->slug))
		f->slug_error = POST_SLUG_BAD;
	trimmed = text_trim(f->body);
	if (f->body_error == NULL && *trimmed == '\0')
		f->body_error = "Please write the post.";
	free(trimmed);
	if (f->tags_error == NULL)
		f->tags_error = post_tags_error(f->tags);
	return f->title_error == NULL && f->slug_error == NULL &&
	       f->body_error == NULL && f->tags_error == NULL &&
	       f->publish_at_error == NULL;
}

/*
 * The form page. action is the URL it posts to; view (or NULL) links the
 * public page of a visible post; error is a message for the whole form or
 * NULL.
 */
static void
post_form_render(struct http_request *req, const struct session_user *user,
                 int status, const char *action, const struct post_form *f,
                 const struct model_post *view, const char *error)
{
	bool editing = strcmp(action, "/admin/posts/new") != 0;
	const char *heading = editing ? "Edit post" : "New post";
	struct tmpl_dict *root, *content;
	struct buf url = BUF_INIT;
	bool field_errors = f->title_error != NULL || f->slug_error != NULL ||
	                    f->body_error != NULL || f->tags_error != NULL ||
	                    f->publish_at_error != NULL;

	root = admin_page_new(req, user, heading, TF_admin_post, &content);
	tmpl_set(content, TK_HEADING_TEXT, heading);
	tmpl_set(content, TK_FORM_ACTION, action);
	tmpl_set(content, TK_FORM_TITLE, f->title);
	tmpl_set(content, TK_FORM_SLUG, f->slug);
	tmpl_set(content, TK_FORM_BODY, f->body);
	tmpl_set(content, TK_FORM_TAGS, f->tags);
	tmpl_set(content, TK_FORM_PUBLISH_AT, f->publish_at_text);
	tmpl_set(content, TK_TIME_ZONE, http_req_app(req)->cfg->site.time_zone);
	tmpl_show(content, f->page ? TK_KIND_PAGE : TK_KIND_POST);
	if (f->published)
		tmpl_show(content, TK_PUBLISHED_CHECKED);
	if (view != NULL) {
		handlers_post_path(&url, view);
		tmpl_show(content, TK_VIEW);
		tmpl_set(content, TK_VIEW_URL, buf_cstr(&url));
		buf_free(&url);
	}
	page_field_error(content, TK_PUBLISH_AT_ERROR, f->publish_at_error);
	page_field_error(content, TK_TITLE_ERROR, f->title_error);
	page_field_error(content, TK_SLUG_ERROR, f->slug_error);
	page_field_error(content, TK_BODY_ERROR, f->body_error);
	page_field_error(content, TK_TAGS_ERROR, f->tags_error);
	if (error == NULL && field_errors)
		error = "The post was not saved: please correct the fields "
		        "marked below.";
	page_field_error(content, TK_FORM_ERROR, error);
	admin_media_form(req, user, content, true);
	page_render(req, status, root);
}

/* Saves a checked form: id 0 creates. Answers 303, 400, 404 or 503. */
static void
post_save(struct http_request *req, const struct session_user *user,
          long long id, const char *action, const struct post_form *f)
{
	struct model_post_input in = {
	    .title = f->title,
	    .slug = f->slug,
	    .body_md = f->body,
	    .tags = f->tags,
	    .published = f->published,
	    .publish_at = f->publish_at,
	    .page = f->page,
	    .raw_html = http_req_app(req)->cfg->site.markdown_unsafe_html,
	};
	struct db_conn *conn;
	int rc;

	if ((conn = db_acquire(http_req_app(req)->db)) == NULL) {
		post_form_render(req, user, 503, action, f, NULL, POST_RETRY);
		return;
	}
	if (id == 0)
		rc = model_post_create(conn, user->id, &in, NULL, NULL);
	else
		rc = model_post_update(conn, id, &in, NULL);
	db_release(conn);
	if (rc == MODEL_OK) {
		session_note_write(req);
		http_redirect(req, 303, "/admin?saved=1");
	} else if (rc == MODEL_INVALID)
		post_form_render(
		    req, user, 400, action, f, NULL,
		    "The post was not saved: the title, a tag or the "
		    "publication time is not one blogd can store.");
	else if (rc == MODEL_NOT_FOUND)
		http_error(req, 404);
	else
		post_form_render(req, user, 503, action, f, NULL, POST_RETRY);
}

/*
 * The user a post form's POST comes from: admin_require_post's answer,
 * but while the database cannot say who is signed in, a form whose CSRF
 * token belongs to the request's session cookie was made for this
 * browser's session: *offline, and standin (no id, never saved under)
 * lets it come back with its text instead of an error page that loses it.
 */
static const struct session_user *
post_form_user(struct http_request *req, struct session_user *standin,
               bool *offline)
{
	const struct session_user *user;
	const char *cookie = http_cookie(req, SESSION_COOKIE);
	unsigned char hash[MODEL_SESSION_HASH_LEN];

	*offline = false;
	if (session_get(req, &user) == 0 || !session_token_valid(cookie))
		return admin_require_post(req);
	memset(standin, 0, sizeof(*standin));
	session_token_hash(cookie, hash);
	crypto_hex(hash, sizeof(hash), standin->binding);
	if (!csrf_session_check(&http_req_app(req)->csrf_key, standin->binding,
	                        http_form(req, CSRF_FIELD)))
		return admin_require_post(req);
	http_add_header(req, "Cache-Control", "no-store");
	*offline = true;
	return standin;
}

/* POST of the form (idparam NULL: a new post, else the route's {id}):
 * shows it again with the errors or saves it; offline (post_form_user),
 * shows it again with POST_RETRY. */
static void
post_submit(struct http_request *req, const char *idparam)
{
	struct session_user standin;
	const struct session_user *user;
	struct post_form f;
	char action[64] = "/admin/posts/new";
	long long id = 0;
	bool offline;

	if ((user = post_form_user(req, &standin, &offline)) == NULL)
		return;
	if (idparam != NULL && (id = admin_id(idparam)) == 0) {
		http_error(req, 404);
		return;
	}
	if (id != 0)
		snprintf(action, sizeof(action), "/admin/posts/%lld/edit", id);
	if (!post_form_read(req, &f))
		post_form_render(req, user, 400, action, &f, NULL, NULL);
	else if (offline)
		post_form_render(req, user, 503, action, &f, NULL, POST_RETRY);
	else
		post_save(req, user, id, action, &f);
	post_form_free(&f);
}

void
handle_admin_post_new(struct http_request *req)
{
	const struct session_user *user;
	struct post_form f = {0};

	if (http_req_method(req) == HTTP_POST) {
		post_submit(req, NULL);
		return;
	}
	if ((user = admin_require(req)) == NULL)
		return;
	f.title = xstrdup("");
	f.slug = xstrdup("");
	f.body = xstrdup("");
	f.tags = xstrdup("");
	f.publish_at_text = xstrdup("");
	post_form_render(req, user, 200, "/admin/posts/new", &f, NULL, NULL);
	post_form_free(&f);
}

/* GET of the edit form, filled from the stored post. */
static void
post_edit_show(struct http_request *req, const struct session_user *user,
               long long id, const char *action)
{
	struct model_post post = {0};
	struct post_form f = {0};
	char local[TEXT_DATETIME_SIZE];
	struct db_conn *conn;
	int rc;

	if ((conn = handlers_db(req)) == NULL)
		return;
	rc = model_post_get(conn, id, &post);
	db_release(conn);
	if (rc != MODEL_OK) {
		http_error(req, rc == MODEL_NOT_FOUND ? 404 : 503);
		return;
	}
	f.title = xstrdup(post.title);
	f.slug = xstrdup(post.slug);
	f.body = xstrdup(post.body_md != NULL ? post.body_md : "");
	f.tags = xstrdup(post.tags_csv != NULL ? post.tags_csv : "");
	/* In the site's time; datetime-local wants a 'T' between date and
	 * time. */
	f.publish_at_text = xstrdup(
	    post.published_at != NULL && zone_to_local(post.published_at, local)
	        ? local
	        : "");
	if (strlen(f.publish_at_text) > 10)
		f.publish_at_text[10] = 'T';
	f.published = post.published;
	f.page = post.page;
	post_form_render(req, user, 200, action, &f,
	                 post.published && !post.scheduled ? &post : NULL,
	                 NULL);
	post_form_free(&f);
	model_post_free(&post);
}

void
handle_admin_post_edit(struct http_request *req)
{
	const struct session_user *user;
	long long id;
	char action[64];

	if (http_req_method(req) == HTTP_POST) {
		post_submit(req, http_req_param(req, 0));
		return;
	}
	if ((user = admin_require(req)) == NULL)
		return;
	if ((id = admin_id(http_req_param(req, 0))) == 0) {
		http_error(req, 404);
		return;
	}
	snprintf(action, sizeof(action), "/admin/posts/%lld/edit", id);
	post_edit_show(req, user, id, action);
}

void
handle_admin_post_delete(struct http_request *req)
{
	admin_act(req, model_post_delete, "/admin?deleted=1");
}

/* The date a preview shows: the time given, else now (UTC). */
static void
preview_date(const struct post_form *f, char out[TEXT_DATETIME_SIZE])
{
	time_t now;
	struct tm tm;

	if (f->publish_at[0] != '\0') {
		memcpy(out, f->publish_at, TEXT_DATETIME_SIZE);
		return;
	}
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(out, TEXT_DATETIME_SIZE, "%Y-%m-%d %H:%M:%S", &tm);
}

void
handle_admin_preview(struct http_request *req)
{
	const struct session_user *user;
	struct post_form f;
	struct markdown_out out = {0};
	char date[TEXT_DATETIME_SIZE], author[MODEL_NAME_MAX + 1];
	struct model_post post = {0};

	if ((user = admin_require_post(req)) == NULL)
		return;
	/* Shown whatever the field errors: the preview is for writing. */
	post_form_read(req, &f);
	markdown_render(f.body, strlen(f.body),
	                http_req_app(req)->cfg->site.markdown_unsafe_html,
	                MODEL_EXCERPT_LEN, &out);
	preview_date(&f, date);
	post.slug = *f.slug != '\0' ? f.slug : "preview";
	post.title = *f.title != '\0' ? f.title : "(no title)";
	post.body_html = out.html;
	post.excerpt = out.excerpt;
	snprintf(author, sizeof(author), "%s", user->name);
	post.author_name = author;
	post.page = f.page;
	post.published_at = date;
	post_page_render(req, 200, &post, NULL, NULL,
	                 "Preview — not published");
	markdown_out_free(&out);
	post_form_free(&f);
}
