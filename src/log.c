/*
 * Logging (include/log.h).
 *
 * Many MHD threads log at once. Each line is formatted into a buffer on the
 * caller's stack, at most PIPE_BUF bytes (longer fields are cut to fit).
 * Error lines are written at once with a single write(2), which the kernel
 * does not interleave with other writers on a pipe, and which Linux
 * serialises on a regular file; so no lock is taken.
 *
 * Access lines, one per request, go through a shared buffer instead, as
 * nginx's "access_log ... buffer=32k flush=100ms" does: a write(2) per
 * request was a system call's worth of time on every page. The buffer is
 * written when the next line would not fit, by a flusher thread at most
 * ACCESS_FLUSH_MS after its first line arrived, and by log_flush() and at
 * exit. It only ever holds whole lines and is written under its lock, so
 * lines stay whole and in order.
 */
#include "log.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES  PIPE_BUF
#define ACCESS_BUF_SIZE 32768
#define ACCESS_FLUSH_MS 100

static atomic_int log_level = LOG_INFO;
static bool log_journal; /* stderr is connected to journald */
static pthread_once_t log_once = PTHREAD_ONCE_INIT;

static const char *const level_names[] = {"error", "warn", "info", "debug"};
/* sd-daemon(3) priorities: LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG. */
static const int level_prio[] = {3, 4, 6, 7};

/*
 * JOURNAL_STREAM holds "device:inode" of the stream systemd connected to
 * stderr. Comparing it with fd 2 keeps a child started from a service with
 * its stderr redirected elsewhere from writing priority prefixes there.
 */
static void
log_detect_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return;
	if (fstat(STDERR_FILENO, &st) == 0 &&
	    (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino)
		log_journal = true;
}

int
log_set_level(const char *name)
{
	for (int i = 0; i <= LOG_DEBUG; i++) {
		if (strcmp(name, level_names[i]) == 0) {
			atomic_store_explicit(&log_level, i,
			                      memory_order_relaxed);
			return 0;
		}
	}
	return -1;
}

int
log_enabled(enum log_level level)
{
	return (int)level <=
	       atomic_load_explicit(&log_level, memory_order_relaxed);
}

static void
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return; /* nowhere left to report it */
		}
		p += n;
		len -= (size_t)n;
	}
}

/*
 * Messages quote request bytes (paths, header values): from byte from on,
 * control and non-ASCII bytes become \xHH, in place, cut to fit; so one
 * message is one line, and no escape sequence reaches a terminal. Returns
 * the new length, at most sizeof(line) - 2 (room for the newline).
 */
static size_t
log_escape_tail(char *line, size_t n, size_t from)
{
	static const char hex[] = "0123456789abcdef";
	char raw[LINE_MAX_BYTES];
	size_t m = from, cap = LINE_MAX_BYTES - 2;

	memcpy(raw, line + from, n - from);
	for (size_t i = 0; i < n - from; i++) {
		unsigned char c = (unsigned char)raw[i];

		if (c >= 0x20 && c < 0x7f) {
			if (m + 1 > cap)
				break;
			line[m++] = (char)c;
			continue;
		}
		if (m + 4 > cap)
			break;
		line[m++] = '\\';
		line[m++] = 'x';
		line[m++] = hex[c >> 4];
		line[m++] = hex[c & 0xf];
	}
	return m;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char line[LINE_MAX_BYTES];
	size_t n, head;
	va_list ap;

	if (!log_enabled(level))
		return;
	pthread_once(&log_once, log_detect_journal);
	if (log_journal) {
		n = (size_t)snprintf(line, sizeof(line),
		                     "<%d>%s: ", level_prio[level],
		                     level_names[level]);
	} else {
		struct timespec ts;
		struct tm tm;
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
		n += (size_t)snprintf(line + n, sizeof(line) - n,
		                      ".%03ldZ blogd: %s: ",
		                      ts.tv_nsec / 1000000, level_names[level]);
	}
	head = n;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += (size_t)m;
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	n = log_escape_tail(line, n, head);
	line[n++] = '\n';
	write_all(STDERR_FILENO, line, n);
}

/* Appends to a fixed buffer; silently stops at its end. */
struct line {
	char *p;
	size_t len, cap;
};

static void
line_put(struct line *l, const char *s, size_t n)
{
	if (n > l->cap - l->len)
		n = l->cap - l->len;
	memcpy(l->p + l->len, s, n);
	l->len += n;
}

static void
line_puts(struct line *l, const char *s)
{
	line_put(l, s, strlen(s));
}

/*
 * Field text as nginx writes it inside quotes: '"' and '\' escaped, control
 * and non-ASCII bytes as \xHH (a terminal or log viewer interprets none of
 * them), at most max output bytes; "-" when absent.
 */
static void
line_escaped(struct line *l, const char *s, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	char out[4];
	size_t used = 0;

	if (s == NULL || *s == '\0')
		s = "-";
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		size_t k = 0;
		if (c == '"' || c == '\\') {
			out[k++] = '\\';
			out[k++] = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			out[k++] = '\\';
			out[k++] = 'x';
			out[k++] = hex[c >> 4];
			out[k++] = hex[c & 0xf];
		} else {
			out[k++] = (char)c;
		}
		if (used + k > max)
			break;
		line_put(l, out, k);
		used += k;
	}
}

static void
line_ull(struct line *l, unsigned long long v)
{
	char d[20];
	size_t n = sizeof(d);

	do {
		d[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	line_put(l, d + n, sizeof(d) - n);
}

static void
line_quoted(struct line *l, const char *s, size_t max)
{
	line_put(l, "\"", 1);
	line_escaped(l, s, max);
	line_put(l, "\"", 1);
}

/* The access buffer; lock guards everything in it. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t filled; /* the buffer went from empty to not */
	pthread_once_t once;   /* starts the flusher */
	size_t len;
	char data[ACCESS_BUF_SIZE];
} acc = {PTHREAD_MUTEX_INITIALIZER,
         PTHREAD_COND_INITIALIZER,
         PTHREAD_ONCE_INIT,
         0,
         {0}};

/* Caller holds acc.lock. */
static void
access_write_locked(void)
{
	write_all(STDOUT_FILENO, acc.data, acc.len);
	acc.len = 0;
}

void
log_flush(void)
{
	pthread_mutex_lock(&acc.lock);
	if (acc.len > 0)
		access_write_locked();
	pthread_mutex_unlock(&acc.lock);
}

/* Sleeps until there is a line, gives it ACCESS_FLUSH_MS to gather
 * company, writes; no wake-ups while no requests come. */
static void *
access_flusher(void *arg)
{
	const struct timespec pause = {0, ACCESS_FLUSH_MS * 1000000L};

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&acc.lock);
		while (acc.len == 0)
			pthread_cond_wait(&acc.filled, &acc.lock);
		pthread_mutex_unlock(&acc.lock);
		nanosleep(&pause, NULL);
		log_flush();
	}
	return NULL;
}

/*
 * Without a flusher (no thread could be made) every line is written at
 * once; unbuffered is also what a process gets that never logs access.
 */
static bool acc_buffered;

static void
access_start(void)
{
	pthread_t t;
	pthread_attr_t attr;

	if (pthread_attr_init(&attr) != 0)
		return;
	/* It only sleeps and writes: a small stack keeps it cheap. */
	pthread_attr_setstacksize(&attr, 64 * 1024);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, access_flusher, NULL) == 0 &&
	    atexit(log_flush) == 0)
		acc_buffered = true;
	pthread_attr_destroy(&attr);
}

static void
access_put(const char *line, size_t n)
{
	pthread_once(&acc.once, access_start);
	pthread_mutex_lock(&acc.lock);
	if (!acc_buffered) {
		write_all(STDOUT_FILENO, line, n);
		pthread_mutex_unlock(&acc.lock);
		return;
	}
	if (acc.len + n > sizeof(acc.data))
		access_write_locked();
	if (acc.len == 0)
		pthread_cond_signal(&acc.filled);
	memcpy(acc.data + acc.len, line, n);
	acc.len += n;
	pthread_mutex_unlock(&acc.lock);
}

/* "[25/Nov/2026:22:17:01 +0000]": formatted once per second per thread. */
static const char *
access_date(void)
{
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr",
	                                  "May", "Jun", "Jul", "Aug",
	                                  "Sep", "Oct", "Nov", "Dec"};
	static _Thread_local time_t cached_sec = -1;
	static _Thread_local char cached[64];
	time_t now = time(NULL);
	struct tm tm;

	if (now != cached_sec) {
		gmtime_r(&now, &tm);
		snprintf(cached, sizeof(cached),
		         "[%02d/%s/%04d:%02d:%02d:%02d +0000]", tm.tm_mday,
		         mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
		         tm.tm_min, tm.tm_sec);
		cached_sec = now;
	}
	return cached;
}

void
log_access(const struct access_entry *e)
{
	char buf[LINE_MAX_BYTES];
	/* One byte kept back for the newline. */
	struct line l = {buf, 0, sizeof(buf) - 1};

	line_puts(&l, e->client_ip != NULL && e->client_ip[0] != '\0'
	                  ? e->client_ip
	                  : "-");
	line_puts(&l, " - - ");
	line_puts(&l, access_date());
	line_puts(&l, " \"");
	line_escaped(&l, e->method, 32);
	line_put(&l, " ", 1);
	line_escaped(&l, e->target, 2048);
	line_put(&l, " ", 1);
	line_escaped(&l, e->protocol, 16);
	line_puts(&l, "\" ");
	line_ull(&l, e->status > 0 ? (unsigned long long)e->status : 0);
	line_put(&l, " ", 1);
	line_ull(&l, e->bytes);
	line_put(&l, " ", 1);
	line_quoted(&l, e->referer, 512);
	line_put(&l, " ", 1);
	line_quoted(&l, e->user_agent, 512);
	line_put(&l, " ", 1);
	line_ull(&l, e->duration_us);
	if (e->stale)
		line_puts(&l, " stale");
	buf[l.len++] = '\n';
	access_put(buf, l.len);
}
