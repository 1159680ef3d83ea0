/*
 * The last stop of a GET that no route takes: an old URL kept by an import
 * (blogd import django --old-urls) answers 301 to its post; anything else
 * is the 404 it would have been.
 */
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "db.h"
#include "handlers.h"
#include "import.h"
#include "model.h"

void
handle_not_found(struct http_request *req)
{
	struct db_conn *conn;
	char *slug = NULL, location[128];
	int rc;

	/* Without the database the page is still not found: a 404 needs
	 * none, and only an old URL (which the next visit finds) misses. */
	if ((conn = db_acquire(http_req_app(req)->db)) == NULL) {
		http_error(req, 404);
		return;
	}
	rc = model_redirect_find(conn, http_req_path(req), &slug);
	db_release(conn);
	if (rc != MODEL_OK) {
		http_error(req, 404);
		return;
	}
	/* Slugs are a-z, 0-9 and '-' (text_is_slug): nothing to encode. */
	snprintf(location, sizeof(location), "/posts/%s", slug);
	free(slug);
	http_redirect(req, 301, location);
}
