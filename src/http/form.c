/*
 * Percent-decoding, query strings, urlencoded bodies and Cookie headers
 * (include/form.h). Pure code: no MHD, no globals.
 */
#include "form.h"

#include <string.h>

#include "xalloc.h"

static int
form_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *
form_decode(const char *src, size_t len, bool plus_is_space)
{
	char *out = xmalloc(len + 1);
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = src[i];

		if (c == '%') {
			int hi, lo;

			if (len - i < 3)
				goto bad;
			hi = form_hexval(src[i + 1]);
			lo = form_hexval(src[i + 2]);
			if (hi < 0 || lo < 0)
				goto bad;
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus_is_space)
			c = ' ';
		/* A NUL, raw or encoded, would silently cut the value short
		 * for every C consumer. */
		if (c == '\0')
			goto bad;
		out[o++] = c;
	}
	out[o] = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

/* Appends a pair at *tail so that lists keep the input order. */
static void
form_append(struct http_kv ***tail, char *name, char *value)
{
	struct http_kv *kv = xmalloc(sizeof(*kv));

	kv->name = name;
	kv->value = value;
	kv->next = NULL;
	**tail = kv;
	*tail = &kv->next;
}

struct http_kv *
form_parse(const char *src, size_t len)
{
	struct http_kv *head = NULL, **tail = &head;
	const char *p = src, *end = src + len;

	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp != NULL ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));
		const char *nend = eq != NULL ? eq : stop;

		if (nend > p) {
			char *name = form_decode(p, (size_t)(nend - p), true);
			char *value =
			    eq != NULL
			        ? form_decode(eq + 1, (size_t)(stop - eq - 1),
			                      true)
			        : xstrdup("");

			if (name != NULL && value != NULL && name[0] != '\0')
				form_append(&tail, name, value);
			else {
				free(name);
				free(value);
			}
		}
		p = stop + 1;
	}
	return head;
}

struct http_kv *
form_parse_query(const char *target)
{
	const char *q = strchr(target, '?');

	return q != NULL ? form_parse(q + 1, strlen(q + 1)) : NULL;
}

static bool
form_is_ows(char c)
{
	return c == ' ' || c == '\t';
}

struct http_kv *
form_parse_cookies(const char *header)
{
	struct http_kv *head = NULL, **tail = &head;
	const char *p = header;

	if (header == NULL)
		return NULL;
	while (*p != '\0') {
		const char *stop = strchr(p, ';');
		const char *eq, *ne, *vs, *ve;

		if (stop == NULL)
			stop = p + strlen(p);
		while (p < stop && form_is_ows(*p))
			p++;
		eq = memchr(p, '=', (size_t)(stop - p));
		if (eq != NULL && eq > p) {
			ne = eq;
			while (ne > p && form_is_ows(ne[-1]))
				ne--;
			vs = eq + 1;
			ve = stop;
			while (vs < ve && form_is_ows(*vs))
				vs++;
			while (ve > vs && form_is_ows(ve[-1]))
				ve--;
			/* RFC 6265 allows the value in double quotes. */
			if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
				vs++;
				ve--;
			}
			form_append(&tail, xstrndup(p, (size_t)(ne - p)),
			            xstrndup(vs, (size_t)(ve - vs)));
		}
		p = *stop == ';' ? stop + 1 : stop;
	}
	return head;
}

const char *
form_get(const struct http_kv *kv, const char *name)
{
	for (; kv != NULL; kv = kv->next)
		if (strcmp(kv->name, name) == 0)
			return kv->value;
	return NULL;
}

void
form_free(struct http_kv *kv)
{
	while (kv != NULL) {
		struct http_kv *next = kv->next;

		free(kv->name);
		free(kv->value);
		free(kv);
		kv = next;
	}
}
