/* libFuzzer: any path against a realistic table; checks the invariants. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
h_none(struct http_request *req)
{
	(void)req;
}

static const struct route routes[] = {
    {HTTP_GET, "/", h_none, "home", false, false, false},
    {HTTP_GET, "/posts/{slug}", h_none, "post", false, false, false},
    {HTTP_POST, "/posts/{slug}/comments", h_none, "comment", false, false,
     false},
    {HTTP_GET, "/admin/posts/{id}/edit", h_none, "edit", false, false, false},
    {HTTP_POST, "/admin/posts/{id}/edit", h_none, "edit", false, false, false},
    {HTTP_GET, "/a/{b}/{c}/{d}/{e}", h_none, "many", false, false, false},
    {HTTP_GET, "/static/*", h_none, "static", false, false, false},
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = xstrndup((const char *)data, size);
	char *params[HTTP_MAX_PARAMS];
	size_t nparams;
	unsigned allowed;
	static const unsigned methods[] = {HTTP_GET, HTTP_HEAD, HTTP_POST,
	                                   HTTP_OTHER};

	for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
		const struct route *r =
		    router_match(routes, sizeof(routes) / sizeof(routes[0]),
		                 methods[m], path, params, &nparams, &allowed);

		if (r == NULL && nparams != 0)
			abort();
		for (size_t i = 0; i < nparams; i++) {
			/* Decoded parameters never carry a '/'. */
			if (strcmp(r->name, "static") != 0 &&
			    strchr(params[i], '/') != NULL)
				abort();
			free(params[i]);
		}
	}
	free(path);
	return 0;
}
