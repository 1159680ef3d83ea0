/*
 * Private to src/cli: blogd import django. The map names the source's
 * tables and columns (defaults: the "Django by Example" blog app, Django's
 * auth_user and django-taggit); django_map.c reads it from --map FILE.
 */
#ifndef BLOGD_CLI_DJANGO_H
#define BLOGD_CLI_DJANGO_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"

struct config;

/* One slot per key of the map file; the order of django_map_keys. */
enum django_key {
	DJ_POST_TABLE,
	DJ_POST_ID,
	DJ_POST_TITLE,
	DJ_POST_SLUG,
	DJ_POST_AUTHOR,
	DJ_POST_BODY,
	DJ_POST_PUBLISH,
	DJ_POST_CREATED,
	DJ_POST_UPDATED,
	DJ_POST_STATUS,
	DJ_POST_PUBLISHED, /* status values that mean published, comma list */
	DJ_POST_FORMAT,    /* auto, markdown or html */
	DJ_COMMENT_TABLE,
	DJ_COMMENT_ID,
	DJ_COMMENT_POST,
	DJ_COMMENT_NAME,
	DJ_COMMENT_EMAIL, /* used only when the table has it, unless set */
	DJ_COMMENT_BODY,
	DJ_COMMENT_CREATED,
	DJ_COMMENT_ACTIVE,
	DJ_USER_TABLE,
	DJ_USER_ID,
	DJ_USER_NAME,
	DJ_USER_PASSWORD,
	DJ_USER_SUPERUSER,
	DJ_USER_STAFF,
	DJ_USER_ACTIVE,
	DJ_USER_JOINED,
	DJ_REDIRECT_TABLE, /* contrib.redirects; used only when there */
	DJ_REDIRECT_ID,
	DJ_REDIRECT_OLD,
	DJ_REDIRECT_NEW,
	DJ_TAG_TABLE,
	DJ_TAG_ID,
	DJ_TAG_NAME,
	DJ_TAG_ITEMS,
	DJ_TAG_ITEM_OBJECT,
	DJ_TAG_ITEM_TAG,
	DJ_TAG_ITEM_TYPE,
	DJ_TAG_TYPES,
	DJ_TAG_APP_LABEL,
	DJ_TAG_MODEL,
	DJ_KEYS
};

struct django_map {
	char *v[DJ_KEYS]; /* "" for a column the source does not have */
};

/* "[section] key" of slot k, for messages. */
const char *django_key_name(enum django_key k);
/* True when slot k names a table or column (and must be an identifier). */
bool django_key_is_name(enum django_key k);
/* True when slot k still holds a default that names a column (or table)
 * the source may lack: then a missing one means "none", not a mistake. */
bool django_key_if_present(const struct django_map *m, enum django_key k);

/* The defaults, then path's keys over them (path NULL: defaults only).
 * Prints a one-line error naming the file, line and cause and returns -1
 * for an unknown section or key, a bad name or a required key left
 * empty. */
int django_map_load(struct django_map *m, const char *path);
void django_map_free(struct django_map *m);
/* True when value is one of the comma-separated published values. */
bool django_map_published(const struct django_map *m, const char *value);

/* Everything read from the source, each ordered by its first column; the
 * import rows borrow its strings. Dates are "YYYY-MM-DD HH:MM:SS", UTC. */
struct django_data {
	struct db_rows users;     /* id, name, password, is_superuser,
	                             is_staff, is_active, date_joined */
	struct db_rows posts;     /* id, title, slug, author, body, publish,
	                             created, updated, status */
	struct db_rows comments;  /* id, post, name, body, created, active,
	                             email; ordered by post, then id */
	struct db_rows tags;      /* object id, name */
	struct db_rows redirects; /* old path, new path ("": gone) */
	bool has_comments, has_tags, has_redirects;
};

/* 0 when pattern is an --old-urls pattern: a path with {slug} or {id}
 * and only {yyyy} {mm} {dd} {m} {d} {slug} {id}; else prints why, -1. */
int django_check_pattern(const char *pattern);
/* Connects to url (mysql://USER@HOST[:PORT]/DB or mysql://USER@/DB?
 * socket=PATH, plus ssl_ca= and ssl_verify=), with the password from
 * stdin, else asked on the terminal, else none; checks that the map's
 * tables and columns exist (emptying a default the source may lack:
 * django_key_if_present) and reads everything into out (free each
 * db_rows). Prints one line and returns -1 on any failure. */
int django_read(const struct config *cfg, const char *url, bool pw_stdin,
                struct django_map *m, struct django_data *out);

#endif
