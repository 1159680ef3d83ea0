/*
 * Public request handlers, listed in src/handlers/routes.c.
 * Each answers exactly once through http.h; see http.h for the rules.
 */
#ifndef BLOGD_HANDLERS_H
#define BLOGD_HANDLERS_H

#include "http.h"
#include "router.h"

struct db_conn;

/* The URL table (routes.c), which the program hands to http
 * (router_set_table). */
extern const struct route app_routes[];
extern const size_t app_routes_count;
/* The route of a GET that no pattern matches (one of app_routes). */
extern const struct route *const app_not_found_route;
struct model_post_list;

/* The helpers from here to handlers_post_header are the page files' shared
 * ones (common.c); the page files call none of each other's functions. */

/* A borrowed connection (db_release it), or NULL once the request has been
 * answered 503: the database cannot be reached. */
struct db_conn *handlers_db(struct http_request *req);
/* handlers_db for the public pages' reads: a read replica's connection when
 * one is in service (database.replicas), else the primary's. Admins and a
 * client that has just written (session_reads_primary) get the primary's,
 * and so does a render the page cache keeps unless the replica has caught
 * up with the version it is kept under. Never for a write. */
struct db_conn *handlers_db_read(struct http_request *req);

/* GET / and ?page=N */
void handle_home(struct http_request *req);
/* GET /posts/{slug}, GET /pages/{slug} */
void handle_post(struct http_request *req);
void handle_page(struct http_request *req);
/* POST /posts/{slug}/comments */
void handle_comment_create(struct http_request *req);
struct buf;
/* A metrics source (metrics_add_source): comments refused by the spam
 * defence, by reason; arg unused. */
void comments_metrics(struct buf *out, void *arg);
/* GET /.well-known/acme-challenge/{token} (acme.c): blogd's own ACME
 * answers from the database, else the webroot */
void handle_acme_challenge(struct http_request *req);
/* GET /media/{file} (media.c): an uploaded image or file */
void handle_media(struct http_request *req);
/* GET /healthz */
void handle_healthz(struct http_request *req);
/* GET /tags/{tag}, GET /authors/{name}, GET /search?q= (discover.c) */
void handle_tag(struct http_request *req);
void handle_author(struct http_request *req);
void handle_search(struct http_request *req);
/* GET /feed.xml, /sitemap.xml, /robots.txt (feeds.c) */
void handle_feed(struct http_request *req);
void handle_sitemap(struct http_request *req);
void handle_robots(struct http_request *req);
/* A GET no route matched: 301 for an imported old URL, else 404
 * (redirects.c). */
void handle_not_found(struct http_request *req);

/* Parses plain digits without a leading zero, 1..max: the number, or 0
 * when s is NULL, malformed or over max. */
long long handlers_number(const char *s, long long max);

/* A numeric limit macro as a string literal, so that a message built from it
 * ("Please keep the title to " HANDLERS_STR(MODEL_TITLE_MAX) ...) cannot
 * disagree with the check. The macro must be a plain decimal number. */
#define HANDLERS_STR(m)  HANDLERS_STR_(m) /* m expanded first */
#define HANDLERS_STR_(m) #m

/*
 * Parses a ?page= value: absent is page 1, otherwise handlers_number up to
 * HANDLERS_PAGE_MAX. Returns the page or 0 when malformed (the caller
 * answers 404).
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

/*
 * Fills an index.tpl dictionary (content) with the posts of list and the
 * newer/older links; handlers_render_list in one piece, for pages that
 * embed the list in their own template. base_url may carry a query
 * ("/search?q=x"): the page number is then added with '&'.
 */
struct tmpl_dict;
void handlers_fill_list(struct tmpl_dict *content,
                        const struct model_post_list *list, long long page,
                        const char *base_url);
/* The PAGER section's newer and older links of a list at page (from 1)
 * when either exists; page 2's newer link is base_url itself. */
void handlers_add_pager(struct tmpl_dict *content, long long page,
                        bool has_more, const char *base_url);

/*
 * The site's absolute base URL without a trailing slash: site.base_url, or
 * when that is empty the request's scheme and Host header. -1 when there is
 * none (no usable Host): the caller answers 400 or leaves absolute links
 * out.
 */
#define BASE_URL_MAX 512
int handlers_base_url(struct http_request *req, char *out, size_t outlen);

/*
 * A form field as text: trimmed when trim, "" when absent, and
 * "" with *error set when it is not valid UTF-8 (such bytes cannot be shown
 * again in a UTF-8 page). Caller frees.
 */
char *handlers_form_text(struct http_request *req, const char *name, bool trim,
                         const char **error);
/* Search words of query parameter name (a search box), trimmed: "" when
 * absent; NULL when not UTF-8 or over HANDLERS_WORDS_MAX code points
 * (answer 400). Caller frees. */
#define HANDLERS_WORDS_MAX 200
char *handlers_query_words(struct http_request *req, const char *name);

/* Appends s percent-encoded except RFC 3986 unreserved characters, like
 * the templates' :x-path: a path segment or a query value. */
void handlers_url_encode(struct buf *out, const char *s);

struct model_post;
/* Slug, title, author, date and tags: what a post row of index.tpl and the
 * head of post.tpl both show. */
void handlers_post_header(struct tmpl_dict *d, const struct model_post *p);
/* Appends the public path of p: /posts/{slug}, or /pages/{slug}. */
void handlers_post_path(struct buf *out, const struct model_post *p);

/*
 * The sharing head of a public page (layout.tpl's META): canonical link,
 * Open Graph and Twitter card tags, all with absolute URLs (none without a
 * base URL), and the meta description.
 */
struct handlers_meta {
	const char *type; /* og:type: "article" or "website" */
	const char *title;
	const char *description;  /* NULL or "": the site's */
	const char *path;         /* the page's path, URL-safe ("/tags/x") */
	long long page;           /* > 1: "?page=N" follows the path */
	const char *published_at; /* a model date, or NULL */
	const char *body_html;    /* og:image is its first image; or NULL */
};
void handlers_meta(struct http_request *req, struct tmpl_dict *root,
                   const struct handlers_meta *m);

#endif
