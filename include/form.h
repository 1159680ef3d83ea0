/*
 * Decoding of percent-encoded text, query strings, urlencoded bodies and
 * Cookie headers. Pure code, unit-tested and fuzzable.
 */
#ifndef BLOGD_FORM_H
#define BLOGD_FORM_H

#include <stdbool.h>
#include <stddef.h>

/* A singly linked list of decoded name/value pairs, owned by its head. */
struct http_kv {
	char *name;
	char *value;
	struct http_kv *next;
};

/* Percent-decodes src[0..len) into a new string; plus_is_space for forms.
 * Returns NULL on a malformed escape or an encoded NUL. */
char *form_decode(const char *src, size_t len, bool plus_is_space);
/* Parses "a=1&b=2" (query or body). Malformed pairs are skipped. */
struct http_kv *form_parse(const char *src, size_t len);
/* Parses the query of a request target ("/path?a=1&b=2": what follows its
 * first '?'); NULL when it has none. */
struct http_kv *form_parse_query(const char *target);
/* Parses a Cookie header ("a=1; b=2"), values not decoded. */
struct http_kv *form_parse_cookies(const char *header);
const char *form_get(const struct http_kv *kv, const char *name);
void form_free(struct http_kv *kv);

#endif
