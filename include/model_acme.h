/*
 * The ACME tables of sql/005_acme.sql (src/model/acme.c): account keys,
 * the certificate every instance serves, HTTP-01 answers, and the shared
 * renewal state with its lease. Return values as in model.h (MODEL_OK,
 * MODEL_NOT_FOUND, MODEL_ERR). Strings returned are the caller's; those
 * holding private keys are freed with xfree_secret (zeroed).
 */
#ifndef BLOGD_MODEL_ACME_H
#define BLOGD_MODEL_ACME_H

#include <stdbool.h>

#include "model.h"

struct db_conn;

/* The account key for directory: MODEL_NOT_FOUND when there is none yet.
 * *url may be NULL (the account was never registered). */
int model_acme_account_get(struct db_conn *conn, const char *directory,
                           char **key_pem, char **url);
/* Offers key_pem as the account key; the first instance's offer wins
 * (read it back with model_acme_account_get). */
int model_acme_account_offer(struct db_conn *conn, const char *directory,
                             const char *key_pem);
int model_acme_account_set_url(struct db_conn *conn, const char *directory,
                               const char *url);

struct model_acme_cert {
	long long version;
	char *domains;
	char *chain_pem;
	char *key_pem; /* secret */
	long long not_before, not_after, issued_at;
};
/* The version of the certificate in service; MODEL_NOT_FOUND: none. */
int model_acme_cert_version(struct db_conn *conn, long long *version);
int model_acme_cert_get(struct db_conn *conn, struct model_acme_cert *out);
void model_acme_cert_free(struct model_acme_cert *c);
/* Replaces the certificate in service (version + 1). */
int model_acme_cert_put(struct db_conn *conn, const char *domains,
                        const char *chain_pem, const char *key_pem,
                        long long not_before, long long not_after);

int model_acme_challenge_put(struct db_conn *conn, const char *token,
                             const char *key_auth);
int model_acme_challenge_del(struct db_conn *conn, const char *token);
/* The answer for token, or MODEL_NOT_FOUND. */
int model_acme_challenge_get(struct db_conn *conn, const char *token,
                             char **key_auth);

/* Takes (or extends) the renewal lease for owner for seconds, by the
 * database's clock: MODEL_OK, or MODEL_NOT_FOUND while another holds it. */
int model_acme_lease_take(struct db_conn *conn, const char *owner,
                          unsigned seconds);
int model_acme_lease_drop(struct db_conn *conn, const char *owner);

struct model_acme_state {
	long long next_attempt; /* 0: any time */
	unsigned failures;      /* in a row */
	long long orders;       /* orders made, ever */
	long long now;          /* the database's clock */
};
int model_acme_state_get(struct db_conn *conn, struct model_acme_state *st);
/* An order was made (counted, its URL kept for the operator). */
int model_acme_order_started(struct db_conn *conn, const char *order_url);
/* The outcome of an attempt: result is a one-line text ("ok" or why),
 * next_attempt 0 for "when due". */
int model_acme_attempt_done(struct db_conn *conn, bool ok, const char *result,
                            unsigned failures, long long next_attempt);

#endif
