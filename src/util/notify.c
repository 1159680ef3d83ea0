/* systemd notifications without libsystemd (include/notify.h). */
#include "notify.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/*
 * The socket address for path: a file name ("/run/systemd/notify") or, when
 * it starts with '@', a name in the abstract namespace. -EINVAL for
 * anything else or a name too long for sun_path.
 */
static int
notify_address(const char *path, struct sockaddr_un *sa, socklen_t *len)
{
	size_t n = strlen(path);

	if ((path[0] != '/' && path[0] != '@') || n < 2 ||
	    n > sizeof(sa->sun_path) - (path[0] == '/'))
		return -EINVAL;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, n);
	if (path[0] == '@')
		sa->sun_path[0] = '\0'; /* abstract: no terminator counted */
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
	                   (path[0] == '/'));
	return 0;
}

int
notify_send(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t salen;
	ssize_t sent;
	int fd, rc;

	if (path == NULL || path[0] == '\0')
		return 0;
	if ((rc = notify_address(path, &sa, &salen)) != 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -errno;
	sent = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	              (struct sockaddr *)&sa, salen);
	rc = sent == -1 ? -errno : 1;
	close(fd);
	return rc;
}

bool
notify_watchdog_parse(const char *usec_env, const char *pid_env, pid_t self,
                      uint64_t *usec)
{
	unsigned long long v;
	char *end;

	if (usec_env == NULL || usec_env[0] < '0' || usec_env[0] > '9')
		return false;
	errno = 0;
	v = strtoull(usec_env, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0)
		return false;
	if (pid_env != NULL) {
		long pid;

		if (pid_env[0] < '0' || pid_env[0] > '9')
			return false;
		errno = 0;
		pid = strtol(pid_env, &end, 10);
		if (errno != 0 || *end != '\0' || pid != (long)self)
			return false;
	}
	*usec = v;
	return true;
}

bool
notify_watchdog(uint64_t *usec)
{
	return notify_watchdog_parse(getenv("WATCHDOG_USEC"),
	                             getenv("WATCHDOG_PID"), getpid(), usec);
}
