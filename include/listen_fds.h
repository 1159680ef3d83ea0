/*
 * systemd's socket activation (sd_listen_fds(3)), spoken directly as the
 * notifications are (notify.h): the listening sockets a service manager
 * opened and passed as descriptors 3, 4, ... with LISTEN_PID, LISTEN_FDS
 * and LISTEN_FDNAMES in the environment.
 */
#ifndef BLOGD_LISTEN_FDS_H
#define BLOGD_LISTEN_FDS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define LISTEN_FDS_START 3 /* SD_LISTEN_FDS_START */

/* The descriptors for the two listeners; -1 where none was passed. */
struct listen_fds {
	int http, https;
};

/*
 * Which of the n passed sockets is which listener. names is
 * LISTEN_FDNAMES (NULL when unset): colon-separated, "http" and "https"
 * match the listener of that name. When no name is one of the two (unset,
 * or systemd's default, the socket unit's name), the sockets go to the
 * listeners the configuration turns on, in the order http, https. Each
 * listener turned on (want_*) must get exactly one socket and no socket
 * may be left over. 0, or -1 with err naming the mismatch. Pure.
 */
int listen_fds_match(const char *names, unsigned n, bool want_http,
                     bool want_https, struct listen_fds *out, char *err,
                     size_t errlen);

/*
 * At start: when LISTEN_PID is this process and LISTEN_FDS at least 1,
 * matches the sockets to the listeners the configuration turns on (a port
 * for each, 0 for one that is off: listen_fds_match), checks that each is
 * a listening TCP socket on that port, makes it non-blocking and
 * close-on-exec, and unsets the LISTEN_* variables. *socket_activated says
 * whether sockets were passed (out is all -1 otherwise). 0, or -1 with err.
 */
int listen_fds_take(unsigned http_port, unsigned https_port,
                    struct listen_fds *out, bool *socket_activated, char *err,
                    size_t errlen);

#endif
