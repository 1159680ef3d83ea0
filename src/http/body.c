/*
 * Request bodies (http_internal.h): kept as sent, or, for
 * multipart/form-data, parsed as they arrive by libmicrohttpd's post
 * processor, so that an uploaded file is held once (in its part) and never
 * as a raw body too. The text fields of a multipart body become the
 * request's form (http_form), the files are found with http_req_file.
 */
#include <microhttpd.h>
#include <string.h>
#include <strings.h>

#include "form.h"
#include "http.h"
#include "http_internal.h"
#include "xalloc.h"

/* Parts of one body: a form has a handful; more is not a browser. */
#define HTTP_MAX_PARTS 64
/* The post processor's own buffer (part headers, boundaries); MHD
 * suggests 32 or 64 KiB for speed, the data itself is not copied there. */
#define HTTP_PP_BUFFER (32 * 1024)

/* One multipart part, its data appended as MHD hands it over. */
struct http_part {
	char *name;
	char *filename; /* NULL: a text field */
	struct buf data;
	struct http_file file; /* what http_req_file gives out */
	struct http_part *next;
};

static bool
http_is_multipart(const char *ctype)
{
	static const char want[] = "multipart/form-data";

	return ctype != NULL && strncasecmp(ctype, want, sizeof(want) - 1) == 0;
}

/* The part that data for key continues, or a new one: MHD starts each
 * part at offset 0 and hands over its data in order. */
static struct http_part *
http_part_for(struct http_req_priv *rp, const char *key, const char *filename,
              uint64_t off)
{
	struct http_part **tail = &rp->parts, *last = NULL;
	size_t n = 0;

	for (; *tail != NULL; tail = &(*tail)->next, n++)
		last = *tail;
	if (last != NULL && strcmp(last->name, key) == 0 &&
	    (off != 0 || last->data.len == 0))
		return last;
	if (n >= HTTP_MAX_PARTS)
		return NULL;
	*tail = xcalloc(1, sizeof(**tail));
	(*tail)->name = xstrdup(key);
	if (filename != NULL)
		(*tail)->filename = xstrdup(filename);
	return *tail;
}

static enum MHD_Result
http_part_data(void *cls, enum MHD_ValueKind kind, const char *key,
               const char *filename, const char *content_type,
               const char *transfer_encoding, const char *data, uint64_t off,
               size_t size)
{
	struct http_part *p;

	(void)kind;
	(void)content_type; /* the client's word: the handler looks itself */
	(void)transfer_encoding;
	if (key == NULL || (p = http_part_for(cls, key, filename, off)) == NULL)
		return MHD_NO;
	buf_append(&p->data, data, size);
	return MHD_YES;
}

void
http_body_take(struct http_req_priv *rp, const char *data, size_t len)
{
	struct http_request *req = &rp->req;

	if (rp->bad_body)
		return;
	if (rp->pp == NULL &&
	    http_is_multipart(http_header(req, "Content-Type"))) {
		rp->pp = MHD_create_post_processor(req->conn, HTTP_PP_BUFFER,
		                                   http_part_data, rp);
		/* A multipart type without a usable boundary. */
		rp->bad_body = rp->pp == NULL;
	}
	if (rp->pp != NULL) {
		if (MHD_post_process(rp->pp, data, len) != MHD_YES)
			rp->bad_body = true;
	} else if (!rp->bad_body) {
		buf_append(&req->body, data, len);
	}
}

/* A text field into the form, unless it holds a NUL (as form_decode). */
static void
http_part_field(struct http_kv ***tail, struct http_part *p)
{
	struct http_kv *kv;

	if (memchr(buf_cstr(&p->data), '\0', p->data.len) != NULL)
		return;
	kv = xmalloc(sizeof(*kv));
	kv->name = xstrdup(p->name);
	kv->value = buf_detach(&p->data);
	kv->next = NULL;
	**tail = kv;
	*tail = &kv->next;
}

void
http_body_end(struct http_req_priv *rp)
{
	struct http_request *req = &rp->req;
	struct http_kv **tail = &req->form;

	if (rp->pp != NULL) {
		/* MHD_NO: the body ended inside a part. */
		if (MHD_destroy_post_processor(rp->pp) != MHD_YES)
			rp->bad_body = true;
		rp->pp = NULL;
	} else if (!http_is_multipart(http_header(req, "Content-Type"))) {
		return;
	}
	req->form_parsed = true; /* http_form reads the fields below */
	for (struct http_part *p = rp->parts; p != NULL; p = p->next) {
		if (p->filename == NULL) {
			http_part_field(&tail, p);
			continue;
		}
		p->file.filename = p->filename;
		p->file.data = (const unsigned char *)buf_cstr(&p->data);
		p->file.len = p->data.len;
	}
}

void
http_body_free(struct http_req_priv *rp)
{
	struct http_part *p, *next;

	if (rp->pp != NULL)
		MHD_destroy_post_processor(rp->pp);
	for (p = rp->parts; p != NULL; p = next) {
		next = p->next;
		free(p->name);
		free(p->filename);
		buf_free(&p->data);
		free(p);
	}
	buf_free(&rp->req.body);
}

const struct http_file *
http_req_file(struct http_request *req, const char *name)
{
	for (struct http_part *p = http_priv(req)->parts; p != NULL;
	     p = p->next)
		if (p->filename != NULL && strcmp(p->name, name) == 0)
			return &p->file;
	return NULL;
}
