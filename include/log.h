/*
 * Logging. Errors and diagnostics go to stderr with a level; access lines go
 * to stdout. Under journald (JOURNAL_STREAM set) stderr lines carry a
 * "<N>" priority prefix instead of a timestamp. Never pass secrets here.
 */
#ifndef BLOGD_LOG_H
#define BLOGD_LOG_H

#include <stdbool.h>

enum log_level { LOG_ERR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Returns -1 for an unknown level name (error, warn, info, debug). */
int log_set_level(const char *name);
int log_enabled(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_err(...)   log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* One access line: combined log format plus the duration in microseconds,
 * and the word "stale" after it for a page answered from a stale copy. */
struct access_entry {
	const char *client_ip;
	const char *method;
	const char *target; /* path and query as received */
	/* "HTTP/1.0" or so as received; "" or NULL: "-" */
	const char *protocol;
	const char *referer;
	const char *user_agent;
	int status;
	unsigned long long bytes;
	unsigned long long duration_us;
	bool stale;
};
/* Access lines are buffered (at most 32 KiB, written within 100 ms, and at
 * exit); log_flush writes what is waiting now. Any thread. */
void log_access(const struct access_entry *e);
void log_flush(void);

#endif
