/*
 * socket_hold: plays systemd's socket units in the integration tests. It
 * holds listening sockets across several processes of one command, as
 * systemd holds a .socket unit's across restarts of its service, so a test
 * can restart blogd on sockets that never close.
 *
 * Usage: socket_hold NAME... -- COMMAND [ARG...]
 *
 * Opens one listening TCP socket on 127.0.0.1 and a free port per NAME
 * and prints "listening NAME PORT" for each. Then reads commands on stdin:
 *
 *	start LOGFILE	forks COMMAND with the sockets as descriptors 3...,
 *			LISTEN_FDS, LISTEN_FDNAMES (the NAMEs) and LISTEN_PID
 *			(its own pid: set after the fork, before the exec),
 *			stdout and stderr appended to LOGFILE; prints
 *			"started PID"
 *
 * and prints "exited PID CODE" (or "killed PID SIGNAL") for each child
 * that ends. Every line is flushed at once. At the end of stdin it kills
 * the children left (SIGKILL) and exits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_SOCKETS  8
#define MAX_CHILDREN 64
#define FIRST_FD     3   /* SD_LISTEN_FDS_START */
#define HIGH_FD      100 /* where the sockets wait, clear of 3... */

static int socks[MAX_SOCKETS];
static int nsocks;
static pid_t children[MAX_CHILDREN];

static void
die(const char *what)
{
	fprintf(stderr, "socket_hold: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int
open_listener(const char *name)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), high;

	if (fd == -1 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(fd, SOMAXCONN) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
		die(name);
	/* Close-on-exec here; the child's dup2 to 3... clears it there. */
	if ((high = fcntl(fd, F_DUPFD_CLOEXEC, HIGH_FD)) == -1)
		die("fcntl");
	close(fd);
	printf("listening %s %u\n", name, ntohs(sa.sin_port));
	return high;
}

/* In the child: the sockets at 3..., the environment, the log, exec. */
static void
run_child(const char *names, const char *log, char **cmd)
{
	char buf[32];
	int fd;

	for (int i = 0; i < nsocks; i++)
		if (dup2(socks[i], FIRST_FD + i) == -1)
			die("dup2");
	if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) ==
	        -1 ||
	    dup2(fd, 1) == -1 || dup2(fd, 2) == -1)
		die(log);
	snprintf(buf, sizeof(buf), "%d", nsocks);
	setenv("LISTEN_FDS", buf, 1);
	setenv("LISTEN_FDNAMES", names, 1);
	snprintf(buf, sizeof(buf), "%ld", (long)getpid());
	setenv("LISTEN_PID", buf, 1);
	execvp(cmd[0], cmd);
	die(cmd[0]);
}

static void
start(const char *names, const char *log, char **cmd)
{
	int slot = 0;
	pid_t pid;

	while (slot < MAX_CHILDREN && children[slot] != 0)
		slot++;
	if (slot == MAX_CHILDREN) {
		fprintf(stderr, "socket_hold: too many children\n");
		exit(1);
	}
	if ((pid = fork()) == -1)
		die("fork");
	if (pid == 0)
		run_child(names, log, cmd);
	children[slot] = pid;
	printf("started %ld\n", (long)pid);
}

static void
reap(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (int i = 0; i < MAX_CHILDREN; i++)
			if (children[i] == pid)
				children[i] = 0;
		if (WIFEXITED(status))
			printf("exited %ld %d\n", (long)pid,
			       WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			printf("killed %ld %d\n", (long)pid, WTERMSIG(status));
	}
}

int
main(int argc, char **argv)
{
	char names[256] = "", line[4096];
	size_t len = 0;
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (nsocks == MAX_SOCKETS ||
		    strlen(names) + strlen(argv[i]) + 2 > sizeof(names)) {
			fprintf(stderr, "socket_hold: too many names\n");
			return 1;
		}
		socks[nsocks++] = open_listener(argv[i]);
		if (names[0] != '\0')
			strcat(names, ":");
		strcat(names, argv[i]);
	}
	if (i + 1 >= argc || nsocks == 0) {
		fprintf(stderr, "usage: socket_hold NAME... -- COMMAND "
		                "[ARG...]\n");
		return 1;
	}
	for (;;) {
		struct pollfd p = {.fd = 0, .events = POLLIN};

		if (poll(&p, 1, 50) == -1 && errno != EINTR)
			die("poll");
		reap();
		if (p.revents == 0)
			continue;
		/* read(2), not stdio: poll would miss lines stdio buffered. */
		ssize_t n = read(0, line + len, sizeof(line) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		line[len] = '\0';
		char *nl;
		while ((nl = strchr(line, '\n')) != NULL) {
			*nl = '\0';
			if (strncmp(line, "start ", 6) == 0)
				start(names, line + 6, argv + i + 1);
			else
				fprintf(stderr,
				        "socket_hold: unknown command '%s'\n",
				        line);
			len -= (size_t)(nl + 1 - line);
			memmove(line, nl + 1, len + 1);
		}
		if (len == sizeof(line) - 1) {
			fprintf(stderr, "socket_hold: line too long\n");
			break;
		}
	}
	for (i = 0; i < MAX_CHILDREN; i++)
		if (children[i] != 0)
			kill(children[i], SIGKILL);
	return 0;
}
