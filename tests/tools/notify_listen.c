/*
 * notify_listen: stands in for systemd's notification socket in the
 * integration tests (node cannot bind AF_UNIX datagram sockets).
 *
 * Usage: notify_listen PATH
 *
 * Binds a datagram socket at PATH (give its path to blogd as NOTIFY_SOCKET)
 * and prints every datagram as one line on stdout, flushed at once:
 *
 *	pid=SENDER<TAB>VAR=VALUE<TAB>VAR=VALUE...
 *
 * The newlines that separate sd_notify assignments become tabs, and the
 * sender's pid comes from the kernel (SO_PASSCRED), so a test can check that
 * the main process sent it (NotifyAccess=main). The socket file exists once
 * the socket is bound, so a test may wait for it before starting blogd.
 * SIGTERM or SIGINT removes PATH and exits 0.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* sd_notify datagrams are small; systemd itself reads at most a page. */
#define NOTIFY_MAX 4096

/* The bound socket's path, for the signal handler. */
static const char *socket_path;

/*
 * Exits from the handler itself: a flag checked by the loop could be set
 * just before recvmsg() blocks, and the process would never end. unlink()
 * and _exit() are async-signal-safe; every line is already flushed.
 */
static void
on_signal(int sig)
{
	(void)sig;
	unlink(socket_path);
	_exit(0);
}

static int
install_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1)
		return -1;
	return 0;
}

static int
bind_socket(const char *path)
{
	struct sockaddr_un sun;
	int fd, on = 1;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "notify_listen: %s: path too long\n", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		perror("notify_listen: socket");
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "notify_listen: %s: %s\n", path,
		        strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Prints one datagram as one line; returns -1 when stdout fails. */
static int
print_datagram(pid_t pid, char *buf, size_t len)
{
	while (len > 0 && buf[len - 1] == '\n')
		len--;
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\n')
			buf[i] = '\t';
	if (printf("pid=%ld\t%.*s\n", (long)pid, (int)len, buf) < 0 ||
	    fflush(stdout) == EOF)
		return -1;
	return 0;
}

/* Returns only when reading or printing fails. */
static void
receive_loop(int fd)
{
	char buf[NOTIFY_MAX];
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct ucred))];
	} control;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr msg;
	struct cmsghdr *cmsg;
	struct ucred cred;
	ssize_t n;

	for (;;) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		if ((n = recvmsg(fd, &msg, 0)) == -1) {
			perror("notify_listen: recvmsg");
			return;
		}
		cred.pid = 0;
		for (cmsg = CMSG_FIRSTHDR(&msg); cmsg != NULL;
		     cmsg = CMSG_NXTHDR(&msg, cmsg))
			if (cmsg->cmsg_level == SOL_SOCKET &&
			    cmsg->cmsg_type == SCM_CREDENTIALS)
				memcpy(&cred, CMSG_DATA(cmsg), sizeof(cred));
		if (print_datagram(cred.pid, buf, (size_t)n) == -1)
			return;
	}
}

int
main(int argc, char **argv)
{
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: notify_listen PATH\n");
		return 2;
	}
	socket_path = argv[1];
	/* Before the socket exists: a test that sees the file may signal. */
	if (install_handlers() == -1) {
		perror("notify_listen: sigaction");
		return 1;
	}
	if ((fd = bind_socket(socket_path)) == -1)
		return 1;
	receive_loop(fd);
	close(fd);
	unlink(socket_path);
	return 1;
}
