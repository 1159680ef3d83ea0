/*
 * Importing a blog from elsewhere (blogd import django, blogd import
 * markdown): the rows an importer hands to the model, and the statements
 * that store them so that a second run updates instead of duplicating
 * (src/model/import.c), and the old URLs kept as redirects
 * (src/model/redirect.c).
 *
 * Each call takes a borrowed connection; the caller owns the transaction
 * (and the content_version bump, once per batch). Strings are borrowed.
 * Dates are "YYYY-MM-DD HH:MM:SS" in UTC.
 */
#ifndef BLOGD_IMPORT_H
#define BLOGD_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

struct db_conn;
struct db_rows;

/* What a call did to the blogd row. */
enum import_outcome {
	IMPORT_ADDED,
	IMPORT_UPDATED,
	IMPORT_UNCHANGED,
	IMPORT_KEPT, /* a user made in blogd itself: left as it is */
	IMPORT_OUTCOMES
};

struct import_user {
	const char *name; /* model_user_name_valid */
	const char *hash; /* argon2id, pbkdf2_sha256$, argon2$ (Django) */
	bool is_admin;
	bool active; /* false: stored as "!" + hash, which never verifies */
	const char *joined;
};

struct import_post {
	/* The source row, e.g. "blog_post:17"; NULL: the slug is the key
	 * (blogd import markdown), and is kept exactly. */
	const char *key;
	const char *slug; /* text_is_slug; a taken one gets "-2", ... */
	const char *title;
	const char *body; /* Markdown, or HTML when html */
	bool html;
	bool raw_html; /* [site] allow_raw_html for Markdown bodies */
	long long author_id;
	bool published;
	bool page; /* kind "page" (blogd import markdown) */
	const char *published_at, *created_at, *updated_at;
	const char *const *tags; /* names as in the source; lower-cased */
	size_t ntags;
};

struct import_comment {
	const char *key; /* e.g. "blog_comment:5" */
	long long post_id;
	const char *name;
	const char *email; /* "" or NULL: none */
	const char *body;
	const char *created_at;
	bool approved;
};

/* Insert or update by name. *id gets the blogd id. 0 or MODEL_ERR. A user
 * made in blogd (never imported) is IMPORT_KEPT and not changed. */
int model_import_user(struct db_conn *conn, const struct import_user *u,
                      long long *id, enum import_outcome *out);
/* Insert or update by key. MODEL_INVALID for a bad title, body or tag.
 * *id gets the post's id. */
int model_import_post(struct db_conn *conn, const struct import_post *p,
                      long long *id, enum import_outcome *out);
/* Insert or update by key. MODEL_INVALID for a bad name, body or email. */
int model_import_comment(struct db_conn *conn, const struct import_comment *c,
                         enum import_outcome *out);
/* Answers path (as requested, percent-encoded, at most 500 bytes) with
 * the post's page. Insert or update by path. */
int model_import_redirect(struct db_conn *conn, const char *path,
                          long long post_id, enum import_outcome *out);

/* Renders the excerpts of the posts stored before they had HTML ones
 * (excerpt_html NULL, sql/009_*.sql) from their bodies again; raw_html:
 * [site] allow_raw_html. *n gets how many. 0 or MODEL_ERR. */
int model_import_excerpts(struct db_conn *conn, bool raw_html, long long *n);

/* The end of a batch: marks visible content as changed, so every
 * instance's page cache drops what it holds. 0 or -1. */
int model_import_done(struct db_conn *conn);

/* The posts (comments: the comments) an import copied from rows of the
 * source table: column 0 blogd's id, column 1 the source row's id (what
 * follows "table:" in import_key). Rows made in blogd have no key and are
 * never among them. 0 or MODEL_ERR. */
int model_import_copies(struct db_conn *conn, bool comments, const char *table,
                        struct db_rows *out);

/* The id of the post with slug: 0 and *id, MODEL_NOT_FOUND, MODEL_ERR. */
int model_import_post_id(struct db_conn *conn, const char *slug, long long *id);

/*
 * blogd export: every row a blog is made of, as db_rows the caller frees
 * (db_rows_free), in an order that depends on the data only (not on ids),
 * so exporting what an export imported gives the same files. Columns:
 *   users:     name, is_admin, created_at, password_hash (by name)
 *   posts:     id, slug, title, author name, status, body_format,
 *              published_at, created_at, updated_at, body_md, kind
 *              (by slug)
 *   tags:      post id, tag name (by post slug, tag name)
 *   comments:  post slug, status, created_at, name, body, email (by
 *              post slug, date, id)
 *   redirects: path, post slug or target ("" gone, "/path" or
 *              "http(s)://...": text_is_redirect_target) (by path)
 * 0 or MODEL_ERR.
 */
int model_export_users(struct db_conn *conn, struct db_rows *rows);
int model_export_posts(struct db_conn *conn, struct db_rows *rows);
int model_export_tags(struct db_conn *conn, struct db_rows *rows);
int model_export_comments(struct db_conn *conn, struct db_rows *rows);
int model_export_redirects(struct db_conn *conn, struct db_rows *rows);

/* Where an old path goes: its post's page ("/posts/SLUG"), the target it
 * was given, or "" (gone: 410). 0 and *location (caller frees),
 * MODEL_NOT_FOUND or MODEL_ERR. */
int model_redirect_find(struct db_conn *conn, const char *path,
                        char **location);
/* Whether any old path is kept: 1, 0, or -1 on error. */
int model_redirect_any(struct db_conn *conn);
/* Sends path (text_is_redirect_path) to target (text_is_redirect_target;
 * "" for gone), replacing what it did; an old URL kept for a post only
 * when over_post (by hand: yes; Django's redirects app: no, as Django
 * served the post there first). MODEL_INVALID for either refused; marks
 * content as changed. */
int model_redirect_set(struct db_conn *conn, const char *path,
                       const char *target, bool over_post,
                       enum import_outcome *out);
/* 0, MODEL_NOT_FOUND, MODEL_ERR; marks content as changed. */
int model_redirect_delete(struct db_conn *conn, const char *path);
/* The redirects by path: path, location (as model_redirect_find: "" is
 * gone), 1 when a post's old URL. posts false: only those that are not
 * (an import may keep thousands). 0 or MODEL_ERR. */
int model_redirect_list(struct db_conn *conn, bool posts, struct db_rows *out);
/* How many old URLs are kept for posts, or -1 on error. */
long long model_redirect_post_count(struct db_conn *conn);

#endif
