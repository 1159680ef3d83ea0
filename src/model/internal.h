/* Private to src/model: helpers shared by the model files. */
#ifndef BLOGD_MODEL_INTERNAL_H
#define BLOGD_MODEL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct db_conn;
struct db_rows;

/* Copy of a cell, NULL for SQL NULL. Caller frees. */
char *model_cell_dup(const struct db_rows *rows, size_t row, size_t col);
/* A db_exec or db_query result (0 or -1) as MODEL_OK or MODEL_ERR. */
static inline int
model_rc(int db_rc)
{
	return db_rc == 0 ? MODEL_OK : MODEL_ERR;
}
/* The n-th slug to try (n from 1): base, then base-2, base-3 ..., cut so
 * the whole stays within SLUG_MAX and never ends in '-' before the
 * suffix. Caller frees. */
char *model_slug_candidate(const char *base, int n);
/* db_rows_free after zeroing every cell: for results that held secrets
 * (private keys, ticket keys), as freed memory is reused. */
void model_rows_free_secret(struct db_rows *rows);
/* Frees the n strings of v and v itself. */
void model_strv_free(char **v, size_t n);
/*
 * Reads of one row, by a unique key: MODEL_OK with rows holding that row
 * (the caller frees them: db_rows_free, or model_rows_free_secret),
 * MODEL_NOT_FOUND when there is none (or, the key not being unique, more
 * than one), MODEL_ERR; rows own nothing then.
 * The _int and _text forms return the row's first cell instead (text:
 * a copy the caller frees, NULL for SQL NULL).
 */
int model_query_row(struct db_conn *conn, struct db_rows *rows, const char *sql,
                    const char *types, ...);
int model_query_int(struct db_conn *conn, long long *out, const char *sql,
                    const char *types, ...);
int model_query_text(struct db_conn *conn, char **out, const char *sql,
                     const char *types, ...);
/* Runs sql, a literal "SELECT 1 ... WHERE id = ?": MODEL_OK when it finds
 * a row, MODEL_NOT_FOUND, MODEL_ERR. */
int model_row_exists(struct db_conn *conn, const char *sql, long long id);
/* site.c: runs sql, a literal "DELETE ... WHERE id = ?" of visible content:
 * MODEL_NOT_FOUND when no row went, else the content version is bumped.
 * MODEL_OK or MODEL_ERR. */
int model_delete_visible(struct db_conn *conn, const char *sql, long long id);
/* The comment in columns col to col + 3 of row r: id, name, body,
 * created_at. */
void model_comment_from_row(const struct db_rows *rows, size_t r, size_t col,
                            struct model_comment *c);
/*
 * A post a visitor may see, for the WHERE of a statement over posts p:
 * published and its time come by the database's clock, so a scheduled
 * post shows on every instance at once (sql/009_*.sql).
 */
#define MODEL_VISIBLE                                                          \
	"p.status = 'published' AND p.published_at <= UTC_TIMESTAMP()"
/* What post_tags.published_at copies from its post p: the date while it
 * is a published post, NULL for a draft or a page (no tag lists them). */
#define MODEL_TAG_DATE                                                         \
	"IF(p.status = 'published' AND p.kind = 'post', p.published_at, NULL)"
/*
 * post.c: replaces post_id's tag links with tags (valid names; stored in
 * lower case) and copies their names into posts.tag_names (sql/010_*.sql).
 * Runs after every write of the post row, in its transaction: each link
 * holds the post's date, NULL for a draft or a page (sql/002_*.sql).
 * 0 or -1.
 */
int model_post_tags_store(struct db_conn *conn, long long post_id,
                          const char *const *tags, size_t ntags);
/* Marks visible content as changed (content_version), and notes when the
 * next scheduled post will show (model_content_version_due). 0 or -1. */
int model_bump_version(struct db_conn *conn);
/* MariaDB's affected rows for INSERT ... ON DUPLICATE KEY UPDATE: 1 a new
 * row, 2 an updated one, 0 a row already equal (redirect.c). */
enum import_outcome model_upsert_outcome(uint64_t affected);

#endif
