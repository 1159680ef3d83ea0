/*
 * The data model: every query the application runs, over db.h. Each
 * function takes a borrowed connection (db_acquire) and never keeps it.
 *
 * Ownership: every char * inside a struct filled here is owned by that
 * struct and released by its *_free function (which also accepts a zeroed
 * struct). Dates are "YYYY-MM-DD HH:MM:SS" in UTC (the pool sets the session
 * time zone to +00:00); NULL when unset.
 *
 * Return values: 0 on success, or one of the negative MODEL_* codes. Every
 * change to what a visitor can see bumps content_version, so a page cache
 * in any instance can tell that it is stale.
 */
#ifndef BLOGD_MODEL_H
#define BLOGD_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "app.h"

struct db_conn;

#define MODEL_OK        0
#define MODEL_ERR       (-1) /* database error (logged): answer 500/503 */
#define MODEL_DUPLICATE (-2) /* unique name already taken */
#define MODEL_NOT_FOUND (-3)
#define MODEL_INVALID   (-4) /* input breaks a rule (slug, tag length...) */

#define MODEL_NAME_MAX         64    /* user names: 1-64 of [A-Za-z0-9_.-] */
#define MODEL_TITLE_MAX        200   /* code points */
#define MODEL_TAG_MAX          64    /* bytes per tag */
#define MODEL_EXCERPT_LEN      300   /* code points of plain text */
#define MODEL_COMMENT_NAME_MAX 100   /* code points */
#define MODEL_COMMENT_BODY_MAX 65535 /* bytes (TEXT) */

/* True when name is 1-64 chars of [A-Za-z0-9_.-]. */
bool model_user_name_valid(const char *name);

/* ---- users ---- */

struct model_user {
	long long id;
	char *name;
	char *password_hash;
	bool is_admin;
	char *created_at;
	bool totp; /* two-factor sign-in is on (model_user_find only) */
};

struct model_user_list {
	struct model_user *items;
	size_t n;
};

/* 0 (and *id when id != NULL), MODEL_DUPLICATE, MODEL_INVALID (bad name),
 * MODEL_ERR. */
int model_user_create(struct db_conn *conn, const char *name,
                      const char *password_hash, bool is_admin, long long *id);
/* 0, MODEL_NOT_FOUND or MODEL_ERR. */
int model_user_find(struct db_conn *conn, const char *name,
                    struct model_user *out);
/* Stores a new hash of the same password (an imported hash made argon2id
 * at sign-in): sessions stay. 0, MODEL_NOT_FOUND or MODEL_ERR. */
int model_user_rehash(struct db_conn *conn, long long id,
                      const char *password_hash);
/* Sets the password and ends the user's sessions and sign-ins waiting
 * for a code, but for the session keep names (hex of its token hash, as
 * session_user.binding; NULL: none is kept): whoever had the old password
 * is out. 0, MODEL_NOT_FOUND or MODEL_ERR. */
int model_user_set_password(struct db_conn *conn, long long id,
                            const char *password_hash, const char *keep);
/* Ordered by name; password_hash is NULL in list items. */
int model_user_list(struct db_conn *conn, struct model_user_list *out);
/* Deletes the user and their sessions. 0, MODEL_NOT_FOUND, MODEL_INVALID
 * when they still author posts (delete those first), MODEL_ERR. */
int model_user_delete(struct db_conn *conn, const char *name);
void model_user_free(struct model_user *u);
void model_user_list_free(struct model_user_list *l);

/* ---- posts ---- */

struct model_post {
	long long id;
	char *slug;
	char *title;
	char *body_md;   /* NULL in lists */
	char *body_html; /* NULL in lists unless asked for */
	char *excerpt;   /* plain text, ends with "…" when cut */
	/* The excerpt with its blocks, HTML made by markdown.h (safe to
	 * show as it is); NULL for a row not rendered again since 009. */
	char *excerpt_html;
	char *author_name;
	bool published;
	bool page;          /* kind "page": /pages/{slug}, in the navigation */
	bool scheduled;     /* published, but published_at is still ahead */
	char *published_at; /* NULL for a draft never published */
	char *created_at;
	char *updated_at;
	/* Tags (lower case, sorted); filled by the single-post getters only. */
	char **tags;
	size_t ntags;
	char *tags_csv; /* "a, b" for the edit form; "" when none */
};

/* What a create/update needs. */
struct model_post_input {
	const char *title;   /* required, 1..MODEL_TITLE_MAX code points */
	const char *slug;    /* NULL or "": made from the title */
	const char *body_md; /* required, may be "" */
	const char *tags;    /* comma-separated; NULL or "" for none */
	bool published;      /* first publish sets published_at */
	/* "YYYY-MM-DD HH:MM[:SS]" (UTC, text_datetime_normalize): the
	 * publication time, which may be ahead (scheduled: invisible until
	 * then); NULL or "": now on the first publication, else kept. */
	const char *publish_at;
	bool page;     /* a page (About): not in lists, tags or the feed */
	bool raw_html; /* site.allow_raw_html: keep HTML in Markdown */
	/* body_md is HTML, stored and served as it is (posts imported from
	 * an HTML body; model_post_update keeps what the post was). */
	bool html;
};

struct model_post_list {
	struct model_post *items;
	size_t n;
	bool has_more; /* another page follows */
};

struct model_post_query {
	const char *tag;    /* only posts with this tag, or NULL */
	const char *author; /* only posts by this user name, or NULL */
	long long page;     /* 1-based */
	long long per_page; /* 1..1000 */
	bool with_html;     /* fill body_html (feeds) */
};

/*
 * Create: a taken slug gets "-2", "-3", ... appended; a given slug that is
 * not text_is_slug() is MODEL_INVALID, as are an empty or too long title and
 * a tag longer than MODEL_TAG_MAX. Tags are trimmed, lower-cased (ASCII) and
 * deduplicated. On success *id and *slug_out (caller frees; both may be
 * NULL) say what was stored.
 */
int model_post_create(struct db_conn *conn, long long author_id,
                      const struct model_post_input *in, long long *id,
                      char **slug_out);
/* Same rules; unpublishing hides the post (published_at is kept so a
 * re-publish keeps its date). MODEL_NOT_FOUND when id does not exist. */
int model_post_update(struct db_conn *conn, long long id,
                      const struct model_post_input *in, char **slug_out);
/* Deletes the post, its comments and tag links. 0, MODEL_NOT_FOUND, ERR. */
int model_post_delete(struct db_conn *conn, long long id);
/* Any status (admin edit form). 0, MODEL_NOT_FOUND, MODEL_ERR. */
int model_post_get(struct db_conn *conn, long long id, struct model_post *out);
/* Visible only (published, its time come) and of the kind asked for
 * (page: a page, else a post); anything else is MODEL_NOT_FOUND. */
int model_post_get_published(struct db_conn *conn, const char *slug, bool page,
                             struct model_post *out);
/* Visible posts (never pages), newest first, with excerpt and author
 * name. A page past the end gives n == 0. */
int model_post_list_published(struct db_conn *conn,
                              const struct model_post_query *q,
                              struct model_post_list *out);
/* Visible pages, in the site navigation's order: first published first
 * (then by id); at most MODEL_NAV_MAX. */
#define MODEL_NAV_MAX 20
int model_page_list(struct db_conn *conn, struct model_post_list *out);
/* The admin's list: every post and page, drafts too, newest change first,
 * a page of q (q->page, q->per_page; tag and author unused) at a time;
 * with words (not NULL or ""), only those whose title or slug holds them
 * (case folded as the column's collation does). */
int model_post_list_admin(struct db_conn *conn, const char *words,
                          const struct model_post_query *q,
                          struct model_post_list *out);
/* Full-text search (natural language mode) over visible posts (pages
 * are not searched), best match first; q->tag and q->author are
 * ignored. */
int model_post_search(struct db_conn *conn, const char *words,
                      const struct model_post_query *q,
                      struct model_post_list *out);
void model_post_free(struct model_post *p);
void model_post_list_free(struct model_post_list *l);

/* ---- comments ---- */

struct model_comment {
	long long id;
	char *name;
	char *body; /* plain text: escape it, keep line breaks */
	char *created_at;
	/* Filled by the admin's lists (pending, published) only: */
	char *post_title;
	char *post_slug;
	char *email; /* "" when none */
};

struct model_comment_list {
	struct model_comment *items;
	size_t n;
};

/* A comment to store. */
struct model_comment_new {
	long long post_id;
	const char *name;
	const char *email; /* "" or NULL: none given */
	const char *body;
	const char *client_ip;
	bool approved;
};

/* MODEL_INVALID when name is empty or over MODEL_COMMENT_NAME_MAX, body
 * empty or over MODEL_COMMENT_BODY_MAX, either is not UTF-8, or an email
 * is given that text_is_email refuses (the handler should check first to
 * show field errors). *id (when not NULL) gets the new comment's id. */
int model_comment_create(struct db_conn *conn,
                         const struct model_comment_new *c, long long *id);
/* Approved comments of a post, oldest first. */
int model_comment_list_approved(struct db_conn *conn, long long post_id,
                                struct model_comment_list *out);
/* A post page: the visible post (not a page) slug names, with its tags,
 * and its approved comments oldest first, in one statement (one round
 * trip). MODEL_OK, MODEL_NOT_FOUND (a draft or a scheduled post too),
 * MODEL_ERR; free both. */
int model_post_page(struct db_conn *conn, const char *slug,
                    struct model_post *post,
                    struct model_comment_list *comments);
/* Moderation queue, oldest first, with post title and slug. */
int model_comment_list_pending(struct db_conn *conn,
                               struct model_comment_list *out);
/* Page page (from 1) of the approved comments, per_page each, newest
 * first, with post title and slug; *more tells whether an older page
 * follows. MODEL_OK or MODEL_ERR. */
int model_comment_list_published(struct db_conn *conn, long long page,
                                 long long per_page,
                                 struct model_comment_list *out, bool *more);
/* 0, MODEL_NOT_FOUND, MODEL_ERR. */
int model_comment_approve(struct db_conn *conn, long long id);
int model_comment_delete(struct db_conn *conn, long long id);
/* Count, or -1 on error. */
long long model_comment_count_pending(struct db_conn *conn);
/* The comments from client_ip in the last window seconds: *n of them, the
 * oldest made *age seconds ago (0 when none). 0 or MODEL_ERR. */
int model_comment_recent(struct db_conn *conn, const char *client_ip,
                         long long window, long long *n, long long *age);
/* Whether body was posted in the last window seconds on post_id or by
 * client_ip (same bytes: the comments_body index). 1, 0, or MODEL_ERR. */
int model_comment_repeated(struct db_conn *conn, long long post_id,
                           const char *client_ip, const char *body,
                           long long window);
void model_comment_list_free(struct model_comment_list *l);

/* ---- tags ---- */

struct model_tag_list {
	char **names;
	size_t n;
};

/* Tags with at least one published post, by name (sitemap). */
int model_tag_list_published(struct db_conn *conn, struct model_tag_list *out);
void model_tag_list_free(struct model_tag_list *l);

/* ---- sessions and login failures (auth/session.c, auth/throttle.c) ---- */

#define MODEL_SESSION_HASH_LEN 32 /* SHA-256 of the cookie value */

struct model_session {
	long long user_id;
	char *user_name;
	bool is_admin;
	long long idle; /* seconds since last_seen */
};

/* A session that ends max_age seconds from now, whatever its use. */
int model_session_create(struct db_conn *conn,
                         const unsigned char hash[MODEL_SESSION_HASH_LEN],
                         long long user_id, long long max_age);
/* MODEL_NOT_FOUND when absent, past its end or idle over idle_max s. */
int model_session_get(struct db_conn *conn,
                      const unsigned char hash[MODEL_SESSION_HASH_LEN],
                      long long idle_max, struct model_session *out);
/* last_seen = now. */
int model_session_touch(struct db_conn *conn,
                        const unsigned char hash[MODEL_SESSION_HASH_LEN]);
int model_session_delete(struct db_conn *conn,
                         const unsigned char hash[MODEL_SESSION_HASH_LEN]);
/* Deletes every expired or idle session. */
int model_session_purge(struct db_conn *conn, long long idle_max);
void model_session_free(struct model_session *s);

/* Records a failed login for account and client address. */
int model_login_failure_add(struct db_conn *conn, const char *account,
                            const char *client_ip);
/* Ages in seconds, newest first, of at most max failures of the last
 * window seconds for account, or (account NULL) for client_ip. */
int model_login_failure_recent(struct db_conn *conn, const char *account,
                               const char *client_ip, long long window,
                               size_t max, long long *ages, size_t *n);
/* Forgets the failures of account (a successful login). */
int model_login_failure_clear(struct db_conn *conn, const char *account);
/* Deletes failures older than window seconds. */
int model_login_failure_purge(struct db_conn *conn, long long window);

/* ---- two-factor sign-in (auth/totp.c, sql/007) ---- */

#define MODEL_TOTP_SECRET_LEN   20 /* bytes: RFC 4226's recommended size */
#define MODEL_TOTP_RECOVERY_N   10 /* recovery codes made at enrolment */
#define MODEL_TOTP_RECOVERY_LEN 32 /* SHA-256 of a recovery code */

struct model_totp {
	char name[MODEL_NAME_MAX + 1]; /* the account's */
	bool enabled;                  /* secret is set */
	unsigned char secret[MODEL_TOTP_SECRET_LEN];
	bool pending; /* pending_secret awaits its first code */
	unsigned char pending_secret[MODEL_TOTP_SECRET_LEN];
	long long recovery_left; /* unused recovery codes */
};

/* The two-factor state of user id. 0, MODEL_NOT_FOUND, MODEL_ERR. The
 * caller wipes out (explicit_bzero) after use. */
int model_totp_get(struct db_conn *conn, long long id, struct model_totp *out);
/* Stores secret as the pending one (enrolment started). */
int model_totp_set_pending(struct db_conn *conn, long long id,
                           const unsigned char secret[MODEL_TOTP_SECRET_LEN]);
/* Turns two-factor on: the pending secret, if it is still secret (another
 * tab may have started again), becomes the secret; step is the step of the
 * confirming code (used up); the recovery codes are replaced by the
 * MODEL_TOTP_RECOVERY_N hashes (only read; not const, as C would not pass
 * an array of arrays to it without a cast). One transaction.
 * MODEL_NOT_FOUND when the pending secret changed. */
int model_totp_enable(struct db_conn *conn, long long id,
                      const unsigned char secret[MODEL_TOTP_SECRET_LEN],
                      long long step,
                      unsigned char hashes[][MODEL_TOTP_RECOVERY_LEN]);
/* Replaces the recovery codes of user id, whose two-factor is on, by the
 * MODEL_TOTP_RECOVERY_N hashes (as model_totp_enable). One transaction.
 * MODEL_NOT_FOUND when two-factor is off. */
int
model_totp_recovery_replace(struct db_conn *conn, long long id,
                            unsigned char hashes[][MODEL_TOTP_RECOVERY_LEN]);
/* Turns two-factor off and forgets secret, pending secret and recovery
 * codes. MODEL_NOT_FOUND when there is no user id. */
int model_totp_disable(struct db_conn *conn, long long id);
/* Uses up time step step of user id: MODEL_OK when it is later than the
 * last step used, MODEL_NOT_FOUND (a replay) when not. One statement, so
 * two instances cannot both accept a code. */
int model_totp_use_step(struct db_conn *conn, long long id, long long step);
/* Uses up the unused recovery code with this hash: MODEL_OK or
 * MODEL_NOT_FOUND. */
int model_totp_use_recovery(struct db_conn *conn, long long id,
                            const unsigned char hash[MODEL_TOTP_RECOVERY_LEN]);

/* A sign-in waiting for its code (login_pending), max_age seconds from now;
 * deletes lapsed ones first. */
int model_login_pending_create(struct db_conn *conn,
                               const unsigned char hash[MODEL_SESSION_HASH_LEN],
                               long long user_id, long long max_age);
/* The user id of an unlapsed pending sign-in: 0, MODEL_NOT_FOUND, ERR. */
int model_login_pending_get(struct db_conn *conn,
                            const unsigned char hash[MODEL_SESSION_HASH_LEN],
                            long long *user_id);
int
model_login_pending_delete(struct db_conn *conn,
                           const unsigned char hash[MODEL_SESSION_HASH_LEN]);

/* ---- site ---- */

/* Makes the shared secret on first use, then reads it. 0 or -1. */
int model_site_secret(struct db_conn *conn, unsigned char out[APP_SECRET_LEN]);
/* Bumped on every visible change; -1 on error. Reads only (replicas). */
long long model_content_version(struct db_conn *conn);
/* The same, on the primary, for the poller of a cache: first bumps it
 * when a scheduled post's time has come (nothing else writes then; the
 * first poller after that time does, once for all instances). */
long long model_content_version_due(struct db_conn *conn);

/*
 * Session-ticket keys shared by every instance (sql/003): one per period
 * of period_s seconds by the database's clock. Makes the current
 * period's key if no instance has yet, deletes those older than the
 * previous period, and reads the newest two, newest first, into keys;
 * *n is 1 or 2. 0 or -1. The caller wipes keys after use.
 */
#define MODEL_TICKET_NAME_LEN 4
#define MODEL_TICKET_KEY_LEN  32
struct model_ticket_key {
	long long period;
	unsigned char name[MODEL_TICKET_NAME_LEN];
	unsigned char key[MODEL_TICKET_KEY_LEN];
};
int model_ticket_keys(struct db_conn *conn, long long period_s,
                      struct model_ticket_key keys[2], size_t *n);

#endif
