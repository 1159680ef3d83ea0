/*
 * What handlers call (include/http.h): request accessors and the ways to
 * answer. The answer is only recorded here; server.c turns it into an MHD
 * response once the handler returns.
 */
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "form.h"
#include "http.h"
#include "router.h"
#include "http_internal.h"
#include "log.h"
#include "xalloc.h"

const char *
http_header(struct http_request *req, const char *name)
{
	if (req->conn == NULL)
		return NULL;
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *
http_query(struct http_request *req, const char *name)
{
	if (!req->query_parsed) {
		req->query_parsed = true;
		req->query = form_parse_query(req->target);
	}
	return form_get(req->query, name);
}

const char *
http_cookie(struct http_request *req, const char *name)
{
	if (!req->cookies_parsed) {
		req->cookies_parsed = true;
		req->cookies = form_parse_cookies(http_header(req, "Cookie"));
	}
	return form_get(req->cookies, name);
}

/* Characters of a host name or IPv4 address (RFC 3986 reg-name, less the
 * sub-delims and percent-encoding nobody needs in a Host). */
static bool
http_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

/* Characters inside "[...]": IPv6, with an IPv4 tail if any. */
static bool
http_host_v6_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

size_t
http_host_check(const char *s, size_t len)
{
	size_t n = 0, port;

	if (s == NULL || len == 0 || len > HTTP_HOST_MAX)
		return 0;
	if (s[0] == '[') {
		for (n = 1; n < len && http_host_v6_char(s[n]); n++)
			;
		if (n == 1 || n == len || s[n] != ']')
			return 0;
		n++;
	} else {
		while (n < len && http_host_char(s[n]))
			n++;
		if (n == 0)
			return 0;
	}
	if (n == len)
		return n;
	if (s[n] != ':')
		return 0;
	for (port = n + 1; port < len && s[port] >= '0' && s[port] <= '9';
	     port++)
		;
	return port == len && len - n - 1 >= 1 && len - n - 1 <= 5 ? n : 0;
}

const char *
http_request_host(struct http_request *req, size_t *hostlen)
{
	/* RFC 9112 3.2.2: an absolute target's authority wins over Host. */
	const char *h = http_priv(req)->authority != NULL
	                    ? http_priv(req)->authority
	                    : http_header(req, "Host");
	size_t n = h != NULL ? http_host_check(h, strlen(h)) : 0;

	if (n == 0)
		return NULL;
	if (hostlen != NULL)
		*hostlen = n;
	return h;
}

/* True for "application/x-www-form-urlencoded", parameters ignored. */
static bool
http_is_urlencoded(const char *ctype)
{
	static const char want[] = "application/x-www-form-urlencoded";
	size_t n = sizeof(want) - 1;

	if (ctype == NULL || strncasecmp(ctype, want, n) != 0)
		return false;
	return ctype[n] == '\0' || ctype[n] == ';' || ctype[n] == ' ' ||
	       ctype[n] == '\t';
}

const char *
http_form(struct http_request *req, const char *name)
{
	if (!req->form_parsed) {
		req->form_parsed = true;
		if (http_is_urlencoded(http_header(req, "Content-Type")))
			req->form =
			    form_parse(buf_cstr(&req->body), req->body.len);
	}
	return form_get(req->form, name);
}

/* Header names are tokens; values may not break the header block. */
static bool
http_header_ok(const char *name, const char *value)
{
	if (name[0] == '\0' || strpbrk(name, " \t\r\n:") != NULL)
		return false;
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return false;
	return true;
}

void
http_add_header(struct http_request *req, const char *name, const char *value)
{
	struct http_kv *h, **tail = &req->headers;

	if (!http_header_ok(name, value)) {
		log_err("http: refusing malformed response header %s", name);
		return;
	}
	while (*tail != NULL)
		tail = &(*tail)->next;
	h = xmalloc(sizeof(*h));
	h->name = xstrdup(name);
	h->value = xstrdup(value);
	h->next = NULL;
	*tail = h;
}

/* RFC 6265 token (name) and cookie-octet (value) characters. */
static bool
http_cookie_chars_ok(const char *s, bool is_name)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p <= 0x20 || *p >= 0x7f || *p == '"' || *p == ',' ||
		    *p == ';' || *p == '\\')
			return false;
		if (is_name && strchr("()<>@:/[]?={}", *p) != NULL)
			return false;
	}
	return true;
}

void
http_set_cookie(struct http_request *req, const char *name, const char *value,
                long max_age, bool http_only)
{
	struct buf b = BUF_INIT;

	if (name[0] == '\0' || !http_cookie_chars_ok(name, true) ||
	    !http_cookie_chars_ok(value, false)) {
		/* The name is safe to log: handlers only use fixed names. */
		log_err("http: refusing cookie %s with bad characters", name);
		return;
	}
	buf_printf(&b, "%s=%s; Path=/; SameSite=Lax", name, value);
	if (http_only)
		buf_puts(&b, "; HttpOnly");
	if (req->https)
		buf_puts(&b, "; Secure");
	if (max_age >= 0)
		buf_printf(&b, "; Max-Age=%ld", max_age);
	http_add_header(req, "Set-Cookie", buf_cstr(&b));
	buf_free(&b);
}

/* Marks req answered; false (and logged) when it already was. */
static bool
http_claim(struct http_request *req, int status, const char *content_type)
{
	if (req->answered) {
		log_err("http: %s %s answered twice (route %s)",
		        req->method_name, req->path,
		        req->route != NULL ? req->route->name : "none");
		return false;
	}
	req->answered = true;
	req->status = status;
	req->content_type = content_type; /* a constant: see http.h */
	return true;
}

void
http_respond(struct http_request *req, int status, const char *content_type,
             struct buf *body)
{
	if (!http_claim(req, status, content_type)) {
		buf_free(body);
		return;
	}
	buf_free(&req->resp_body);
	req->resp_body = *body;
	buf_init(body);
}

void
http_respond_static(struct http_request *req, int status,
                    const char *content_type, const void *data, size_t len)
{
	if (!http_claim(req, status, content_type))
		return;
	req->resp_static = data;
	req->resp_static_len = len;
}

void
http_respond_fd(struct http_request *req, int status, const char *content_type,
                int fd, size_t len)
{
	if (!http_claim(req, status, content_type)) {
		close(fd);
		return;
	}
	req->resp_fd = fd;
	req->resp_fd_len = len;
}

void
http_redirect(struct http_request *req, int status, const char *location)
{
	if (!http_header_ok("Location", location) || location[0] == '\0') {
		log_err("http: %s %s: bad redirect target (route %s)",
		        req->method_name, req->path,
		        req->route != NULL ? req->route->name : "none");
		http_error(req, 500);
		return;
	}
	http_add_header(req, "Location", location);
	http_respond_static(req, status, NULL, "", 0);
}

/* Written once before serving (http_set_error_renderer), then only read. */
static http_error_renderer_fn http_error_renderer;

void
http_set_error_renderer(http_error_renderer_fn fn)
{
	http_error_renderer = fn;
}

void
http_error(struct http_request *req, int status)
{
	const char *reason = MHD_get_reason_phrase_for((unsigned)status);
	const char *ctype = NULL;
	struct buf out = BUF_INIT;

	if (reason == NULL || reason[0] == '\0')
		reason = "Error";
	/* The handler logs the cause; this line ties it to the route. */
	if (status == 500)
		log_err("http: %d for %s %s (route %s)", status,
		        req->method_name, req->path,
		        req->route != NULL ? req->route->name : "none");
	if (http_error_renderer != NULL)
		ctype = http_error_renderer(req, status, reason, &out);
	if (ctype == NULL) {
		buf_reset(&out);
		buf_printf(&out, "%d %s\n", status, reason);
		ctype = "text/plain; charset=utf-8";
	}
	http_respond(req, status, ctype, &out);
}

void
http_response_clear(struct http_request *req)
{
	form_free(req->headers);
	req->headers = NULL;
	buf_free(&req->resp_body);
	if (req->resp_fd >= 0)
		close(req->resp_fd);
	req->resp_fd = -1;
	static_assets_release(http_priv(req)->assets);
	http_priv(req)->assets = NULL;
}

struct app *
http_req_app(const struct http_request *req)
{
	return req->app;
}

enum http_method
http_req_method(const struct http_request *req)
{
	return req->method;
}

const struct route *
http_req_route(const struct http_request *req)
{
	return req->route;
}

const char *
http_req_param(const struct http_request *req, size_t i)
{
	return i < req->nparams ? req->params[i] : NULL;
}

const char *
http_req_path(const struct http_request *req)
{
	return req->path;
}

const char *
http_req_target(const struct http_request *req)
{
	return req->target;
}

const char *
http_req_client_ip(const struct http_request *req)
{
	return req->client_ip;
}

bool
http_req_https(const struct http_request *req)
{
	return req->https;
}

const struct buf *
http_req_body(const struct http_request *req)
{
	return &req->body;
}

void *
http_req_state(const struct http_request *req, void (*free_fn)(void *))
{
	return req->handler_state_free == free_fn ? req->handler_state : NULL;
}

bool
http_req_set_state(struct http_request *req, void *state,
                   void (*free_fn)(void *))
{
	if (req->handler_state != NULL)
		return false;
	req->handler_state = state;
	req->handler_state_free = free_fn;
	return true;
}
