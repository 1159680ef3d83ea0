/*
 * Files served straight from disk: GET /static/{path} from [paths] static,
 * and GET /.well-known/acme-challenge/{token} from [paths] webroot (certbot
 * --webroot). In handlers/routes.c: static_serve for GET on the pattern
 * "/static/" followed by the wildcard "*", static_acme for GET on
 * "/.well-known/acme-challenge/{token}". Both handlers look at the path
 * themselves, so they do not depend on how the pattern captures.
 *
 * Files under 64 KiB are held in memory as ready-made responses (at most
 * a quarter of [cache] max_size, 1 MiB at least), looked at again when a
 * second has passed or inotify saw a change in their directory; larger ones
 * are sent from their descriptor. A .gz sibling no older than its file is
 * sent to clients that accept gzip (scripts/gzip-static.sh makes them);
 * without one, a text file is gzipped in memory when it is loaded.
 * Cache-Control: public, max-age=3600; a year and immutable for
 * fingerprinted names (app.0123abcd.css: 8+ hex digits between dots) and
 * URLs whose ?v= is the hash of the file served (static_url makes them).
 *
 * static_url's versions and the inlined stylesheet (with its hash in the
 * CSP) are taken when the server starts and again on SIGHUP
 * (static_reload): after a deploy changes them, a reload links and inlines
 * the new files; until then pages link the old versions, which still get
 * the current file, cached for an hour only.
 */
#ifndef BLOGD_STATIC_H
#define BLOGD_STATIC_H

#include "http.h"

struct config;

/* Opens the static directory once (http_server_start does it). A missing
 * directory is logged and every /static/ request gets 404. */
void static_open(const struct config *cfg);
void static_close(void);

/* SIGHUP: hashes the top-level files again. Requests that began to use
 * the old versions finish with them; the page cache must be flushed. */
void static_reload(void);

/* The URL of the top-level static file name with its version (?v= and 16
 * hex digits of its SHA-256 at start-up or the last reload), served
 * immutable; NULL when there was no such file. The strings below live as
 * long as req's response: one request sees one set of versions. */
const char *static_url(struct http_request *req, const char *name);
/* The text of style.css to inline into pages (the CSP allows it by its
 * hash), or NULL: link it then. */
const char *static_inline_css(struct http_request *req);
/* The Content-Security-Policy for req's answer, allowing that stylesheet. */
const char *static_csp(struct http_request *req);

void static_serve(struct http_request *req);
/* GET /favicon.ico: favicon.ico of the static directory. */
void static_favicon(struct http_request *req);
void static_acme(struct http_request *req);

#endif
