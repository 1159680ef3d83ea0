/*
 * systemd's service notification protocol (sd_notify(3)), spoken directly:
 * one datagram to the AF_UNIX socket named by $NOTIFY_SOCKET. Linking
 * libsystemd for this one call brought six more libraries (libgcrypt,
 * liblzma, libzstd, ...) and about 1 MiB of resident memory.
 */
#ifndef BLOGD_NOTIFY_H
#define BLOGD_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Sends state ("READY=1", "STATUS=...", several lines allowed) when
 * $NOTIFY_SOCKET is set: 1 sent, 0 not under systemd, -errno on failure.
 */
int notify_send(const char *state);

/*
 * The watchdog interval systemd asks for: true with *usec when
 * $WATCHDOG_USEC is a positive number and $WATCHDOG_PID, if set, is self.
 */
bool notify_watchdog(uint64_t *usec);

/* notify_watchdog's rule on the two values (NULL = unset); pure. */
bool notify_watchdog_parse(const char *usec_env, const char *pid_env,
                           pid_t self, uint64_t *usec);

#endif
