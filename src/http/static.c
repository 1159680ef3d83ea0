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

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "clock.h"
#include "config.h"
#include "crypto.h"
#include "form.h"
#include "http_internal.h"
#include "log.h"
#include "static_internal.h"
#include "xalloc.h"

#define STATIC_SMALL     (64 * 1024) /* held in memory below this size */
#define STATIC_MAX_DEPTH 16
#define STATIC_BUCKETS   256
#define STATIC_CHECK_US  1000000ULL /* a held file is stat()ed this often */
#define STATIC_MEM_MIN   (1024 * 1024)
#define STATIC_HASH_HEX  16  /* ?v= digits: 64 bits of SHA-256 */
#define STATIC_GZIP_MIN  256 /* smaller files gain less than headers cost */
/* The largest stylesheet inlined into pages: every page carries it. */
#define STATIC_INLINE_MAX (16 * 1024)
#define STATIC_INLINE_CSS "style.css"

/* Set before the server threads start, read-only while they run. */
static int static_root = -1;

const char *
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

int
static_open_at(int root, const char *rest, char **name)
{
	int dir = root, fd = -1;

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
		if (dir != root)
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
	if (dir >= 0 && dir != root)
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
		return http_etag_listed(inm, etag);
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

/* The first STATIC_HASH_HEX hex digits of the SHA-256 of data. */
static void
static_hash(const void *data, size_t len, char out[STATIC_HASH_HEX + 1])
{
	unsigned char md[32];

	crypto_sha256(data, len, md);
	crypto_hex(md, STATIC_HASH_HEX / 2, out);
}

/*
 * The ?v= of the request when it has the form static_url gives
 * (STATIC_HASH_HEX lower-case hex digits) into out; false otherwise.
 */
static bool
static_version_query(const struct http_request *req,
                     char out[STATIC_HASH_HEX + 1])
{
	const char *q = strchr(req->target, '?');
	const char *v;

	if (q == NULL)
		return false;
	v = strncmp(q + 1, "v=", 2) == 0 ? q + 1 : strstr(q, "&v=");
	if (v == NULL)
		return false;
	v += *v == '&' ? 3 : 2;
	if (strspn(v, "0123456789abcdef") != STATIC_HASH_HEX ||
	    (v[STATIC_HASH_HEX] != '\0' && v[STATIC_HASH_HEX] != '&'))
		return false;
	memcpy(out, v, STATIC_HASH_HEX);
	out[STATIC_HASH_HEX] = '\0';
	return true;
}

/* A ?v= only earns a year when it is the hash of what is served
 * (static_serve_rest checks). */
bool
static_fingerprinted(const char *path)
{
	const char *name = strrchr(path, '/') + 1;

	for (const char *d = strchr(name, '.'); d != NULL;
	     d = strchr(d + 1, '.')) {
		size_t n = strspn(d + 1, "0123456789abcdef");

		if (n >= 8 && d[1 + n] == '.')
			return true;
	}
	return false;
}

static bool
static_same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

void
static_meta(const struct stat *st, bool immutable, struct static_meta *m)
{
	snprintf(m->etag, sizeof(m->etag), "W/\"%llx-%llx\"",
	         (unsigned long long)st->st_size,
	         (unsigned long long)st->st_mtime);
	static_http_date(st->st_mtime, m->date, sizeof(m->date));
	m->cache_control = immutable ? "public, max-age=31536000, immutable"
	                             : "public, max-age=3600";
	m->mtime = st->st_mtime;
}

static void
static_add_meta(struct http_request *req, const struct static_meta *m)
{
	http_add_header(req, "ETag", m->etag);
	http_add_header(req, "Last-Modified", m->date);
	http_add_header(req, "Cache-Control", m->cache_control);
}

/* ---- small files, held in memory ---- */

/*
 * One file (and its .gz sibling) as ready-made responses for one scheme.
 * The table holds one reference, every request answered from it one more
 * until MHD has its own. It is looked at again (a stat) when a second has
 * passed or inotify reported a change in a directory holding one.
 */
struct static_entry {
	struct static_entry *next;
	atomic_int refs;
	struct http_prebuilt *resp[2]; /* identity, gzip (or NULL) */
	size_t len[2];
	struct stat st[2]; /* st[1].st_ino 0: no sibling */
	struct static_meta meta;
	char hash[STATIC_HASH_HEX + 1]; /* of the identity body */
	unsigned long long checked_us;
	unsigned gen;
	size_t cost;
	char key[];
};

static struct {
	pthread_mutex_t lock;
	struct static_entry *buckets[STATIC_BUCKETS];
	size_t used, max;
	atomic_uint gen; /* bumped on any change in a watched directory */
	int inotify_fd;
} sc = {.lock = PTHREAD_MUTEX_INITIALIZER, .inotify_fd = -1};

static void
static_unref(void *arg)
{
	struct static_entry *e = arg;

	if (atomic_fetch_sub(&e->refs, 1) != 1)
		return;
	for (int i = 0; i < 2; i++)
		if (e->resp[i] != NULL)
			http_prebuilt_free(e->resp[i]);
	free(e);
}

static size_t
static_bucket(const char *key)
{
	size_t h = 5381;

	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = h * 33 + *p;
	return h % STATIC_BUCKETS;
}

/* Under sc.lock. */
static struct static_entry **
static_slot(const char *key)
{
	struct static_entry **pp = &sc.buckets[static_bucket(key)];

	while (*pp != NULL && strcmp((*pp)->key, key) != 0)
		pp = &(*pp)->next;
	return pp;
}

/* Watches the directory of the open file fd: a change there makes every
 * entry look at its file again. */
static void
static_watch_dir(int fd)
{
	char link[64], path[PATH_MAX];
	ssize_t n;
	char *slash;

	if (sc.inotify_fd < 0)
		return;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return;
	path[n] = '\0';
	if ((slash = strrchr(path, '/')) != NULL)
		*slash = '\0';
	if (inotify_add_watch(sc.inotify_fd, path[0] ? path : "/",
	                      IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE |
	                          IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE |
	                          IN_DELETE) < 0)
		log_debug("static: cannot watch %s: %s", path, strerror(errno));
}

/*
 * Bumps sc.gen when a watched directory changed since the last look. One
 * non-blocking read() per request: a watcher thread would leave a window
 * in which a request that follows a change still gets the old file.
 */
static void
static_changed(void)
{
	char ev[4096] __attribute__((aligned(8)));
	bool any = false;

	if (sc.inotify_fd < 0)
		return;
	while (read(sc.inotify_fd, ev, sizeof(ev)) > 0)
		any = true;
	if (any)
		atomic_fetch_add(&sc.gen, 1);
}

static void
static_watch_start(void)
{
	sc.inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	/* Without it, files are still looked at once a second. */
	if (sc.inotify_fd < 0)
		log_warn("static: no change watch: %s", strerror(errno));
}

static void
static_watch_stop(void)
{
	if (sc.inotify_fd >= 0)
		close(sc.inotify_fd);
	sc.inotify_fd = -1;
}

static void
static_cache_clear(void)
{
	pthread_mutex_lock(&sc.lock);
	for (size_t i = 0; i < STATIC_BUCKETS; i++) {
		struct static_entry *e = sc.buckets[i], *next;

		for (; e != NULL; e = next) {
			next = e->next;
			static_unref(e);
		}
		sc.buckets[i] = NULL;
	}
	sc.used = 0;
	pthread_mutex_unlock(&sc.lock);
}

/*
 * gzip of in into out, 0 when it came out smaller. For text files without
 * a .gz sibling (a development tree, a file changed after install): made
 * once per change of the file, held with it.
 */
static int
static_gzip(const struct buf *in, struct buf *out)
{
	z_stream z;
	int rc;

	memset(&z, 0, sizeof(z));
	/* 15 + 16: a gzip wrapper, as Content-Encoding: gzip says. */
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return -1;
	buf_reserve(out, deflateBound(&z, in->len));
	z.next_in = (unsigned char *)in->data;
	z.avail_in = (uInt)in->len;
	z.next_out = (unsigned char *)out->data;
	z.avail_out = (uInt)(out->cap - 1);
	rc = deflate(&z, Z_FINISH);
	out->len = z.total_out;
	out->data[out->len] = '\0';
	deflateEnd(&z);
	if (rc != Z_STREAM_END || out->len >= in->len) {
		buf_free(out);
		return -1;
	}
	return 0;
}

/* type is from static_content_type's table. */
static struct http_prebuilt *
static_response(struct http_request *req, const struct static_meta *m,
                const char *type, struct buf *body, bool gzip, bool vary)
{
	size_t len = body->len;
	struct http_prebuilt *r;

	r = http_shared_response(req, type, buf_detach(body), len, m->etag,
	                         m->cache_control, vary, gzip);
	if (r != NULL)
		MHD_add_response_header(http_mhd(r),
		                        MHD_HTTP_HEADER_LAST_MODIFIED, m->date);
	return r;
}

/* Reads fd (and gzfd, -1 for none) into a new entry; NULL on error. */
static struct static_entry *
static_entry_new(struct http_request *req, const char *key, const char *type,
                 bool immutable, int fd, const struct stat *st, int gzfd,
                 const struct stat *gst, unsigned gen)
{
	struct buf body = BUF_INIT, gz = BUF_INIT;
	struct static_entry *e;
	bool has_gz;

	if (static_read_all(fd, (size_t)st->st_size, &body) != 0 ||
	    (gzfd >= 0 &&
	     static_read_all(gzfd, (size_t)gst->st_size, &gz) != 0)) {
		log_err("static: reading %s: %s", req->path, strerror(errno));
		buf_free(&body);
		buf_free(&gz);
		return NULL;
	}
	has_gz = gzfd >= 0 ||
	         (http_compressible(type) && body.len >= STATIC_GZIP_MIN &&
	          static_gzip(&body, &gz) == 0);
	e = xcalloc(1, sizeof(*e) + strlen(key) + 1);
	strcpy(e->key, key);
	static_hash(body.data, body.len, e->hash);
	atomic_init(&e->refs, 1);
	static_meta(st, immutable, &e->meta);
	e->st[0] = *st;
	if (gzfd >= 0)
		e->st[1] = *gst;
	e->len[0] = body.len;
	e->len[1] = gz.len;
	e->cost = sizeof(*e) + strlen(key) + body.len + gz.len;
	e->resp[0] = static_response(req, &e->meta, type, &body, false, has_gz);
	if (has_gz)
		e->resp[1] =
		    static_response(req, &e->meta, type, &gz, true, true);
	e->checked_us = clock_now_us();
	e->gen = gen;
	if (e->resp[0] == NULL || (has_gz && e->resp[1] == NULL)) {
		static_unref(e);
		return NULL;
	}
	static_watch_dir(fd);
	return e;
}

/* Answers from e, taking the caller's reference. */
static void
static_answer(struct http_request *req, struct static_entry *e)
{
	int v = e->resp[1] != NULL && http_accepts_gzip(req) ? 1 : 0;

	if (static_not_modified(req, e->meta.etag, e->meta.mtime)) {
		static_add_meta(req, &e->meta);
		if (e->resp[1] != NULL)
			http_add_header(req, "Vary", "Accept-Encoding");
		http_respond_static(req, 304, NULL, "", 0);
		static_unref(e);
		return;
	}
	http_respond_shared(req, 200, e->resp[v], e->len[v], static_unref, e);
}

/* Opens the .gz sibling of the encoded path rest; -1 when there is none
 * below max bytes, or it is older than the file (st): a stale copy. */
static int
static_open_gz(const char *rest, const struct stat *st, size_t max,
               struct stat *gst)
{
	char *gzrest, *gzname;
	int gfd;

	if (asprintf(&gzrest, "%s.gz", rest) < 0)
		return -1;
	gfd = static_open_at(static_root, gzrest, &gzname);
	free(gzrest);
	if (gfd < 0)
		return -1;
	free(gzname);
	if (fstat(gfd, gst) != 0 || !S_ISREG(gst->st_mode) ||
	    (size_t)gst->st_size >= max ||
	    gst->st_mtim.tv_sec < st->st_mtim.tv_sec ||
	    (gst->st_mtim.tv_sec == st->st_mtim.tv_sec &&
	     gst->st_mtim.tv_nsec < st->st_mtim.tv_nsec)) {
		close(gfd);
		return -1;
	}
	return gfd;
}

/* A file too large for memory: sent from its descriptor (sendfile). */
static void
static_send_fd(struct http_request *req, int fd, const struct stat *st,
               const char *rest, const char *type, bool immutable)
{
	/* static_meta fills it; zeroed for cppcheck, which cannot see that. */
	struct static_meta m = {0};
	struct stat gst;
	int gfd = -1;

	static_meta(st, immutable, &m);
	static_add_meta(req, &m);
	if (http_compressible(type)) {
		http_add_header(req, "Vary", "Accept-Encoding");
		if (http_accepts_gzip(req))
			gfd = static_open_gz(rest, st, SIZE_MAX, &gst);
	}
	if (static_not_modified(req, m.etag, m.mtime)) {
		close(fd);
		if (gfd >= 0)
			close(gfd);
		http_respond_static(req, 304, NULL, "", 0);
		return;
	}
	if (gfd >= 0) {
		close(fd);
		http_add_header(req, "Content-Encoding", "gzip");
		http_respond_fd(req, 200, type, gfd, (size_t)gst.st_size);
		return;
	}
	http_respond_fd(req, 200, type, fd, (size_t)st->st_size);
}

/*
 * The file is new, changed or due for a look: stat it and its sibling,
 * keep the entry when neither changed, else load them again. Returns the
 * entry with a reference for the caller, or NULL when the request is
 * answered already (404, 500, or a large file sent from its descriptor).
 */
static struct static_entry *
static_load(struct http_request *req, const char *rest, const char *key,
            bool immutable)
{
	unsigned gen = atomic_load(&sc.gen);
	struct static_entry *e, **slot;
	struct stat st, gst;
	const char *type;
	char *name;
	int fd, gfd = -1;
	bool fresh = false;

	fd = static_open_at(static_root, rest, &name);
	if (fd < 0) {
		http_error(req, 404);
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		free(name);
		http_error(req, 404);
		return NULL;
	}
	type = static_content_type(name);
	free(name);
	if ((size_t)st.st_size >= STATIC_SMALL) {
		/* Never hashed: only a fingerprinted name makes it immutable.
		 */
		static_send_fd(req, fd, &st, rest, type,
		               immutable && static_fingerprinted(req->path));
		return NULL;
	}
	memset(&gst, 0, sizeof(gst));
	if (http_compressible(type))
		gfd = static_open_gz(rest, &st, STATIC_SMALL, &gst);
	pthread_mutex_lock(&sc.lock);
	slot = static_slot(key);
	e = *slot;
	if (e != NULL && static_same_file(&e->st[0], &st) &&
	    (gfd >= 0 ? static_same_file(&e->st[1], &gst)
	              : e->st[1].st_ino == 0)) {
		e->checked_us = clock_now_us();
		e->gen = gen;
		atomic_fetch_add(&e->refs, 1);
	} else
		e = NULL;
	pthread_mutex_unlock(&sc.lock);
	if (e == NULL) {
		e = static_entry_new(req, key, type, immutable, fd, &st, gfd,
		                     &gst, gen);
		fresh = true;
	}
	close(fd);
	if (gfd >= 0)
		close(gfd);
	if (e == NULL) {
		http_error(req, 500);
		return NULL;
	}
	if (fresh) { /* replaces the old entry; kept only if it fits */
		pthread_mutex_lock(&sc.lock);
		slot = static_slot(key);
		if (*slot != NULL) {
			struct static_entry *old = *slot;

			*slot = old->next;
			sc.used -= old->cost;
			static_unref(old);
		}
		if (sc.used + e->cost <= sc.max) {
			atomic_fetch_add(&e->refs, 1);
			e->next = *slot;
			*slot = e;
			sc.used += e->cost;
		}
		pthread_mutex_unlock(&sc.lock);
	}
	return e;
}

/*
 * Answers for the file at the encoded relative path rest. want is the
 * request's ?v= (NULL for none): the year-long Cache-Control goes only
 * with the content it names, so a page that links an older version (a
 * cached page, a proxy) still gets the current file, kept an hour.
 */
static void
static_serve_rest(struct http_request *req, const char *rest, const char *want)
{
	bool immutable = want != NULL || static_fingerprinted(req->path);
	struct static_entry *e;
	struct buf key = BUF_INIT;

	buf_printf(&key, "%c%c%s", req->https ? 's' : 'p',
	           immutable ? 'i' : '-', rest);
	static_changed();
	pthread_mutex_lock(&sc.lock);
	e = *static_slot(key.data);
	if (e != NULL && e->gen == atomic_load(&sc.gen) &&
	    clock_now_us() - e->checked_us < STATIC_CHECK_US)
		atomic_fetch_add(&e->refs, 1);
	else
		e = NULL;
	pthread_mutex_unlock(&sc.lock);
	if (e == NULL)
		e = static_load(req, rest, key.data, immutable);
	buf_free(&key);
	if (e == NULL)
		return;
	if (want != NULL && strcmp(e->hash, want) != 0 &&
	    !static_fingerprinted(req->path)) {
		/* Not the version asked for: the plain entry answers. */
		static_unref(e);
		static_serve_rest(req, rest, NULL);
		return;
	}
	static_answer(req, e);
}

void
static_serve(struct http_request *req)
{
	static const char prefix[] = "/static/";
	char want[STATIC_HASH_HEX + 1];

	if (strncmp(req->path, prefix, sizeof(prefix) - 1) != 0) {
		http_error(req, 404);
		return;
	}
	static_serve_rest(req, req->path + sizeof(prefix) - 1,
	                  static_version_query(req, want) ? want : NULL);
}

void
static_favicon(struct http_request *req)
{
	/* Browsers ask for it on their own, on every site; the layout links
	 * the versioned /static/ URL. */
	static_serve_rest(req, "favicon.ico", NULL);
}

/* [A-Za-z0-9_-]{1,255}, the base64url alphabet ACME tokens use. */
static bool
static_token_ok(const char *t)
{
	size_t n = strspn(t, "abcdefghijklmnopqrstuvwxyz"
	                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

	return n >= 1 && n <= 255 && t[n] == '\0';
}

/* [paths] webroot, set by static_open (cfg outlives the server). */
static const char *static_webroot = "";

void
static_acme(struct http_request *req)
{
	static const char prefix[] = "/.well-known/acme-challenge/";
	const char *token = req->path + sizeof(prefix) - 1;
	const char *webroot = static_webroot;
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

/* Reads a small regular file of the static root whole; -1 otherwise. */
static int
static_read_asset(const char *name, struct buf *out)
{
	struct stat st;
	int fd = openat(static_root, name,
	                O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	int rc = -1;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (size_t)st.st_size < STATIC_SMALL)
		rc = static_read_all(fd, (size_t)st.st_size, out);
	close(fd);
	return rc;
}

/*
 * The stylesheet every page inlines, so that no request stands between
 * the HTML and the first paint; the CSP allows it by its hash. Not when it
 * is too large to repeat in every page, or holds "</" (it could end the
 * <style> element): the layout links it then.
 */
static void
static_inline_start(struct static_assets *a, struct buf *css)
{
	unsigned char md[32];
	char b64[48];

	if (css->len == 0 || css->len > STATIC_INLINE_MAX ||
	    strstr(css->data, "</") != NULL || strlen(css->data) != css->len) {
		log_info("static: %s is not inlined (size %zu)",
		         STATIC_INLINE_CSS, css->len);
		return;
	}
	crypto_sha256(css->data, css->len, md);
	if (crypto_base64_encode(md, sizeof(md), b64, sizeof(b64)) != 0)
		return;
	static_assets_inline(a, css->data, b64);
}

/* Hashes the top-level files of the static directory into a new set
 * (one reference, the caller's). */
static struct static_assets *
static_assets_scan(void)
{
	struct static_assets *a = static_assets_new();
	/* Its own open of the directory: a dup() would share the read
	 * position, left at the end by the previous scan. */
	int dfd = openat(static_root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;
	bool room = true;

	if (dir == NULL) {
		if (dfd >= 0)
			close(dfd);
		log_warn("static: cannot list the directory: %s",
		         strerror(errno));
		return a;
	}
	while (room && (de = readdir(dir)) != NULL) {
		size_t len = strlen(de->d_name);
		struct buf body = BUF_INIT;
		char hash[STATIC_HASH_HEX + 1];

		/* Hidden names are never served; .gz siblings are not linked.
		 */
		if (de->d_name[0] == '.' ||
		    (len > 3 && strcmp(de->d_name + len - 3, ".gz") == 0) ||
		    static_read_asset(de->d_name, &body) != 0) {
			buf_free(&body);
			continue;
		}
		static_hash(body.data, body.len, hash);
		room = static_assets_add(a, de->d_name, hash);
		if (room && strcmp(de->d_name, STATIC_INLINE_CSS) == 0)
			static_inline_start(a, &body);
		buf_free(&body);
	}
	closedir(dir);
	return a;
}

void
static_reload(void)
{
	struct static_assets *a;

	if (static_root < 0)
		return;
	a = static_assets_scan();
	log_info("reload: static files hashed (%zu linked, stylesheet %s)",
	         static_assets_count(a),
	         static_assets_inlined(a) ? "inlined" : "linked");
	static_assets_swap(a);
}

void
static_open(const struct config *cfg)
{
	const char *dir = cfg->paths.static_dir;

	static_close();
	static_webroot = cfg->paths.webroot;
	sc.max = cfg->cache.max_size / 4 > STATIC_MEM_MIN
	             ? cfg->cache.max_size / 4
	             : STATIC_MEM_MIN;
	if (dir[0] == '\0')
		return;
	static_root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (static_root < 0) {
		log_warn("paths.static: %s: %s; /static/ will answer 404", dir,
		         strerror(errno));
		return;
	}
	static_assets_swap(static_assets_scan());
	static_watch_start();
}

void
static_close(void)
{
	static_watch_stop();
	static_cache_clear();
	static_assets_swap(NULL);
	if (static_root >= 0)
		close(static_root);
	static_root = -1;
}
