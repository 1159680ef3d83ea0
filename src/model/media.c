/* Uploaded images and files (include/model_media.h). */
#include "model_media.h"

#include <string.h>

#include "buf.h"
#include "crypto.h"
#include "db.h"
#include "internal.h"
#include "xalloc.h"

/* The admin list's bound: a page, not a paging scheme (a blog with more
 * files than this has more to fix than the list). */
#define MEDIA_LIST_MAX 5000

/* What a row takes in the INSERT's packet besides the bytes: the other
 * values (a name of 255 characters is at most 1 KiB) and the framing. */
#define MEDIA_PACKET_SLACK (16 * 1024)

/*
 * Before an INSERT: MODEL_OK when hash is stored already, MODEL_INVALID
 * when len bytes would not fit the server's max_allowed_packet (checked
 * here because the server answers such a packet by closing the
 * connection, which the client may see only as a lost connection),
 * MODEL_NOT_FOUND when the INSERT may go, MODEL_ERR.
 */
static int
media_precheck(struct db_conn *conn, const char *hash, size_t len)
{
	struct db_rows rows;
	int rc;

	if (db_query(conn, &rows,
	             "SELECT (SELECT 1 FROM media WHERE hash = ?), "
	             "@@max_allowed_packet",
	             "s", hash) != 0)
		return MODEL_ERR;
	if (rows.nrows != 1)
		rc = MODEL_ERR;
	else if (db_cell(&rows, 0, 0) != NULL)
		rc = MODEL_OK;
	else if ((unsigned long long)db_cell_int(&rows, 0, 1) <
	         (unsigned long long)len + MEDIA_PACKET_SLACK)
		rc = MODEL_INVALID;
	else
		rc = MODEL_NOT_FOUND;
	db_rows_free(&rows);
	return rc;
}

int
model_media_add(struct db_conn *conn, const struct model_media_input *in,
                char hash[MEDIA_HASH_HEX + 1], bool *added)
{
	unsigned char digest[32];
	uint64_t affected = 0;
	int rc;

	crypto_sha256(in->data, in->len, digest);
	crypto_hex(digest, sizeof(digest), hash);
	/* Known bytes are found without sending them again (an INSERT that
	 * meets the key costs InnoDB seconds for 10 MiB). */
	if ((rc = media_precheck(conn, hash, in->len)) != MODEL_NOT_FOUND) {
		*added = false;
		return rc;
	}
	/* Another upload of the same bytes may come in between: then the
	 * key finds its row. Not INSERT IGNORE, which would also turn a value
	 * too long for its column into a warning and a cut value. */
	if (db_exec(conn, &affected, NULL,
	            "INSERT INTO media (hash, type, size, name, created_at, "
	            "bytes) VALUES (?, ?, ?, ?, COALESCE(?, UTC_TIMESTAMP()), "
	            "?) ON DUPLICATE KEY UPDATE id = id",
	            "ssissb", hash, in->type, (long long)in->len, in->name,
	            in->created_at, in->data, in->len) != 0)
		return MODEL_ERR;
	*added = affected == 1;
	return MODEL_OK;
}

/* Row r of a "id, hash, type, size, name, created_at" result. */
static void
media_from_row(const struct db_rows *rows, size_t r, struct model_media *m)
{
	m->id = db_cell_int(rows, r, 0);
	m->hash = model_cell_dup(rows, r, 1);
	m->type = model_cell_dup(rows, r, 2);
	m->size = db_cell_int(rows, r, 3);
	m->name = model_cell_dup(rows, r, 4);
	m->created_at = model_cell_dup(rows, r, 5);
}

int
model_media_get(struct db_conn *conn, const char *hash, struct model_media *out)
{
	struct db_rows rows;
	int rc = MODEL_NOT_FOUND;

	memset(out, 0, sizeof(*out));
	if (db_query(conn, &rows,
	             "SELECT id, hash, type, size, name, created_at FROM media "
	             "WHERE hash = ?",
	             "s", hash) != 0)
		return MODEL_ERR;
	if (rows.nrows > 0) {
		media_from_row(&rows, 0, out);
		rc = MODEL_OK;
	}
	db_rows_free(&rows);
	return rc;
}

int
model_media_bytes(struct db_conn *conn, const char *hash, struct buf *out)
{
	switch (db_query_blob(
	    conn, out, "SELECT bytes FROM media WHERE hash = ?", "s", hash)) {
	case 0:
		return MODEL_OK;
	case 1:
		return MODEL_NOT_FOUND;
	default:
		return MODEL_ERR;
	}
}

int
model_media_list(struct db_conn *conn, struct model_media_list *out)
{
	struct db_rows rows;

	memset(out, 0, sizeof(*out));
	if (db_query(conn, &rows,
	             "SELECT id, hash, type, size, name, created_at FROM media "
	             "ORDER BY created_at DESC, id DESC LIMIT ?",
	             "i", (long long)MEDIA_LIST_MAX) != 0)
		return MODEL_ERR;
	out->items = xcalloc(rows.nrows, sizeof(*out->items));
	out->n = rows.nrows;
	for (size_t r = 0; r < rows.nrows; r++)
		media_from_row(&rows, r, &out->items[r]);
	db_rows_free(&rows);
	return MODEL_OK;
}

int
model_media_delete(struct db_conn *conn, long long id)
{
	uint64_t affected = 0;

	if (db_exec(conn, &affected, NULL, "DELETE FROM media WHERE id = ?",
	            "i", id) != 0)
		return MODEL_ERR;
	return affected > 0 ? MODEL_OK : MODEL_NOT_FOUND;
}

int
model_export_media(struct db_conn *conn, struct db_rows *rows)
{
	return model_rc(db_query(conn, rows,
	                         "SELECT hash, type, name, created_at FROM "
	                         "media ORDER BY hash",
	                         ""));
}

void
model_media_free(struct model_media *m)
{
	if (m == NULL)
		return;
	free(m->hash);
	free(m->type);
	free(m->name);
	free(m->created_at);
	memset(m, 0, sizeof(*m));
}

void
model_media_list_free(struct model_media_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		model_media_free(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}
