/*
 * Private to src/acme: an RFC 8555 client over libcurl (HTTPS) and jansson
 * (JSON). One struct acme_client belongs to the ACME thread; nothing in it
 * is shared. The cryptography is include/acme_keys.h.
 *
 * Every function returns 0 or -1; on -1, c->err says what failed in one
 * line (never a key), and c->retry_after holds the seconds the server asked
 * to wait (0 when it did not say), c->rate_limited whether it refused for a
 * rate limit.
 */
#ifndef BLOGD_ACME_CLIENT_H
#define BLOGD_ACME_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

struct acme_key;

/* What the client needs from its owner: where HTTP-01 answers go (the
 * database, so that every instance answers), and a wait that ends early
 * when the program stops (false then). */
struct acme_hooks {
	void *ctx;
	int (*publish)(void *ctx, const char *token, const char *key_auth);
	void (*unpublish)(void *ctx, const char *token);
	bool (*wait)(void *ctx, unsigned ms);
	bool (*stopping)(void *ctx);
};

struct acme_client {
	void *curl; /* CURL * */
	char *directory;
	char *ca_blob; /* system CAs + [acme] ca_bundle, or NULL */
	size_t ca_blob_len;
	char *new_nonce, *new_account, *new_order; /* from the directory */
	char *nonce;
	const struct acme_key *key; /* the account key, not owned */
	char *kid;                  /* account URL once known */
	struct acme_hooks hooks;
	char err[512];
	long retry_after;
	bool rate_limited;
};

int acme_client_init(struct acme_client *c, const char *directory,
                     const char *ca_bundle, const struct acme_hooks *hooks);
void acme_client_free(struct acme_client *c);

/* Registers the account of key (or finds it: the server answers an
 * existing key with its URL). *kid gets the account URL (caller frees). */
int acme_account(struct acme_client *c, const struct acme_key *key,
                 const char *email, char **kid);

/*
 * One certificate for the n domains: order, HTTP-01 for each pending
 * authorization (answers published through the hooks, removed after),
 * finalize with csr (base64url DER), download. *chain gets the PEM chain
 * (caller frees); *order_url the order's URL (caller frees, also on
 * failure when the order was made).
 */
int acme_issue(struct acme_client *c, const char *const *domains, size_t n,
               const char *csr, char **chain, char **order_url);

#endif
