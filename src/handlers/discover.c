/* GET /tags/{tag}, GET /authors/{name} and GET /search: lists like /. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "handlers.h"
#include "model.h"
#include "page.h"
#include "text.h"

#define DISCOVER_PER_PAGE 10

/*
 * A tag or author list: q says which, what names it in the heading. Unknown
 * names, pages past the end and names with no published post are all 404:
 * an empty filtered list is not a page worth indexing.
 */
static void
discover_list(struct http_request *req, struct model_post_query *q,
              const char *prefix, const char *heading_fmt, const char *what)
{
	struct model_post_list list = {0};
	struct db_conn *conn;
	struct buf base = BUF_INIT;
	char heading[256], title[288];
	int rc;

	if ((q->page = handlers_page_number(http_query(req, "page"))) == 0) {
		http_error(req, 404);
		return;
	}
	if ((conn = handlers_db_read(req)) == NULL)
		return;
	rc = model_post_list_published(conn, q, &list);
	db_release(conn);
	if (rc != MODEL_OK) {
		http_error(req, 503);
	} else if (list.n == 0) {
		http_error(req, 404);
	} else {
		/* what is at most 64 bytes (tag or user name): no cut. */
		snprintf(heading, sizeof(heading), heading_fmt, what);
		if (q->page == 1)
			snprintf(title, sizeof(title), "%s", heading);
		else
			snprintf(title, sizeof(title), "%s, page %lld", heading,
			         q->page);
		buf_puts(&base, prefix);
		handlers_url_encode(&base, what);
		handlers_render_list(req, title, heading, "", &list, q->page,
		                     buf_cstr(&base));
	}
	buf_free(&base);
	model_post_list_free(&list);
}

void
handle_tag(struct http_request *req)
{
	struct model_post_query q = {.per_page = DISCOVER_PER_PAGE};
	const char *tag = http_req_param(req, 0);
	size_t len = strlen(tag);

	/* No stored tag could match: skip the database. */
	if (len > MODEL_TAG_MAX || !text_utf8_valid(tag, len)) {
		http_error(req, 404);
		return;
	}
	q.tag = tag;
	discover_list(req, &q, "/tags/", "Posts tagged “%s”", tag);
}

void
handle_author(struct http_request *req)
{
	struct model_post_query q = {.per_page = DISCOVER_PER_PAGE};
	const char *name = http_req_param(req, 0);

	if (!model_user_name_valid(name)) {
		http_error(req, 404);
		return;
	}
	q.author = name;
	discover_list(req, &q, "/authors/", "Posts by %s", name);
}

/* Renders search.tpl: the form with words in it and, when words is not
 * empty, the results as an included index.tpl. */
static void
search_render(struct http_request *req, const char *words,
              const struct model_post_list *list, long long page)
{
	struct tmpl_dict *content, *root, *results;
	struct buf base = BUF_INIT, heading = BUF_INIT;
	char title[32];

	if (*words == '\0') {
		root = page_new(req, "Search", TF_search, &content);
		tmpl_set(content, TK_HEADING_TEXT, "Search");
		page_render(req, 200, root);
		return;
	}
	if (page == 1)
		snprintf(title, sizeof(title), "Search");
	else
		snprintf(title, sizeof(title), "Search, page %lld", page);
	root = page_new(req, title, TF_search, &content);
	buf_printf(&heading, "Results for “%s”", words);
	tmpl_set(content, TK_HEADING_TEXT, buf_cstr(&heading));
	buf_free(&heading);
	tmpl_set(content, TK_QUERY, words);
	results = tmpl_add_include(content, TK_RESULTS, TF_index);
	if (list->n == 0) {
		tmpl_show(results, TK_EMPTY);
		tmpl_set(results, TK_EMPTY_TEXT, "No posts match your search.");
	}
	buf_puts(&base, "/search?q=");
	handlers_url_encode(&base, words);
	handlers_fill_list(results, list, page, buf_cstr(&base));
	buf_free(&base);
	page_render(req, 200, root);
}

void
handle_search(struct http_request *req)
{
	struct model_post_query q = {.per_page = DISCOVER_PER_PAGE};
	struct model_post_list list = {0};
	struct db_conn *conn;
	char *words;
	int rc = MODEL_OK;

	if ((q.page = handlers_page_number(http_query(req, "page"))) == 0) {
		http_error(req, 404);
		return;
	}
	if ((words = handlers_query_words(req, "q")) == NULL) {
		http_error(req, 400);
		return;
	}
	if (*words != '\0') {
		if ((conn = handlers_db_read(req)) == NULL) {
			free(words);
			return;
		}
		rc = model_post_search(conn, words, &q, &list);
		db_release(conn);
	}
	if (rc != MODEL_OK)
		http_error(req, 503);
	else if (q.page > 1 && list.n == 0)
		http_error(req, 404);
	else
		search_render(req, words, &list, q.page);
	model_post_list_free(&list);
	free(words);
}
