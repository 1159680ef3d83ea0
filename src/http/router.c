/*
 * Route matching (include/router.h). A pattern and a path are walked one
 * '/'-separated segment at a time; nothing is allocated unless a parameter
 * is captured.
 */
#include "router.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "form.h"
#include "xalloc.h"

/* Length of the segment starting at s (up to '/' or the end). */
static size_t
router_seglen(const char *s)
{
	const char *slash = strchr(s, '/');

	return slash != NULL ? (size_t)(slash - s) : strlen(s);
}

static void
router_free_params(char **params, size_t *nparams)
{
	for (size_t i = 0; i < *nparams; i++) {
		free(params[i]);
		params[i] = NULL;
	}
	*nparams = 0;
}

/*
 * Literal segments are compared after decoding too, so "/po%73ts" is
 * "/posts" as RFC 3986 says; a segment that does not decode never matches.
 */
static bool
router_literal_eq(const char *pat, size_t plen, const char *seg, size_t slen)
{
	char *dec;
	bool eq;

	if (memchr(seg, '%', slen) == NULL)
		return plen == slen && memcmp(pat, seg, slen) == 0;
	dec = form_decode(seg, slen, false);
	eq = dec != NULL && strlen(dec) == plen && memcmp(dec, pat, plen) == 0;
	free(dec);
	return eq;
}

/* Captures one decoded parameter; false when the segment cannot be one. */
static bool
router_capture(const char *seg, size_t slen, char **params, size_t *nparams)
{
	char *dec;

	if (slen == 0 || *nparams >= HTTP_MAX_PARAMS)
		return false;
	dec = form_decode(seg, slen, false);
	if (dec == NULL)
		return false;
	if (strchr(dec, '/') != NULL) {
		free(dec);
		return false;
	}
	params[(*nparams)++] = dec;
	return true;
}

/* Matches path against pattern, filling params; on failure frees them. */
static bool
router_match_one(const char *pat, const char *path, char **params,
                 size_t *nparams)
{
	*nparams = 0;
	if (*pat != '/' || *path != '/')
		return false;
	pat++;
	path++;
	for (;;) {
		size_t plen = router_seglen(pat);
		size_t slen = router_seglen(path);

		if (plen == 1 && pat[0] == '*' && pat[1] == '\0') {
			/* The rest stays encoded: its handler checks it. */
			if (*nparams >= HTTP_MAX_PARAMS)
				break;
			params[(*nparams)++] = xstrdup(path);
			return true;
		}
		if (plen >= 2 && pat[0] == '{' && pat[plen - 1] == '}') {
			if (!router_capture(path, slen, params, nparams))
				break;
		} else if (!router_literal_eq(pat, plen, path, slen))
			break;
		pat += plen;
		path += slen;
		if (*pat == '\0' && *path == '\0')
			return true;
		if (*pat != '/' || *path != '/')
			break;
		pat++;
		path++;
	}
	router_free_params(params, nparams);
	return false;
}

const struct route *
router_match(const struct route *routes, size_t nroutes, unsigned method,
             const char *path, char **params, size_t *nparams,
             unsigned *allowed)
{
	/* HEAD is answered by every GET route (MHD drops the body). */
	unsigned want = method == HTTP_HEAD ? (HTTP_HEAD | HTTP_GET) : method;

	*allowed = 0;
	*nparams = 0;
	for (size_t i = 0; i < nroutes; i++) {
		if (!router_match_one(routes[i].pattern, path, params, nparams))
			continue;
		if ((routes[i].methods & want) != 0)
			return &routes[i];
		*allowed |= routes[i].methods;
		router_free_params(params, nparams);
	}
	if (*allowed & HTTP_GET)
		*allowed |= HTTP_HEAD;
	return NULL;
}

void
router_allow_header(unsigned methods, char *out, size_t outlen)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
	    {HTTP_GET, "GET"}, {HTTP_HEAD, "HEAD"}, {HTTP_POST, "POST"}};
	size_t used = 0;

	if (outlen == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int n;

		if ((methods & names[i].bit) == 0)
			continue;
		n = snprintf(out + used, outlen - used, "%s%s",
		             used > 0 ? ", " : "", names[i].name);
		if (n < 0 || (size_t)n >= outlen - used) {
			out[used] = '\0'; /* whole names only */
			return;
		}
		used += (size_t)n;
	}
}

/* Set by the program before any thread starts; read-only afterwards. */
static struct route_table router_app_table;

void
router_set_table(const struct route_table *table)
{
	router_app_table = *table;
}

const struct route_table *
router_table(void)
{
	return &router_app_table;
}
