/*
 * bench/ceiling: the least any render path can cost on this machine. A
 * bare HTTP/1.1 server with no library between the socket and the
 * database: one event loop per thread (epoll), the database reached
 * through libmariadb's non-blocking calls on that same thread (no
 * hand-off, no thread waiting on a statement), one prepared statement
 * per request, its rows copied into a body padded to the size of
 * blogd's page, one send. It parses nothing but the end of the header
 * block, escapes nothing, logs nothing, adds no header: whatever blogd
 * does, it does at least this, so this server's req/s under the same
 * wrk is an upper bound for blogd's (bench/ceiling.sh).
 *
 * usage: ceiling PORT SOCKET DATABASE USER PASSWORD THREADS DB_PER_THREAD
 *        BODY_BYTES SQL
 *
 * Ownership: each thread owns its epoll set, its listening socket
 * (SO_REUSEPORT: the kernel spreads connections), its clients and its
 * database connections; threads share nothing after start.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <mysql.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define CELL_MAX 65536
#define IN_MAX   8192
#define DB_MAX   16

enum kind { LISTENER, CLIENT, DATABASE };

struct client {
	enum kind kind;
	int fd;
	char in[IN_MAX];
	size_t in_len;
	char *out; /* an answer not yet sent in full */
	size_t out_len, out_off;
	struct client *next_waiting;
};

struct dbconn {
	enum kind kind;
	MYSQL *db;
	MYSQL_STMT *st;
	MYSQL_BIND *bind;
	unsigned ncols;
	int step; /* 0 idle, 1 executing, 2 storing */
	struct client *for_client;
	bool watched;
};

struct loop {
	enum kind kind; /* LISTENER: the loop itself marks its socket */
	int ep, lfd;
	struct dbconn dbs[DB_MAX];
	unsigned ndbs;
	struct client *wait_head, *wait_tail;
};

static struct {
	int port;
	const char *sock, *name, *user, *pass, *sql;
	unsigned threads, per_thread;
	size_t body_bytes;
	bool blocking; /* CEILING_BLOCKING set: the loop waits on each
	                * statement, as a thread per statement would */
} opt;

static void
die(const char *what, const char *why)
{
	fprintf(stderr, "ceiling: %s: %s\n", what, why);
	exit(1);
}

static void
watch(int ep, int op, int fd, unsigned events, void *ptr)
{
	struct epoll_event ev = {.events = events, .data.ptr = ptr};

	if (epoll_ctl(ep, op, fd, &ev) != 0)
		die("epoll_ctl", strerror(errno));
}

static void
db_open(struct dbconn *d)
{
	MYSQL_RES *meta;

	d->kind = DATABASE;
	if ((d->db = mysql_init(NULL)) == NULL)
		die("mysql_init", "out of memory");
	mysql_options(d->db, MYSQL_OPT_NONBLOCK, 0);
	if (mysql_real_connect(d->db, NULL, opt.user, opt.pass, opt.name, 0,
	                       opt.sock, 0) == NULL)
		die("connect", mysql_error(d->db));
	if ((d->st = mysql_stmt_init(d->db)) == NULL ||
	    mysql_stmt_prepare(d->st, opt.sql, strlen(opt.sql)) != 0)
		die("prepare", mysql_error(d->db));
	if ((meta = mysql_stmt_result_metadata(d->st)) == NULL)
		die("prepare", "the statement returns no rows");
	d->ncols = mysql_num_fields(meta);
	mysql_free_result(meta);
	if ((d->bind = calloc(d->ncols, sizeof(*d->bind))) == NULL)
		die("calloc", "out of memory");
	for (unsigned i = 0; i < d->ncols; i++) {
		d->bind[i].buffer_type = MYSQL_TYPE_STRING;
		if ((d->bind[i].buffer = malloc(CELL_MAX)) == NULL)
			die("malloc", "out of memory");
		d->bind[i].buffer_length = CELL_MAX;
		d->bind[i].length = &d->bind[i].length_value;
		d->bind[i].is_null = &d->bind[i].is_null_value;
	}
	if (mysql_stmt_bind_result(d->st, d->bind) != 0)
		die("bind", mysql_stmt_error(d->st));
}

static void
client_close(struct loop *l, struct client *c)
{
	epoll_ctl(l->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->out);
	free(c);
}

/* Sends what is left of c's answer; false when c is gone. */
static bool
client_flush(struct loop *l, struct client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off,
		                 c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0 && errno == EAGAIN) {
			watch(l->ep, EPOLL_CTL_MOD, c->fd, EPOLLOUT, c);
			return true;
		}
		if (n <= 0) {
			client_close(l, c);
			return false;
		}
		c->out_off += (size_t)n;
	}
	free(c->out);
	c->out = NULL;
	watch(l->ep, EPOLL_CTL_MOD, c->fd, EPOLLIN, c);
	return true;
}

/* The rows of d's finished statement, as c's answer. */
static void
answer(struct loop *l, struct dbconn *d, struct client *c)
{
	size_t cap = opt.body_bytes + 256, len = 256, head;
	char *out = malloc(cap + CELL_MAX), hdr[256];
	int rc;

	if (out == NULL)
		die("malloc", "out of memory");
	while ((rc = mysql_stmt_fetch(d->st)) == 0 ||
	       rc == MYSQL_DATA_TRUNCATED) {
		for (unsigned i = 0; i < d->ncols; i++) {
			unsigned long n = *d->bind[i].length;

			if (n > CELL_MAX)
				n = CELL_MAX; /* truncated */

			if (d->bind[i].is_null_value || len + n + 8 > cap)
				continue;
			memcpy(out + len, "<p>", 3);
			memcpy(out + len + 3, d->bind[i].buffer, n);
			memcpy(out + len + 3 + n, "</p>", 4);
			len += n + 7;
		}
	}
	mysql_stmt_free_result(d->st);
	if (len < cap) { /* the template's own text */
		memset(out + len, ' ', cap - len);
		len = cap;
	}
	head = (size_t)snprintf(hdr, sizeof(hdr),
	                        "HTTP/1.1 200 OK\r\nContent-Type: text/html; "
	                        "charset=utf-8\r\nContent-Length: %zu\r\n\r\n",
	                        len - 256);
	memcpy(out + 256 - head, hdr, head);
	c->out = out;
	c->out_off = 256 - head;
	c->out_len = len;
	client_flush(l, c);
}

static void db_step(struct loop *l, struct dbconn *d, int ready);

static void
db_start(struct loop *l, struct dbconn *d, struct client *c)
{
	d->for_client = c;
	d->step = 1;
	db_step(l, d, 0);
}

/* Moves d's statement on; ready is what libmariadb waited for, 0 to
 * begin a step. */
static void
db_step(struct loop *l, struct dbconn *d, int ready)
{
	int wait, err = 0;

	for (;;) {
		if (d->step == 1 && ready == 0)
			wait = mysql_stmt_execute_start(&err, d->st);
		else if (d->step == 1)
			wait = mysql_stmt_execute_cont(&err, d->st, ready);
		else if (ready == 0)
			wait = mysql_stmt_store_result_start(&err, d->st);
		else
			wait = mysql_stmt_store_result_cont(&err, d->st, ready);
		if (wait != 0) {
			unsigned ev = (wait & MYSQL_WAIT_READ ? EPOLLIN : 0) |
			              (wait & MYSQL_WAIT_WRITE ? EPOLLOUT : 0);

			watch(l->ep, d->watched ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
			      mysql_get_socket(d->db), ev, d);
			d->watched = true;
			return;
		}
		if (err != 0)
			die("statement", mysql_stmt_error(d->st));
		ready = 0;
		if (d->step == 1) {
			d->step = 2;
			continue;
		}
		break;
	}
	d->step = 0;
	if (d->watched)
		watch(l->ep, EPOLL_CTL_MOD, mysql_get_socket(d->db), 0, d);
	answer(l, d, d->for_client);
	d->for_client = NULL;
	if (l->wait_head != NULL) {
		struct client *c = l->wait_head;

		if ((l->wait_head = c->next_waiting) == NULL)
			l->wait_tail = NULL;
		db_start(l, d, c);
	}
}

/* A whole request is in c: a database connection takes it, or it waits
 * for one. */
static void
request(struct loop *l, struct client *c)
{
	if (opt.blocking) {
		if (mysql_stmt_execute(l->dbs[0].st) != 0 ||
		    mysql_stmt_store_result(l->dbs[0].st) != 0)
			die("statement", mysql_stmt_error(l->dbs[0].st));
		answer(l, &l->dbs[0], c);
		return;
	}
	for (unsigned i = 0; i < l->ndbs; i++)
		if (l->dbs[i].step == 0) {
			db_start(l, &l->dbs[i], c);
			return;
		}
	c->next_waiting = NULL;
	if (l->wait_tail != NULL)
		l->wait_tail->next_waiting = c;
	else
		l->wait_head = c;
	l->wait_tail = c;
}

static void
client_read(struct loop *l, struct client *c)
{
	ssize_t n = recv(c->fd, c->in + c->in_len, IN_MAX - c->in_len, 0);
	char *end;

	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0) {
		client_close(l, c);
		return;
	}
	c->in_len += (size_t)n;
	end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
	if (end == NULL) {
		if (c->in_len == IN_MAX)
			client_close(l, c);
		return;
	}
	/* One request at a time (wrk does not pipeline): keep what
	 * follows, stop reading until the answer is out. */
	c->in_len -= (size_t)(end + 4 - c->in);
	memmove(c->in, end + 4, c->in_len);
	watch(l->ep, EPOLL_CTL_MOD, c->fd, 0, c);
	request(l, c);
}

static void
accept_all(struct loop *l)
{
	int fd;

	while ((fd = accept4(l->lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
		struct client *c = calloc(1, sizeof(*c));

		if (c == NULL)
			die("calloc", "out of memory");
		c->kind = CLIENT;
		c->fd = fd;
		watch(l->ep, EPOLL_CTL_ADD, fd, EPOLLIN, c);
	}
}

static void *
loop_main(void *arg)
{
	struct loop *l = arg;
	struct epoll_event evs[64];

	for (;;) {
		int n = epoll_wait(l->ep, evs, 64, -1);

		for (int i = 0; i < n; i++) {
			enum kind *k = evs[i].data.ptr;

			if (*k == LISTENER) {
				accept_all(l);
			} else if (*k == DATABASE) {
				struct dbconn *d = evs[i].data.ptr;
				int ready = 0;

				if (evs[i].events & (EPOLLIN | EPOLLHUP))
					ready |= MYSQL_WAIT_READ;
				if (evs[i].events & EPOLLOUT)
					ready |= MYSQL_WAIT_WRITE;
				db_step(l, d, ready);
			} else {
				struct client *c = evs[i].data.ptr;

				if (c->out != NULL)
					client_flush(l, c);
				else
					client_read(l, c);
			}
		}
	}
	return NULL;
}

static void
loop_open(struct loop *l)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)opt.port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int one = 1;

	l->kind = LISTENER;
	if ((l->ep = epoll_create1(0)) < 0 ||
	    (l->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0 ||
	    setsockopt(l->lfd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    bind(l->lfd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(l->lfd, 1024) != 0)
		die("listen", strerror(errno));
	watch(l->ep, EPOLL_CTL_ADD, l->lfd, EPOLLIN, l);
	l->ndbs = opt.per_thread;
	for (unsigned i = 0; i < l->ndbs; i++)
		db_open(&l->dbs[i]);
}

int
main(int argc, char **argv)
{
	struct loop *loops;
	pthread_t t;

	if (argc != 10) {
		fprintf(stderr, "usage: ceiling PORT SOCKET DATABASE USER "
		                "PASSWORD THREADS DB_PER_THREAD BODY_BYTES "
		                "SQL\n");
		return 2;
	}
	opt.port = atoi(argv[1]);
	opt.sock = argv[2];
	opt.name = argv[3];
	opt.user = argv[4];
	opt.pass = argv[5];
	opt.threads = (unsigned)atoi(argv[6]);
	opt.per_thread = (unsigned)atoi(argv[7]);
	opt.body_bytes = (size_t)atol(argv[8]);
	opt.sql = argv[9];
	opt.blocking = getenv("CEILING_BLOCKING") != NULL;
	if (opt.threads < 1 || opt.per_thread < 1 || opt.per_thread > DB_MAX)
		die("usage", "THREADS >= 1, 1 <= DB_PER_THREAD <= 16");
	if ((loops = calloc(opt.threads, sizeof(*loops))) == NULL)
		die("calloc", "out of memory");
	for (unsigned i = 0; i < opt.threads; i++)
		loop_open(&loops[i]);
	printf("ceiling: listening\n");
	fflush(stdout);
	for (unsigned i = 1; i < opt.threads; i++)
		if (pthread_create(&t, NULL, loop_main, &loops[i]) != 0)
			die("pthread_create", "failed");
	loop_main(&loops[0]);
	return 0;
}
