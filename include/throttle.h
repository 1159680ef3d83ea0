/*
 * Login throttling. After THROTTLE_MAX_FAILURES failed logins for one
 * account or from one client address within THROTTLE_WINDOW seconds, the
 * next attempt (one more failure would be "more than 5") is refused before
 * any password is looked at. Failures live in the database (login_failures),
 * so every instance counts them.
 */
#ifndef BLOGD_THROTTLE_H
#define BLOGD_THROTTLE_H

#include <stddef.h>

struct db_conn;

#define THROTTLE_MAX_FAILURES 5
#define THROTTLE_WINDOW       (15 * 60) /* seconds */

/* Pure: seconds until fewer than THROTTLE_MAX_FAILURES of the failures
 * with these ages (seconds, newest first, n of them) are in the window;
 * 0 when that is already so. */
long throttle_wait(const long long *ages, size_t n);

/* 0 when account (NULL: any) and client_ip may try to log in, the seconds
 * to wait (for Retry-After) when not, -1 on a database error. */
long throttle_check(struct db_conn *conn, const char *account,
                    const char *client_ip);
/* Counts a failed attempt. 0 or -1. */
int throttle_failed(struct db_conn *conn, const char *account,
                    const char *client_ip);
/* A successful login: clears the account's count (the address keeps its
 * own, so one good password does not reopen a guessing address) and
 * drops failures too old to count. 0 or -1. */
int throttle_succeeded(struct db_conn *conn, const char *account);

#endif
