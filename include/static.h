/*
 * Files served straight from disk: GET /static/{path} from [paths] static,
 * and GET /.well-known/acme-challenge/{token} from [paths] webroot (certbot
 * --webroot). In handlers/routes.c: static_serve for GET on the pattern
 * "/static/" followed by the wildcard "*", static_acme for GET on
 * "/.well-known/acme-challenge/{token}". Both handlers look at req->path
 * themselves, so they do not depend on how the pattern captures.
 *
 * Files under 64 KiB are held in memory as ready-made responses (at most
 * a quarter of [cache] max_size, 1 MiB at least), looked at again when a
 * second has passed or inotify saw a change in their directory; larger ones
 * are sent from their descriptor. A .gz sibling no older than its file is
 * sent to clients that accept gzip (scripts/gzip-static.sh makes them).
 * Cache-Control: public, max-age=3600; a year and immutable for
 * fingerprinted names (app.0123abcd.css: 8+ hex digits between dots) and
 * URLs with ?v=.
 */
#ifndef BLOGD_STATIC_H
#define BLOGD_STATIC_H

#include "http.h"

struct config;

/* Opens the static directory once (http_server_start does it). A missing
 * directory is logged and every /static/ request gets 404. */
void static_open(const struct config *cfg);
void static_close(void);

void static_serve(struct http_request *req);
void static_acme(struct http_request *req);

#endif
