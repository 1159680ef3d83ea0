/*
 * Static files and ACME HTTP-01 challenges (include/static.h).
 *
 * A path under /static/ is walked one decoded segment at a time with
 * openat(O_NOFOLLOW) from a directory descriptor opened at start-up, so no
 * "..", hidden name or symbolic link (even one pointing inside the tree)
 * can lead anywhere else, and nothing is raced between a check and the
 * open.
 */
#include "static.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "config.h"
#include "form.h"
#include "log.h"
#include "xalloc.h"

#define STATIC_SMALL     (64 * 1024) /* read into memory below this size */
#define STATIC_MAX_DEPTH 16

/* Set before the server threads start, read-only while they run. */
static int static_root = -1;

void
static_open(const struct config *cfg)
{
	const char *dir = cfg->paths.static_dir;

	static_close();
	if (dir[0] == '\0')
		return;
	static_root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (static_root < 0)
		log_warn("paths.static: %s: %s; /static/ will answer 404", dir,
		         strerror(errno));
}

void
static_close(void)
{
	if (static_root >= 0)
		close(static_root);
	static_root = -1;
}

static const char *
static_content_type(const char *name)
{
	static const struct {
		const char *ext;
		const char *type;
	} types[] = {
	    {"css", "text/css; charset=utf-8"},
	    {"js", "text/javascript; charset=utf-8"},
	    {"png", "image/png"},
	    {"jpg", "image/jpeg"},
	    {"jpeg", "image/jpeg"},
	    {"gif", "image/gif"},
	    {"svg", "image/svg+xml"},
	    {"webp", "image/webp"},
	    {"ico", "image/x-icon"},
	    {"woff2", "font/woff2"},
	    {"txt", "text/plain; charset=utf-8"},
	    {"html", "text/html; charset=utf-8"},
	    {"xml", "application/xml"},
	    {"json", "application/json"},
	    {"pdf", "application/pdf"},
	};
	const char *dot = strrchr(name, '.');

	if (dot != NULL)
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcasecmp(dot + 1, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

/* One decoded path segment, or NULL when it must not be looked up. */
static char *
static_segment(const char *s, size_t n)
{
	char *seg;

	if (n == 0)
		return NULL;
	seg = form_decode(s, n, false);
	if (seg == NULL)
		return NULL;
	/* '.' first covers ".", ".." and hidden files alike. */
	if (seg[0] == '.' || strpbrk(seg, "/\\") != NULL) {
		free(seg);
		return NULL;
	}
	return seg;
}

/*
 * Opens the regular file at the encoded relative path rest, or returns -1.
 * *name gets the last decoded segment (caller frees) for the content type.
 */
static int
static_open_file(const char *rest, char **name)
{
	int dir = static_root, fd = -1;

	*name = NULL;
	for (int depth = 0; dir >= 0 && depth < STATIC_MAX_DEPTH; depth++) {
		size_t n = strcspn(rest, "/");
		bool last = rest[n] == '\0';
		char *seg = static_segment(rest, n);
		int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW;

		if (seg == NULL)
			break;
		/* O_NONBLOCK: a FIFO must not hang the thread in open(). */
		flags |= last ? O_NONBLOCK : O_DIRECTORY;
		fd = openat(dir, seg, flags);
		if (dir != static_root)
			close(dir);
		dir = -1;
		if (fd < 0 || last) {
			if (fd >= 0)
				*name = seg;
			else
				free(seg);
			return fd;
		}
		free(seg);
		dir = fd;
		fd = -1;
		rest += n + 1;
	}
	if (dir >= 0 && dir != static_root)
		close(dir);
	return -1;
}

static void
static_http_date(time_t t, char *out, size_t outlen)
{
	static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed",
	                                "Thu", "Fri", "Sat"};
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr",
	                                   "May", "Jun", "Jul", "Aug",
	                                   "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, outlen, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	         days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	         tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* True when the client's copy (If-None-Match, else If-Modified-Since) is
 * current. */
static bool
static_not_modified(struct http_request *req, const char *etag, time_t mtime)
{
	const char *inm = http_header(req, "If-None-Match");
	const char *ims;
	struct tm tm;

	if (inm != NULL)
		/* Weak comparison: the opaque part, quotes included. */
		return strcmp(inm, "*") == 0 || strstr(inm, etag + 2) != NULL;
	ims = http_header(req, "If-Modified-Since");
	if (ims == NULL)
		return false;
	memset(&tm, 0, sizeof(tm));
	if (strptime(ims, "%a, %d %b %Y %H:%M:%S GMT", &tm) == NULL)
		return false;
	return mtime <= timegm(&tm);
}

/* Reads a small file whole; -1 on a read error. */
static int
static_read_all(int fd, size_t size, struct buf *out)
{
	buf_reserve(out, size);
	while (out->len < size) {
		ssize_t n = read(fd, out->data + out->len, size - out->len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break; /* truncated meanwhile: send what is there */
		out->len += (size_t)n;
	}
	out->data[out->len] = '\0';
	return 0;
}

static void
static_send(struct http_request *req, int fd, const struct stat *st,
            const char *name)
{
	char etag[64], date[40];
	struct buf body = BUF_INIT;
	size_t size = (size_t)st->st_size;

	snprintf(etag, sizeof(etag), "W/\"%llx-%llx\"",
	         (unsigned long long)st->st_size,
	         (unsigned long long)st->st_mtime);
	static_http_date(st->st_mtime, date, sizeof(date));
	http_add_header(req, "ETag", etag);
	http_add_header(req, "Last-Modified", date);
	http_add_header(req, "Cache-Control", "public, max-age=3600");
	if (static_not_modified(req, etag, st->st_mtime)) {
		close(fd);
		http_respond_static(req, 304, NULL, "", 0);
		return;
	}
	/* Small files from memory: one syscall instead of two (NOTES.md). */
	if (size >= STATIC_SMALL) {
		http_respond_fd(req, 200, static_content_type(name), fd, size);
		return;
	}
	if (static_read_all(fd, size, &body) != 0) {
		log_err("static: reading %s: %s", req->path, strerror(errno));
		close(fd);
		buf_free(&body);
		http_error(req, 500);
		return;
	}
	close(fd);
	http_respond(req, 200, static_content_type(name), &body);
}

void
static_serve(struct http_request *req)
{
	static const char prefix[] = "/static/";
	struct stat st;
	char *name;
	int fd;

	if (strncmp(req->path, prefix, sizeof(prefix) - 1) != 0) {
		http_error(req, 404);
		return;
	}
	fd = static_open_file(req->path + sizeof(prefix) - 1, &name);
	if (fd < 0) {
		http_error(req, 404);
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		free(name);
		http_error(req, 404);
		return;
	}
	static_send(req, fd, &st, name);
	free(name);
}

/* [A-Za-z0-9_-]{1,255}, the base64url alphabet ACME tokens use. */
static bool
static_token_ok(const char *t)
{
	size_t n = strspn(t, "abcdefghijklmnopqrstuvwxyz"
	                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

	return n >= 1 && n <= 255 && t[n] == '\0';
}

void
static_acme(struct http_request *req)
{
	static const char prefix[] = "/.well-known/acme-challenge/";
	const char *token = req->path + sizeof(prefix) - 1;
	const char *webroot = req->app->cfg->paths.webroot;
	struct buf body = BUF_INIT;
	struct stat st;
	char *file;
	int fd;

	if (strncmp(req->path, prefix, sizeof(prefix) - 1) != 0 ||
	    !static_token_ok(token) || webroot[0] == '\0' ||
	    asprintf(&file, "%s%s", webroot, req->path) < 0) {
		http_error(req, 404);
		return;
	}
	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	free(file);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > STATIC_SMALL ||
	    static_read_all(fd, (size_t)st.st_size, &body) != 0) {
		if (fd >= 0)
			close(fd);
		buf_free(&body);
		http_error(req, 404);
		return;
	}
	close(fd);
	http_add_header(req, "Cache-Control", "no-store");
	http_respond(req, 200, "text/plain", &body);
}
