/*
 * bench/statements: what one prepared statement costs the database
 * server. Prepares each statement given on the command line once, runs it
 * N times in a row (fetching every row, as blogd does) and prints the
 * wall time per run and the server's CPU time per run, read from
 * /proc/PID/stat of the mariadbd process before and after.
 *
 * usage: statements SOCKET DATABASE USER PASSWORD MARIADBD_PID N SQL...
 * (bench/statements.sh builds it and gives it a seeded private server.)
 */
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CELL_MAX 65536

/* User plus system CPU seconds of process pid so far; -1 on error. */
static double
cpu_seconds(long pid)
{
	char path[64], line[4096], *p;
	unsigned long utime, stime;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(line, 1, sizeof(line) - 1, f);
	fclose(f);
	line[n] = '\0';
	/* The command name may hold spaces: count fields after its ')'. */
	if ((p = strrchr(line, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	           &utime, &stime) != 2)
		return -1;
	return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

static double
now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Runs st n times, fetching every row; rows per run, or -1. */
static long
run(MYSQL_STMT *st, long n)
{
	long i, rows = 0;
	int rc;

	for (i = 0; i < n; i++) {
		if (mysql_stmt_execute(st) != 0 ||
		    mysql_stmt_store_result(st) != 0)
			return -1;
		/* A statement without a result set (SET) fetches an error. */
		while ((rc = mysql_stmt_fetch(st)) == 0 ||
		       rc == MYSQL_DATA_TRUNCATED)
			rows++;
		mysql_stmt_free_result(st);
	}
	return rows / n;
}

static void
bind_free(MYSQL_BIND *bind, unsigned ncols)
{
	for (unsigned i = 0; bind != NULL && i < ncols; i++)
		free(bind[i].buffer);
	free(bind);
}

/* Prepares sql and binds its ncols result columns as strings (bind_free
 * frees them); NULL on error. */
static MYSQL_STMT *
prepare(MYSQL *db, const char *sql, MYSQL_BIND **bind, unsigned *ncols)
{
	MYSQL_STMT *st = mysql_stmt_init(db);
	MYSQL_RES *meta;
	unsigned i;

	*bind = NULL;
	*ncols = 0;
	if (st == NULL || mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		fprintf(stderr, "statements: %s\n",
		        st != NULL ? mysql_stmt_error(st) : "out of memory");
		if (st != NULL)
			mysql_stmt_close(st);
		return NULL;
	}
	if ((meta = mysql_stmt_result_metadata(st)) == NULL)
		return st; /* no result set */
	*ncols = mysql_num_fields(meta);
	mysql_free_result(meta);
	*bind = calloc(*ncols, sizeof(**bind));
	for (i = 0; *bind != NULL && i < *ncols; i++) {
		(*bind)[i].buffer_type = MYSQL_TYPE_STRING;
		(*bind)[i].buffer = malloc(CELL_MAX);
		(*bind)[i].buffer_length = CELL_MAX;
	}
	if (*bind == NULL || mysql_stmt_bind_result(st, *bind) != 0) {
		fprintf(stderr, "statements: cannot bind the result\n");
		mysql_stmt_close(st);
		bind_free(*bind, *ncols);
		*bind = NULL;
		return NULL;
	}
	return st;
}

/* The first max bytes of sql on one line, newlines as spaces. */
static void
print_one_line(const char *sql, size_t max)
{
	for (size_t i = 0; sql[i] != '\0' && i < max; i++)
		putchar(sql[i] == '\n' ? ' ' : sql[i]);
	putchar('\n');
}

int
main(int argc, char **argv)
{
	MYSQL *db;
	MYSQL_STMT *st;
	MYSQL_BIND *bind;
	double c0, t0, c1, t1;
	long pid, n, rows;
	unsigned ncols;
	int i;

	if (argc < 8) {
		fprintf(stderr, "usage: statements SOCKET DATABASE USER "
		                "PASSWORD MARIADBD_PID N SQL...\n");
		return 2;
	}
	pid = strtol(argv[5], NULL, 10);
	n = strtol(argv[6], NULL, 10);
	if ((db = mysql_init(NULL)) == NULL || n < 1 ||
	    mysql_real_connect(db, NULL, argv[3], argv[4], argv[2], 0, argv[1],
	                       0) == NULL) {
		fprintf(stderr, "statements: %s\n",
		        db != NULL ? mysql_error(db) : "out of memory");
		return 1;
	}
	printf("%10s %12s %6s  statement (%ld runs each)\n", "wall us",
	       "server us", "rows", n);
	for (i = 7; i < argc; i++) {
		if ((st = prepare(db, argv[i], &bind, &ncols)) == NULL)
			return 1;
		c0 = cpu_seconds(pid);
		t0 = now_seconds();
		rows = run(st, n);
		t1 = now_seconds();
		c1 = cpu_seconds(pid);
		if (rows < 0 || c0 < 0 || c1 < 0) {
			fprintf(stderr, "statements: %s\n",
			        mysql_stmt_error(st));
			return 1;
		}
		printf("%10.1f %12.1f %6ld  ", (t1 - t0) / n * 1e6,
		       (c1 - c0) / n * 1e6, rows);
		print_one_line(argv[i], 100);
		mysql_stmt_close(st);
		bind_free(bind, ncols);
	}
	mysql_close(db);
	return 0;
}
