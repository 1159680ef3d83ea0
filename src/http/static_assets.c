/*
 * What pages link and inline from the static directory (include/static.h):
 * the versioned URLs of its top-level files (static_url), the stylesheet
 * the layout inlines and the CSP that allows it by its hash. static.c
 * makes a set at start and again on SIGHUP (on the main thread) and swaps
 * it in; a set never changes once swapped in. Requests may still render
 * with the old one, so sets are reference counted: current holds one
 * reference, and a request holds one from its first use
 * (static_assets_of) until its response is cleared (http_response_clear),
 * so that its body and its CSP header come from the same set.
 *
 * This file calls nothing of http but the request's private part, so that
 * request.c and response.c can use it while static.c uses them.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_internal.h"
#include "static.h"
#include "xalloc.h"

#define STATIC_ASSETS 64 /* top-level files given a version */

struct static_assets {
	atomic_uint refs;
	size_t n;
	struct static_asset {
		char *name;
		char *url; /* /static/NAME?v=HASH */
	} v[STATIC_ASSETS];
	char *inline_css;
	char csp[256];
};

static pthread_mutex_t assets_mu = PTHREAD_MUTEX_INITIALIZER;
static struct static_assets *current; /* under assets_mu */

struct static_assets *
static_assets_new(void)
{
	struct static_assets *a = xcalloc(1, sizeof(*a));

	atomic_init(&a->refs, 1);
	snprintf(a->csp, sizeof(a->csp), "%s", HTTP_CSP);
	return a;
}

bool
static_assets_add(struct static_assets *a, const char *name,
                  const char *version)
{
	struct static_asset *v;

	if (a->n == STATIC_ASSETS)
		return false;
	v = &a->v[a->n++];
	v->name = xstrdup(name);
	if (asprintf(&v->url, "/static/%s?v=%s", name, version) < 0)
		abort(); /* as xalloc does when memory runs out */
	return true;
}

void
static_assets_inline(struct static_assets *a, const char *css,
                     const char *sha256_b64)
{
	snprintf(a->csp, sizeof(a->csp), "%s; style-src 'self' 'sha256-%s'",
	         HTTP_CSP, sha256_b64);
	free(a->inline_css);
	a->inline_css = xstrdup(css);
}

size_t
static_assets_count(const struct static_assets *a)
{
	return a->n;
}

bool
static_assets_inlined(const struct static_assets *a)
{
	return a->inline_css != NULL;
}

void
static_assets_release(struct static_assets *a)
{
	if (a == NULL || atomic_fetch_sub(&a->refs, 1) != 1)
		return;
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].name);
		free(a->v[i].url);
	}
	free(a->inline_css);
	free(a);
}

void
static_assets_swap(struct static_assets *next)
{
	struct static_assets *old;

	pthread_mutex_lock(&assets_mu);
	old = current;
	current = next;
	pthread_mutex_unlock(&assets_mu);
	static_assets_release(old);
}

/* req's set: the one it took first, or now the current one; NULL when
 * there is no static directory. */
static const struct static_assets *
static_assets_of(struct http_request *req)
{
	struct http_req_priv *rp = http_priv(req);

	if (rp->assets == NULL) {
		pthread_mutex_lock(&assets_mu);
		if ((rp->assets = current) != NULL)
			atomic_fetch_add(&rp->assets->refs, 1);
		pthread_mutex_unlock(&assets_mu);
	}
	return rp->assets;
}

const char *
static_url(struct http_request *req, const char *name)
{
	const struct static_assets *a = static_assets_of(req);

	for (size_t i = 0; a != NULL && i < a->n; i++)
		if (strcmp(a->v[i].name, name) == 0)
			return a->v[i].url;
	return NULL;
}

const char *
static_inline_css(struct http_request *req)
{
	const struct static_assets *a = static_assets_of(req);

	return a != NULL ? a->inline_css : NULL;
}

const char *
static_csp(struct http_request *req)
{
	const struct static_assets *a = static_assets_of(req);

	return a != NULL ? a->csp : HTTP_CSP;
}
