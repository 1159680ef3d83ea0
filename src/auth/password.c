/*
 * Password hashing (include/password.h).
 *
 * New hashes are argon2id with the OWASP minimum (t=2, m=19 MiB, p=1): about
 * 40 ms of one core per login here, which is what makes a stolen table
 * expensive to attack. Django's pbkdf2_sha256 hashes verify so imported
 * accounts can log in once; the caller then stores password_hash().
 */
#include "password.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <argon2.h>
#include <crypt.h>

#include "buf.h"
#include "crypto.h"
#include "metrics.h"

#define ARGON2_T       2
#define ARGON2_M_KIB   19456
#define ARGON2_P       1
#define ARGON2_SALTLEN 16
#define ARGON2_HASHLEN 32

/* Django's own default today is 870000; anything above this bound is a
 * hash made to burn our CPU, not a real one. */
#define PBKDF2_MAX_ITERATIONS 10000000UL
#define PBKDF2_HASHLEN        32
/* bcrypt's cost is a power of two: Django's default is 12; 2^16 rounds
 * take seconds, more is a hash made to burn our CPU. */
#define BCRYPT_MAX_COST 16

int
password_hash(const char *password, char *out, size_t outlen)
{
	unsigned char salt[ARGON2_SALTLEN];
	size_t len = strlen(password);

	/* An empty password must never become a working credential. */
	if (len == 0 || len > PASSWORD_MAX_LEN)
		return -1;
	if (argon2_encodedlen(ARGON2_T, ARGON2_M_KIB, ARGON2_P, ARGON2_SALTLEN,
	                      ARGON2_HASHLEN, Argon2_id) > outlen)
		return -1;
	if (crypto_random(salt, sizeof(salt)) == -1)
		return -1;
	int rc = argon2id_hash_encoded(ARGON2_T, ARGON2_M_KIB, ARGON2_P,
	                               password, len, salt, sizeof(salt),
	                               ARGON2_HASHLEN, out, outlen);
	return rc == ARGON2_OK ? 0 : -1;
}

/* True when encoded was made with today's parameters. */
static bool
argon2_current(const char *encoded)
{
	char prefix[64];
	int n =
	    snprintf(prefix, sizeof(prefix), "$argon2id$v=%d$m=%d,t=%d,p=%d$",
	             ARGON2_VERSION_NUMBER, ARGON2_M_KIB, ARGON2_T, ARGON2_P);
	if (strncmp(encoded, prefix, (size_t)n) != 0)
		return false;
	/* salt$hash in unpadded base64: 16 bytes -> 22, 32 bytes -> 43. */
	const char *salt = encoded + n, *hash = strchr(salt, '$');
	return hash != NULL && hash - salt == 22 && strlen(hash + 1) == 43;
}

/* libargon2's verdict on encoded as 1 (match), 0 (mismatch) or -1 (an
 * encoding it cannot read): blogd's own hashes and Django's. */
static int
argon2_check(const char *password, size_t len, const char *encoded,
             argon2_type type)
{
	switch (argon2_verify(encoded, password, len, type)) {
	case ARGON2_OK:
		return 1;
	case ARGON2_VERIFY_MISMATCH:
		return 0;
	default:
		return -1;
	}
}

static int
verify_argon2id(const char *password, size_t len, const char *encoded,
                bool *needs_rehash)
{
	*needs_rehash = !argon2_current(encoded);
	return argon2_check(password, len, encoded, Argon2_id);
}

/* "pbkdf2_sha256$<iterations>$<salt>$<base64 of 32 bytes>" */
static int
verify_django(const char *password, size_t len, const char *encoded,
              bool *needs_rehash)
{
	const char *p = encoded + strlen("pbkdf2_sha256$");
	unsigned char want[PBKDF2_HASHLEN + 3], got[PBKDF2_HASHLEN];
	size_t wantlen;
	char *end;

	*needs_rehash = true;
	if (*p < '1' || *p > '9')
		return -1;
	unsigned long iter = strtoul(p, &end, 10);
	if (*end != '$' || iter > PBKDF2_MAX_ITERATIONS)
		return -1;
	const char *salt = end + 1, *b64 = strchr(salt, '$');
	if (b64 == NULL || b64 == salt)
		return -1;
	b64++;
	if (crypto_base64_decode(b64, strlen(b64), want, sizeof(want),
	                         &wantlen) != 0 ||
	    wantlen != PBKDF2_HASHLEN)
		return -1;
	if (crypto_pbkdf2_sha256(password, len, salt, (size_t)(b64 - 1 - salt),
	                         (unsigned)iter, got, sizeof(got)) != 0)
		return -1;
	return crypto_equal(got, want, sizeof(got)) ? 1 : 0;
}

/* Django's Argon2PasswordHasher: "argon2" in front of the encoding
 * libargon2 reads ("argon2$argon2id$v=19$m=...,t=...,p=...$salt$hash");
 * argon2i for hashes made before Django 3.2. */
static int
verify_django_argon2(const char *password, size_t len, const char *encoded,
                     bool *needs_rehash)
{
	const char *enc = encoded + strlen("argon2");
	argon2_type type;

	*needs_rehash = true;
	if (strncmp(enc, "$argon2id$", 10) == 0)
		type = Argon2_id;
	else if (strncmp(enc, "$argon2i$", 9) == 0)
		type = Argon2_i;
	else
		return -1;
	return argon2_check(password, len, enc, type);
}

/* "$2b$NN$" and 53 characters of salt and hash, NN within bounds. */
static bool
bcrypt_setting_ok(const char *s)
{
	if ((strncmp(s, "$2b$", 4) != 0 && strncmp(s, "$2a$", 4) != 0) ||
	    s[4] < '0' || s[4] > '9' || s[5] < '0' || s[5] > '9' ||
	    s[6] != '$' || strlen(s) != 60)
		return false;
	return (s[4] - '0') * 10 + (s[5] - '0') <= BCRYPT_MAX_COST;
}

/* Django's BCryptSHA256PasswordHasher: "bcrypt_sha256$" and bcrypt (from
 * libcrypt) of the lower-case hex SHA-256 of the password. */
static int
verify_django_bcrypt(const char *password, size_t len, const char *encoded,
                     bool *needs_rehash)
{
	const char *setting = encoded + strlen("bcrypt_sha256$");
	unsigned char digest[32];
	char hex[65];
	const char *out;
	int rc = 0;

	*needs_rehash = true;
	if (!bcrypt_setting_ok(setting))
		return -1;
	crypto_sha256(password, len, digest);
	crypto_hex(digest, sizeof(digest), hex);
	/* crypt_data is about 32 KiB: too big for a worker's stack. */
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	if (cd == NULL)
		return -1;
	out = crypt_r(hex, setting, cd);
	if (out == NULL || out[0] == '*' || strlen(out) != 60)
		rc = -1;
	else if (crypto_equal(out, setting, 60))
		rc = 1;
	explicit_bzero(hex, sizeof(hex));
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}

int
password_verify(const char *password, const char *encoded, bool *needs_rehash)
{
	size_t len = strlen(password);

	*needs_rehash = false;
	/* Refused before any work: such a password was never hashed. */
	if (len == 0 || len > PASSWORD_MAX_LEN)
		return 0;
	if (strncmp(encoded, "$argon2id$", 10) == 0)
		return verify_argon2id(password, len, encoded, needs_rehash);
	if (strncmp(encoded, "pbkdf2_sha256$", 14) == 0)
		return verify_django(password, len, encoded, needs_rehash);
	if (strncmp(encoded, "argon2$", 7) == 0)
		return verify_django_argon2(password, len, encoded,
		                            needs_rehash);
	if (strncmp(encoded, "bcrypt_sha256$", 14) == 0)
		return verify_django_bcrypt(password, len, encoded,
		                            needs_rehash);
	return -1;
}

/* ---- the gate ---- */

/* mu guards every field; free is signalled when a slot is left. */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t free;
	unsigned slots, running, peak;
	unsigned long long waits, refusals;
} gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 1, 0, 0, 0, 0};

void
password_gate_init(unsigned slots)
{
	pthread_mutex_lock(&gate.mu);
	gate.slots = slots > 0 ? slots : 1;
	pthread_mutex_unlock(&gate.mu);
}

int
password_gate_enter(void)
{
	struct timespec until;
	int rc = 0;

	/* The condition variable's clock is the realtime one. */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += PASSWORD_GATE_WAIT_MS / 1000;
	until.tv_nsec += (PASSWORD_GATE_WAIT_MS % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&gate.mu);
	if (gate.running >= gate.slots)
		gate.waits++;
	while (gate.running >= gate.slots && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&gate.free, &gate.mu, &until);
	if (gate.running >= gate.slots) {
		gate.refusals++;
		pthread_mutex_unlock(&gate.mu);
		return -1;
	}
	if (++gate.running > gate.peak)
		gate.peak = gate.running;
	pthread_mutex_unlock(&gate.mu);
	return 0;
}

void
password_gate_leave(void)
{
	pthread_mutex_lock(&gate.mu);
	gate.running--;
	pthread_cond_signal(&gate.free);
	pthread_mutex_unlock(&gate.mu);
}

void
password_gate_metrics(struct buf *out, void *arg)
{
	unsigned slots, running, peak;
	unsigned long long waits, refusals;

	(void)arg;
	pthread_mutex_lock(&gate.mu);
	slots = gate.slots;
	running = gate.running;
	peak = gate.peak;
	waits = gate.waits;
	refusals = gate.refusals;
	pthread_mutex_unlock(&gate.mu);
	metrics_gauge(out, "blogd_password_hashes_max", "gauge",
	              "Password hashes the gate lets run at once.", slots);
	metrics_gauge(out, "blogd_password_hashes_running", "gauge",
	              "Password hashes running now.", running);
	metrics_gauge(out, "blogd_password_hashes_peak", "gauge",
	              "Most password hashes that ran at once so far.", peak);
	metrics_gauge(out, "blogd_password_gate_waits_total", "counter",
	              "Sign-ins that found every slot taken and waited.",
	              waits);
	metrics_gauge(out, "blogd_password_gate_refusals_total", "counter",
	              "Sign-ins refused (503) after waiting too long.",
	              refusals);
}
