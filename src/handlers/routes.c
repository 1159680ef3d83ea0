/* The application's routes (include/router.h), matched in order. */
#include "handlers.h"
#include "router.h"
#include "static.h"

const struct route app_routes[] = {
    {HTTP_GET, "/", handle_home, "home"},
    {HTTP_GET, "/posts/{slug}", handle_post, "post"},
    {HTTP_POST, "/posts/{slug}/comments", handle_comment_create, "comment"},
    {HTTP_GET, "/static/*", static_serve, "static"},
    {HTTP_GET, "/.well-known/acme-challenge/{token}", static_acme, "acme"},
    {HTTP_GET, "/healthz", handle_healthz, "healthz"},
};

const size_t app_routes_count = sizeof(app_routes) / sizeof(app_routes[0]);
