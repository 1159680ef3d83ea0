/*
 * Private to src/acme: the pure parts of reading an ACME server's answers
 * (response header lines, authorization objects), apart from the network
 * so that tests/fuzz/fuzz_acme.c can feed them any bytes. An ACME server
 * is trusted for certificates, not for memory safety: what it sends goes
 * into logs and into the database (the HTTP-01 token) only after these
 * checks.
 */
#ifndef BLOGD_ACME_PARSE_H
#define BLOGD_ACME_PARSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* RFC 8555 gives tokens >= 128 bits of base64url; more than this is not
 * a token blogd will store or serve. */
#define ACME_TOKEN_MAX 128

/* The value of "Name: value\r\n" (name case-insensitive, blanks trimmed)
 * when line[0..len) is that header; NULL otherwise. Caller frees. */
char *acme_header_value(const char *line, size_t len, const char *name);

/* The authorization's http-01 challenge: *token (base64url, 16 to
 * ACME_TOKEN_MAX characters) and *url point into authz. NULL when it
 * offers none; *bad is set when it offers one blogd will not answer. */
const json_t *acme_http01(const json_t *authz, const char **token,
                          const char **url, bool *bad);

/* Why the authorization of domain failed, in one line, into out (always
 * terminated): the first challenge error's type and detail, else the
 * authorization's status. */
void acme_authz_reason(const json_t *authz, const char *domain, char *out,
                       size_t outlen);

/* An error type without "urn:ietf:params:acme:error:". */
const char *acme_error_type(const char *type);

#endif
