/*
 * Two-factor sign-in for admins: RFC 6238 TOTP (HMAC-SHA-1, 6 digits,
 * 30-second steps) as authenticator apps make it, one-time recovery codes,
 * and the sign-in waiting between the password and the code.
 *
 * A code of the current step or of the one before or after is accepted
 * (clocks drift, people type slowly), and each step only once per account:
 * the last step used lives in the database (model_totp_use_step), so a
 * code seen on one instance is refused by every other.
 *
 * Between the two steps the browser holds a cookie blogd_2fa: 256 random
 * bits as hex, of which the database keeps only the SHA-256
 * (login_pending), for TOTP_PENDING_SECONDS. It is no session: it opens
 * nothing but the code form.
 */
#ifndef BLOGD_TOTP_H
#define BLOGD_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "model.h"

struct buf;
struct db_conn;
struct http_request;

#define TOTP_PERIOD          30 /* seconds per step */
#define TOTP_DIGITS          6
#define TOTP_WINDOW          1  /* steps accepted either side of now */
#define TOTP_SECRET_B32_LEN  32 /* base32 characters of a 20-byte secret */
#define TOTP_CODE_MAX        64 /* longer input is refused unread */
#define TOTP_RECOVERY_BYTES  10 /* 80 random bits per recovery code */
#define TOTP_RECOVERY_SIZE   20 /* "xxxx-xxxx-xxxx-xxxx" and its NUL */
#define TOTP_PENDING_COOKIE  "blogd_2fa"
#define TOTP_PENDING_SECONDS (5 * 60)

/* Pure: the time step of unix time t. */
long long totp_step(time_t t);
/* Pure: the RFC 4226 value (0..999999) of secret at step. */
unsigned totp_code(const unsigned char *secret, size_t len, long long step);
/* Pure: the step within TOTP_WINDOW of now_step whose code is code (six
 * digits; spaces are ignored), or -1. Compares in constant time. */
long long totp_match(const unsigned char secret[MODEL_TOTP_SECRET_LEN],
                     const char *code, long long now_step);
/* Pure: the stored hash of a recovery code as typed (case, '-' and spaces
 * ignored). False when code cannot be one. */
bool totp_recovery_hash(const char *code,
                        unsigned char out[MODEL_TOTP_RECOVERY_LEN]);
/* Pure: appends otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=...
 * (Google Authenticator's key URI format), issuer and account
 * percent-encoded. */
void totp_uri(struct buf *out, const char *issuer, const char *account,
              const unsigned char secret[MODEL_TOTP_SECRET_LEN]);
/* Pure: the base32 form of secret (TOTP_SECRET_B32_LEN + 1 bytes). */
void totp_secret_text(const unsigned char secret[MODEL_TOTP_SECRET_LEN],
                      char out[TOTP_SECRET_B32_LEN + 1]);

/* A new random secret. 0 or -1. */
int totp_secret_new(unsigned char out[MODEL_TOTP_SECRET_LEN]);
/* MODEL_TOTP_RECOVERY_N new recovery codes, as shown, and their hashes.
 * 0 or -1. The caller wipes both. */
int totp_recovery_new(char codes[][TOTP_RECOVERY_SIZE],
                      unsigned char hashes[][MODEL_TOTP_RECOVERY_LEN]);

/*
 * Checks code for user id, whose two-factor state is t (enabled): a TOTP
 * code of an unused step, or an unused recovery code; either is used up.
 * 1 accepted, 0 refused, -1 on a database error.
 */
int totp_check(struct db_conn *conn, long long id, const struct model_totp *t,
               const char *code);

/* After the password of user_id with two-factor on: stores a pending
 * sign-in and sets its cookie. 0 or -1. */
int totp_pending_start(struct http_request *req, struct db_conn *conn,
                       long long user_id);
/* The user id of the request's pending sign-in: MODEL_OK, MODEL_NOT_FOUND
 * (no cookie, unknown or lapsed) or MODEL_ERR. */
int totp_pending_get(struct http_request *req, struct db_conn *conn,
                     long long *user_id);
/* Deletes the request's pending sign-in and its cookie. 0 or -1. */
int totp_pending_end(struct http_request *req, struct db_conn *conn);

#endif
