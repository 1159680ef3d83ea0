/* The application's routes (include/router.h), matched in order. */
#include "admin.h"
#include "handlers.h"
#include "metrics.h"
#include "router.h"
#include "static.h"

/* methods, pattern, handler, metrics name, cacheable, quick, upload
 * (router.h) */
const struct route app_routes[] = {
    {HTTP_GET, "/", handle_home, "home", true, false, false},
    {HTTP_GET, "/posts/{slug}", handle_post, "post", true, false, false},
    {HTTP_POST, "/posts/{slug}/comments", handle_comment_create, "comment",
     false, false, false},
    {HTTP_GET, "/pages/{slug}", handle_page, "page", true, false, false},
    {HTTP_GET, "/static/*", static_serve, "static", false, true, false},
    {HTTP_GET, "/favicon.ico", static_favicon, "favicon", false, true, false},
    /* Not quick: blogd's own answers come from the database. */
    {HTTP_GET, "/.well-known/acme-challenge/{token}", handle_acme_challenge,
     "acme", false, false, false},
    {HTTP_GET, "/media/{file}", handle_media, "media", false, false, false},
    {HTTP_GET, "/healthz", handle_healthz, "healthz", false, false, false},
    {HTTP_GET, "/metrics", metrics_handle, "metrics", false, true, false},
    {HTTP_GET | HTTP_POST, "/admin/login", handle_admin_login, "admin_login",
     false, false, false},
    {HTTP_GET | HTTP_POST, "/admin/login/code", handle_admin_login_code,
     "admin_login_code", false, false, false},
    {HTTP_POST, "/admin/logout", handle_admin_logout, "admin_logout", false,
     false, false},
    {HTTP_GET, "/admin", handle_admin_index, "admin", false, false, false},
    {HTTP_GET | HTTP_POST, "/admin/posts/new", handle_admin_post_new,
     "admin_post_new", false, false, false},
    {HTTP_GET | HTTP_POST, "/admin/posts/{id}/edit", handle_admin_post_edit,
     "admin_post_edit", false, false, false},
    {HTTP_POST, "/admin/posts/{id}/delete", handle_admin_post_delete,
     "admin_post_delete", false, false, false},
    {HTTP_POST, "/admin/preview", handle_admin_preview, "admin_preview", false,
     false, false},
    {HTTP_GET, "/admin/comments", handle_admin_comments, "admin_comments",
     false, false, false},
    {HTTP_POST, "/admin/comments/{id}/approve", handle_admin_comment_approve,
     "admin_comment_approve", false, false, false},
    {HTTP_POST, "/admin/comments/{id}/delete", handle_admin_comment_delete,
     "admin_comment_delete", false, false, false},
    {HTTP_GET | HTTP_POST, "/admin/password", handle_admin_password,
     "admin_password", false, false, false},
    {HTTP_GET | HTTP_POST, "/admin/users", handle_admin_users, "admin_users",
     false, false, false},
    {HTTP_POST, "/admin/users/{name}/delete", handle_admin_user_delete,
     "admin_user_delete", false, false, false},
    {HTTP_GET | HTTP_POST, "/admin/redirects", handle_admin_redirects,
     "admin_redirects", false, false, false},
    {HTTP_POST, "/admin/redirects/delete", handle_admin_redirect_delete,
     "admin_redirect_delete", false, false, false},
    {HTTP_GET, "/admin/totp", handle_admin_totp, "admin_totp", false, false,
     false},
    {HTTP_POST, "/admin/totp/start", handle_admin_totp_start,
     "admin_totp_start", false, false, false},
    {HTTP_POST, "/admin/totp/confirm", handle_admin_totp_confirm,
     "admin_totp_confirm", false, false, false},
    {HTTP_POST, "/admin/totp/disable", handle_admin_totp_disable,
     "admin_totp_disable", false, false, false},
    {HTTP_POST, "/admin/totp/recovery", handle_admin_totp_recovery,
     "admin_totp_recovery", false, false, false},
    {HTTP_GET | HTTP_POST, "/admin/media", handle_admin_media, "admin_media",
     false, false, true},
    {HTTP_POST, "/admin/media/{id}/delete", handle_admin_media_delete,
     "admin_media_delete", false, false, false},
    /* Last of the admin routes: any other /admin/ URL needs a session
     * too, so probing them reveals nothing. */
    {HTTP_GET | HTTP_POST, "/admin/*", handle_admin_other, "admin_other", false,
     false, false},
    {HTTP_GET, "/tags/{tag}", handle_tag, "tag", true, false, false},
    {HTTP_GET, "/authors/{name}", handle_author, "author", true, false, false},
    {HTTP_GET, "/search", handle_search, "search", false, false, false},
    {HTTP_GET, "/feed.xml", handle_feed, "feed", true, false, false},
    {HTTP_GET, "/sitemap.xml", handle_sitemap, "sitemap", true, false, false},
    {HTTP_GET, "/robots.txt", handle_robots, "robots", true, false, false},
    /* Last, and matched by no path (patterns start with '/'): a GET no
     * other route takes, which may be an old URL kept by an import. */
    {HTTP_GET, "", handle_not_found, "not_found", false, false, false},
};

const size_t app_routes_count = sizeof(app_routes) / sizeof(app_routes[0]);
const struct route *const app_not_found_route =
    &app_routes[sizeof(app_routes) / sizeof(app_routes[0]) - 1];
