/*
 * The pure parts of static files (src/http/static.c): path resolution
 * below the static directory (encoded segments, "..", hidden files,
 * symbolic links out, depth), content types, fingerprinted names, and the
 * ETag and caching headers; and the versions pages link across a reload.
 * A temporary directory holds the files.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "http_internal.h"
#include "static.h"
#include "static_internal.h"

static char base[] = "/tmp/blogd-test-static.XXXXXX";
static char root_path[64];
static int root = -1;

static void
put(const char *rel, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	assert_non_null(f = fopen(p, "w"));
	fputs(text, f);
	fclose(f);
}

static void
mkdir_at(const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	assert_int_equal(mkdir(p, 0700), 0);
}

static void
link_at(const char *target, const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	assert_int_equal(symlink(target, p), 0);
}

/* base/secret.txt is outside the static root base/root. */
static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(base) == NULL)
		return -1;
	snprintf(root_path, sizeof(root_path), "%s/root", base);
	mkdir_at("root");
	mkdir_at("root/css");
	put("secret.txt", "outside\n");
	put("root/style.css", "body{}\n");
	put("root/css/a b.css", "x\n");
	put("root/.hidden", "h\n");
	link_at("../secret.txt", "root/leak.txt");
	link_at(base, "root/up");
	link_at("style.css", "root/alias.css");
	root = open(root_path, O_RDONLY | O_DIRECTORY);
	return root < 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	close(root);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd);
}

/* The file rest names, read back; NULL when static_open_at refuses. */
static char *
open_read(const char *rest, char **name)
{
	static char buf[64];
	int fd = static_open_at(root, rest, name);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

static void
test_resolution(void **state)
{
	char *name = NULL;

	(void)state;
	assert_string_equal(open_read("style.css", &name), "body{}\n");
	assert_string_equal(name, "style.css");
	free(name);
	/* Segments are percent-decoded one by one. */
	assert_string_equal(open_read("css/a%20b.css", &name), "x\n");
	assert_string_equal(name, "a b.css");
	free(name);
	assert_string_equal(open_read("%63ss/a%20b.css", &name), "x\n");
	free(name);
}

static void
test_refusals(void **state)
{
	static const char *const bad[] = {
	    "../secret.txt",        /* up and out */
	    "css/../style.css",     /* up, even when it stays inside */
	    "%2e%2e/secret.txt",    /* encoded ".." */
	    "css%2f..%2fstyle.css", /* an encoded '/' inside a segment */
	    "css%5ca%20b.css",      /* an encoded '\' */
	    ".hidden",              /* hidden files */
	    "leak.txt",             /* a symbolic link out */
	    "alias.css",            /* any symbolic link, even inside */
	    "up/secret.txt",        /* a linked directory */
	    "css//a%20b.css",       /* an empty segment */
	    "",                     /* nothing */
	    "missing.css",
	    "css/a%zzb.css", /* a bad escape */
	};
	char *name;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		name = NULL;
		if (open_read(bad[i], &name) != NULL)
			fail_msg("%s was opened", bad[i]);
		assert_null(name);
	}
}

static void
test_depth(void **state)
{
	char rel[512] = "", rest[512] = "", path[sizeof("root/") + 512];
	char *name = NULL;
	int i;

	(void)state;
	/* 15 directories and a file: 16 segments, the most there may be. */
	for (i = 0; i < 16; i++) {
		strcat(rel, "d/");
		mkdir_at(i == 0 ? "root/d"
		                : strcat(strcpy(rest, "root/"), rel));
	}
	strcpy(rest, rel);
	rest[strlen(rest) - 2] = '\0'; /* drop the last "d/" */
	strcat(rest, "f.txt");
	snprintf(path, sizeof(path), "root/%s", rest);
	put(path, "deep\n");
	assert_string_equal(open_read(rest, &name), "deep\n");
	free(name);
	/* One level more is refused. */
	strcpy(rel, "d/");
	strcat(rel, rest);
	snprintf(path, sizeof(path), "root/%s", rel);
	put(path, "deeper\n");
	assert_null(open_read(rel, &name));
}

static void
test_types(void **state)
{
	(void)state;
	assert_string_equal(static_content_type("a.css"),
	                    "text/css; charset=utf-8");
	assert_string_equal(static_content_type("A.JS"),
	                    "text/javascript; charset=utf-8");
	assert_string_equal(static_content_type("x.tar.svg"), "image/svg+xml");
	assert_string_equal(static_content_type("f.woff2"), "font/woff2");
	assert_string_equal(static_content_type("noext"),
	                    "application/octet-stream");
	assert_string_equal(static_content_type("evil.html.exe"),
	                    "application/octet-stream");
}

static void
test_fingerprints_and_etag(void **state)
{
	struct static_meta a, b, c;
	struct stat st;

	(void)state;
	assert_true(static_fingerprinted("/static/style.3f9a1c2e.css"));
	assert_true(static_fingerprinted("/static/x/app.0123456789abcdef.js"));
	assert_false(static_fingerprinted("/static/style.3f9a1c2.css"));
	assert_false(static_fingerprinted("/static/style.3F9A1C2E.css"));
	assert_false(static_fingerprinted("/static/style.css"));
	assert_false(static_fingerprinted("/static/3f9a1c2e3f9a.css"));

	memset(&st, 0, sizeof(st));
	st.st_size = 0x1234;
	st.st_mtime = 1700000000; /* 2023-11-14 22:13:20 UTC */
	static_meta(&st, false, &a);
	assert_string_equal(a.etag, "W/\"1234-6553f100\"");
	assert_string_equal(a.date, "Tue, 14 Nov 2023 22:13:20 GMT");
	assert_string_equal(a.cache_control, "public, max-age=3600");
	static_meta(&st, true, &b);
	assert_string_equal(b.cache_control,
	                    "public, max-age=31536000, immutable");
	/* Another size or time, another ETag. */
	st.st_mtime++;
	static_meta(&st, false, &c);
	assert_string_not_equal(a.etag, c.etag);
}

/* A request as server.c makes one, for what static_url reads. */
static struct http_request *
request_new(void)
{
	struct http_req_priv *rp = calloc(1, sizeof(*rp));

	assert_non_null(rp);
	rp->req.resp_fd = -1;
	return &rp->req;
}

static void
request_free(struct http_request *req)
{
	http_response_clear(req);
	free(http_priv(req));
}

/* A request keeps the set it began with across a reload (its page and its
 * CSP agree); the next one sees the files as they are now. Under ASan, the
 * old set being freed while still held would show here. */
static void
test_assets_reload(void **state)
{
	struct config cfg;
	struct http_request *held, *later;
	char *url, *csp;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.paths.static_dir = root_path;
	cfg.paths.webroot = base;
	static_open(&cfg);
	held = request_new();
	assert_string_equal(static_inline_css(held), "body{}\n");
	assert_non_null(strstr(static_csp(held), "style-src 'self' 'sha256-"));
	assert_non_null(url = strdup(static_url(held, "style.css")));
	assert_non_null(csp = strdup(static_csp(held)));
	assert_null(static_url(held, ".hidden"));

	put("root/style.css", "body{color:red}\n");
	static_reload();
	/* The held set: same text, same pointers' contents. */
	assert_string_equal(static_inline_css(held), "body{}\n");
	assert_string_equal(static_url(held, "style.css"), url);
	assert_string_equal(static_csp(held), csp);
	later = request_new();
	assert_string_equal(static_inline_css(later), "body{color:red}\n");
	assert_string_not_equal(static_url(later, "style.css"), url);
	assert_string_not_equal(static_csp(later), csp);
	request_free(held);
	/* Once cleared, a response takes the current set. */
	http_response_clear(later);
	assert_string_equal(static_inline_css(later), "body{color:red}\n");
	request_free(later);

	/* "</" could end the <style> element: linked, and no hash. */
	put("root/style.css", "/* </style> */\n");
	static_reload();
	later = request_new();
	assert_null(static_inline_css(later));
	assert_null(strstr(static_csp(later), "sha256-"));
	assert_string_equal(static_csp(later), HTTP_CSP);
	request_free(later);
	put("root/style.css", "body{}\n");
	static_close();
	free(url);
	free(csp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_resolution),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_depth),
	    cmocka_unit_test(test_types),
	    cmocka_unit_test(test_fingerprints_and_etag),
	    cmocka_unit_test(test_assets_reload),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
