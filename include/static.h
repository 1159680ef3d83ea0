/*
 * Files served straight from disk: GET /static/{path} from [paths] static,
 * and GET /.well-known/acme-challenge/{token} from [paths] webroot (certbot
 * --webroot). In handlers/routes.c: static_serve for GET on the pattern
 * "/static/" followed by the wildcard "*", static_acme for GET on
 * "/.well-known/acme-challenge/{token}". Both handlers look at req->path
 * themselves, so they do not depend on how the pattern captures.
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
