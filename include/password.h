/*
 * Password hashing: argon2id (libargon2) for everything new; Django's
 * "pbkdf2_sha256$iterations$salt$hash", "argon2$argon2id$..." (or
 * argon2i) and "bcrypt_sha256$$2b$..." verify too, for imported accounts,
 * and report that they need rehashing. Anything else (Django's unusable
 * "!..." included) is -1.
 */
#ifndef BLOGD_PASSWORD_H
#define BLOGD_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#define PASSWORD_HASH_MAX 256
#define PASSWORD_MAX_LEN  1024 /* longer input is refused, not truncated */

/* Writes an encoded argon2id hash ("$argon2id$v=19$...") into out. 0 or -1. */
int password_hash(const char *password, char *out, size_t outlen);
/* 1 when password matches encoded, 0 when not, -1 on a malformed hash.
 * *needs_rehash is set when the hash is not current argon2id. */
int password_verify(const char *password, const char *encoded,
                    bool *needs_rehash);

/*
 * The gate the server hashes behind: at most `slots` hashes or
 * verifications at once (one per core), so a burst of sign-ins costs
 * bounded CPU and memory (argon2id takes 19 MiB each) whatever [server]
 * workers is, and static pages keep their cores. Others wait for a slot
 * up to PASSWORD_GATE_WAIT_MS, then are refused (the caller answers 503
 * with Retry-After). One slot until password_gate_init; any thread.
 */
#define PASSWORD_GATE_WAIT_MS 2000
/* Main thread, before serving. */
void password_gate_init(unsigned slots);
/* 0 with a slot, or -1 when none came free in time. */
int password_gate_enter(void);
void password_gate_leave(void);
struct buf;
/* A metrics source (metrics_add_source): the gate's slots, hashes running
 * now and at most so far, waits and refusals; arg unused. */
void password_gate_metrics(struct buf *out, void *arg);

#endif
