/*
 * GET /.well-known/acme-challenge/{token}: blogd's own HTTP-01 answers come
 * from the database (so any instance behind the load balancer answers for
 * the one that ordered), anything else from the webroot (certbot
 * --webroot), through static_acme. A worker runs it: it may wait on the
 * database.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "buf.h"
#include "config.h"
#include "db.h"
#include "handlers.h"
#include "model_acme.h"
#include "static.h"

/* Tokens are base64url (RFC 8555 8.3); anything else is not ours. */
static bool
acme_token_ok(const char *t)
{
	size_t n =
	    strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	              "0123456789_-");

	return n >= 1 && n <= 255 && t[n] == '\0';
}

void
handle_acme_challenge(struct http_request *req)
{
	const char *token = http_req_param(req, 0);
	char *key_auth = NULL;
	int rc = MODEL_NOT_FOUND;

	if (http_req_app(req)->cfg->acme.domains[0] != '\0' && token != NULL &&
	    acme_token_ok(token)) {
		struct db_conn *conn = db_acquire(http_req_app(req)->db);
		/* No database: the webroot may still have the answer. */
		if (conn != NULL) {
			rc = model_acme_challenge_get(conn, token, &key_auth);
			db_release(conn);
		}
	}
	if (rc != MODEL_OK) {
		static_acme(req);
		return;
	}
	struct buf body = BUF_INIT;
	buf_puts(&body, key_auth);
	free(key_auth);
	http_add_header(req, "Cache-Control", "no-store");
	http_respond(req, 200, "application/octet-stream", &body);
}
