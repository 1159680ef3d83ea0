/*
 * The --map file of blogd import django (django.h): an INI file in the
 * shape of blogd.conf ("#" or ";" comment lines, [section], key = value,
 * "# ..." after a value) whose keys override the defaults below.
 * docs/IMPORT.md has an example.
 */
#include "django.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "xalloc.h"

struct key_def {
	const char *section;
	const char *key;
	const char *def;
	bool required; /* may not be empty */
	bool is_name;  /* a table or column: checked as an identifier */
};

/* Indexed by enum django_key. */
static const struct key_def keys[DJ_KEYS] = {
    [DJ_POST_TABLE] = {"posts", "table", "blog_post", true, true},
    [DJ_POST_ID] = {"posts", "id", "id", true, true},
    [DJ_POST_TITLE] = {"posts", "title", "title", true, true},
    [DJ_POST_SLUG] = {"posts", "slug", "slug", true, true},
    [DJ_POST_AUTHOR] = {"posts", "author", "author_id", true, true},
    [DJ_POST_BODY] = {"posts", "body", "body", true, true},
    [DJ_POST_PUBLISH] = {"posts", "publish", "publish", true, true},
    [DJ_POST_CREATED] = {"posts", "created", "created", false, true},
    [DJ_POST_UPDATED] = {"posts", "updated", "updated", false, true},
    [DJ_POST_STATUS] = {"posts", "status", "status", false, true},
    [DJ_POST_PUBLISHED] = {"posts", "published", "published,PB", false, false},
    [DJ_POST_FORMAT] = {"posts", "format", "auto", true, false},
    [DJ_COMMENT_TABLE] = {"comments", "table", "blog_comment", false, true},
    [DJ_COMMENT_ID] = {"comments", "id", "id", true, true},
    [DJ_COMMENT_POST] = {"comments", "post", "post_id", true, true},
    [DJ_COMMENT_NAME] = {"comments", "name", "name", true, true},
    [DJ_COMMENT_EMAIL] = {"comments", "email", "email", false, true},
    [DJ_COMMENT_BODY] = {"comments", "body", "body", true, true},
    [DJ_COMMENT_CREATED] = {"comments", "created", "created", true, true},
    [DJ_COMMENT_ACTIVE] = {"comments", "active", "active", false, true},
    [DJ_USER_TABLE] = {"users", "table", "auth_user", true, true},
    [DJ_USER_ID] = {"users", "id", "id", true, true},
    [DJ_USER_NAME] = {"users", "username", "username", true, true},
    [DJ_USER_PASSWORD] = {"users", "password", "password", true, true},
    [DJ_USER_SUPERUSER] = {"users", "is_superuser", "is_superuser", false,
                           true},
    [DJ_USER_STAFF] = {"users", "is_staff", "is_staff", false, true},
    [DJ_USER_ACTIVE] = {"users", "is_active", "is_active", false, true},
    [DJ_USER_JOINED] = {"users", "date_joined", "date_joined", false, true},
    [DJ_REDIRECT_TABLE] = {"redirects", "table", "django_redirect", false,
                           true},
    [DJ_REDIRECT_ID] = {"redirects", "id", "id", true, true},
    [DJ_REDIRECT_OLD] = {"redirects", "old_path", "old_path", true, true},
    [DJ_REDIRECT_NEW] = {"redirects", "new_path", "new_path", true, true},
    [DJ_TAG_TABLE] = {"tags", "table", "taggit_tag", false, true},
    [DJ_TAG_ID] = {"tags", "id", "id", true, true},
    [DJ_TAG_NAME] = {"tags", "name", "name", true, true},
    [DJ_TAG_ITEMS] = {"tags", "items", "taggit_taggeditem", true, true},
    [DJ_TAG_ITEM_OBJECT] = {"tags", "item_object", "object_id", true, true},
    [DJ_TAG_ITEM_TAG] = {"tags", "item_tag", "tag_id", true, true},
    [DJ_TAG_ITEM_TYPE] = {"tags", "item_content_type", "content_type_id", false,
                          true},
    [DJ_TAG_TYPES] = {"tags", "content_types", "django_content_type", true,
                      true},
    [DJ_TAG_APP_LABEL] = {"tags", "app_label", "blog", true, false},
    [DJ_TAG_MODEL] = {"tags", "model", "post", true, false},
};

/* A table's other keys only matter when the table is imported at all:
 * the table key of each key's section. */
static enum django_key
table_of(enum django_key k)
{
	if (k >= DJ_TAG_TABLE)
		return DJ_TAG_TABLE;
	if (k >= DJ_REDIRECT_TABLE)
		return DJ_REDIRECT_TABLE;
	if (k >= DJ_USER_TABLE)
		return DJ_USER_TABLE;
	if (k >= DJ_COMMENT_TABLE)
		return DJ_COMMENT_TABLE;
	return DJ_POST_TABLE;
}

const char *
django_key_name(enum django_key k)
{
	static char names[DJ_KEYS][48];

	/* Filled on first use; the import runs on one thread. */
	if (names[k][0] == '\0')
		snprintf(names[k], sizeof(names[k]), "[%s] %s", keys[k].section,
		         keys[k].key);
	return names[k];
}

bool
django_key_is_name(enum django_key k)
{
	return keys[k].is_name;
}

bool
django_key_if_present(const struct django_map *m, enum django_key k)
{
	/* The address, which blogd did not read before, so that a map
	 * written then for a table without one still works; and Django's
	 * redirects app, which most sites do not install. */
	return (k == DJ_COMMENT_EMAIL || k == DJ_REDIRECT_TABLE) &&
	       strcmp(m->v[k], keys[k].def) == 0;
}

/* MySQL identifiers as Django makes them; nothing that needs quoting
 * beyond the backquotes the queries put around them. */
static bool
is_identifier(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') ||
		      (s[n] >= 'A' && s[n] <= 'Z') ||
		      (s[n] >= '0' && s[n] <= '9') || s[n] == '_' ||
		      s[n] == '$'))
			return false;
	return n <= 64;
}

static int
find_key(const char *section, const char *key)
{
	for (int k = 0; k < DJ_KEYS; k++)
		if (strcmp(keys[k].section, section) == 0 &&
		    strcmp(keys[k].key, key) == 0)
			return k;
	return -1;
}

static bool
known_section(const char *section)
{
	for (int k = 0; k < DJ_KEYS; k++)
		if (strcmp(keys[k].section, section) == 0)
			return true;
	return false;
}

/* One line of the file (trimmed, not a comment or blank). */
static int
map_line(struct django_map *m, const char *path, unsigned lineno, char *line,
         char *section, size_t seclen)
{
	char *eq, *key, *value;
	size_t len = strlen(line);

	if (line[0] == '[') {
		if (line[len - 1] != ']' || len - 2 >= seclen) {
			fprintf(stderr, "blogd: %s:%u: bad section line\n",
			        path, lineno);
			return -1;
		}
		snprintf(section, seclen, "%.*s", (int)(len - 2), line + 1);
		if (!known_section(section)) {
			fprintf(stderr,
			        "blogd: %s:%u: unknown section [%s] (posts, "
			        "comments, users, redirects, tags)\n",
			        path, lineno, section);
			return -1;
		}
		return 0;
	}
	if ((eq = strchr(line, '=')) == NULL) {
		fprintf(stderr, "blogd: %s:%u: expected key = value\n", path,
		        lineno);
		return -1;
	}
	*eq = '\0';
	/* A comment may follow a value after white space. */
	for (char *c = eq + 1; *c != '\0'; c++)
		if (*c == '#' && (c[-1] == ' ' || c[-1] == '\t')) {
			*c = '\0';
			break;
		}
	key = text_trim(line);
	value = text_trim(eq + 1);
	int k = find_key(section, key);
	if (k < 0)
		fprintf(stderr, "blogd: %s:%u: unknown key '%s' in [%s]\n",
		        path, lineno, key, section);
	free(key);
	if (k < 0) {
		free(value);
		return -1;
	}
	free(m->v[k]);
	m->v[k] = value;
	return 0;
}

static int
map_read(struct django_map *m, const char *path)
{
	char buf[1024], section[32] = "";
	unsigned lineno = 0;
	int rc = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		fprintf(stderr, "blogd: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(buf, sizeof(buf), f) != NULL) {
		char *line = text_trim(buf);
		lineno++;
		if (line[0] != '\0' && line[0] != '#' && line[0] != ';')
			rc = map_line(m, path, lineno, line, section,
			              sizeof(section));
		free(line);
	}
	if (rc == 0 && ferror(f)) {
		fprintf(stderr, "blogd: %s: read error\n", path);
		rc = -1;
	}
	fclose(f);
	return rc;
}

/* Every value right for its key; tables set to "" switch a part off. */
static int
map_check(const struct django_map *m, const char *path)
{
	const char *where = path != NULL ? path : "--map";

	for (int k = 0; k < DJ_KEYS; k++) {
		bool off = m->v[table_of(k)][0] == '\0';
		if (keys[k].is_name && !is_identifier(m->v[k])) {
			fprintf(stderr,
			        "blogd: %s: %s: '%s' is not a table or column "
			        "name\n",
			        where, django_key_name(k), m->v[k]);
			return -1;
		}
		if (keys[k].required && !off && m->v[k][0] == '\0') {
			fprintf(stderr, "blogd: %s: %s may not be empty\n",
			        where, django_key_name(k));
			return -1;
		}
	}
	const char *f = m->v[DJ_POST_FORMAT];
	if (strcmp(f, "auto") != 0 && strcmp(f, "markdown") != 0 &&
	    strcmp(f, "html") != 0) {
		fprintf(stderr,
		        "blogd: %s: [posts] format must be auto, markdown or "
		        "html\n",
		        where);
		return -1;
	}
	return 0;
}

int
django_map_load(struct django_map *m, const char *path)
{
	for (int k = 0; k < DJ_KEYS; k++)
		m->v[k] = xstrdup(keys[k].def);
	if ((path != NULL && map_read(m, path) != 0) ||
	    map_check(m, path) != 0) {
		django_map_free(m);
		return -1;
	}
	return 0;
}

void
django_map_free(struct django_map *m)
{
	for (int k = 0; k < DJ_KEYS; k++) {
		free(m->v[k]);
		m->v[k] = NULL;
	}
}

bool
django_map_published(const struct django_map *m, const char *value)
{
	const char *p = m->v[DJ_POST_PUBLISHED];
	size_t n = strlen(value);

	if (m->v[DJ_POST_STATUS][0] == '\0')
		return true; /* no status column: everything is published */
	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		size_t len = strcspn(p, ",");
		size_t trim = len;
		while (trim > 0 && p[trim - 1] == ' ')
			trim--;
		if (trim == n && trim > 0 && strncmp(p, value, n) == 0)
			return true;
		p += len;
	}
	return false;
}
