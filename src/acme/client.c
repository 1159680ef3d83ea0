/*
 * RFC 8555 over libcurl and jansson (src/acme/client.h).
 *
 * Every request but the directory and newNonce is a JWS (flattened JSON,
 * ES256) with a fresh nonce; the server hands one out with each answer,
 * so newNonce is asked only when none is left. A "badNonce" error is
 * retried with the nonce that came with it (RFC 8555 6.5), up to
 * ACME_NONCE_RETRIES times in all.
 * Polling (authorizations, the order) waits what Retry-After says, or
 * 1, 2, 4... seconds (at most ACME_POLL_MAX_MS), for at most
 * ACME_POLL_TOTAL_MS in all.
 */
#include "client.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acme_keys.h"
#include "buf.h"
#include "log.h"
#include "parse.h"
#include "xalloc.h"

#define ACME_CONNECT_TIMEOUT 10L /* seconds */
#define ACME_TIMEOUT         60L /* seconds for one request */
#define ACME_BODY_MAX        (1 << 20)
#define ACME_NONCE_RETRIES   6
#define ACME_POLL_MAX_MS     10000
#define ACME_POLL_TOTAL_MS   300000
#define ACME_RETRY_AFTER_MAX 86400 /* seconds: ignore anything longer */
#define ACME_CA_MAX          (4 << 20)

/* One answer. */
struct acme_resp {
	long status;
	struct buf body;
	char *location;
	char *content_type;
};

static void
acme_resp_free(struct acme_resp *r)
{
	buf_free(&r->body);
	free(r->location);
	free(r->content_type);
	memset(r, 0, sizeof(*r));
}

static void __attribute__((format(printf, 2, 3)))
acme_fail(struct acme_client *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
}

static size_t
acme_body_cb(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	if (b->len + size * n > ACME_BODY_MAX)
		return 0; /* curl fails the transfer */
	buf_append(b, p, size * n);
	return size * n;
}

struct acme_hdr_ctx {
	struct acme_client *c;
	struct acme_resp *r;
};

static void
acme_replace(char **slot, char *v)
{
	if (v == NULL)
		return;
	free(*slot);
	*slot = v;
}

static size_t
acme_header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct acme_hdr_ctx *h = arg;
	size_t len = size * n;

	acme_replace(&h->c->nonce, acme_header_value(p, len, "Replay-Nonce"));
	acme_replace(&h->r->location, acme_header_value(p, len, "Location"));
	acme_replace(&h->r->content_type,
	             acme_header_value(p, len, "Content-Type"));
	return len;
}

/* Lets a stop interrupt a transfer in progress. */
static int
acme_progress_cb(void *arg, curl_off_t a, curl_off_t b, curl_off_t d,
                 curl_off_t e)
{
	struct acme_client *c = arg;

	(void)a, (void)b, (void)d, (void)e;
	return c->hooks.stopping(c->hooks.ctx) ? 1 : 0;
}

/* Reads a whole file for the CA blob; -1 with c->err. */
static int
acme_read_file(struct acme_client *c, const char *path, struct buf *b)
{
	FILE *fp = fopen(path, "re");
	char chunk[8192];
	size_t n;

	if (fp == NULL) {
		acme_fail(c, "acme.ca_bundle %s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0 &&
	       b->len < ACME_CA_MAX)
		buf_append(b, chunk, n);
	bool bad = ferror(fp);
	fclose(fp);
	if (bad) {
		acme_fail(c, "acme.ca_bundle %s: read error", path);
		return -1;
	}
	buf_putc(b, '\n');
	return 0;
}

/* [acme] ca_bundle is trusted in addition to the system's CAs: curl takes
 * one bundle, so the two files go into one blob. */
static int
acme_ca_blob(struct acme_client *c, const char *ca_bundle)
{
	struct buf b = BUF_INIT;
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);

	if (ca_bundle == NULL || ca_bundle[0] == '\0')
		return 0;
	/* The system bundle may be missing (a container): then only
	 * ca_bundle is trusted, which is what a test CA needs anyway. */
	if (v->cainfo != NULL) {
		struct buf sys = BUF_INIT;
		if (acme_read_file(c, v->cainfo, &sys) == 0)
			buf_append(&b, sys.data, sys.len);
		buf_free(&sys);
	}
	if (acme_read_file(c, ca_bundle, &b) == -1) {
		buf_free(&b);
		return -1;
	}
	c->ca_blob_len = b.len;
	c->ca_blob = buf_detach(&b);
	return 0;
}

int
acme_client_init(struct acme_client *c, const char *directory,
                 const char *ca_bundle, const struct acme_hooks *hooks)
{
	memset(c, 0, sizeof(*c));
	c->hooks = *hooks;
	c->directory = xstrdup(directory);
	if (acme_ca_blob(c, ca_bundle) == -1)
		return -1;
	if ((c->curl = curl_easy_init()) == NULL) {
		acme_fail(c, "cannot initialise libcurl");
		return -1;
	}
	return 0;
}

void
acme_client_free(struct acme_client *c)
{
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	free(c->directory);
	free(c->ca_blob);
	free(c->new_nonce);
	free(c->new_account);
	free(c->new_order);
	free(c->nonce);
	free(c->kid);
	memset(c, 0, sizeof(*c));
}

/* Options every request shares. */
static void
acme_curl_setup(struct acme_client *c, const char *url, struct acme_resp *r,
                struct acme_hdr_ctx *h, struct curl_slist *hdrs)
{
	CURL *e = c->curl;

	curl_easy_reset(e);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, ACME_CONNECT_TIMEOUT);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, ACME_TIMEOUT);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "blogd/" BLOGD_VERSION);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, acme_body_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, acme_header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, acme_progress_cb);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, c);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	if (c->ca_blob != NULL) {
		struct curl_blob blob = {c->ca_blob, c->ca_blob_len,
		                         CURL_BLOB_NOCOPY};
		curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob);
	}
}

/* One HTTP exchange: GET (body NULL), HEAD (head) or POST of a JWS. */
static int
acme_http(struct acme_client *c, const char *url, const char *body, bool head,
          const char *accept, struct acme_resp *r)
{
	struct acme_hdr_ctx h = {c, r};
	struct curl_slist *hdrs = NULL, *t;
	char line[128];
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	snprintf(line, sizeof(line), "Accept: %s",
	         accept != NULL ? accept : "application/json");
	if ((t = curl_slist_append(hdrs, line)) != NULL)
		hdrs = t;
	if (body != NULL &&
	    (t = curl_slist_append(hdrs, "Content-Type: "
	                                 "application/jose+json")) != NULL)
		hdrs = t;
	acme_curl_setup(c, url, r, &h, hdrs);
	if (head)
		curl_easy_setopt(c->curl, CURLOPT_NOBODY, 1L);
	if (body != NULL)
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
	rc = curl_easy_perform(c->curl);
	curl_slist_free_all(hdrs);
	c->retry_after = 0;
	if (rc != CURLE_OK) {
		acme_fail(c, "%s: %s", url,
		          c->hooks.stopping(c->hooks.ctx)
		              ? "stopped"
		              : curl_easy_strerror(rc));
		acme_resp_free(r);
		return -1;
	}
	curl_off_t ra = 0;
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &r->status);
	if (curl_easy_getinfo(c->curl, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK &&
	    ra > 0)
		c->retry_after =
		    ra > ACME_RETRY_AFTER_MAX ? ACME_RETRY_AFTER_MAX : (long)ra;
	return 0;
}

static json_t *
acme_json(struct acme_client *c, const char *url, const struct acme_resp *r)
{
	json_error_t je;
	json_t *j = json_loadb(r->body.data != NULL ? r->body.data : "",
	                       r->body.len, 0, &je);

	if (j == NULL || !json_is_object(j)) {
		acme_fail(c, "%s: answered %ld with no JSON object", url,
		          r->status);
		json_decref(j);
		return NULL;
	}
	return j;
}

/* Copies string member name of o; NULL when absent. */
static char *
acme_member(const json_t *o, const char *name)
{
	const char *s = json_string_value(json_object_get(o, name));

	return s != NULL ? xstrdup(s) : NULL;
}

static int
acme_directory(struct acme_client *c)
{
	struct acme_resp r = {0};
	json_t *j;

	if (c->new_order != NULL)
		return 0;
	if (acme_http(c, c->directory, NULL, false, NULL, &r) == -1)
		return -1;
	if (r.status != 200 || (j = acme_json(c, c->directory, &r)) == NULL) {
		if (r.status != 200)
			acme_fail(c, "directory %s: HTTP %ld", c->directory,
			          r.status);
		acme_resp_free(&r);
		return -1;
	}
	c->new_nonce = acme_member(j, "newNonce");
	c->new_account = acme_member(j, "newAccount");
	c->new_order = acme_member(j, "newOrder");
	json_decref(j);
	acme_resp_free(&r);
	if (c->new_nonce == NULL || c->new_account == NULL ||
	    c->new_order == NULL) {
		acme_fail(c,
		          "directory %s: newNonce, newAccount or newOrder "
		          "missing",
		          c->directory);
		free(c->new_order);
		c->new_order = NULL;
		return -1;
	}
	return 0;
}

static int
acme_fresh_nonce(struct acme_client *c)
{
	struct acme_resp r = {0};

	if (c->nonce != NULL)
		return 0;
	if (acme_directory(c) == -1 ||
	    acme_http(c, c->new_nonce, NULL, true, NULL, &r) == -1)
		return -1;
	acme_resp_free(&r);
	if (c->nonce == NULL) {
		acme_fail(c, "%s gave no Replay-Nonce", c->new_nonce);
		return -1;
	}
	return 0;
}

/* The flattened JWS of payload (NULL: POST-as-GET, empty payload). Uses
 * up the nonce. Caller frees. */
static char *
acme_jws(struct acme_client *c, const char *url, const char *payload)
{
	json_t *prot = json_pack("{s:s, s:s, s:s}", "alg", "ES256", "nonce",
	                         c->nonce, "url", url);
	char *jwk = NULL, *out = NULL;

	free(c->nonce);
	c->nonce = NULL;
	if (prot == NULL)
		return NULL;
	if (c->kid != NULL) {
		json_object_set_new(prot, "kid", json_string(c->kid));
	} else {
		json_t *j = (jwk = acme_key_jwk(c->key)) != NULL
		                ? json_loads(jwk, 0, NULL)
		                : NULL;
		if (j == NULL) {
			free(jwk);
			json_decref(prot);
			return NULL;
		}
		json_object_set_new(prot, "jwk", j);
	}
	char *prot_s = json_dumps(prot, JSON_COMPACT);
	char *prot_b = prot_s ? acme_b64url(prot_s, strlen(prot_s)) : NULL;
	char *pay_b =
	    acme_b64url(payload ? payload : "", payload ? strlen(payload) : 0);
	struct buf input = BUF_INIT;
	if (prot_b != NULL && pay_b != NULL) {
		buf_printf(&input, "%s.%s", prot_b, pay_b);
		char *sig = acme_key_sign(c->key, input.data, input.len);
		json_t *jws = json_pack("{s:s, s:s, s:s*}", "protected", prot_b,
		                        "payload", pay_b, "signature", sig);
		if (sig != NULL && jws != NULL)
			out = json_dumps(jws, JSON_COMPACT);
		json_decref(jws);
		free(sig);
	}
	buf_free(&input);
	free(prot_s);
	free(prot_b);
	free(pay_b);
	free(jwk);
	json_decref(prot);
	return out;
}

/* The problem document's type without its prefix, and its detail. */
static void
acme_problem(struct acme_client *c, const char *url, const struct acme_resp *r,
             char *type, size_t typelen)
{
	json_error_t je;
	json_t *j =
	    json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, &je);
	const char *t =
	    acme_error_type(json_string_value(json_object_get(j, "type")));
	const char *d = json_string_value(json_object_get(j, "detail"));

	snprintf(type, typelen, "%s", t != NULL ? t : "");
	c->rate_limited = strcmp(type, "rateLimited") == 0;
	acme_fail(c, "%s: HTTP %ld %s%s%s", url, r->status,
	          t != NULL ? t : "(no problem document)", d ? ": " : "",
	          d ? d : "");
	json_decref(j);
}

/*
 * POSTs a JWS of payload to url; *r holds a 2xx answer. Anything else is
 * -1 with the problem in c->err, after retrying badNonce.
 */
static int
acme_post(struct acme_client *c, const char *url, const char *payload,
          const char *accept, struct acme_resp *r)
{
	char type[64];

	c->rate_limited = false;
	for (int attempt = 0;; attempt++) {
		if (acme_fresh_nonce(c) == -1)
			return -1;
		char *jws = acme_jws(c, url, payload);
		if (jws == NULL) {
			acme_fail(c, "%s: cannot sign the request", url);
			return -1;
		}
		int rc = acme_http(c, url, jws, false, accept, r);
		free(jws);
		if (rc == -1)
			return -1;
		if (r->status >= 200 && r->status < 300)
			return 0;
		acme_problem(c, url, r, type, sizeof(type));
		acme_resp_free(r);
		if (strcmp(type, "badNonce") != 0 ||
		    attempt + 1 >= ACME_NONCE_RETRIES)
			return -1;
		log_debug("acme: %s refused the nonce; retrying with a new "
		          "one",
		          url);
	}
}

/* POST of payload whose answer is a JSON object; *j gets it. */
static int
acme_post_json(struct acme_client *c, const char *url, const char *payload,
               json_t **j, char **location)
{
	struct acme_resp r = {0};

	if (acme_post(c, url, payload, NULL, &r) == -1)
		return -1;
	*j = acme_json(c, url, &r);
	if (location != NULL) {
		*location = r.location;
		r.location = NULL;
	}
	acme_resp_free(&r);
	return *j != NULL ? 0 : -1;
}

int
acme_account(struct acme_client *c, const struct acme_key *key,
             const char *email, char **kid)
{
	json_t *req = json_pack("{s:b}", "termsOfServiceAgreed", 1), *j = NULL;
	char *payload, *loc = NULL;
	int rc = -1;

	c->key = key;
	free(c->kid);
	c->kid = NULL; /* newAccount is signed with the JWK */
	if (email != NULL && email[0] != '\0') {
		char mailto[320];
		snprintf(mailto, sizeof(mailto), "mailto:%s", email);
		json_object_set_new(req, "contact", json_pack("[s]", mailto));
	}
	payload = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (acme_directory(c) == 0 &&
	    acme_post_json(c, c->new_account, payload, &j, &loc) == 0) {
		const char *st =
		    json_string_value(json_object_get(j, "status"));
		if (loc == NULL)
			acme_fail(c, "newAccount gave no account URL");
		else if (st != NULL && strcmp(st, "valid") != 0)
			acme_fail(c, "the account is %s", st);
		else
			rc = 0;
	}
	json_decref(j);
	free(payload);
	if (rc == 0) {
		c->kid = xstrdup(loc);
		*kid = loc;
	} else {
		free(loc);
	}
	return rc;
}

/* Waits before the next poll: Retry-After when the server gave one, else
 * *delay_ms, doubled for next time. false when stopping or out of time. */
static bool
acme_poll_wait(struct acme_client *c, unsigned *delay_ms, unsigned *spent_ms,
               const char *what)
{
	unsigned ms = *delay_ms;

	if (c->retry_after > 0)
		ms = c->retry_after * 1000 > ACME_POLL_MAX_MS
		         ? ACME_POLL_MAX_MS
		         : (unsigned)c->retry_after * 1000;
	if (*spent_ms + ms > ACME_POLL_TOTAL_MS) {
		acme_fail(c, "%s: still not done after %u s", what,
		          ACME_POLL_TOTAL_MS / 1000);
		return false;
	}
	*spent_ms += ms;
	*delay_ms =
	    *delay_ms * 2 > ACME_POLL_MAX_MS ? ACME_POLL_MAX_MS : *delay_ms * 2;
	if (!c->hooks.wait(c->hooks.ctx, ms)) {
		acme_fail(c, "%s: stopped", what);
		return false;
	}
	return true;
}

/* Polls url (POST-as-GET) until its status is not one of the waiting
 * ones; *j gets the last object. */
static int
acme_poll(struct acme_client *c, const char *url, const char *what, json_t **j)
{
	unsigned delay = 1000, spent = 0;

	for (;;) {
		if (acme_post_json(c, url, NULL, j, NULL) == -1)
			return -1;
		const char *st =
		    json_string_value(json_object_get(*j, "status"));
		if (st == NULL || (strcmp(st, "pending") != 0 &&
		                   strcmp(st, "processing") != 0))
			return 0;
		json_decref(*j);
		*j = NULL;
		if (!acme_poll_wait(c, &delay, &spent, what))
			return -1;
	}
}

/* Answers one pending authorization over HTTP-01 and waits for it. */
static int
acme_challenge(struct acme_client *c, const char *domain, const char *token,
               const char *url, const char *authz_url, json_t **authz)
{
	char thumb[44], *key_auth;
	json_t *j = NULL;
	int rc = -1;

	if (acme_key_thumbprint(c->key, thumb)) {
		acme_fail(c, "authorization for %s: bad http-01 challenge",
		          domain);
		return -1;
	}
	if (asprintf(&key_auth, "%s.%s", token, thumb) < 0)
		abort();
	if (c->hooks.publish(c->hooks.ctx, token, key_auth) == -1) {
		acme_fail(c,
		          "cannot store the HTTP-01 answer for %s in the "
		          "database",
		          domain);
		free(key_auth);
		return -1;
	}
	char *tok = xstrdup(token); /* authz (token's owner) is replaced */
	if (acme_post_json(c, url, "{}", &j, NULL) == 0) {
		json_decref(*authz);
		*authz = NULL;
		rc = acme_poll(c, authz_url, "authorization", authz);
	}
	json_decref(j);
	c->hooks.unpublish(c->hooks.ctx, tok);
	free(tok);
	free(key_auth);
	return rc;
}

/* Brings one authorization to "valid". */
static int
acme_authorize(struct acme_client *c, const char *authz_url)
{
	json_t *authz = NULL;
	int rc = -1;

	if (acme_post_json(c, authz_url, NULL, &authz, NULL) == -1)
		return -1;
	const char *domain = json_string_value(
	    json_object_get(json_object_get(authz, "identifier"), "value"));
	if (domain == NULL)
		domain = "?";
	char *name = xstrdup(domain);
	const char *st = json_string_value(json_object_get(authz, "status"));
	if (st != NULL && strcmp(st, "pending") == 0) {
		const char *token, *url;
		bool bad;
		if (acme_http01(authz, &token, &url, &bad) == NULL)
			acme_fail(c, "authorization for %s offers no http-01",
			          name);
		else if (bad)
			acme_fail(c,
			          "authorization for %s: bad http-01 "
			          "challenge",
			          name);
		else if (acme_challenge(c, name, token, url, authz_url,
		                        &authz) == -1)
			goto out;
		st = json_string_value(json_object_get(authz, "status"));
	}
	if (st != NULL && strcmp(st, "valid") == 0)
		rc = 0;
	else if (authz != NULL) {
		char why[sizeof(c->err)];
		acme_authz_reason(authz, name, why, sizeof(why));
		acme_fail(c, "%s", why);
	}
out:
	free(name);
	json_decref(authz);
	return rc;
}

static char *
acme_order_payload(const char *const *domains, size_t n)
{
	json_t *ids = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(ids,
		                      json_pack("{s:s, s:s}", "type", "dns",
		                                "value", domains[i]));
	json_t *o = json_pack("{s:o}", "identifiers", ids);
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* Finalizes a ready order and waits for it to be valid: *order gets the
 * last state. */
static int
acme_finalize(struct acme_client *c, const char *order_url, const char *csr,
              json_t **order)
{
	const char *fin =
	    json_string_value(json_object_get(*order, "finalize"));
	json_t *req = json_pack("{s:s}", "csr", csr), *j = NULL;
	char *payload = json_dumps(req, JSON_COMPACT);
	int rc = -1;

	json_decref(req);
	if (fin == NULL)
		acme_fail(c, "the order has no finalize URL");
	else if (acme_post_json(c, fin, payload, &j, NULL) == 0) {
		json_decref(*order);
		*order = NULL;
		rc = acme_poll(c, order_url, "order", order);
	}
	json_decref(j);
	free(payload);
	if (rc == 0) {
		const char *st =
		    json_string_value(json_object_get(*order, "status"));
		if (st == NULL || strcmp(st, "valid") != 0) {
			acme_fail(c, "the order is %s after finalize",
			          st ? st : "without status");
			rc = -1;
		}
	}
	return rc;
}

static int
acme_download(struct acme_client *c, const json_t *order, char **chain)
{
	const char *url =
	    json_string_value(json_object_get(order, "certificate"));
	struct acme_resp r = {0};

	if (url == NULL) {
		acme_fail(c, "the valid order has no certificate URL");
		return -1;
	}
	if (acme_post(c, url, NULL, "application/pem-certificate-chain", &r) ==
	    -1)
		return -1;
	buf_putc(&r.body, '\0');
	if (strstr(r.body.data, "-----BEGIN CERTIFICATE-----") == NULL) {
		acme_fail(c, "%s: no PEM certificate in the answer", url);
		acme_resp_free(&r);
		return -1;
	}
	*chain = buf_detach(&r.body);
	acme_resp_free(&r);
	return 0;
}

int
acme_issue(struct acme_client *c, const char *const *domains, size_t n,
           const char *csr, char **chain, char **order_url)
{
	char *payload = acme_order_payload(domains, n);
	json_t *order = NULL;
	int rc = -1;

	*chain = NULL;
	*order_url = NULL;
	c->rate_limited = false;
	if (acme_post_json(c, c->new_order, payload, &order, order_url) == -1)
		goto out;
	if (*order_url == NULL) {
		acme_fail(c, "newOrder gave no order URL");
		goto out;
	}
	const json_t *authzs = json_object_get(order, "authorizations"), *a;
	size_t i;
	json_array_foreach(authzs, i, a)
	{
		const char *u = json_string_value(a);
		if (u == NULL || acme_authorize(c, u) == -1)
			goto out;
	}
	/* The order turns "ready" once every authorization is valid. */
	json_decref(order);
	order = NULL;
	if (acme_poll(c, *order_url, "order", &order) == -1)
		goto out;
	const char *st = json_string_value(json_object_get(order, "status"));
	if (st == NULL || (strcmp(st, "ready") != 0 && strcmp(st, "valid"))) {
		acme_fail(c, "the order is %s, not ready",
		          st ? st : "without status");
		goto out;
	}
	if ((strcmp(st, "ready") == 0 &&
	     acme_finalize(c, *order_url, csr, &order) == -1) ||
	    acme_download(c, order, chain) == -1)
		goto out;
	rc = 0;
out:
	json_decref(order);
	free(payload);
	return rc;
}
