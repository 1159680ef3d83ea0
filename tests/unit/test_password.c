/* Unit tests for src/auth/password.c. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "buf.h"
#include "password.h"

/* Made with Python's hashlib.pbkdf2_hmac('sha256', b'secret-pass',
 * b'somesalt123', 260000), which is what Django 3.2 stores. */
static const char django_hash[] =
    "pbkdf2_sha256$260000$somesalt123$"
    "JatJEAbJWGNfgllh1T9ZxmYXvdYXGPf/ZP7k6GUrLaY=";

static void
test_argon2id_round_trip(void **state)
{
	char hash[PASSWORD_HASH_MAX], again[PASSWORD_HASH_MAX];
	bool rehash = true;

	(void)state;
	assert_int_equal(password_hash("correct horse", hash, sizeof(hash)), 0);
	assert_true(strncmp(hash, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
	assert_int_equal(password_verify("correct horse", hash, &rehash), 1);
	assert_false(rehash);
	assert_int_equal(password_verify("correct horsf", hash, &rehash), 0);
	assert_int_equal(password_verify("", hash, &rehash), 0);

	/* A fresh salt every time. */
	assert_int_equal(password_hash("correct horse", again, sizeof(again)),
	                 0);
	assert_string_not_equal(hash, again);
}

static void
test_argon2id_old_params_need_rehash(void **state)
{
	/* argon2id, m=4096,t=3,p=1, password "password", made with
	 * libargon2's argon2id_hash_encoded. */
	static const char old[] =
	    "$argon2id$v=19$m=4096,t=3,p=1$c29tZXNhbHRzb21lc2FsdA$"
	    "BvuA7SfebsIC3f4gSy7/Ei1s6+hsEfaOuCZMbl/y/Sg";
	bool rehash = false;

	(void)state;
	int rc = password_verify("password", old, &rehash);
	assert_int_equal(rc, 1);
	assert_true(rehash);
}

static void
test_refuses(void **state)
{
	char hash[PASSWORD_HASH_MAX];
	char long_pw[PASSWORD_MAX_LEN + 2];
	bool rehash;

	(void)state;
	memset(long_pw, 'a', sizeof(long_pw) - 1);
	long_pw[sizeof(long_pw) - 1] = '\0';
	assert_int_equal(password_hash(long_pw, hash, sizeof(hash)), -1);
	assert_int_equal(password_hash("", hash, sizeof(hash)), -1);
	assert_int_equal(password_hash("fine", hash, 20), -1);
	/* Exactly the limit is fine. */
	long_pw[PASSWORD_MAX_LEN] = '\0';
	assert_int_equal(password_hash(long_pw, hash, sizeof(hash)), 0);
	assert_int_equal(password_verify(long_pw, hash, &rehash), 1);
}

static void
test_django(void **state)
{
	bool rehash = false;

	(void)state;
	assert_int_equal(password_verify("secret-pass", django_hash, &rehash),
	                 1);
	assert_true(rehash);
	assert_int_equal(password_verify("secret-pasS", django_hash, &rehash),
	                 0);
	assert_int_equal(password_verify("secret-pass\n", django_hash, &rehash),
	                 0);
}

/* Django's Argon2PasswordHasher format ("argon2" + libargon2's encoding),
 * made with libargon2 (m=1024 to keep the test fast): argon2id, as Django
 * 3.2 makes, and argon2i, as older Django did. */
static const char django_argon2id[] =
    "argon2$argon2id$v=19$m=1024,t=2,p=2$ZGphbmdvc2FsdDEyMzQ1Ng$"
    "yO3a2mG25Li+ONR4Ebas/u1c0si/s85BvxZgRBATTLg";
static const char django_argon2i[] =
    "argon2$argon2i$v=19$m=1024,t=2,p=1$ZGphbmdvc2FsdDEyMzQ1Ng$"
    "ZeUg1jIPcBVx3OEofZZpn4Dch+64rbrVpu+fVraWQxc";

static void
test_django_argon2(void **state)
{
	bool rehash = false;

	(void)state;
	assert_int_equal(
	    password_verify("secret-pass", django_argon2id, &rehash), 1);
	assert_true(rehash);
	assert_int_equal(
	    password_verify("secret-pasS", django_argon2id, &rehash), 0);
	rehash = false;
	assert_int_equal(
	    password_verify("secret-pass", django_argon2i, &rehash), 1);
	assert_true(rehash);
	assert_int_equal(password_verify("x", django_argon2i, &rehash), 0);
	/* Django's own prefix, not libargon2's, says what it is. */
	assert_int_equal(
	    password_verify("secret-pass", django_argon2id + 6, &rehash), 1);
	assert_int_equal(password_verify("secret-pass",
	                                 "argon2$argon2d$v=19$m=1024,t=2,"
	                                 "p=1$ZGphbmdvc2FsdDEyMzQ1Ng$"
	                                 "ZeUg1jIPcBVx3OEofZZpn4Dch+64rbrVpu+"
	                                 "fVraWQxc",
	                                 &rehash),
	                 -1);
	/* An imported inactive account ("!" + hash) never signs in. */
	char inactive[sizeof(django_hash) + 1] = "!";
	strcat(inactive, django_hash);
	assert_int_equal(password_verify("secret-pass", inactive, &rehash), -1);
}

/* Django's BCryptSHA256PasswordHasher (cost 5 to keep the test fast),
 * made with Python's crypt over libxcrypt: bcrypt of the hex SHA-256. */
static const char django_bcrypt[] =
    "bcrypt_sha256$$2b$05$abcdefghijklmnopqrstuuqnDjcKK1M3znqg5bPiCsM4QZ6f"
    "kx8li";

static void
test_django_bcrypt(void **state)
{
	bool rehash = false;

	(void)state;
	assert_int_equal(password_verify("secret-pass", django_bcrypt, &rehash),
	                 1);
	assert_true(rehash);
	assert_int_equal(password_verify("secret-pasS", django_bcrypt, &rehash),
	                 0);
	/* A cost that would take minutes is refused, not computed. */
	assert_int_equal(
	    password_verify("secret-pass",
	                    "bcrypt_sha256$$2b$31$abcdefghijklmnopqrstuuqnDjc"
	                    "KK1M3znqg5bPiCsM4QZ6fkx8li",
	                    &rehash),
	    -1);
	assert_int_equal(
	    password_verify("secret-pass", "bcrypt_sha256$$2b$05$x", &rehash),
	    -1);
}

static void
test_malformed(void **state)
{
	static const char *const bad[] = {
	    "",
	    "plain",
	    "md5$abc$def",
	    "$argon2i$v=19$m=4096,t=3,p=1$c29tZXNhbHQ$aGFzaA",
	    "$argon2id$v=19$m=4096,t=3,p=1$!!!$???",
	    "$argon2id$",
	    "pbkdf2_sha256$",
	    "pbkdf2_sha256$abc$salt$JatJEAbJWGNfgllh1T9ZxmYXvdYXGPf/"
	    "ZP7k6GUrLaY=",
	    "pbkdf2_sha256$0$salt$JatJEAbJWGNfgllh1T9ZxmYXvdYXGPf/ZP7k6GUrLaY=",
	    "pbkdf2_sha256$-1$salt$JatJEAbJWGNfgllh1T9ZxmYXvdYXGPf/"
	    "ZP7k6GUrLaY=",
	    "pbkdf2_sha256$99999999999$salt$JatJEAbJWGNfgllh1T9ZxmYXvdYXGPf/"
	    "ZP7k6GUrLaY=",
	    "pbkdf2_sha256$1000$$JatJEAbJWGNfgllh1T9ZxmYXvdYXGPf/ZP7k6GUrLaY=",
	    "pbkdf2_sha256$1000$salt",
	    "pbkdf2_sha256$1000$salt$not base64!",
	    "pbkdf2_sha256$1000$salt$c2hvcnQ=",
	};
	bool rehash;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = password_verify("secret-pass", bad[i], &rehash);
		if (rc != -1)
			fail_msg("'%s' gave %d", bad[i], rc);
	}
}

/* Another thread's try at the gate: its result. */
static void *
gate_try(void *arg)
{
	*(int *)arg = password_gate_enter();
	return NULL;
}

/* The value of a series in a metrics text, -1 when absent. */
static long long
gate_metric(const char *text, const char *series)
{
	const char *p = strstr(text, series);

	return p != NULL ? strtoll(p + strlen(series), NULL, 10) : -1;
}

static void
test_gate(void **state)
{
	struct buf out = BUF_INIT;
	struct timespec t0, t1;
	pthread_t th;
	int rc = 0;
	double waited;

	(void)state;
	password_gate_init(1);
	assert_int_equal(password_gate_enter(), 0);
	/* The one slot is taken: another thread waits its time, then is
	 * refused. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pthread_create(&th, NULL, gate_try, &rc), 0);
	pthread_join(th, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	waited = (double)(t1.tv_sec - t0.tv_sec) +
	         (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_int_equal(rc, -1);
	assert_true(waited >= PASSWORD_GATE_WAIT_MS / 1000.0 - 0.01);
	password_gate_leave();
	/* Free again: the next one gets in at once. */
	assert_int_equal(pthread_create(&th, NULL, gate_try, &rc), 0);
	pthread_join(th, NULL);
	assert_int_equal(rc, 0);
	password_gate_leave();
	password_gate_metrics(&out, NULL);
	assert_int_equal(
	    gate_metric(buf_cstr(&out), "\nblogd_password_hashes_max "), 1);
	assert_int_equal(
	    gate_metric(buf_cstr(&out), "\nblogd_password_hashes_running "), 0);
	assert_int_equal(
	    gate_metric(buf_cstr(&out), "\nblogd_password_hashes_peak "), 1);
	assert_int_equal(
	    gate_metric(buf_cstr(&out), "\nblogd_password_gate_waits_total "),
	    1);
	assert_int_equal(gate_metric(buf_cstr(&out),
	                             "\nblogd_password_gate_refusals_total "),
	                 1);
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_argon2id_round_trip),
	    cmocka_unit_test(test_argon2id_old_params_need_rehash),
	    cmocka_unit_test(test_refuses),
	    cmocka_unit_test(test_django),
	    cmocka_unit_test(test_django_argon2),
	    cmocka_unit_test(test_django_bcrypt),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_gate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
