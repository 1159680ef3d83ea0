/* Unit tests for src/config.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

static char conf_path[64];
static char pw_path[64];

/* Writes content to a fresh temporary file named in path. */
static void
write_temp(char *path, size_t len, const char *content)
{
	snprintf(path, len, "/tmp/blogd-test-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	size_t n = strlen(content);
	assert_int_equal(write(fd, content, n), (ssize_t)n);
	close(fd);
}

static int
load(struct config *cfg, const char *content, char *err, size_t errlen)
{
	write_temp(conf_path, sizeof(conf_path), content);
	err[0] = '\0';
	int rc = config_load(cfg, conf_path, err, errlen);
	unlink(conf_path);
	return rc;
}

/* Loads content expecting an error that contains want. */
static void
load_fails(const char *content, const char *want)
{
	struct config cfg;
	char err[512];

	assert_int_equal(load(&cfg, content, err, sizeof(err)), -1);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
	assert_null(strchr(err, '\n'));
}

static void
test_defaults(void **state)
{
	struct config cfg;
	char err[256];

	(void)state;
	assert_int_equal(load(&cfg, "", err, sizeof(err)), 0);
	assert_string_equal(cfg.server.http_listen, "127.0.0.1:8080");
	assert_string_equal(cfg.server.https_listen, "");
	/* "0 = one per core" is resolved at load time. */
	assert_int_equal(cfg.server.threads, sysconf(_SC_NPROCESSORS_ONLN));
	assert_int_equal(cfg.server.tls_threads, cfg.server.threads);
	assert_int_equal(cfg.server.max_body, 1024 * 1024);
	assert_int_equal(cfg.server.max_header, 8 * 1024);
	assert_int_equal(cfg.server.per_ip_connections, 64);
	assert_int_equal(cfg.server.idle_timeout, 60);
	assert_int_equal(cfg.server.handshake_timeout, 10);
	assert_int_equal(cfg.server.shutdown_timeout, 10);
	assert_int_equal(cfg.server.drain_seconds, 0);
	assert_string_equal(cfg.server.metrics_allow, "loopback");
	assert_int_equal(cfg.server.trusted_proxies.n, 0);
	assert_string_equal(cfg.server.proxy_protocol, "off");
	assert_string_equal(cfg.tls.certificate, "");
	assert_string_equal(cfg.database.host, "127.0.0.1");
	assert_int_equal(cfg.database.port, 3306);
	assert_string_equal(cfg.database.socket, "");
	assert_string_equal(cfg.database.name, "blogd");
	assert_string_equal(cfg.database.user, "blogd");
	assert_string_equal(cfg.database.password, "");
	assert_false(cfg.database.ssl_verify);
	assert_int_equal(cfg.server.workers,
	                 CONFIG_WORKERS_PER_CORE * cfg.server.threads);
	assert_int_equal(cfg.database.pool_size, cfg.server.workers);
	assert_int_equal(cfg.database.connect_timeout, 5);
	assert_int_equal(cfg.database.read_timeout, 10);
	assert_string_equal(cfg.paths.templates, "/usr/share/blogd/templates");
	assert_string_equal(cfg.paths.static_dir, "/usr/share/blogd/static");
	assert_string_equal(cfg.paths.migrations, "/usr/share/blogd/sql");
	assert_string_equal(cfg.paths.webroot, "/var/lib/blogd/webroot");
	assert_string_equal(cfg.site.title, "blogd");
	assert_string_equal(cfg.site.base_url, "");
	assert_string_equal(cfg.site.description, "");
	assert_string_equal(cfg.site.time_zone, "UTC");
	assert_string_equal(cfg.site.language, "en");
	assert_true(cfg.site.moderate_comments);
	assert_false(cfg.site.markdown_unsafe_html);
	assert_int_equal(cfg.site.comment_min_seconds, 3);
	assert_int_equal(cfg.site.comment_rate_limit, 5);
	assert_int_equal(cfg.site.comment_max_links, 3);
	assert_string_equal(cfg.log.level, "info");
	assert_true(cfg.cache.enabled);
	assert_int_equal(cfg.cache.max_size, 32 * 1024 * 1024);
	config_free(&cfg);
}

static void
test_file(void **state)
{
	struct config cfg;
	char err[256];

	(void)state;
	assert_int_equal(load(&cfg,
	                      "# a comment\n"
	                      "; another\n"
	                      "\n"
	                      "[server]\n"
	                      "  http_listen = 0.0.0.0:80  \n"
	                      "https_listen=[::]:443\n"
	                      "threads = 4\r\n"
	                      "workers = 3\n"
	                      "max_body = 512K\n"
	                      "max_header = 32k\n"
	                      "metrics_allow = any\n"
	                      "[ tls ]\n"
	                      "certificate = /etc/ssl/a.pem\n"
	                      "key = /etc/ssl/a.key\n"
	                      "[database]\n"
	                      "password = \"p#ss = ;word \"\n"
	                      "ssl_verify = yes\n"
	                      "port = 3307\n"
	                      "[paths]\n"
	                      "static = /srv/static\n"
	                      "migrations = ./sql\n"
	                      "[site]\n"
	                      "title = \"My blog\"\n"
	                      "base_url = https://example.org/\n"
	                      "description = Notes, mostly on C.\n"
	                      "time_zone = Europe/Berlin\n"
	                      "moderate_comments = off\n"
	                      "allow_raw_html = 1\n"
	                      "[log]\n"
	                      "level = debug\n"
	                      "[cache]\n"
	                      "enabled = no\n"
	                      "max_size = 64M\n",
	                      err, sizeof(err)),
	                 0);
	assert_string_equal(cfg.server.http_listen, "0.0.0.0:80");
	assert_string_equal(cfg.server.https_listen, "[::]:443");
	assert_int_equal(cfg.server.threads, 4);
	/* The database pool follows the workers, not the MHD threads. */
	assert_int_equal(cfg.server.workers, 3);
	assert_int_equal(cfg.database.pool_size, 3);
	assert_int_equal(cfg.server.max_body, 512 * 1024);
	assert_int_equal(cfg.server.max_header, 32 * 1024);
	assert_string_equal(cfg.server.metrics_allow, "any");
	assert_string_equal(cfg.tls.key, "/etc/ssl/a.key");
	assert_string_equal(cfg.database.password, "p#ss = ;word ");
	assert_true(cfg.database.ssl_verify);
	assert_int_equal(cfg.database.port, 3307);
	assert_string_equal(cfg.paths.static_dir, "/srv/static");
	assert_string_equal(cfg.paths.migrations, "./sql");
	assert_string_equal(cfg.site.title, "My blog");
	assert_string_equal(cfg.site.base_url, "https://example.org");
	assert_string_equal(cfg.site.description, "Notes, mostly on C.");
	assert_string_equal(cfg.site.time_zone, "Europe/Berlin");
	assert_false(cfg.site.moderate_comments);
	assert_true(cfg.site.markdown_unsafe_html);
	assert_string_equal(cfg.log.level, "debug");
	assert_false(cfg.cache.enabled);
	assert_int_equal(cfg.cache.max_size, 64 * 1024 * 1024);
	config_free(&cfg);
}

/* A config that load() must refuse, and a part of the one-line error. */
struct bad_config {
	const char *content;
	const char *want;
};

static void
load_fails_all(const struct bad_config *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		load_fails(cases[i].content, cases[i].want);
}

static void
test_unknown_names(void **state)
{
	static const struct bad_config cases[] = {
	    {"[server]\nthreads = 1\n[serve]\n", ":3: unknown section [serve]"},
	    {"[server]\n\nfoo = 1\n", ":3: unknown key 'foo' in [server]"},
	    /* A key valid in another section is still unknown here. */
	    {"[site]\nhost = x\n", ":2: unknown key 'host' in [site]"},
	    {"threads = 1\n", ":1: key 'threads' before any [section]"},
	    {"[server\n", ":1: expected ']'"},
	    {"[server]\nthreads\n", ":2: expected key = value"},
	};

	(void)state;
	load_fails_all(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_bad_values(void **state)
{
	static const struct bad_config cases[] = {
	    {"[server]\nthreads = abc\n",
	     ":2: bad value 'abc' for server.threads: not a number"},
	    {"[server]\nthreads = -1\n", "server.threads: not a number"},
	    {"[server]\nthreads = 4 # cores\n", "server.threads"},
	    {"[server]\nthreads = 99999999999999999999999\n", "server.threads"},
	    {"[database]\nport = 70000\n", "database.port: out of range"},
	    {"[database]\nport = 0\n", "database.port: out of range"},
	    {"[server]\nmax_body = 1G\n", "server.max_body: not a size"},
	    {"[server]\nmax_body = 2048M\n", "server.max_body: out of range"},
	    /* The bounds are named, in bytes. */
	    {"[cache]\nmax_size = 32K\n",
	     "cache.max_size: out of range (65536..4294967296)"},
	    {"[site]\nmoderate_comments = maybe\n", "site.moderate_comments"},
	    {"[server]\nhttp_listen = 8080\n", "server.http_listen"},
	    {"[server]\nmetrics_allow = all\n", "server.metrics_allow"},
	    /* A bad network is named, among good ones. */
	    {"[server]\ntrusted_proxies = 10.0.0.0/8, 10.1.2.300/32, ::1\n",
	     "server.trusted_proxies: entry '10.1.2.300/32' is not an address "
	     "or address/prefix"},
	    {"[server]\ntrusted_proxies = 10.0.0.0/33\n",
	     "entry '10.0.0.0/33'"},
	    {"[server]\ntrusted_proxies = 10.0.0.0/8,\n", "entry ''"},
	    {"[server]\nproxy_protocol = yes\n", "server.proxy_protocol"},
	    {"[log]\nlevel = verbose\n", "log.level"},
	    {"[site]\nbase_url = example.org\n", "site.base_url"},
	    {"[site]\ntime_zone = Mars/Olympus_Mons\n",
	     "site.time_zone: 'Mars/Olympus_Mons' is not UTC or a zone"},
	    {"[site]\nlanguage = en_GB\n",
	     "site.language: 'en_GB' is not a language tag"},
	    /* Names, never paths out of the database. */
	    {"[site]\ntime_zone = ../../../etc/passwd\n", "site.time_zone"},
	    {"[site]\ntime_zone = /etc/localtime\n", "site.time_zone"},
	    /* A file of the folder that is no zone. */
	    {"[site]\ntime_zone = zone.tab\n", "site.time_zone"},
	    {"[server]\nhttps_listen = :443\n", "server.https_listen"},
	    {"[server]\nhttps_listen = 0.0.0.0:443\n",
	     "server.https_listen needs tls.certificate and tls.key"},
	    {"[database]\nreplicas = db1:3306, db2\n",
	     "database.replicas: 'db2' is not host:port"},
	    {"[database]\nreplicas = a\"b:3306\n", "database.replicas"},
	    {"[database]\nreplicas = a:1,a:2,a:3,a:4,a:5,a:6,a:7,a:8,a:9,a:10,"
	     "a:11,a:12,a:13,a:14,a:15,a:16,a:17\n",
	     "database.replicas: more than 16 replicas"},
	    {"[database]\nreplica_max_lag = 0\n",
	     "database.replica_max_lag: out of range"},
	};

	(void)state;
	load_fails_all(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_password_never_in_errors(void **state)
{
	struct config cfg;
	char err[512];

	(void)state;
	assert_int_equal(
	    load(&cfg, "[database]\npassword = \"hunter2\n", err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "database.password: unterminated quote"));
	assert_null(strstr(err, "hunter2"));
}

static void
test_missing_file(void **state)
{
	struct config cfg;
	char err[256];

	(void)state;
	assert_int_equal(
	    config_load(&cfg, "/nonexistent/blogd.conf", err, sizeof(err)), -1);
	assert_string_equal(
	    err, "/nonexistent/blogd.conf: No such file or directory");
}

static void
test_env(void **state)
{
	struct config cfg;
	char err[256];

	(void)state;
	setenv("BLOGD_SERVER_THREADS", "8", 1);
	setenv("BLOGD_SERVER_WORKERS", "6", 1);
	setenv("BLOGD_DATABASE_HOST", "db.internal", 1);
	setenv("BLOGD_SITE_MODERATE_COMMENTS", "no", 1);
	/* Not a section: belongs to scripts, ignored. */
	setenv("BLOGD_TEST_DB_PORT", "x", 1);
	assert_int_equal(
	    load(&cfg, "[server]\nthreads = 4\n", err, sizeof(err)), 0);
	assert_int_equal(cfg.server.threads, 8);
	/* One connection per worker, the workers as overridden. */
	assert_int_equal(cfg.server.workers, 6);
	assert_int_equal(cfg.database.pool_size, 6);
	assert_string_equal(cfg.database.host, "db.internal");
	assert_false(cfg.site.moderate_comments);
	config_free(&cfg);
	unsetenv("BLOGD_SERVER_THREADS");
	unsetenv("BLOGD_SERVER_WORKERS");
	unsetenv("BLOGD_DATABASE_HOST");
	unsetenv("BLOGD_SITE_MODERATE_COMMENTS");
	unsetenv("BLOGD_TEST_DB_PORT");

	setenv("BLOGD_SERVER_THREDS", "8", 1);
	load_fails("", "environment: unknown variable BLOGD_SERVER_THREDS");
	unsetenv("BLOGD_SERVER_THREDS");

	setenv("BLOGD_DATABASE_PORT", "many", 1);
	load_fails("",
	           "bad value 'many' for BLOGD_DATABASE_PORT: not a number");
	unsetenv("BLOGD_DATABASE_PORT");
}

static void
test_password_file(void **state)
{
	struct config cfg;
	char conf[256], err[256];

	(void)state;
	write_temp(pw_path, sizeof(pw_path), "s3cret pass\n");
	snprintf(conf, sizeof(conf),
	         "[database]\npassword = ignored\npassword_file = %s\n",
	         pw_path);
	assert_int_equal(load(&cfg, conf, err, sizeof(err)), 0);
	assert_string_equal(cfg.database.password, "s3cret pass");
	config_free(&cfg);

	/* systemd's LoadCredential=: relative to $CREDENTIALS_DIRECTORY. */
	setenv("CREDENTIALS_DIRECTORY", "/tmp", 1);
	snprintf(conf, sizeof(conf), "[database]\npassword_file = %s\n",
	         pw_path + strlen("/tmp/"));
	assert_int_equal(load(&cfg, conf, err, sizeof(err)), 0);
	assert_string_equal(cfg.database.password, "s3cret pass");
	config_free(&cfg);
	unsetenv("CREDENTIALS_DIRECTORY");
	unlink(pw_path);

	load_fails("[database]\npassword_file = /nonexistent/pw\n",
	           "database.password_file: /nonexistent/pw: No such file or "
	           "directory");
}

static void
listen_ok(const char *spec, const char *host, unsigned port)
{
	char h[64];
	unsigned p = 0;

	if (config_parse_listen(spec, h, sizeof(h), &p) != 0)
		fail_msg("'%s' rejected", spec);
	assert_string_equal(h, host);
	assert_int_equal(p, port);
}

/* database.replicas is walked item by item, spaces trimmed. */
static void
test_replicas(void **state)
{
	const char *list = " db1.internal:3306 ,[::1]:3307,";
	char host[64];
	unsigned port;

	(void)state;
	assert_int_equal(config_next_hostport(&list, host, sizeof(host), &port),
	                 1);
	assert_string_equal(host, "db1.internal");
	assert_int_equal(port, 3306);
	assert_int_equal(config_next_hostport(&list, host, sizeof(host), &port),
	                 1);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 3307);
	assert_int_equal(config_next_hostport(&list, host, sizeof(host), &port),
	                 0);
	list = "";
	assert_int_equal(config_next_hostport(&list, host, sizeof(host), &port),
	                 0);
}

static void
test_listen(void **state)
{
	static const char *const bad[] = {
	    "",          "8080",       ":8080",    "host",     "host:",
	    "host:0",    "host:65536", "host:80x", "host:+80", "host:-1",
	    "::1:80",    "[::1]",      "[::1]80",  "[::1]:",   "[]:80",
	    "[host]:80", "ho st:80",
	};
	char h[8];
	unsigned p;

	(void)state;
	listen_ok("127.0.0.1:8080", "127.0.0.1", 8080);
	listen_ok("0.0.0.0:80", "0.0.0.0", 80);
	listen_ok("localhost:65535", "localhost", 65535);
	listen_ok("[::1]:8443", "::1", 8443);
	listen_ok("[::]:443", "::", 443);
	listen_ok("[fe80::1%eth0]:80", "fe80::1%eth0", 80);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (config_parse_listen(bad[i], h, sizeof(h), &p) != -1)
			fail_msg("'%s' accepted", bad[i]);
	/* Host longer than the buffer. */
	assert_int_equal(
	    config_parse_listen("longhostname:80", h, sizeof(h), &p), -1);
}

/* The whole of a small text file (the test runs in the source tree). */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = calloc(1, 256 * 1024);
	size_t n;

	assert_non_null(f);
	assert_non_null(text);
	n = fread(text, 1, 256 * 1024 - 1, f);
	assert_true(n > 0 && n < 256 * 1024 - 1);
	fclose(f);
	return text;
}

/* True when the README's table row for [section] names `key`. */
static bool
readme_has(const char *readme, const char *section, const char *key)
{
	char row[64], name[96];
	const char *p, *end;

	snprintf(row, sizeof(row), "| `[%s]` |", section);
	snprintf(name, sizeof(name), "`%s`", key);
	if ((p = strstr(readme, row)) == NULL)
		return false;
	end = strchr(p, '\n');
	for (const char *q = strstr(p, name); q != NULL;
	     q = strstr(q + 1, name))
		if (end == NULL || q < end)
			return true;
	return false;
}

/* True when the example file sets (or shows, commented out) key inside
 * its [section]. */
static bool
example_has(const char *example, const char *section, const char *key)
{
	char head[64];
	const char *p, *next;
	size_t klen = strlen(key);

	snprintf(head, sizeof(head), "\n[%s]\n", section);
	if ((p = strstr(example, head)) == NULL)
		return false;
	for (p += strlen(head); *p != '\0' && *p != '['; p = next + 1) {
		const char *k = p;

		if (*k == '#')
			k += 1 + strspn(k + 1, " ");
		if (strncmp(k, key, klen) == 0 &&
		    k[klen + strspn(k + klen, " ")] == '=')
			return true;
		if ((next = strchr(p, '\n')) == NULL)
			break;
	}
	return false;
}

/* Every key the parser knows is in the README's configuration table and
 * in deploy/blogd.conf.example: a new key cannot land undocumented. */
static void
test_keys_documented(void **state)
{
	char *readme = slurp("README.md");
	char *example = slurp("deploy/blogd.conf.example");
	const char *section, *key;
	size_t i;

	(void)state;
	for (i = 0; config_key_at(i, &section, &key); i++) {
		if (!readme_has(readme, section, key))
			fail_msg("README.md's [%s] row lacks `%s`", section,
			         key);
		if (!example_has(example, section, key))
			fail_msg("deploy/blogd.conf.example's [%s] lacks %s",
			         section, key);
	}
	assert_true(i > 20);
	assert_false(readme_has(readme, "server", "no_such_key"));
	assert_false(example_has(example, "server", "no_such_key"));
	/* A key of another section does not count. */
	assert_false(example_has(example, "tls", "http_listen"));
	free(readme);
	free(example);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_file),
	    cmocka_unit_test(test_unknown_names),
	    cmocka_unit_test(test_bad_values),
	    cmocka_unit_test(test_password_never_in_errors),
	    cmocka_unit_test(test_missing_file),
	    cmocka_unit_test(test_env),
	    cmocka_unit_test(test_password_file),
	    cmocka_unit_test(test_replicas),
	    cmocka_unit_test(test_listen),
	    cmocka_unit_test(test_keys_documented),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
