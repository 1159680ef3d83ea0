/*
 * Uploaded images and files (sql/008_media.sql, src/model/media.c): rows
 * keyed by the SHA-256 of their bytes, served by GET /media/HASH.EXT.
 * Return values as in model.h. Media are not visible content of their own
 * (a page shows them by URL), so changes do not bump content_version.
 */
#ifndef BLOGD_MODEL_MEDIA_H
#define BLOGD_MODEL_MEDIA_H

#include <stdbool.h>
#include <stddef.h>

#include "media.h"
#include "model.h"

struct buf;
struct db_conn;
struct db_rows;

/* A row without its bytes; strings owned (model_media_free). */
struct model_media {
	long long id;
	char *hash; /* MEDIA_HASH_HEX lower-case hex */
	char *type; /* a media_type mime */
	long long size;
	char *name;
	char *created_at;
};

struct model_media_list {
	struct model_media *items;
	size_t n;
};

/* What an upload or an import stores; strings borrowed. */
struct model_media_input {
	const char *type;
	const char *name;       /* media_clean_name */
	const char *created_at; /* NULL: now */
	const void *data;
	size_t len;
};

/* Stores in under the SHA-256 of its bytes (written to hash), or finds
 * the row that has that hash already (*added false: same bytes, same URL;
 * that row keeps its name). MODEL_OK, MODEL_INVALID when the file does not
 * fit the server's max_allowed_packet, MODEL_ERR. */
int model_media_add(struct db_conn *conn, const struct model_media_input *in,
                    char hash[MEDIA_HASH_HEX + 1], bool *added);
/* The row of hash without its bytes: MODEL_OK, MODEL_NOT_FOUND, ERR. */
int model_media_get(struct db_conn *conn, const char *hash,
                    struct model_media *out);
/* The bytes of hash into out (replaced): MODEL_OK, MODEL_NOT_FOUND (gone
 * since model_media_get), MODEL_ERR. */
int model_media_bytes(struct db_conn *conn, const char *hash, struct buf *out);
/* Every row, newest first (the admin list). */
int model_media_list(struct db_conn *conn, struct model_media_list *out);
/* MODEL_OK, MODEL_NOT_FOUND, MODEL_ERR. */
int model_media_delete(struct db_conn *conn, long long id);
/* blogd export: hash, type, name, created_at of every row, by hash. */
int model_export_media(struct db_conn *conn, struct db_rows *rows);
void model_media_free(struct model_media *m);
void model_media_list_free(struct model_media_list *l);

#endif
