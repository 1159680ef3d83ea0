/* systemd socket activation without libsystemd (include/listen_fds.h). */
#include "listen_fds.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* More than two is always a mismatch; the bound keeps the loops short. */
#define LISTEN_FDS_MAX 16

/* The listener a name stands for: &out->http, &out->https, or NULL. */
static int *
listen_fds_slot(struct listen_fds *out, const char *name, size_t len)
{
	if (len == 4 && memcmp(name, "http", 4) == 0)
		return &out->http;
	if (len == 5 && memcmp(name, "https", 5) == 0)
		return &out->https;
	return NULL;
}

/* Gives socket i to *slot, which must want one and not have it yet. */
static int
listen_fds_give(int *slot, bool want, const char *key, unsigned i, char *err,
                size_t errlen)
{
	if (!want) {
		snprintf(err, errlen,
		         "socket activation: a socket for server.%s was "
		         "passed, but server.%s is empty",
		         key, key);
		return -1;
	}
	if (*slot != -1) {
		snprintf(err, errlen,
		         "socket activation: more than one socket for "
		         "server.%s",
		         key);
		return -1;
	}
	*slot = LISTEN_FDS_START + (int)i;
	return 0;
}

int
listen_fds_match(const char *names, unsigned n, bool want_http, bool want_https,
                 struct listen_fds *out, char *err, size_t errlen)
{
	const char *name[LISTEN_FDS_MAX];
	size_t len[LISTEN_FDS_MAX];
	unsigned named = 0;

	out->http = out->https = -1;
	if (n > LISTEN_FDS_MAX) {
		snprintf(err, errlen, "socket activation: %u sockets passed",
		         n);
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		name[i] = names;
		len[i] = names != NULL ? strcspn(names, ":") : 0;
		if (names != NULL)
			names =
			    names[len[i]] == ':' ? names + len[i] + 1 : NULL;
		if (listen_fds_slot(out, name[i], len[i]) != NULL)
			named++;
	}
	if (named == 0) {
		/* Unnamed: the listeners the configuration turns on, in
		 * order. */
		if (n != (unsigned)want_http + want_https) {
			snprintf(err, errlen,
			         "socket activation: %u sockets passed for %u "
			         "listeners (server.http_listen, "
			         "server.https_listen)",
			         n, (unsigned)want_http + want_https);
			return -1;
		}
		if (want_http)
			out->http = LISTEN_FDS_START;
		if (want_https)
			out->https = LISTEN_FDS_START + want_http;
		return 0;
	}
	for (unsigned i = 0; i < n; i++) {
		int *slot = listen_fds_slot(out, name[i], len[i]);
		bool http = slot == &out->http;

		if (slot == NULL) {
			snprintf(err, errlen,
			         "socket activation: socket %u is named "
			         "\"%.*s\", not http or https",
			         i + LISTEN_FDS_START, (int)len[i], name[i]);
			return -1;
		}
		if (listen_fds_give(slot, http ? want_http : want_https,
		                    http ? "http_listen" : "https_listen", i,
		                    err, errlen) == -1)
			return -1;
	}
	if ((want_http && out->http == -1) ||
	    (want_https && out->https == -1)) {
		snprintf(err, errlen,
		         "socket activation: no socket passed for server.%s",
		         want_http && out->http == -1 ? "http_listen"
		                                      : "https_listen");
		return -1;
	}
	return 0;
}

/* A decimal number in env, at most max; -1 when unset or not one. */
static long
listen_fds_env(const char *env, long max)
{
	const char *v = getenv(env);
	char *end;
	long n;

	if (v == NULL || v[0] < '0' || v[0] > '9')
		return -1;
	errno = 0;
	n = strtol(v, &end, 10);
	return errno != 0 || *end != '\0' || n > max ? -1 : n;
}

/* The port of a TCP socket's address; 0 for anything else. */
static unsigned
listen_fds_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(
		    ((const struct sockaddr_in *)(const void *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(
		    ((const struct sockaddr_in6 *)(const void *)ss)->sin6_port);
	return 0;
}

/* A listening TCP socket on port (the listener's key names it in errors),
 * then non-blocking and close-on-exec. */
static int
listen_fds_check(int fd, const char *key, unsigned port, char *err,
                 size_t errlen)
{
	int type = 0, listening = 0, fl;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(type), llen = sizeof(listening);
	socklen_t slen = sizeof(ss);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &llen) != 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &slen) != 0) {
		snprintf(err, errlen, "socket activation: descriptor %d: %s",
		         fd, strerror(errno));
		return -1;
	}
	if (type != SOCK_STREAM || !listening || listen_fds_port(&ss) == 0) {
		snprintf(err, errlen,
		         "socket activation: descriptor %d (for server.%s) is "
		         "not a listening TCP socket (ListenStream= in the "
		         "socket unit)",
		         fd, key);
		return -1;
	}
	/* The port is what redirects to HTTPS name: it must be the one the
	 * configuration says. */
	if (listen_fds_port(&ss) != port) {
		snprintf(err, errlen,
		         "socket activation: the socket for server.%s listens "
		         "on port %u, the configuration says %u",
		         key, listen_fds_port(&ss), port);
		return -1;
	}
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
		snprintf(err, errlen, "socket activation: descriptor %d: %s",
		         fd, strerror(errno));
		return -1;
	}
	return 0;
}

int
listen_fds_take(unsigned http_port, unsigned https_port, struct listen_fds *out,
                bool *socket_activated, char *err, size_t errlen)
{
	long pid = listen_fds_env("LISTEN_PID", 0x7fffffff);
	long n = listen_fds_env("LISTEN_FDS", 0x7fffffff);
	int rc = 0;

	out->http = out->https = -1;
	*socket_activated = pid == (long)getpid() && n >= 1;
	if (*socket_activated)
		rc = listen_fds_match(getenv("LISTEN_FDNAMES"), (unsigned)n,
		                      http_port != 0, https_port != 0, out, err,
		                      errlen);
	if (rc == 0 && out->http != -1)
		rc = listen_fds_check(out->http, "http_listen", http_port, err,
		                      errlen);
	if (rc == 0 && out->https != -1)
		rc = listen_fds_check(out->https, "https_listen", https_port,
		                      err, errlen);
	/* They describe this process only (sd_listen_fds(3)). */
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return rc;
}
