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

#endif
