/* The pure parts of reading ACME answers (src/acme/parse.h). */
#include "parse.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "xalloc.h"

static const char err_prefix[] = "urn:ietf:params:acme:error:";

char *
acme_header_value(const char *line, size_t len, const char *name)
{
	size_t n = strlen(name);

	if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return NULL;
	const char *v = line + n + 1, *end = line + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' ||
	                   end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return xstrndup(v, (size_t)(end - v));
}

static bool
acme_token_ok(const char *t)
{
	size_t n =
	    strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	              "0123456789-_");

	return t[n] == '\0' && n >= 16 && n <= ACME_TOKEN_MAX;
}

const json_t *
acme_http01(const json_t *authz, const char **token, const char **url,
            bool *bad)
{
	const json_t *chs = json_object_get(authz, "challenges"), *ch;
	size_t i;

	*bad = false;
	json_array_foreach(chs, i, ch)
	{
		const char *t = json_string_value(json_object_get(ch, "type"));
		if (t == NULL || strcmp(t, "http-01") != 0)
			continue;
		*token = json_string_value(json_object_get(ch, "token"));
		*url = json_string_value(json_object_get(ch, "url"));
		*bad = *token == NULL || *url == NULL || !acme_token_ok(*token);
		return ch;
	}
	return NULL;
}

const char *
acme_error_type(const char *type)
{
	if (type != NULL &&
	    strncmp(type, err_prefix, sizeof(err_prefix) - 1) == 0)
		return type + sizeof(err_prefix) - 1;
	return type;
}

void
acme_authz_reason(const json_t *authz, const char *domain, char *out,
                  size_t outlen)
{
	const json_t *chs = json_object_get(authz, "challenges"), *ch;
	const char *status;
	size_t i;

	json_array_foreach(chs, i, ch)
	{
		const json_t *e = json_object_get(ch, "error");
		const char *d = json_string_value(json_object_get(e, "detail"));
		const char *t = acme_error_type(
		    json_string_value(json_object_get(e, "type")));
		if (d != NULL || t != NULL) {
			snprintf(out, outlen,
			         "HTTP-01 challenge for %s failed: %s: %s",
			         domain, t ? t : "error", d ? d : "");
			return;
		}
	}
	status = json_string_value(json_object_get(authz, "status"));
	snprintf(out, outlen, "authorization for %s is %s", domain,
	         status ? status : "(no status)");
}
