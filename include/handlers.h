/*
 * Public request handlers, listed in src/handlers/routes.c.
 * Each answers exactly once through http.h; see http.h for the rules.
 */
#ifndef BLOGD_HANDLERS_H
#define BLOGD_HANDLERS_H


#include "http.h"

struct model_post_list;

/* GET / and ?page=N */
void handle_home(struct http_request *req);
/* GET /posts/{slug} */
void handle_post(struct http_request *req);
/* POST /posts/{slug}/comments */
void handle_comment_create(struct http_request *req);
/* GET /healthz */
void handle_healthz(struct http_request *req);

/*
 * Parses a ?page= value: absent is page 1, otherwise digits only, no
 * leading zero, 1..HANDLERS_PAGE_MAX. Returns the page or 0 when malformed
 * (the caller answers 404).
 */
#define HANDLERS_PAGE_MAX 100000
long long handlers_page_number(const char *value);

/*
 * Renders a list of post summaries with index.tpl: heading (NULL for none),
 * empty_text when the list is empty, newer/older links to base_url
 * ("/", "/tags/x"; already URL-safe) with ?page=N. Answers 200.
 */
void handlers_render_list(struct http_request *req, const char *title,
                          const char *heading, const char *empty_text,
                          const struct model_post_list *list, long long page,
                          const char *base_url);

#endif
