/*
 * Configuration (include/config.h).
 *
 * One table lists every key with its type, its place in struct config and
 * its default; parsing, defaults, environment overrides and config_free()
 * are all driven by it, so a new key is one line here.
 *
 * File syntax: "[section]", "key = value", whole-line comments starting with
 * '#' or ';'. A value may be wrapped in double quotes, which are removed
 * (nothing inside is special, so a password may contain '#' or '='). There
 * are no trailing comments: "threads = 4 # cores" is a bad number, and says
 * so.
 *
 * Every string field is non-NULL after a successful load ("" when unset).
 * The "0 = automatic" counts are resolved here, once: server.threads and
 * server.tls_threads 0 become the number of online cores, server.workers 0
 * two per core, and database.pool_size 0 becomes server.workers (one
 * connection per worker: only workers use the database).
 *
 * A relative database.password_file is looked up in $CREDENTIALS_DIRECTORY
 * when systemd set it (LoadCredential=), so "password_file = dbpass" works
 * there; when password_file is set, its content replaces database.password.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "netaddr.h"
#include "text.h"
#include "xalloc.h"
#include "zone.h"

extern char **environ;

enum config_type {
	CT_STR,
	CT_UINT,   /* decimal, within [min, max] */
	CT_SIZE,   /* bytes, optional K or M suffix */
	CT_BOOL,   /* true/false/yes/no/on/off/1/0 */
	CT_LISTEN, /* "" or host:port */
	CT_ENUM,   /* one of choices, '|'-separated */
	CT_NETS,   /* comma list of networks (netaddr.h) */
};

struct config_key {
	const char *section;
	const char *key;
	enum config_type type;
	size_t offset;
	const char *def;     /* default, parsed like a value */
	unsigned long min;   /* CT_UINT, CT_SIZE */
	unsigned long max;   /* CT_UINT, CT_SIZE */
	const char *choices; /* CT_ENUM */
};

#define OFF(f) offsetof(struct config, f)
#define KIB    1024UL
#define MIB    (1024UL * 1024UL)

static const struct config_key config_keys[] = {
    {"server", "http_listen", CT_LISTEN, OFF(server.http_listen),
     "127.0.0.1:8080", 0, 0, NULL},
    {"server", "https_listen", CT_LISTEN, OFF(server.https_listen), "", 0, 0,
     NULL},
    {"server", "threads", CT_UINT, OFF(server.threads), "0", 0, 1024, NULL},
    {"server", "workers", CT_UINT, OFF(server.workers), "0", 0, 1024, NULL},
    {"server", "tls_threads", CT_UINT, OFF(server.tls_threads), "0", 0, 1024,
     NULL},
    {"server", "max_body", CT_SIZE, OFF(server.max_body), "1M", 1, 1024 * MIB,
     NULL},
    {"server", "max_upload", CT_SIZE, OFF(server.max_upload), "10M", 1 * KIB,
     1024 * MIB, NULL},
    {"server", "max_header", CT_SIZE, OFF(server.max_header), "8K", 1 * KIB,
     1 * MIB, NULL},
    {"server", "per_ip_connections", CT_UINT, OFF(server.per_ip_connections),
     "64", 1, 1000000, NULL},
    {"server", "max_connections", CT_UINT, OFF(server.max_connections), "0", 0,
     10000000, NULL},
    {"server", "idle_timeout", CT_UINT, OFF(server.idle_timeout), "60", 1,
     86400, NULL},
    {"server", "handshake_timeout", CT_UINT, OFF(server.handshake_timeout),
     "10", 1, 3600, NULL},
    {"server", "shutdown_timeout", CT_UINT, OFF(server.shutdown_timeout), "10",
     0, 3600, NULL},
    {"server", "drain_seconds", CT_UINT, OFF(server.drain_seconds), "0", 0,
     3600, NULL},
    {"server", "metrics_allow", CT_ENUM, OFF(server.metrics_allow), "loopback",
     0, 0, "loopback|any"},
    {"server", "trusted_proxies", CT_NETS, OFF(server.trusted_proxies), "", 0,
     0, NULL},
    {"server", "proxy_protocol", CT_ENUM, OFF(server.proxy_protocol), "off", 0,
     0, "off|http|https|both"},
    {"tls", "certificate", CT_STR, OFF(tls.certificate), "", 0, 0, NULL},
    {"tls", "key", CT_STR, OFF(tls.key), "", 0, 0, NULL},
    {"acme", "domains", CT_STR, OFF(acme.domains), "", 0, 0, NULL},
    {"acme", "email", CT_STR, OFF(acme.email), "", 0, 0, NULL},
    {"acme", "directory", CT_STR, OFF(acme.directory),
     "https://acme-v02.api.letsencrypt.org/directory", 0, 0, NULL},
    {"acme", "ca_bundle", CT_STR, OFF(acme.ca_bundle), "", 0, 0, NULL},
    {"acme", "renew_before", CT_UINT, OFF(acme.renew_before), "30", 1, 365,
     NULL},
    {"acme", "retry_min", CT_UINT, OFF(acme.retry_min), "60", 1, 86400, NULL},
    {"database", "host", CT_STR, OFF(database.host), "127.0.0.1", 0, 0, NULL},
    {"database", "port", CT_UINT, OFF(database.port), "3306", 1, 65535, NULL},
    {"database", "socket", CT_STR, OFF(database.socket), "", 0, 0, NULL},
    {"database", "name", CT_STR, OFF(database.name), "blogd", 0, 0, NULL},
    {"database", "user", CT_STR, OFF(database.user), "blogd", 0, 0, NULL},
    {"database", "password", CT_STR, OFF(database.password), "", 0, 0, NULL},
    {"database", "password_file", CT_STR, OFF(database.password_file), "", 0, 0,
     NULL},
    {"database", "ssl_ca", CT_STR, OFF(database.ssl_ca), "", 0, 0, NULL},
    {"database", "ssl_verify", CT_BOOL, OFF(database.ssl_verify), "false", 0, 0,
     NULL},
    {"database", "pool_size", CT_UINT, OFF(database.pool_size), "0", 0, 1024,
     NULL},
    {"database", "connect_timeout", CT_UINT, OFF(database.connect_timeout), "5",
     1, 3600, NULL},
    {"database", "read_timeout", CT_UINT, OFF(database.read_timeout), "10", 1,
     3600, NULL},
    {"database", "replicas", CT_STR, OFF(database.replicas), "", 0, 0, NULL},
    {"database", "replica_max_lag", CT_UINT, OFF(database.replica_max_lag), "5",
     1, 3600, NULL},
    {"paths", "templates", CT_STR, OFF(paths.templates),
     "/usr/share/blogd/templates", 0, 0, NULL},
    {"paths", "static", CT_STR, OFF(paths.static_dir),
     "/usr/share/blogd/static", 0, 0, NULL},
    {"paths", "webroot", CT_STR, OFF(paths.webroot), "/var/lib/blogd/webroot",
     0, 0, NULL},
    {"paths", "migrations", CT_STR, OFF(paths.migrations),
     "/usr/share/blogd/sql", 0, 0, NULL},
    {"site", "title", CT_STR, OFF(site.title), "blogd", 0, 0, NULL},
    {"site", "base_url", CT_STR, OFF(site.base_url), "", 0, 0, NULL},
    {"site", "description", CT_STR, OFF(site.description), "", 0, 0, NULL},
    {"site", "time_zone", CT_STR, OFF(site.time_zone), "UTC", 0, 0, NULL},
    {"site", "language", CT_STR, OFF(site.language), "en", 0, 0, NULL},
    {"site", "moderate_comments", CT_BOOL, OFF(site.moderate_comments), "true",
     0, 0, NULL},
    {"site", "allow_raw_html", CT_BOOL, OFF(site.markdown_unsafe_html), "false",
     0, 0, NULL},
    {"site", "comment_min_seconds", CT_UINT, OFF(site.comment_min_seconds), "3",
     0, 3600, NULL},
    {"site", "comment_rate_limit", CT_UINT, OFF(site.comment_rate_limit), "5",
     0, 100000, NULL},
    {"site", "comment_max_links", CT_UINT, OFF(site.comment_max_links), "3", 0,
     1000, NULL},
    {"log", "level", CT_ENUM, OFF(log.level), "info", 0, 0,
     "error|warn|info|debug"},
    {"cache", "enabled", CT_BOOL, OFF(cache.enabled), "true", 0, 0, NULL},
    {"cache", "max_size", CT_SIZE, OFF(cache.max_size), "32M", 64 * KIB,
     4096 * MIB, NULL},
    {"cache", "stale_if_error", CT_UINT, OFF(cache.stale_if_error), "3600", 0,
     604800, NULL},
};

#define NKEYS (sizeof(config_keys) / sizeof(config_keys[0]))

static const char *const config_sections[] = {
    "server", "tls", "acme", "database", "paths", "site", "log", "cache",
};

#define NSECTIONS (sizeof(config_sections) / sizeof(config_sections[0]))

static void *
field(struct config *cfg, const struct config_key *k)
{
	return (char *)cfg + k->offset;
}

static bool
section_known(const char *name)
{
	for (size_t i = 0; i < NSECTIONS; i++)
		if (strcmp(config_sections[i], name) == 0)
			return true;
	return false;
}

static const struct config_key *
key_find(const char *section, const char *key)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(config_keys[i].section, section) == 0 &&
		    strcmp(config_keys[i].key, key) == 0)
			return &config_keys[i];
	return NULL;
}

/* Decimal digits only: strtoul alone accepts signs and white space. */
static int
parse_ulong(const char *s, unsigned long *out, const char **end)
{
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	char *e;
	unsigned long v = strtoul(s, &e, 10);
	if (errno == ERANGE)
		return -1;
	*out = v;
	*end = e;
	return 0;
}

static int
parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static bool
enum_allows(const char *choices, const char *s)
{
	size_t n = strlen(s);

	for (const char *p = choices; *p != '\0';) {
		size_t len = strcspn(p, "|");
		if (len == n && strncmp(p, s, n) == 0)
			return true;
		p += len;
		if (*p == '|')
			p++;
	}
	return false;
}

int
config_parse_listen(const char *spec, char *host, size_t hostlen,
                    unsigned *port)
{
	const char *h, *colon;
	size_t len;

	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (close == NULL || close[1] != ':')
			return -1;
		h = spec + 1;
		len = (size_t)(close - h);
		colon = close + 1;
		if (memchr(h, ':', len) == NULL)
			return -1; /* brackets are for IPv6 only */
	} else {
		colon = strrchr(spec, ':');
		if (colon == NULL)
			return -1;
		h = spec;
		len = (size_t)(colon - spec);
		if (memchr(h, ':', len) != NULL)
			return -1; /* bare IPv6 needs brackets */
	}
	if (len == 0 || len >= hostlen)
		return -1;
	for (size_t i = 0; i < len; i++)
		if (isspace((unsigned char)h[i]) || h[i] == '[' || h[i] == ']')
			return -1;

	unsigned long p;
	const char *end;
	if (parse_ulong(colon + 1, &p, &end) == -1 || *end != '\0' || p == 0 ||
	    p > 65535)
		return -1;
	memcpy(host, h, len);
	host[len] = '\0';
	*port = (unsigned)p;
	return 0;
}

int
config_next_hostport(const char **list, char *host, size_t hostlen,
                     unsigned *port)
{
	const char *p = *list;
	char item[300];
	size_t n, len;

	while (*p == ' ')
		p++;
	if (*p == '\0')
		return 0;
	n = strcspn(p, ",");
	len = n;
	while (len > 0 && p[len - 1] == ' ')
		len--;
	*list = p[n] == ',' ? p + n + 1 : p + n;
	if (len >= sizeof(item))
		return -1;
	memcpy(item, p, len);
	item[len] = '\0';
	/* The name is quoted in /metrics labels. */
	if (strpbrk(item, "\"\\") != NULL)
		return -1;
	return config_parse_listen(item, host, hostlen, port) == 0 ? 1 : -1;
}

/* Every item is host:port, and there are few enough. */
static int
validate_replicas(const struct config *cfg, char *err, size_t errlen)
{
	const char *p = cfg->database.replicas, *item = p;
	char host[256];
	unsigned port, n = 0;
	int rc;

	while ((rc = config_next_hostport(&p, host, sizeof(host), &port)) ==
	       1) {
		if (++n > CONFIG_REPLICAS_MAX) {
			snprintf(err, errlen,
			         "database.replicas: more than %d replicas",
			         CONFIG_REPLICAS_MAX);
			return -1;
		}
		item = p;
	}
	if (rc == -1) {
		int len;

		while (*item == ' ')
			item++;
		len = (int)strcspn(item, ",");

		snprintf(err, errlen,
		         "database.replicas: '%.*s' is not host:port (a comma "
		         "list of host:port)",
		         len > 80 ? 80 : len, item);
		return -1;
	}
	return 0;
}

static const char out_of_range[] = "out of range";

/* The reason for a bad CT_NETS value, which names the entry: config_load
 * runs on one thread. */
static char nets_why[128];

/*
 * Stores value into the key's field. On a bad value returns -1 with the
 * reason in why. Only typed keys can fail, never a string such as the
 * password, so callers may quote the rejected value.
 */
static int
key_set(struct config *cfg, const struct config_key *k, const char *value,
        const char **why)
{
	void *f = field(cfg, k);
	unsigned long v;
	const char *end;

	switch (k->type) {
	case CT_LISTEN:
		if (value[0] != '\0') {
			char host[256];
			unsigned port;
			if (config_parse_listen(value, host, sizeof(host),
			                        &port) == -1) {
				*why = "expected host:port or [ipv6]:port";
				return -1;
			}
		}
		/* FALLTHROUGH */
	case CT_STR:
		free(*(char **)f);
		*(char **)f = xstrdup(value);
		return 0;
	case CT_ENUM:
		if (!enum_allows(k->choices, value)) {
			*why = k->choices;
			return -1;
		}
		free(*(char **)f);
		*(char **)f = xstrdup(value);
		return 0;
	case CT_NETS: {
		struct net_list l;
		char bad[64];

		if (net_list_parse(value, &l, bad, sizeof(bad)) == -1) {
			snprintf(nets_why, sizeof(nets_why),
			         "entry '%s' is not an address or "
			         "address/prefix",
			         bad);
			*why = nets_why;
			return -1;
		}
		net_list_free(f);
		*(struct net_list *)f = l;
		return 0;
	}
	case CT_BOOL:
		if (parse_bool(value, (bool *)f) == -1) {
			*why = "expected true/false, yes/no, on/off or 1/0";
			return -1;
		}
		return 0;
	case CT_UINT:
		if (parse_ulong(value, &v, &end) == -1 || *end != '\0') {
			*why = "not a number";
			return -1;
		}
		if (v < k->min || v > k->max) {
			*why = out_of_range;
			return -1;
		}
		*(unsigned *)f = (unsigned)v;
		return 0;
	case CT_SIZE:
		if (parse_ulong(value, &v, &end) == -1) {
			*why = "not a size (bytes, or a number with K or M)";
			return -1;
		}
		unsigned long mul = 1;
		if (*end == 'K' || *end == 'k')
			mul = KIB;
		else if (*end == 'M' || *end == 'm')
			mul = MIB;
		if (mul != 1)
			end++;
		if (*end != '\0') {
			*why = "not a size (bytes, or a number with K or M)";
			return -1;
		}
		if (v > ULONG_MAX / mul || v * mul < k->min ||
		    v * mul > k->max) {
			*why = out_of_range;
			return -1;
		}
		*(size_t *)f = v * mul;
		return 0;
	}
	*why = "unknown type";
	return -1;
}

static void
range_hint(const struct config_key *k, const char *why, char *out,
           size_t outlen)
{
	out[0] = '\0';
	if (why == out_of_range)
		snprintf(out, outlen, " (%lu..%lu)", k->min, k->max);
}

static void
set_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < NKEYS; i++) {
		const char *why;
		/* The table's defaults are valid by construction. */
		if (key_set(cfg, &config_keys[i], config_keys[i].def, &why) ==
		    -1)
			abort();
	}
}

void
config_free(struct config *cfg)
{
	for (size_t i = 0; i < NKEYS; i++) {
		enum config_type t = config_keys[i].type;
		if (t == CT_STR || t == CT_LISTEN || t == CT_ENUM) {
			char **s = field(cfg, &config_keys[i]);
			if (*s != NULL && s == &cfg->database.password)
				explicit_bzero(*s, strlen(*s));
			free(*s);
			*s = NULL;
		} else if (t == CT_NETS) {
			net_list_free(field(cfg, &config_keys[i]));
		}
	}
}

static char *
trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* One "key = value" or "[section]" line; section holds the current one. */
static int
parse_line(struct config *cfg, const char *path, unsigned lineno, char *line,
           char *section, size_t seclen, char *err, size_t errlen)
{
	char *s = trim(line);

	if (*s == '\0' || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		size_t n = strlen(s);
		if (s[n - 1] != ']') {
			snprintf(err, errlen, "%s:%u: expected ']' after [%s",
			         path, lineno, s + 1);
			return -1;
		}
		s[n - 1] = '\0';
		char *name = trim(s + 1);
		if (!section_known(name)) {
			snprintf(err, errlen, "%s:%u: unknown section [%s]",
			         path, lineno, name);
			return -1;
		}
		snprintf(section, seclen, "%s", name);
		return 0;
	}

	char *eq = strchr(s, '=');
	if (eq == NULL) {
		snprintf(err, errlen, "%s:%u: expected key = value", path,
		         lineno);
		return -1;
	}
	*eq = '\0';
	char *key = trim(s), *value = trim(eq + 1);
	if (section[0] == '\0') {
		snprintf(err, errlen, "%s:%u: key '%s' before any [section]",
		         path, lineno, key);
		return -1;
	}
	const struct config_key *k = key_find(section, key);
	if (k == NULL) {
		snprintf(err, errlen, "%s:%u: unknown key '%s' in [%s]", path,
		         lineno, key, section);
		return -1;
	}
	size_t vlen = strlen(value);
	if (vlen > 0 && value[0] == '"') {
		if (vlen < 2 || value[vlen - 1] != '"') {
			snprintf(err, errlen,
			         "%s:%u: %s.%s: unterminated quote", path,
			         lineno, section, key);
			return -1;
		}
		value[vlen - 1] = '\0';
		value++;
	}
	const char *why;
	if (key_set(cfg, k, value, &why) == -1) {
		char hint[64];
		range_hint(k, why, hint, sizeof(hint));
		snprintf(err, errlen,
		         "%s:%u: bad value '%.64s' for %s.%s: %s%s", path,
		         lineno, value, section, key, why, hint);
		return -1;
	}
	return 0;
}

static int
parse_file(struct config *cfg, FILE *fp, const char *path, char *err,
           size_t errlen)
{
	char section[32] = "";
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int rc = 0;

	while (getline(&line, &cap, fp) != -1) {
		lineno++;
		if (parse_line(cfg, path, lineno, line, section,
		               sizeof(section), err, errlen) == -1) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(fp)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	if (line != NULL)
		explicit_bzero(line, cap); /* may have held the password */
	free(line);
	return rc;
}

/* "SERVER_" for section "server": the environment spells names in upper
 * case only. */
static bool
env_has_section(const char *name, const char *sec)
{
	size_t i;

	for (i = 0; sec[i] != '\0'; i++)
		if (name[i] != toupper((unsigned char)sec[i]))
			return false;
	return name[i] == '_';
}

/* The table key for the upper-case name after the section prefix. */
static const struct config_key *
env_key(const char *sec, const char *name, size_t len)
{
	char key[64];

	if (len == 0 || len >= sizeof(key))
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (islower((unsigned char)name[i]))
			return NULL;
		key[i] = (char)tolower((unsigned char)name[i]);
	}
	key[len] = '\0';
	return key_find(sec, key);
}

/*
 * BLOGD_<SECTION>_<KEY>. A variable whose prefix names a section but whose
 * key is unknown is an error: a typo would otherwise be silently ignored.
 * Other BLOGD_* variables (used by scripts and tests) are not ours.
 */
static int
apply_env(struct config *cfg, char *err, size_t errlen)
{
	for (char **ep = environ; ep != NULL && *ep != NULL; ep++) {
		const char *var = *ep, *eq = strchr(var, '=');
		if (strncmp(var, "BLOGD_", 6) != 0 || eq == NULL)
			continue;
		int namelen = (int)(eq - var);
		for (size_t i = 0; i < NSECTIONS; i++) {
			const char *sec = config_sections[i];
			if (!env_has_section(var + 6, sec))
				continue;
			const char *kp = var + 6 + strlen(sec) + 1;
			const struct config_key *k =
			    env_key(sec, kp, (size_t)(eq - kp));
			if (k == NULL) {
				snprintf(err, errlen,
				         "environment: unknown variable %.*s",
				         namelen, var);
				return -1;
			}
			const char *why;
			if (key_set(cfg, k, eq + 1, &why) == -1) {
				char hint[64];
				range_hint(k, why, hint, sizeof(hint));
				snprintf(err, errlen,
				         "environment: bad value '%.64s' for "
				         "%.*s: %s%s",
				         eq + 1, namelen, var, why, hint);
				return -1;
			}
			break;
		}
	}
	return 0;
}

static int
read_password_file(struct config *cfg, char *err, size_t errlen)
{
	const char *name = cfg->database.password_file;
	char path[4096];

	if (name[0] == '\0')
		return 0;
	const char *creds = getenv("CREDENTIALS_DIRECTORY");
	if (name[0] != '/' && creds != NULL && creds[0] != '\0')
		snprintf(path, sizeof(path), "%s/%s", creds, name);
	else
		snprintf(path, sizeof(path), "%s", name);

	FILE *fp = fopen(path, "re");
	if (fp == NULL) {
		snprintf(err, errlen, "database.password_file: %s: %s", path,
		         strerror(errno));
		return -1;
	}
	char buf[1024];
	size_t n = fread(buf, 1, sizeof(buf), fp);
	int failed = ferror(fp), more = !failed && fgetc(fp) != EOF;
	int saved = errno;
	fclose(fp);
	if (failed || more) {
		explicit_bzero(buf, sizeof(buf));
		snprintf(err, errlen, "database.password_file: %s: %s", path,
		         failed ? strerror(saved) : "longer than 1023 bytes");
		return -1;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	xfree_secret(cfg->database.password);
	cfg->database.password = xstrndup(buf, n);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

static unsigned
online_cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}

/* One name of acme.domains: a DNS name of letters, digits, '-' and '.'
 * (HTTP-01 cannot prove a wildcard). */
static bool
acme_domain_ok(const char *s, size_t n)
{
	if (n == 0 || n > 253 || s[0] == '.' || s[0] == '-' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

/* With acme.domains set, the certificate comes from ACME: no files, and
 * an HTTPS listener to serve it on. */
static int
validate_acme(const struct config *cfg, char *err, size_t errlen)
{
	const char *p = cfg->acme.domains;

	if (cfg->tls.certificate[0] != '\0' || cfg->tls.key[0] != '\0') {
		snprintf(err, errlen,
		         "acme.domains is set: tls.certificate and tls.key "
		         "must be empty (the certificate comes from ACME)");
		return -1;
	}
	if (cfg->server.https_listen[0] == '\0') {
		snprintf(
		    err, errlen,
		    "acme.domains is set: server.https_listen is required");
		return -1;
	}
	for (;;) {
		size_t n = strcspn(p, ",");
		size_t lead = 0;
		while (lead < n && p[lead] == ' ')
			lead++;
		size_t len = n - lead;
		while (len > 0 && p[lead + len - 1] == ' ')
			len--;
		if (!acme_domain_ok(p + lead, len)) {
			snprintf(err, errlen,
			         "acme.domains: '%.*s' is not a DNS name "
			         "(letters, digits, '-', '.'; no wildcard)",
			         (int)(n > 80 ? 80 : n), p);
			return -1;
		}
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	if (strncmp(cfg->acme.directory, "https://", 8) != 0 &&
	    strncmp(cfg->acme.directory, "http://", 7) != 0) {
		snprintf(err, errlen, "acme.directory: expected a URL");
		return -1;
	}
	return 0;
}

/* Checks that involve more than one key, and normalisation. */
static int
validate(struct config *cfg, char *err, size_t errlen)
{
	if (cfg->server.threads == 0)
		cfg->server.threads = online_cores();
	if (cfg->server.tls_threads == 0)
		cfg->server.tls_threads = online_cores();
	if (cfg->server.workers == 0)
		cfg->server.workers = CONFIG_WORKERS_PER_CORE * online_cores();
	if (cfg->database.pool_size == 0)
		cfg->database.pool_size = cfg->server.workers;

	if (validate_replicas(cfg, err, errlen) == -1)
		return -1;
	if (cfg->acme.domains[0] != '\0') {
		if (validate_acme(cfg, err, errlen) == -1)
			return -1;
	} else if (cfg->server.https_listen[0] != '\0' &&
	           (cfg->tls.certificate[0] == '\0' ||
	            cfg->tls.key[0] == '\0')) {
		snprintf(err, errlen,
		         "server.https_listen needs tls.certificate and "
		         "tls.key");
		return -1;
	}
	if (!zone_valid(cfg->site.time_zone)) {
		snprintf(err, errlen,
		         "site.time_zone: '%s' is not UTC or a zone of the tz "
		         "database (tzdata), such as Europe/Berlin",
		         cfg->site.time_zone);
		return -1;
	}
	if (!text_is_language_tag(cfg->site.language)) {
		snprintf(err, errlen,
		         "site.language: '%s' is not a language tag such as "
		         "en, fr or pt-BR",
		         cfg->site.language);
		return -1;
	}
	char *url = cfg->site.base_url;
	if (url[0] != '\0' && strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "https://", 8) != 0) {
		snprintf(err, errlen,
		         "site.base_url: must start with http:// or https://");
		return -1;
	}
	/* Handlers append paths that start with '/'. */
	size_t n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		url[--n] = '\0';
	return 0;
}

int
config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
	bool explicit_path = path != NULL;

	set_defaults(cfg);
	if (!explicit_path)
		path = CONFIG_DEFAULT_PATH;

	FILE *fp = fopen(path, "re");
	if (fp == NULL && (explicit_path || errno != ENOENT)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (fp != NULL) {
		int rc = parse_file(cfg, fp, path, err, errlen);
		fclose(fp);
		if (rc == -1)
			goto fail;
	}
	if (apply_env(cfg, err, errlen) == -1 ||
	    read_password_file(cfg, err, errlen) == -1 ||
	    validate(cfg, err, errlen) == -1)
		goto fail;
	return 0;
fail:
	config_free(cfg);
	return -1;
}

bool
config_key_at(size_t i, const char **section, const char **key)
{
	if (i >= NKEYS)
		return false;
	*section = config_keys[i].section;
	*key = config_keys[i].key;
	return true;
}
