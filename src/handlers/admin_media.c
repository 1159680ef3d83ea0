/*
 * Admin: images and files for posts. GET /admin/media lists them with the
 * Markdown that shows each; POST /admin/media takes one upload
 * (multipart/form-data, the route's body limit is server.max_upload) and
 * answers 303 back to the list, or, to the post editor's script
 * (static/media.js, "Accept: text/plain"), 201 with the Markdown alone;
 * POST /admin/media/{id}/delete deletes one.
 */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "app.h"
#include "config.h"
#include "db.h"
#include "media.h"
#include "model_media.h"
#include "page.h"
#include "static.h"
#include "xalloc.h"

#define TEXT_TYPE "text/plain; charset=utf-8"

void
admin_media_form(struct http_request *req, const struct session_user *user,
                 struct tmpl_dict *content, bool insert)
{
	size_t max = http_req_app(req)->cfg->server.max_upload;
	struct tmpl_dict *d =
	    tmpl_add_include(content, TK_MEDIA_UPLOAD, TF_media_upload);
	const char *js = static_url(req, "media.js");
	char text[32];

	admin_set_token(req, user, d);
	media_size_text(max, text);
	tmpl_set(d, TK_MAX_UPLOAD, text);
	tmpl_set_int(d, TK_MAX_UPLOAD_BYTES, (long long)max);
	if (insert) {
		tmpl_show(d, TK_INSERT);
		tmpl_set(d, TK_SCRIPT_URL,
		         js != NULL ? js : "/static/media.js");
	} else {
		tmpl_show(d, TK_NO_INSERT);
	}
}

/* The Markdown that shows m, labelled with its file name. Caller frees. */
static char *
media_md(const struct model_media *m, const struct media_type *t)
{
	char path[MEDIA_PATH_MAX], *alt = media_alt(m->name), *md;

	media_path(m->hash, t, path);
	md = media_markdown(t, alt, path);
	free(alt);
	return md;
}

static void
media_row(struct tmpl_dict *content, const struct model_media *m,
          const char *added)
{
	const struct media_type *t = media_type_of(m->type);
	struct tmpl_dict *d = tmpl_add_section(content, TK_MEDIA);
	char path[MEDIA_PATH_MAX], size[32], *md;

	if (t == NULL) /* a type dropped from the list: not served */
		return;
	media_path(m->hash, t, path);
	md = media_md(m, t);
	media_size_text((unsigned long long)m->size, size);
	tmpl_set_int(d, TK_MEDIA_ID, m->id);
	tmpl_set(d, TK_MEDIA_URL, path);
	tmpl_set(d, TK_MEDIA_NAME, m->name);
	tmpl_set(d, TK_MEDIA_TYPE, m->type);
	tmpl_set(d, TK_MEDIA_SIZE, size);
	tmpl_set(d, TK_MARKDOWN, md);
	if (t->image)
		tmpl_show(d, TK_IMAGE);
	page_set_date(d, m->created_at);
	if (added != NULL && strcmp(added, m->hash) == 0)
		tmpl_set(tmpl_add_section(content, TK_ADDED), TK_MARKDOWN, md);
	free(md);
}

/* The list page with status; error (or NULL) above the upload form. */
static void
media_render(struct http_request *req, const struct session_user *user,
             int status, const char *error)
{
	static const struct admin_notice notices[] = {
	    {"deleted", "File deleted."}, {NULL, NULL}};
	struct model_media_list list = {0};
	struct tmpl_dict *root, *content;
	struct db_conn *conn;
	int rc;

	if ((conn = handlers_db(req)) == NULL)
		return;
	rc = model_media_list(conn, &list);
	db_release(conn);
	if (rc != MODEL_OK) {
		http_error(req, 503);
		return;
	}
	root = admin_page_new(req, user, "Media", TF_admin_media, &content);
	admin_notice(req, root, notices);
	if (http_query(req, "added") != NULL)
		page_notice(root, "File uploaded.");
	page_field_error(content, TK_FORM_ERROR, error);
	admin_media_form(req, user, content, false);
	if (list.n == 0)
		tmpl_show(content, TK_EMPTY);
	else
		tmpl_show(content, TK_MEDIA_LIST);
	for (size_t i = 0; i < list.n; i++)
		media_row(content, &list.items[i], http_query(req, "added"));
	model_media_list_free(&list);
	page_render(req, status, root);
}

/* The editor's script asks for the Markdown alone. */
static bool
media_wants_text(struct http_request *req)
{
	const char *accept = http_header(req, "Accept");

	return accept != NULL && strncmp(accept, "text/plain", 10) == 0;
}

/* A refused upload: message as text to the script, else the list page. */
static void
media_refuse(struct http_request *req, const struct session_user *user,
             int status, const char *message)
{
	struct buf b = BUF_INIT;

	if (!media_wants_text(req)) {
		media_render(req, user, status, message);
		return;
	}
	buf_puts(&b, message);
	http_respond(req, status, TEXT_TYPE, &b);
}

/* The upload's type, or 0 with a status and message for the refusal. */
static const struct media_type *
media_check(struct http_request *req, const struct http_file *f, int *status,
            char *msg, size_t msglen)
{
	size_t max = http_req_app(req)->cfg->server.max_upload;
	const struct media_type *t = NULL;
	char size[32], limit[32], *name;

	if (f == NULL || f->len == 0) {
		*status = 400;
		snprintf(msg, msglen, "Choose a file to upload.");
		return NULL;
	}
	name = media_clean_name(f->filename);
	media_size_text(f->len, size);
	media_size_text(max, limit);
	if (f->len > max) {
		*status = 413;
		snprintf(msg, msglen, "%s is %s; files may be at most %s.",
		         name, size, limit);
	} else if ((t = media_sniff(f->data, f->len)) == NULL) {
		*status = 415;
		snprintf(msg, msglen,
		         "%s is not a PNG, JPEG, GIF, WebP or PDF file (its "
		         "content says so, whatever its name).",
		         name);
	}
	free(name);
	return t;
}

/* Stores f as type t: 0 and *m filled, or the status and message. */
static int
media_store(struct http_request *req, const struct http_file *f,
            const struct media_type *t, struct model_media *m, char *msg,
            size_t msglen)
{
	char hash[MEDIA_HASH_HEX + 1];
	struct model_media_input in;
	struct db_conn *conn;
	bool added;
	int rc;

	m->name = media_clean_name(f->filename);
	in = (struct model_media_input){
	    .type = t->mime, .name = m->name, .data = f->data, .len = f->len};
	if ((conn = db_acquire(http_req_app(req)->db)) == NULL) {
		snprintf(msg, msglen,
		         "The database cannot be reached: please "
		         "try again in a moment.");
		return 503;
	}
	rc = model_media_add(conn, &in, hash, &added);
	db_release(conn);
	if (rc == MODEL_OK) {
		m->hash = xstrdup(hash);
		return 0;
	}
	snprintf(msg, msglen, "%s",
	         rc == MODEL_INVALID
	             ? "The database refuses a file this large: its "
	               "max_allowed_packet must exceed [server] max_upload."
	             : "The file could not be stored: please try again in a "
	               "moment.");
	return rc == MODEL_INVALID ? 413 : 503;
}

static void
media_upload(struct http_request *req)
{
	const struct session_user *user = admin_require_post(req);
	const struct http_file *f = http_req_file(req, "file");
	const struct media_type *t;
	struct model_media m = {0};
	char msg[512], loc[128], *md;
	struct buf b = BUF_INIT;
	int status = 0;

	if (user == NULL)
		return;
	if ((t = media_check(req, f, &status, msg, sizeof(msg))) == NULL ||
	    (status = media_store(req, f, t, &m, msg, sizeof(msg))) != 0) {
		media_refuse(req, user, status, msg);
		model_media_free(&m);
		return;
	}
	if (media_wants_text(req)) {
		md = media_md(&m, t);
		buf_puts(&b, md);
		free(md);
		http_respond(req, 201, TEXT_TYPE, &b);
	} else {
		snprintf(loc, sizeof(loc), "/admin/media?added=%s", m.hash);
		http_redirect(req, 303, loc);
	}
	model_media_free(&m);
}

void
handle_admin_media(struct http_request *req)
{
	const struct session_user *user;

	if (http_req_method(req) == HTTP_POST) {
		media_upload(req);
		return;
	}
	if ((user = admin_require(req)) != NULL)
		media_render(req, user, 200, NULL);
}

void
handle_admin_media_delete(struct http_request *req)
{
	admin_act(req, model_media_delete, "/admin/media?deleted=1");
}
