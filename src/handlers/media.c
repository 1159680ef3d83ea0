/*
 * GET /media/HASH.EXT: an uploaded image or file, from the database so
 * that every instance serves it. The URL names the content (its SHA-256),
 * so a response never changes: cached for a year as immutable, with the
 * hash as its ETag. Whatever the bytes are, they never run as a page: the
 * type is the one blogd found in them at upload, nosniff, and a sandbox
 * policy that allows nothing (docs/RUNTIME.md, "Media").
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "buf.h"
#include "db.h"
#include "handlers.h"
#include "http_shared.h"
#include "media.h"
#include "model_media.h"
#include "text.h"
#include "xalloc.h"

#define MEDIA_CSP "default-src 'none'; sandbox"

/* Content-Disposition: inline for images, a download for the rest, with
 * the uploader's file name (RFC 6266: an ASCII fallback and the UTF-8
 * name percent-encoded). */
static void
media_disposition(struct http_request *req, const struct media_type *t,
                  const char *name)
{
	size_t n = strlen(name);
	char *ascii = xstrdup(name), *enc = xmalloc(3 * n + 1);
	struct buf b = BUF_INIT;

	for (char *p = ascii; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80 || *p == '"' || *p == '\\')
			*p = '_';
	enc[text_url_encode(enc, name, n)] = '\0';
	buf_printf(&b, "%s; filename=\"%s\"; filename*=UTF-8''%s",
	           t->image ? "inline" : "attachment", ascii, enc);
	http_add_header(req, "Content-Disposition", buf_cstr(&b));
	buf_free(&b);
	free(enc);
	free(ascii);
}

/* The headers of a 200 or 304: the hash as a strong ETag (the bytes are
 * the hash's, whatever the encoding), cached for good, and a sandbox
 * policy on top of the site's (a second policy can only narrow). */
static void
media_cache_headers(struct http_request *req, const char *hash)
{
	char etag[MEDIA_HASH_HEX + 3];

	snprintf(etag, sizeof(etag), "\"%s\"", hash);
	http_add_header(req, "ETag", etag);
	http_add_header(req, "Cache-Control",
	                "public, max-age=31536000, immutable");
	http_add_header(req, "Content-Security-Policy", MEDIA_CSP);
}

/* The row of hash when ext is its type's, else answered (404, 503). */
static const struct media_type *
media_find(struct http_request *req, struct db_conn *conn, const char *hash,
           const char *ext, struct model_media *m)
{
	const struct media_type *t;
	int rc = model_media_get(conn, hash, m);

	if (rc == MODEL_ERR) {
		http_error(req, 503);
		return NULL;
	}
	t = rc == MODEL_OK ? media_type_of(m->type) : NULL;
	if (t == NULL || strcmp(ext, t->ext) != 0) {
		http_error(req, 404);
		return NULL;
	}
	return t;
}

void
handle_media(struct http_request *req)
{
	char hash[MEDIA_HASH_HEX + 1], weak[MEDIA_HASH_HEX + 5];
	const char *ext;
	const struct media_type *t;
	struct model_media m = {0};
	struct buf bytes = BUF_INIT;
	struct db_conn *conn;
	bool fresh = false;
	int rc = MODEL_ERR;

	if (!media_file_split(http_req_param(req, 0), hash, &ext)) {
		http_error(req, 404);
		return;
	}
	/* A replica in service has every file a page it serves shows: the
	 * upload committed before the post that shows it. */
	if ((conn = handlers_db_read(req)) == NULL)
		return;
	snprintf(weak, sizeof(weak), "W/\"%s\"", hash);
	if ((t = media_find(req, conn, hash, ext, &m)) != NULL) {
		fresh =
		    http_etag_listed(http_header(req, "If-None-Match"), weak);
		/* HEAD too: its Content-Length is the size of the bytes. */
		if (!fresh)
			rc = model_media_bytes(conn, hash, &bytes);
	}
	db_release(conn);
	if (t == NULL) {
		/* answered by media_find */
	} else if (fresh) {
		media_cache_headers(req, hash);
		http_respond_static(req, 304, NULL, "", 0);
	} else if (rc == MODEL_OK) {
		media_cache_headers(req, hash);
		media_disposition(req, t, m.name);
		http_respond(req, 200, t->mime, &bytes); /* takes bytes */
	} else {
		/* Deleted between the two statements, or the database. */
		http_error(req, rc == MODEL_NOT_FOUND ? 404 : 503);
	}
	model_media_free(&m);
	buf_free(&bytes);
}
